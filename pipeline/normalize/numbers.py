"""Number strings and number words → float. Pure; no lexicon loading here (tables are passed in).

Separators are decided by group length, as price-parser does: "1,250" → 1250, "3,7" → 3.7,
"1.234.567" → 1234567, "12 345 678" → 12345678, "1,234.5" → 1234.5, "1.234,5" → 1234.5.
"""
from __future__ import annotations

import re

SPACES = " \u00a0\u202f\u2009\u2007"
_MINUS = "-−–"


def parse_number(s: str, dot_thousands: bool = False) -> float:
    """'7,300,000' → 7300000.0; '101,4' → 101.4; '-2' → -2.0. Raises ValueError if not a number.

    A lone point before three digits is a decimal point ("1.250 billion"), unless `dot_thousands`:
    an amount with no scale word after it ("5.500 tenge" is 5500).

    >>> parse_number("12\u00a0345 678")
    12345678.0
    """
    s = s.strip()
    sign = 1.0
    if s[:1] in _MINUS:
        sign, s = -1.0, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    s = "".join(c for c in s if c not in SPACES)
    if not s or not re.fullmatch(r"[\d.,]+", s) or not s[0].isdigit():
        raise ValueError(f"not a number: {s!r}")
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        thou = "," if dec == "." else "."
        s = s.replace(thou, "").replace(dec, ".")
    elif has_comma or has_dot:
        sep = "," if has_comma else "."
        parts = s.split(sep)
        if len(parts) > 2:                       # 1,234,567 / 1.234.567
            if any(len(p) != 3 for p in parts[1:]):
                raise ValueError(f"bad digit grouping: {s!r}")
            s = "".join(parts)
        elif (sep == "," or dot_thousands) and len(parts[1]) == 3 and parts[0] != "0" and len(parts[0]) <= 3:
            s = "".join(parts)                   # 1,250 → thousands; 5.500 too when the caller says so
        else:
            s = parts[0] + "." + parts[1]        # 3,7 / 2.5 / 1.250 (a point is a decimal point)
    return sign * float(s)


def words_to_number(s: str, words: dict[str, float]) -> float:
    """'two hundred fifty' → 250; 'one and a half' → 1.5; 'half a' → 0.5; 'a' → 1.

    `words` maps lower-case number words (one, twenty, hundred, half, a, ...) to values;
    'hundred' multiplies what stands before it.
    """
    toks = [t for t in re.split(r"[\s-]+", s.lower().strip()) if t and t != "and"]
    if not toks:
        raise ValueError("no number words")
    total, current = 0.0, 0.0
    for i, t in enumerate(toks):
        if t in ("a", "an") and i + 1 < len(toks) and toks[i + 1] not in ("half", "quarter"):
            continue                                      # an article: "a seven-year plan", "a hundred"
        if t not in words:
            raise ValueError(f"not a number word: {t!r}")
        v = words[t]
        if t == "hundred":
            current = (current or 1.0) * 100
        elif t in ("half", "quarter") and current:       # one and a half
            current += v
        elif t in ("a", "an") and current:                # "one and a half": the "a" adds nothing
            continue
        else:
            current += v
    return total + current
