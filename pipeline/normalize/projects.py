"""Project span text → `name`, `name_key` and `program`.

`name` (SPEC.md): the span with quotes, extra spaces and a leading "the" removed, in the source's
own spelling (case, dashes, transliteration as written). Grouping is kept apart from it:

- `name_key` groups every variant of one project: case folded, any dash (also U+FFFD, which a
  broken page leaves where a dash was) written "-" without spaces (a space before a year), a generic program word dropped,
  and a known program (rules/lexicon/programs.yaml) in its listed spelling:
  name_key('«Auyl – el besigi»') == name_key('Aul-El besigi program') == 'auyl-el besigi'
- `program`: the canonical spelling of a known program the name is (with or without its program
  word), else None: 'Auyl-El besigi program' → 'Auyl - El Besigi'.

Nothing here is English-only: the same steps read Cyrillic names.
"""
from __future__ import annotations

import regex

_QUOTES = regex.compile(r"[\"“”«»„‟`]|(?<!\p{L})['‘’]|['‘’](?!\p{L})")
_DASH = regex.compile(r"\s*[-‐‑‒–—―\ufffd]\s*")
_SPACE = regex.compile(r"\s+")
_THE = regex.compile(r"^the\s+", regex.I)
_BEFORE_YEAR = regex.compile(r"[\s-]+(?=(?:19|20)\d\d(?!\d))")   # "Road Map-2025" = "Road Map 2025"


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


def _bare_key(name: str, rs) -> str:
    key = _BEFORE_YEAR.sub(" ", _DASH.sub("-", name.casefold()))
    key = _program_words(rs).sub("", key).strip()
    return _SPACE.sub(" ", key) or name.casefold()


def _known(rs) -> dict[str, str]:
    """bare key of every listed spelling of a known program → its canonical spelling."""
    if "known_programs" not in rs.cache:
        table = {}
        for alias, canonical in rs.lexicon.get("program", {}).items():
            table[_bare_key(alias, rs)] = table[_bare_key(canonical, rs)] = canonical
        rs.cache["known_programs"] = table
    return rs.cache["known_programs"]


_YEARS_TAIL = regex.compile(r"\s+(?:for|until|till|to)\s+(?:19|20)\d\d(?:\s*[-–—]\s*(?:19|20)?\d\d)?$", regex.I)


def known_program(name: str, rs) -> str | None:
    """The canonical spelling (programs.yaml) of the known program `name` names, also with a year
    tail ("Nurly Zhol state program for 2020-2025"), else None."""
    return _program_and_key(name, rs)[0]


def name_key(name: str, rs) -> str:
    return _program_and_key(name, rs)[1]


def _program_and_key(name: str, rs) -> tuple[str | None, str]:
    """(known_program(name), name_key(name)), each bare key made once."""
    known = _known(rs)
    bare = _bare_key(name, rs)
    program = known.get(bare)
    if program is None:
        untailed = _YEARS_TAIL.sub("", name)
        if untailed != name:
            program = known.get(_bare_key(untailed, rs))
    if program is None:
        return None, bare
    keys = rs.cache.setdefault("known_program_keys", {})     # canonical spelling → its bare key
    if program not in keys:
        keys[program] = _bare_key(program, rs)
    return program, keys[program]


def minor_words(rs) -> frozenset:
    """Small words of titles ("of", "for", "the"): rules/lexicon/projects.yaml name_minor_word."""
    if "minor_words" not in rs.cache:
        rs.cache["minor_words"] = frozenset(rs.lexicon_aliases.get("name_minor_word", []))
    return rs.cache["minor_words"]


def normalize_project(text: str, rs) -> dict:
    name = project_name(text)
    program, key = _program_and_key(name, rs)
    return {"name": name, "name_key": key, "program": program}
