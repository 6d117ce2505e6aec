"""Number strings and number words → float. Pure; no lexicon loading here (tables are passed in).

Separators are decided by group length, as price-parser does: "1,250" → 1250, "3,7" → 3.7,
"1.234.567" → 1234567, "12 345 678" → 12345678, "1,234.5" → 1234.5, "1.234,5" → 1234.5.
"""
from __future__ import annotations

import re

SPACES = " \u00a0\u202f\u2009\u2007"
_MINUS = "-−–"
_NO_SPACES = str.maketrans("", "", SPACES)
_DIGITS = re.compile(r"[\d.,]+")
_WORD_SPLIT = re.compile(r"[\s-]+")


def parse_number(s: str, dot_thousands: bool = False, decimal_comma: bool = False) -> float:
    """'7,300,000' → 7300000.0; '101,4' → 101.4; '-2' → -2.0. Raises ValueError if not a number.

    A lone point before three digits is a decimal point ("1.250 billion"), unless `dot_thousands`:
    an amount with no scale word after it ("5.500 tenge" is 5500). A lone comma before three digits
    is a thousands comma ("1,250 tenge"), unless `decimal_comma`: Russian and Kazakh group
    thousands with spaces, so there "1,250 млрд" is 1.25 billion.

    >>> parse_number("12\u00a0345 678")
    12345678.0
    """
    s = s.strip()
    sign = 1.0
    if s[:1] in _MINUS:
        sign, s = -1.0, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    s = s.translate(_NO_SPACES)
    if not s or not _DIGITS.fullmatch(s) or not s[0].isdigit():
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
        elif (((sep == "," and not decimal_comma) or (sep == "." and dot_thousands))
              and len(parts[1]) == 3 and parts[0] != "0" and len(parts[0]) <= 3):
            s = "".join(parts)                   # 1,250 → thousands; 5.500 too when the caller says so
        else:
            s = parts[0] + "." + parts[1]        # 3,7 / 2.5 / 1.250 (a point is a decimal point)
    return sign * float(s)


def words_to_number(s: str, words: dict[str, float], roles: dict[str, str] | None = None,
                    joiners=frozenset({"and"})) -> float:
    """'two hundred fifty' → 250; 'one and a half' → 1.5; 'half a' → 0.5; 'a' → 1;
    'двух с половиной' → 2.5; 'екі жүз' → 200.

    `words` maps lower-case number words of any language to values; `roles` (from the lexicon's
    `number_role` list) says how a word combines: `multiplies` what stands before it (hundred, жүз),
    `adds` a fraction to it (half, половиной, жарым), or is an `article` (a, an) that counts as one
    only when it stands alone ("a billion"). Other words add up ("twenty five", "двести пятьдесят").
    `joiners` (and, с) are skipped.
    """
    roles = roles or {}
    toks = [t for t in _WORD_SPLIT.split(s.lower().strip()) if t and t not in joiners]
    if not toks:
        raise ValueError("no number words")
    if all(roles.get(t) == "article" for t in toks):
        return 1.0                                        # "a billion"
    current = 0.0
    for t in toks:
        if t not in words:
            raise ValueError(f"not a number word: {t!r}")
        role = roles.get(t)
        if role == "article":
            continue                                      # "a hundred", "half a", "a seven-year plan"
        if role == "multiplies":
            current = (current or 1.0) * words[t]
        else:                                             # plain words and fractions add up
            current += words[t]
    return current
