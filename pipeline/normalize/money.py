"""Money span text → value_min, value_max, unit (ISO 4217).

e.g. "7.5-9.5 billion tenge" → (7.5e9, 9.5e9, "KZT"); "KZT3.2bn" → (3.2e9, 3.2e9, "KZT")
"""
from __future__ import annotations

from decimal import Decimal

import regex

from .numbers import parse_number, words_to_number

_TOKEN = regex.compile(r"(?P<num>\d(?:[\d.,\u00a0\u202f\u2009 ]*\d)?)|(?P<word>[\p{L}]+\.?)|(?P<sym>[$₸€£¥₽])")
_RANGE = regex.compile(r"^\s*(?:from\s+|between\s+)?(?P<low>[+\-]?\d[\d.,\u00a0\u202f\u2009 ]*?)\s*"
                       r"(?:[-–—]|\bto\b|\band\b)\s*(?P<high>.+)$", regex.I | regex.S)


class Amounts:
    """Parses amounts with the scale and number words of one rule set."""

    def __init__(self, rs):
        self.rs = rs
        self.currency = regex.compile(
            r"(?<![\p{L}])(?:" + rs.macros["CURRENCY_AFTER"] + "|" + rs.macros["CURRENCY_BEFORE"] + r")(?![\p{L}])",
            regex.I)
        self.words = {k: float(v) for k, v in rs.lexicon["number_word"].items()}
        self.words["hundred"] = 100.0

    def unit(self, text: str) -> str | None:
        """ISO code of the first currency named in the text, or None."""
        m = self.currency.search(text)
        if not m:
            return None
        alias = m.group(0)
        return self.rs.lookup("currency_after", alias) or self.rs.lookup("currency_before", alias)

    def _scale(self, w: str) -> str | None:
        return self.rs.lookup("scale", w) or (self.rs.lookup("scale_short", w) if w.lower() in ("k", "m", "b") else None)

    def amount(self, text: str) -> tuple[Decimal, Decimal | None]:
        """'2 bln 40 mln 500 thousand' → (2040500000, 1e3); returns (value, last scale)."""
        terms: list[Decimal] = []
        cur: Decimal | None = None
        words: list[str] = []
        last_scale = None

        def flush_words():
            nonlocal cur, words
            if words:
                if cur is not None:
                    terms.append(cur)
                cur, words = Decimal(str(words_to_number(" ".join(words), self.words))), []

        toks = list(_TOKEN.finditer(text))
        for i, m in enumerate(toks):
            if m["num"]:
                flush_words()
                if cur is not None:
                    terms.append(cur)
                nxt = toks[i + 1]["word"] if i + 1 < len(toks) else None
                unscaled = not (nxt and self._scale(nxt))
                cur = Decimal(repr(parse_number(m["num"], dot_thousands=unscaled)))
                continue
            w = m["word"]
            if not w:
                continue
            mult = self._scale(w)
            if mult is not None:
                flush_words()
                cur = (cur if cur is not None else Decimal(1)) * Decimal(mult)
                last_scale = Decimal(mult)
            elif w.lower() in self.words or (w.lower() == "and" and words):
                words.append(w)
        flush_words()
        if cur is not None:
            terms.append(cur)
        if not terms:
            raise ValueError(f"no amount in {text!r}")
        return sum(terms, Decimal(0)), last_scale


def amounts(rs) -> Amounts:
    if "amounts" not in rs.cache:
        rs.cache["amounts"] = Amounts(rs)
    return rs.cache["amounts"]


def normalize_money(text: str, rs, **_) -> dict | None:
    """Span → {value_min, value_max, unit}; unit None for a bare amount (filled from the sentence)."""
    a = amounts(rs)
    unit = a.unit(text)
    body = a.currency.sub(" ", text)
    m = _RANGE.match(body)
    if m:
        high, scale = a.amount(m["high"])
        low = Decimal(repr(parse_number(m["low"]))) * (scale or 1)
        if low > high:
            return None  # "(2015 - 844.6 billion tenge)": a year and an amount, not a range
        lo, hi = low, high
    else:
        lo = hi = a.amount(body)[0]
    return {"value_min": float(lo), "value_max": float(hi), "unit": unit}
