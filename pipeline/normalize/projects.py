"""Project span text → `name` and `name_key`.

`name` (SPEC.md): the span with quotes, extra spaces and a leading "the" removed; on top of that,
one spelling per name so the same project reads the same across documents: dashes written as
"-" (spacing around them as written), words in title case ("Auyl – el besigi" → "Auyl - El
Besigi"), and a known national program (rules/lexicon/programs.yaml) in its listed spelling
("Auyl-El besigi program" → "Auyl - El Besigi program"). SPEC's scorer compares names ignoring case.

`name_key` also drops dash spacing and a generic program word, for grouping every variant:
name_key('«Auyl – el besigi»') == name_key('Auyl-El besigi program') == 'auyl-el besigi'
"""
from __future__ import annotations

import regex

_QUOTES = regex.compile(r"[\"“”«»„‟`]|(?<!\p{L})['‘’]|['‘’](?!\p{L})")
_DASH = regex.compile(r"\s*[-‐‑‒–—―]\s*")
_SPACE = regex.compile(r"\s+")
_THE = regex.compile(r"^the\s+", regex.I)
_FIRST_LETTER = regex.compile(r"^[^\p{L}\p{N}]*\p{Ll}")   # not after a digit: "2nd" stays


def project_name(text: str) -> str:
    """'the «Comfortable School»' → 'Comfortable School'; inner apostrophes stay (country's)."""
    t = _QUOTES.sub("", text)
    return _THE.sub("", _SPACE.sub(" ", t).strip())


def _program_words(rs) -> regex.Pattern:
    if "program_words" not in rs.cache:
        alt = rs.macros["PROGRAM_WORD"]
        minor = rs.macros["NAME_MINOR_WORD"]      # "Program for the ..." is a title, not a type word
        rs.cache["program_words"] = regex.compile(rf"^(?:{alt})\s+(?!(?:{minor})\s)|\s+(?:{alt})$", regex.I)
    return rs.cache["program_words"]


def name_key(name: str, rs) -> str:
    key = _DASH.sub("-", name.casefold())
    key = _program_words(rs).sub("", key).strip()
    return _SPACE.sub(" ", key) or name.casefold()


def _known(rs) -> dict[str, str]:
    """name_key of every listed spelling of a known program → its canonical spelling."""
    if "known_programs" not in rs.cache:
        table = {}
        for alias, canonical in rs.lexicon.get("program", {}).items():
            table[name_key(alias, rs)] = table[name_key(canonical, rs)] = canonical
        rs.cache["known_programs"] = table
    return rs.cache["known_programs"]


def _dashes(name: str) -> str:
    """Any dash → '-', spaced (' - ') if written with a space on either side."""
    return _DASH.sub(lambda m: " - " if m.group(0).strip() != m.group(0) else "-", name)


def _title(name: str, minor: set[str]) -> str:
    """Title case: each lowercase word or hyphen part capitalized; small words after the first in
    lower case; parts with capitals of their own (CHPP, KazMunayGas) kept, unless all is capitals."""
    if not any(c.islower() for c in name):
        name = name.lower()
    out, first = [], True
    for word in name.split(" "):
        if not first and word.lower() in minor:
            word = word.lower()
        else:
            word = "-".join(_FIRST_LETTER.sub(_cap, p) if p.islower() else p for p in word.split("-"))
        out.append(word)
        first = first and not any(c.isalpha() for c in word)
    return " ".join(out)


def _cap(m) -> str:
    return m.group(0)[:-1] + m.group(0)[-1].upper()


def canonical_name(name: str, rs) -> str:
    name = _dashes(name)
    known = _known(rs).get(name_key(name, rs))
    if known:               # keep a program word written before or after the name
        m = _program_words(rs).search(name)
        word = m.group(0) if m else ""
        name = word + known if m and m.start() == 0 else known + word
    return _title(name, minor_words(rs))


def minor_words(rs) -> frozenset:
    """Small words Title Case leaves in lower case (rules/lexicon/projects.yaml name_minor_word)."""
    if "minor_words" not in rs.cache:
        rs.cache["minor_words"] = frozenset(rs.lexicon_aliases.get("name_minor_word", []))
    return rs.cache["minor_words"]


def normalize_project(text: str, rs) -> dict:
    name = canonical_name(project_name(text), rs)
    return {"name": name, "name_key": name_key(name, rs)}
