"""Quantity, count, multiplier and duration spans → value_min = value_max and a unit.

The rules capture the unit as group `unit`; the amount is read from the text before it, so a
unit like "m2" never reads as a scale. "50 million tons" → (5e7, "t"); "15 thousand new jobs" →
(15000, "jobs"); "doubled" → (2, None); "six-month" → (6, "month").
"""
from __future__ import annotations

import regex

from .money import amounts

_WORD = regex.compile(r"\p{L}+")


def normalize_measure(text: str, rs, kind: str, groups: dict) -> dict:
    for w in _WORD.findall(text):                 # "doubled", "threefold": the word is the value
        v = rs.lookup("multiplier_word", w)
        if v is not None:
            return {"value_min": float(v), "value_max": float(v), "unit": None}
    unit_text = groups.get("unit")
    amount_text = text[:text.rfind(unit_text)] if unit_text else text
    words = amount_text.split()
    while words and kind == "count" and words[-1].isalpha() and not (
            rs.lookup("scale", words[-1]) or rs.lookup("number_word", words[-1])):
        words.pop()                                      # "15 thousand new" → "15 thousand"
    amount_text = " ".join(words)
    value = float(amounts(rs).amount(amount_text or text)[0])
    unit = None
    if unit_text:
        table = {"quantity": "quantity_unit", "duration": "duration_unit"}.get(kind)
        unit = rs.lookup(table, unit_text) if table else unit_text
    return {"value_min": value, "value_max": value, "unit": unit}
