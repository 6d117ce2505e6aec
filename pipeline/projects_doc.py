"""Document-level project passes: names a document defines once and then uses shorter.

Runs on one document's figure rows after the sentence rules (stages stay one document at a time):

- `project.doc_acronym`: a project followed by an acronym in parentheses defines it ("Big Almaty
  Ring Road (BAKAD)", "Trans-Caspian International Transport Route (TITR)"): the acronym there and
  every later one in the document is the same project. One of three letters or fewer counts only
  when the document uses it again (short capitals are as often a code or a company's ticker).
- `project.doc_initials`: the initials of a found title of three or more capitalized words
  (hyphen parts count, small words do not) are its acronym even undefined: "State Program of
  Agro-Industrial Development" ... "SPAID".
- `project.doc_shorter`: a rule-found name is seen again later by a shorter name: without its
  type word ("the Aktogay plant" ... "Aktogay"), or the title before its "of/for" phrase
  ("Comprehensive Plan of Atyrau region" ... "the Comprehensive Plan"). A one-word shorter name
  must not occur before the full name (it would be a place the document was already talking
  about), and a later use after a place preposition ("in Aktogay"), before a place type word
  ("Aktogay village") or with a possessive ("Aktogay's") is the place.

Only names the rules found register (never a name this pass found); a later mention is taken only
where no project was found already. Cue words are lexicons (rules/lexicon/projects.yaml).
"""
from __future__ import annotations

import bisect

import regex

from .lazy_regex import compile_cached
from .match import figure_id
from .normalize.projects import minor_words, normalize_project

ACRONYM_REACH = 1000      # characters after a project's name in which its "(ACRONYM)" may stand
_ACRONYM_AFTER = regex.compile(r"\s*\((\p{Lu}[\p{Lu}\p{N}-]{1,7})\)")
# a capitalized word right before, itself not opening a sentence ("Koktau" in "East Koktau", not in "Under Koktau")
_CAP_BEFORE = regex.compile(r"(?<=[\p{L}\p{N},]\s+)\p{Lu}[\p{L}-]*\s+$")
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)?")


def _cues(rs) -> dict:
    if "doc_cues" not in rs.cache:
        heads = rs.lexicon_aliases.get("project_head", []) + rs.lexicon_aliases.get("route_head", [])
        alt = lambda name: rs.macros[name.upper()]
        rs.cache["doc_cues"] = {
            "head_end": compile_cached(rf"\s+(?:(?:{alt('head_modifier')})\s+)*(?:{alt('project_head')}|{alt('route_head')})$", regex.I),
            "of_tail": compile_cached(r"^(\p{Lu}\S*(?:\s+\p{Lu}\S*)*?\s+(?:" + alt("project_head") + r"))\s+(?:of|for|on)\s", regex.I),
            # "in Koktau", "between Astana and Koktau"
            "place_before": compile_cached(rf"(?<![\p{{L}}])(?:{alt('place_preposition')})\s+(?:the\s+)?"
                                          rf"(?:\p{{Lu}}[\p{{L}}-]*,?\s+(?:and|or)\s+)?$", regex.I),
            "place_after": compile_cached(rf"^\s+(?:{alt('place_type')})(?![\p{{L}}])", regex.I),
            "not_acronym": {a.casefold() for a in rs.lexicon_aliases.get("company_form", [])}
                           | {a.casefold() for a in rs.lexicon_aliases.get("currency_after", [])},
            "heads": {h.casefold() for h in heads},
        }
    return rs.cache["doc_cues"]


def _initials(name: str, minor) -> str | None:
    letters = []
    for w in _WORD.findall(name.replace("-", " ").replace("‑", " ")):
        if w.casefold() in minor:
            continue
        if not w[0].isupper():
            return None              # a sentence-case name has no acronym of its initials
        letters.append(w[0])
    return "".join(letters) if len(letters) >= 3 else None


def _shorter(row: dict, cues) -> list[str]:
    """Shorter names a found project may be called by later."""
    name, out = row["text"].strip(), []
    # each shape is looked for only in the rows of the rules that make it
    m = cues["of_tail"].match(name) if row["rule"] == "project.title" else None
    if m and " " in m.group(1):                 # never a bare type word ("Program")
        out.append(m.group(1))
    m = cues["head_end"].search(name) if row["rule"] in ("project.name_head", "project.place_pair_route") else None
    if m and m.start() > 0:
        bare = name[:m.start()].strip()
        if bare and bare[0].isupper() and bare.casefold() not in cues["heads"]:
            out.append(bare)
    return out


def _used_later(m, text: str) -> bool:
    """A short acronym (three letters or fewer) is as often a code or ticker as a project's own; it
    counts as defined only when the document uses it again."""
    return regex.search(rf"(?<![\p{{L}}\p{{N}}]){regex.escape(m.group(1))}(?![\p{{L}}\p{{N}}])", text, pos=m.end()) is not None


