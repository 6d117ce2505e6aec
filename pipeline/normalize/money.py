"""Money span text → value_min, value_max, unit (ISO 4217).

e.g. "7.5-9.5 billion tenge" → (7.5e9, 9.5e9, "KZT"); "KZT3.2bn" → (3.2e9, 3.2e9, "KZT")
"""
from __future__ import annotations

import re
from decimal import Decimal

import regex

from ..lazy_regex import compile_cached
from .numbers import parse_number, words_to_number

_TOKEN = regex.compile(r"(?P<num>\d(?:[\d.,\u00a0\u202f\u2009 ]*\d)?)|(?P<word>[\p{L}]+\.?)|(?P<sym>[$₸€£¥₽])")
_DIGIT = regex.compile(r"\d")
_DIGITS = regex.compile(r"(\d+)")


_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_BASIC_CYRILLIC = re.compile("[\u0400-\u0484\u0487-\u04ff]")    # (U+0485-0486 are marks of no script)


def _cyrillic(text: str) -> bool:
    """Does text hold a Cyrillic letter (as \\p{Cyrillic})? ASCII text and text with a letter of the
    basic block answer without a `regex` call, which costs more than the rest of a short span's reading."""
    return not text.isascii() and (_BASIC_CYRILLIC.search(text) is not None or _CYRILLIC.search(text) is not None)


class Amounts:
    """Parses amounts with the scale and number words of one rule set."""

    def __init__(self, rs):
        self.rs = rs
        # a currency word, also with Kazakh endings after it ("теңгені"), for the sentence's currency
        self.currency = compile_cached(
            r"(?<![\p{L}])(?:" + rs.macros["CURRENCY_AFTER"] + "|" + rs.macros["CURRENCY_BEFORE"] + r")"
            r"(?:" + rs.macro("KAZAKH_SUFFIX") + r"){0,3}(?![\p{L}])", regex.I)
        self.stem = compile_cached(r"(?:" + rs.macros["CURRENCY_AFTER"] + ")", regex.I)
        # A currency word holds no digit, so the currency scan reads the text between its numbers
        # (" млрд тенге", " billion tenge"), the same few pieces again and again, each scanned once;
        # "none" where some alias or ending has a digit (then the whole text is scanned).
        words = [w for name in ("currency_after", "currency_before", "kazakh_suffix") for w in rs.lexicon.get(name, {})]
        self._pieces: dict | None = None if any(_DIGIT.search(w) for w in words) else {}
        # what a word or currency alias reads as, each looked up once (a lexicon lookup normalizes
        # the word first: most of the time of reading "2,4 млрд тенге")
        self._scales: dict = {}
        self._codes: dict = {}
        self.words = {k: float(v) for k, v in rs.lexicon["number_word"].items()}
        self.roles = dict(rs.lexicon.get("number_role", {}))
        self.joiners = frozenset(rs.lexicon.get("number_joiner", {}))
        # "from 2 to 3 billion", "от 5 до 7 млн", "7.5-9.5 billion": low bound, then the amount
        opens = "|".join(regex.escape(w) for w, v in rs.lexicon["range_word"].items() if v == "from")
        tos = "|".join(regex.escape(w) for w, v in rs.lexicon["range_word"].items() if v == "to")
        self.range = compile_cached(
            rf"^\s*(?:(?:{opens})\s+)?(?P<low>[+\-]?\d[\d.,\u00a0\u202f\u2009 ]*?)\s*"
            rf"(?:[-–—]|(?<![\p{{L}}])(?:{tos})(?![\p{{L}}]))\s*(?P<high>.+)$", regex.I | regex.S)

    def unit(self, text: str) -> str | None:
        """ISO code of the first currency named in the text, or None."""
        m = self.currency.search(text)
        return self._code(m.group(0)) if m else None

    def unit_and_rest(self, text: str) -> tuple[str | None, str]:
        """(unit(text), text with every currency word blanked to " ") from one scan."""
        if self._pieces is None:
            return self._unit_and_rest(text)
        unit, found, parts = None, False, _DIGITS.split(text)    # pieces between numbers, numbers at odd places
        for k in range(0, len(parts), 2):
            code, rest = _remembered(self._pieces, parts[k], self._unit_and_rest)
            if not found and rest != parts[k]:     # the first currency word's code, even a None one
                unit, found = code, True
            parts[k] = rest
        return unit, "".join(parts)

    def _unit_and_rest(self, text: str) -> tuple[str | None, str]:
        parts, pos, first = [], 0, None
        for m in self.currency.finditer(text):
            first = first or m
            parts += (text[pos:m.start()], " ")
            pos = m.end()
        if first is None:
            return None, text
        parts.append(text[pos:])
        return self._code(first.group(0)), "".join(parts)

    def _code(self, alias: str) -> str | None:
        return _remembered(self._codes, alias, self._find_code)

    def _find_code(self, alias: str) -> str | None:
        found = self.rs.lookup("currency_after", alias) or self.rs.lookup("currency_before", alias)
        if found is None:                 # "теңгеге": the stem is the longest alias the word starts with
            stem = self.stem.match(alias)
            found = self.rs.lookup("currency_after", stem.group(0)) if stem else None
        return found

    def _scale(self, w: str) -> str | None:
        return _remembered(self._scales, w, self._find_scale)

    def _find_scale(self, w: str) -> str | None:
        return self.rs.lookup("scale", w) or (self.rs.lookup("scale_short", w) if w.lower() in ("k", "m", "b") else None)

    def amount(self, text: str) -> tuple[Decimal, Decimal | None]:
        """'2 bln 40 mln 500 thousand' → (2040500000, 1e3); returns (value, last scale)."""
        terms: list[Decimal] = []
        cur: Decimal | None = None
        words: list[str] = []            # number words not yet read ("two hundred")
        last_scale = None
        toks = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
        cyrillic = _cyrillic(text)       # Russian and Kazakh write a decimal comma
        for i, (kind, tok) in enumerate(toks):
            if kind == "sym":
                continue
            mult = None if kind == "num" else self._scale(tok)
            if words and (kind == "num" or mult is not None):     # the words end: their number
                if cur is not None:
                    terms.append(cur)
                cur = Decimal(str(words_to_number(" ".join(words), self.words, self.roles, self.joiners)))
                words = []
            if kind == "num":
                if cur is not None:
                    terms.append(cur)
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                unscaled = not (nxt and nxt[0] == "word" and self._scale(nxt[1]))
                cur = Decimal(repr(parse_number(tok, dot_thousands=unscaled, decimal_comma=cyrillic)))
            elif mult is not None:
                last_scale = Decimal(mult)
                cur = (cur if cur is not None else Decimal(1)) * last_scale
            elif tok.lower() in self.words or (tok.lower() in self.joiners and words):
                words.append(tok)
        if words:
            if cur is not None:
                terms.append(cur)
            cur = Decimal(str(words_to_number(" ".join(words), self.words, self.roles, self.joiners)))
        if cur is not None:
            terms.append(cur)
        if not terms:
            raise ValueError(f"no amount in {text!r}")
        return sum(terms, Decimal(0)), last_scale


