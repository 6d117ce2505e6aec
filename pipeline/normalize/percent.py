"""Percent span text → value_min, value_max (percent units, sign kept), unit % or pp.

e.g. "7-10%" → (7, 10, "%"); "101, 4%" → (101.4, ...); "-2%" → (-2, -2); "3 percentage points" → pp
"""
from __future__ import annotations

import regex

from .money import amounts
from .numbers import parse_number, words_to_number

_STRAY = regex.compile(r"(\d),\s(\d)(?=\s?%)")       # "101, 4%": a decimal comma with a stray space
_NUM = regex.compile(r"(?:(?<=^|[\s(\[:;])[+\-−])?\d[\d.,]*\d|(?:(?<=^|[\s(\[:;])[+\-−])?\d")
_PP = regex.compile(r"percentage\s+points?|p\.\s?p\.|\bpp\b|\bп\.п\.", regex.I)
_TOKENS = regex.compile(r"[\s-]+")


def normalize_percent(text: str, rs, **_) -> dict | None:
    unit = "pp" if _PP.search(text) else "%"
    t = _STRAY.sub(r"\1,\2", text)
    nums = [parse_number(n) for n in _NUM.findall(t)]
    if not nums:                       # "sixty percent", "двух с половиной процентов": the leading number words
        a = amounts(rs)
        toks = [w for w in _TOKENS.split(t.strip()) if w]
        n = 0
        while n < len(toks) and (toks[n].lower() in a.words or (n and toks[n].lower() in a.joiners)):
            n += 1
        nums = [words_to_number(" ".join(toks[:n]), a.words, a.roles, a.joiners)] if n else []
    if not nums:
        raise ValueError(f"no number in {text!r}")
    if len(nums) > 1 and nums[0] > nums[1]:
        return None      # "2015 - 44%" is a year and a percent, not a falling range
    return {"value_min": min(nums[:2]), "value_max": max(nums[:2]), "unit": unit}