def _sentence_at(starts: list[int], sentences, pos: int, end: int):
    i = bisect.bisect_right(starts, pos) - 1
    if i < 0:
        return None
    s = sentences[i]
    return s if end <= s.end_char else None


class _Spans:
    """Spans taken by projects, asked "is [s, e) free?" in constant time per span (names are short):
    each span is filed under the blocks of the text it touches, so a document with a million
    projects is not checked against all of them for each new one."""
    BLOCK = 256

    def __init__(self):
        self.blocks: dict[int, list[tuple[int, int]]] = {}

    def add(self, s: int, e: int) -> None:
        for b in range(s // self.BLOCK, max(s, e - 1) // self.BLOCK + 1):
            self.blocks.setdefault(b, []).append((s, e))

    def free(self, s: int, e: int) -> bool:
        return not any(a < e and s < z for b in range(s // self.BLOCK, max(s, e - 1) // self.BLOCK + 1)
                       for a, z in self.blocks.get(b, ()))


def _seen_before(short: str, text: str, end: int, cache: dict) -> bool:
    """Does the one-word name `short` occur in text[:end]? The first occurrence is searched once per
    name (a search over the text before every project was quadratic in a long document)."""
    if short not in cache:
        pat = regex.compile(rf"(?<![\p{{L}}]){regex.escape(short)}(?![\p{{L}}])")
        m = pat.search(text)
        cache[short] = (pat, m.end() if m else None)
    pat, first_end = cache[short]
    if first_end is not None and first_end <= end:
        return True
    # only an occurrence ending right at `end` and followed by a letter differs from the slice's view
    return text.endswith(short, 0, end) and pat.search(text[max(0, end - len(short) - 1):end]) is not None


def more_projects(doc, sentences, figures: list[dict], rs) -> list[dict]:
    """New project rows (acronyms, later shorter mentions) for one document's figure rows."""
    projects = sorted((f for f in figures if f["kind"] == "project"), key=lambda f: f["start_char"])
    if not projects:
        return []
    cues, minor, text = _cues(rs), minor_words(rs), doc.text
    taken = _Spans()
    for f in projects:
        taken.add(f["start_char"], f["end_char"])
    seen: dict = {}
    starts = [s.start_char for s in sentences]
    new: list[dict] = []

    def add(s: int, e: int, rule: str) -> None:
        sent = _sentence_at(starts, sentences, s, e)
        if sent is None or not taken.free(s, e):
            return
        taken.add(s, e)
        fields = normalize_project(text[s:e], rs)
        new.append({"figure_id": figure_id(doc.doc_id, "project", s, e), "doc_id": doc.doc_id,
                    "sentence_id": sent.sentence_id, "kind": "project", "text": text[s:e], "start_char": s,
                    "end_char": e, "value_min": None, "value_max": None, "unit": None, "qualifier": None,
                    "date_start": None, "date_end": None, "granularity": None, "rule": rule, "note": None,
                    **fields})

    forms: list[tuple[str, int, str, bool]] = []     # (form, from offset, rule, one word: check place use)
    for f in projects:
        # endpos bounds the regex module's scan for the literal "(", else a pass over the rest of the
        # text for each project (quadratic in a long document); an acronym stands right after its name
        m = _ACRONYM_AFTER.match(text, f["end_char"], f["end_char"] + ACRONYM_REACH)
        if m and m.group(1).casefold() not in cues["not_acronym"] and (len(m.group(1)) > 3 or _used_later(m, text)):
            add(m.start(1), m.end(1), "project.doc_acronym")
            forms.append((m.group(1), m.end(), "project.doc_acronym", False))
        initials = _initials(f["text"], minor)
        if initials and initials.casefold() not in cues["not_acronym"]:
            forms.append((initials, f["end_char"], "project.doc_initials", False))
        for short in _shorter(f, cues):
            one_word = " " not in short          # "Aktogay", "Ust-Kamenogorsk": may be the place
            if one_word and _seen_before(short, text, f["start_char"], seen):
                continue
            forms.append((short, f["end_char"], "project.doc_shorter", one_word))
    first: dict[str, tuple] = {}                       # one search per form, from its first source
    for form in forms:
        first.setdefault(form[0], form)
    for form, after, rule, one_word in first.values():
        pat = regex.compile(rf"(?<![\p{{L}}\p{{N}}-]){regex.escape(form)}(?![\p{{L}}\p{{N}}]|[-‐‑]\p{{L}})")
        for m in pat.finditer(text, after):
            s, e = m.span()
            if one_word and (cues["place_before"].search(text, max(0, s - 30), s) or cues["place_after"].match(text[e:e + 30])
                             or text[e:e + 2] in ("'s", "’s")):
                continue      # the place ("in Koktau", "Koktau village", "Koktau's people")
            if regex.match(r"\s+\p{Lu}", text[e:e + 3]) or _CAP_BEFORE.search(text[max(0, s - 40):s]):
                continue      # part of a longer capitalized run: another name
            add(s, e, rule)
    return new