REMEMBERED = 10_000        # entries a table of looked-up words keeps, at most


def _remembered(table: dict, key: str, find):
    try:
        return table[key]
    except KeyError:
        value = find(key)
        if len(table) < REMEMBERED:
            table[key] = value
        return value


def amounts(rs) -> Amounts:
    if "amounts" not in rs.cache:
        rs.cache["amounts"] = Amounts(rs)
    return rs.cache["amounts"]


def normalize_money(text: str, rs, borrow: str | None = None, low: str | None = None, **_) -> dict | None:
    """Span → {value_min, value_max, unit}; unit None for a bare amount (filled from the sentence).

    `borrow` is the amount a first bound takes its scale and currency from ("с 140,2 до 215,6
    миллиарда тенге": span "140,2", borrow "215,6 миллиарда тенге" → 1.402e11 KZT). `low` is a
    range's low bound with its own scale, as the rule read it ("between 2 billion 500 million and
    3 billion tenge": low "2 billion 500 million"; the high bound is the amount after it).
    """
    a = amounts(rs)
    unit, body = a.unit_and_rest(text)
    if borrow:
        value, own_scale = a.amount(body)
        lent_unit, lent = a.unit_and_rest(borrow)
        if own_scale is None:
            value *= a.amount(lent)[1] or 1
        return {"value_min": float(value), "value_max": float(value), "unit": unit or lent_unit}
    m = None if low else a.range.match(body)
    if low:
        after = text[text.index(low) + len(low):]
        high = after[_DIGIT.search(after).start():]
        lo, hi = a.amount(low)[0], a.amount(a.unit_and_rest(high)[1])[0]
        if lo > hi:
            return None
    elif m:
        high, scale = a.amount(m["high"])
        low = Decimal(repr(parse_number(m["low"], decimal_comma=_cyrillic(text)))) * (scale or 1)
        if low > high:
            return None  # "(2015 - 844.6 billion tenge)": a year and an amount, not a range
        lo, hi = low, high
    else:
        lo = hi = a.amount(body)[0]
    return {"value_min": float(lo), "value_max": float(hi), "unit": unit}
