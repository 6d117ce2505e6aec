"""Project span text → `name` (SPEC.md: quotes, extra spaces and a leading "the" removed) and
`name_key`, one spelling for every variant of a name (case, quote and dash style, spacing, a
generic program word), so the same program groups across documents.

e.g. name_key('«Auyl – el besigi»') == name_key('Auyl-El besigi program') == 'auyl-el besigi'
"""
from __future__ import annotations

import regex

_QUOTES = regex.compile(r"[\"“”«»„‟`]|(?<!\p{L})['‘’]|['‘’](?!\p{L})")
_DASH = regex.compile(r"\s*[-‐‑‒–—―]\s*")
_SPACE = regex.compile(r"\s+")
_THE = regex.compile(r"^the\s+", regex.I)


def project_name(text: str) -> str:
    """'the «Comfortable School»' → 'Comfortable School'; inner apostrophes stay (country's)."""
    t = _QUOTES.sub("", text)
    return _THE.sub("", _SPACE.sub(" ", t).strip())


def _program_words(rs) -> regex.Pattern:
    if "program_words" not in rs.cache:
        alt = rs.macros["PROGRAM_WORD"]
        rs.cache["program_words"] = regex.compile(rf"^(?:{alt})\s+|\s+(?:{alt})$", regex.I)
    return rs.cache["program_words"]


def name_key(name: str, rs) -> str:
    key = _DASH.sub("-", name.casefold())
    key = _program_words(rs).sub("", key).strip()
    return _SPACE.sub(" ", key) or name.casefold()


def normalize_project(text: str, rs) -> dict:
    name = project_name(text)
    return {"name": name, "name_key": name_key(name, rs)}
