"""Adversarial texts: the shapes that drive regexes into catastrophic backtracking.

Used three ways: at rule load (short probes, small budget: a pattern that blows it is refused),
in tests (10,000-character probes, every rule under a bound ten times the expected) and in
benchmarks/adversarial.py (worst time per rule and per stage).
Each probe repeats a unit that looks almost like a figure or a name, so a pattern with nested or
adjacent unbounded repetition tries every way to split it before failing.
"""
from __future__ import annotations

NBSP, NNBSP = "\u00a0", "\u202f"

# name → repeating unit; the unit is repeated to the wanted length
UNITS: dict[str, str] = {
    "capitalised_dash_chain": "Aral-",                       # Aral-Aral-Aral-... (project names)
    "capitalised_spaced_dash": "Shu – ",
    "capitalised_words": "Karaganda ",
    "place_pair_list": "Aral-Shu, ",                        # Aral-Shu, Aral-Shu, ... (route lists)
    "cyrillic_pair_list": "Алматы-Шу, ",
    "cyrillic_capitalised": "Караганда-",
    "title_with_of": "Program of ",
    "digits_spaced": "123 ",                                 # 123 123 123 ... (thousands groups)
    "digits_nbsp": "123" + NBSP,
    "digits_nnbsp": "123" + NNBSP,
    "digits_commas": "1,",
    "digits_dots": "1.",
    "digits_run": "1234567890",
    "scale_words": "billion ",
    "scale_abbrev": "bln. ",
    "scale_cyrillic": "млрд ",
    "number_words": "twenty five ",
    "amount_and": "5 and ",
    "ranges": "5-",
    "percent_chain": "5%-",
    "years": "2021 ",
    "year_ranges": "2021-",
    "quotes": "«",
    "quoted_words": "«Aral» ",
    "spaces": " ",
    "dashes": "- ",
    "mixed_digits_letters": "5a",
    "currency_chain": "tenge ",
    "dot_words": "the. ",
    "letters": "a",
    "capitals": "A",
    "cyrillic_letters": "а",
}


def probe(name: str, length: int) -> str:
    """The probe `name` of about `length` characters, ending in a character no rule completes on
    (a bare letter), so a match attempt runs to the end and fails there."""
    unit = UNITS[name]
    return (unit * (length // len(unit) + 1))[:length - 1] + "x"


def probes(length: int) -> dict[str, str]:
    return {name: probe(name, length) for name in UNITS}
