"""Figures of one document → links (money `funds` project, money/percent `dated` date) and
claims (one row per sentence with money or percent: speaker and claim type).

Every rule here is a heuristic over one sentence (or its paragraph, for quotes); the words come
from rules/lexicon/claims.yaml:
- funds: a money figure → the nearest project of its sentence, when the money is introduced as
  funding ("for 1.5 billion", "with an investment of"), stands in parentheses after the project,
  is said to be allocated ("43 billion tenge is provided"), or is joined to a project named after
  it by a short phrase ("... for 5.2 billion tenge under the X program"), or stands in the clause
  of a project that frames it ("Under the X program, 5 billion tenge was spent"); a count → the nearest
  project it is part of ("2 stages of the X plant"), is said of ("the X plant will create 500
  jobs") or is framed by ("67 projects ... under the X program"). Funds links never cross ";".
- dated: a money or percent figure → the nearest date of the same sentence not cut off by ";".
- speaker: an attribution in the sentence's paragraph ("said Akhmetov", "Akhmetov noted",
  "according to Minister ... Baibazarov,", "the head of state said" → the name the document writes
  after that title, else the surname it names most); a quote closed by "he said" and "according
  to him" → the last speaker; in an address, its signer (first line).
- claim type: the first of instructed / planned / achieved whose words occur in the sentence; a
  deadline still to come ("by 2029" after publication) also makes it planned.
"""
from __future__ import annotations

import bisect
import itertools
from collections import Counter

import regex

from .lazy_regex import compile_cached
from .prefilter import Prefilter, scan_form
from .rules import alternation
from .segment import hard_wrapped


def _alt(rs, name: str) -> str:
    """A word list as a regex; `X.ru` and `X.kk` lists (claims_ru.yaml) have joined list `X`."""
    return rs.macros[name.upper()]


def _patterns(rs) -> dict:
    if "link" in rs.cache:
        return rs.cache["link"]
    say = _alt(rs, "speech_verb")
    endings = "|".join(regex.escape(e) for e in rs.lexicon_aliases["surname_ending"])
    name = r"(?:\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?\s+){0,2}\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
    according = alternation(["according to"] + rs.lexicon_aliases.get("according_ru", []))
    role_said = rf"(?<![\p{{L}}])(?P<role>{_alt(rs, 'role')})(?:\s+\p{{Ll}}+){{0,2}}\s+(?:{say})(?![\p{{L}}])"
    said_role = rf"(?:{say})\s+(?P<role2>{_alt(rs, 'role')})(?![\p{{L}}])"
    pats = {
        "after": compile_cached(rf"(?<![\p{{L}}])(?:{say})\s+(?:[\p{{L}}-]+\s+){{0,8}}?(?P<name>{name})(?![\p{{L}}])"),
        "before": compile_cached(rf"(?P<name>{name}),?\s+(?:{say})(?![\p{{L}}])"),   # "..., Satkaliyev, said"
        "according": compile_cached(rf"(?<![\p{{L}}])(?i:{according})\s+(?:[\p{{L}}-]+\s+){{0,6}}?(?P<name>{name})(?=\s*[,.:])"),
        # Kazakh puts "according to" after the name, in the genitive: "Сатыбалдының айтуынша,"
        "according_after": compile_cached(rf"(?P<name>{name})\s+(?:айтуынша|сөзінше|pikirinshe|aıtýynsha)(?![\p{{L}}])"),
        "role_name": compile_cached(rf"(?<![\p{{L}}])(?P<role>{_alt(rs, 'role')})(?:\s+of\s+(?:the\s+)?(?:[\p{{L}}-]+\s+){{1,5}}?)?"
                                   rf"\s*(?P<name>{name})(?![\p{{L}}])", regex.I),
        # Russian and Kazakh put the region in the genitive between the title and the name
        # ("аким Жамбылской области Ерлан Сапаров", "аким Астаны Женис Касымбек"); the name
        # is then a given name and a surname.
        "role_name_ru": compile_cached(rf"(?<![\p{{L}}])(?P<role>{rs.macros['ROLE_RU']})\s+(?:[\p{{L}}-]+\s+){{0,3}}?"
                                      rf"(?P<name>(?-i:\p{{Lu}}\p{{Ll}}+(?:\s+\p{{Lu}}\p{{Ll}}+(?:-\p{{Lu}}\p{{Ll}}+)?){{1,2}}))(?![\p{{L}}])", regex.I),
        "role": compile_cached(rf"{role_said}|{said_role}", regex.I),
        # its two branches alone, for a paragraph where the scan finds only one can match
        "role_said": compile_cached(role_said, regex.I),
        "said_role": compile_cached(said_role, regex.I),
        "quote_back": compile_cached(rf"[\"”»]\s*[,.]?\s*[-–—]?\s*(?:he|she|он|она|ол)\s+(?:{say})(?![\p{{L}}])"
                                    rf"|[\"”»]\s*[,.]?\s*[-–—]\s*(?:{say})\s+(?:он|она|ол)(?![\p{{L}}])", regex.I),
        "back": compile_cached(rf"(?<![\p{{L}}])(?:{_alt(rs, 'back_reference')})(?![\p{{L}}])", regex.I),
        "surname": compile_cached(rf"(?<![\p{{L}}-])\p{{Lu}}\p{{Ll}}+(?:-\p{{Lu}}\p{{Ll}}+)?(?:{endings})(?![\p{{L}}])"),
        "address": compile_cached(rf"(?<![\p{{L}}])(?:{_alt(rs, 'address_word')})(?![\p{{L}}])", regex.I),
        "funds_after": compile_cached(rf"^\s*(?:{_alt(rs, 'funds_after')})(?![\p{{L}}])", regex.I),
        "funds_link": compile_cached(rf"^[\s,]*(?:(?:{_alt(rs, 'funds_after')})\s+)?(?:{_alt(rs, 'funds_link')})"
                                    rf"\s+(?:the\s+)?$"
                                    # Russian: "потребуется для окончания строительства метро"
                                    rf"|^[\s,]*(?:(?:{_alt(rs, 'funds_after')})\s+)?"
                                    rf"(?:{rs.macros['FUNDS_LINK_RU']})"
                                    rf"(?:\s+\p{{Ll}}+){{0,3}}\s+$", regex.I),
        "funds_break": compile_cached(rf"(?<![\p{{L}}])(?:{_alt(rs, 'funds_break')})(?![\p{{L}}])", regex.I),
        "funds": compile_cached(rf"(?<![\p{{L}}])(?:{_alt(rs, 'funds_cue')})\s+(?:(?:{_alt(rs, 'qualifier')})\s+)?$", regex.I),
        "frame": compile_cached(rf"(?<![\p{{L}}])(?:{_alt(rs, 'project_frame')})\s+(?:the\s+)?(?:\p{{Ll}}+\s+)?$", regex.I),
        "count_cue": compile_cached(rf"^[\s,]*(?:(?:which|that)\s+)?(?:{_alt(rs, 'count_cue')})\s+"
                                   rf"(?:(?:{_alt(rs, 'qualifier')})\s+)?$", regex.I),
        "count_of": compile_cached(r"^\s+of\s+(?:the\s+)?(?:\p{Ll}+\s+){0,3}$"),
        "types": [(t, compile_cached(rf"(?<![\p{{L}}]){alternation(ws)}(?![\p{{L}}])", regex.I)) for t, ws in _types(rs)],
    }
    # one multi-pattern scan per paragraph and per sentence says which of these can match at all
    # (with the patterns read over the whole text, whose pieces are mostly paragraphs: _Pieces)
    pats["may"] = _Scan({k: pats[k] for k in _SCANNED + _WHOLE} | {f"type:{t}": rx for t, rx in pats["types"]})
    pats["may_whole"] = _Scan({k: pats[k] for k in _WHOLE})
    titles = rs.lexicon_aliases.get("role", [])
    if set("".join(titles + rs.lexicon_aliases["surname_ending"])) & _CUT_AFTER or not all(t[:1].isalpha() for t in titles):
        pats["may_whole"] = None            # a title or ending unlike those _Pieces knows: no pieces
    rs.cache["link"] = pats
    return pats


_SCANNED = ("after", "before", "according", "according_after", "role_said", "said_role", "quote_back", "back")
_WHOLE = ("role_name_ru", "role_name", "surname")
_WHOLE_SET = frozenset(_WHOLE)
# Characters no match of a _WHOLE pattern holds (they hold letters, spaces, dashes and the words
# of the lexicons, and start and end with a letter): a paragraph ending in one is a place to cut
# the text that no match crosses.
_CUT_AFTER = set(".!?…:;,\"'”’»)]0123456789")


class _Scan:
    """Named patterns behind one prefilter: `scan(text)` → the names that may match in text."""

    def __init__(self, named: dict):
        self.names = list(named)
        self.pf = Prefilter(list(named.values()))

    def __call__(self, text: str):
        return self.many([text])[0]

    def many(self, texts: list[str]) -> list[set]:
        """scan(t) for each text, in one batch (Prefilter.hits_many). A set of hits names its few
        checks; anything else (every check may match) is asked check by check."""
        names, n = self.names, len(self.names)
        return [{names[i] for i in hits if i < n} if type(hits) is set else {m for i, m in enumerate(names) if i in hits}
                for hits in self.pf.hits_many(texts)]


def _scan_slices(text: str, form: str, items) -> list[str]:
    """form[s.start_char:s.end_char] for each sentence (or paragraph) whose text is that slice of
    text, else its own text in scan form."""
    return [form[a:b] if text[a:b] == t else scan_form(t) for a, b, t in items]


def _types(rs):
    table: dict[str, list[str]] = {}
    for alias, typ in rs.lexicon["claim_type"].items():
        table.setdefault(typ, []).append(alias)
    order = ["instructed", "planned", "achieved"]
    return [(t, table[t]) for t in order if t in table]


def _surname(name: str, pats) -> str | None:
    """The surname in a name ("Kassym-Jomart Tokayev" → "Tokayev"); None for titles ("President").
    A Cyrillic given name + surname without a telling ending ("Берик Уали") gives its last word."""
    words = name.split()
    good = [w for w in words if pats["surname"].fullmatch(w)]
    if good:
        return good[-1]
    return words[-1] if len(words) >= 2 and _CYRILLIC.match(words[-1]) else None


_CYRILLIC = regex.compile(r"\p{Cyrillic}")
# Case endings a surname takes after "по словам", in the genitive or instrumental, in Russian
# (Касымбека, Ахметовым, Ивановой) and Kazakh (Сатыбалдының); "ой"/"ую" stand for a female "-а".
_CASE_ENDINGS = ("ның", "нің", "дың", "дің", "тың", "тің", "ым", "ом", "ем", "а", "у", "е", "я", "ю")
_FEMALE = ("ой", "ую")


def _nominative(surname: str | None, words: set) -> str | None:
    """The form of a Cyrillic surname the document also writes alone ("Касымбека" → "Касымбек" when
    the text has "Касымбек"; SPEC: the nominative where the document writes it), else as found."""
    if not surname or not _CYRILLIC.match(surname) or surname in words and not surname.endswith(_CASE_ENDINGS):
        return surname
    cands = [surname[:-len(e)] for e in _CASE_ENDINGS if surname.endswith(e)]
    cands += [surname[:-2] + "а" for e in _FEMALE if surname.endswith(e)]
    return next((c for c in cands if len(c) >= 3 and c in words), surname)


def _funds(f: dict, p: dict, stext: str, start0: int, pats) -> bool:
    """The money is introduced as funding ("for 1.5 billion", "investment of 760 billion"), stands
    in parentheses after what it values ("... was completed (10.7 billion tenge)"), or is said to be
    allocated ("43 billion tenge is provided") with nothing like "of which" between it and the project."""
    if _framed(p, stext, start0, pats) and ";" not in _between(stext, start0, f, p):
        return True                               # "Under the X program, 5 billion tenge was spent"
    if p["start_char"] >= f["end_char"]:          # the project comes after: only a joining phrase between
        return bool(pats["funds_link"].search(_between(stext, start0, f, p)))
    if _DASH_ONLY.match(_between(stext, start0, f, p)):
        return True                               # a list of projects and costs: «фабрика "Шалкия" – 414,7 млрд»
    before = stext[max(0, f["start_char"] - start0 - 60):f["start_char"] - start0]
    after = stext[f["end_char"] - start0:f["end_char"] - start0 + 40]
    if pats["funds"].search(before) or (before.rstrip().endswith("(") and after.lstrip().startswith(")")):
        return True
    return bool(pats["funds_after"].search(after)) and not pats["funds_break"].search(_between(stext, start0, f, p))


_DASH_ONLY = regex.compile(r"^[\"»”’']?\s*[-–—:]\s*$")


def _counts(f: dict, p: dict, stext: str, start0: int, pats) -> bool:
    """The count is part of the project ("2 stages of the largest X plant"), said of it ("the X
    plant will create 500 jobs"), or in the clause of a project framing it ("67 projects are being
    implemented ... under the X program")."""
    between = _between(stext, start0, f, p)
    if ";" in between:
        return False
    if p["start_char"] >= f["end_char"] and pats["count_of"].search(between):
        return True
    if p["end_char"] <= f["start_char"] and pats["count_cue"].search(between):
        return True
    return _framed(p, stext, start0, pats)


def _framed(p: dict, stext: str, start0: int, pats) -> bool:
    """The project frames its clause: "under the X program", "within the framework of X"."""
    return bool(pats["frame"].search(stext[max(0, p["start_char"] - start0 - 60):p["start_char"] - start0]))


def links_for(doc, sentences, figures, rs) -> list[dict]:
    pats = _patterns(rs)
    by_sent: dict[int, list[dict]] = {}
    for f in figures:
        by_sent.setdefault(f["sentence_id"], []).append(f)
    sent_of = {s.sentence_id: s for s in sentences}
    out = []

    def link(src, dst, relation):
        out.append({"doc_id": doc.doc_id, "source_id": src["figure_id"], "target_id": dst["figure_id"],
                    "relation": relation})

    for sid, figs in by_sent.items():
        projects = _Sorted([f for f in figs if f["kind"] == "project"])
        dates = _Sorted([f for f in figs if f["kind"] == "date"])
        stext, start0 = sent_of[sid].text, sent_of[sid].start_char
        semis = [start0 + m.start() for m in _SEMI.finditer(stext)] if ";" in stext else []
        for f in figs:
            if f["kind"] in ("money", "count") and projects.items:
                p = projects.nearest(f)
                if (_funds if f["kind"] == "money" else _counts)(f, p, stext, start0, pats):
                    link(f, p, "funds")
            if f["kind"] in ("money", "percent") and dates.items:
                d = dates.nearest(f, lambda d: _same_clause(semis, f, d))
                if d is not None:
                    link(f, d, "dated")
    return out


_SEMI = regex.compile(";")


class _Sorted:
    """The figures of one kind in a sentence, by start: the nearest to a figure is found among its
    neighbours (bisect), not by looking at all of them, so a sentence of thousands of figures
    links in n log n. Same answer as min(all, key=gap): ties go to the earlier figure."""

    def __init__(self, items: list[dict]):
        self.items = sorted(items, key=lambda x: x["start_char"])     # stable: the order given
        self.starts = [x["start_char"] for x in self.items]

    def nearest(self, f: dict, keep=None):
        """The item of least gap to f among those `keep` accepts, or None. `keep` must hold for
        an item only if it holds for every item between it and f (a clause: no ";" between), and
        the items do not overlap one another (settled spans of one kind)."""
        items, n = self.items, len(self.items)
        i = bisect.bisect_left(self.starts, f["start_char"])
        cand = []
        j = i - 1                       # leftwards: those reaching into f, then the first that does not
        while j >= 0:
            cand.append(j)
            if items[j]["end_char"] <= f["start_char"]:
                break
            j -= 1
        k = i                           # rightwards: those starting inside f, then the first after it
        while k < n:
            cand.append(k)
            if items[k]["start_char"] >= f["end_char"]:
                break
            k += 1
        ok = [c for c in cand if keep is None or keep(items[c])]
        if not ok:
            return None
        return items[min(ok, key=lambda c: (_gap(f, items[c]), c))]


def _same_clause(semis: list[int], a: dict, b: dict) -> bool:
    """No ";" between the two figures (`semis`: the sentence's ";" offsets in the document)."""
    lo, hi = sorted((min(a["end_char"], b["end_char"]), max(a["start_char"], b["start_char"])))
    return bisect.bisect_left(semis, lo) == bisect.bisect_left(semis, hi)


def _gap(a, b) -> int:
    return max(0, max(a["start_char"], b["start_char"]) - min(a["end_char"], b["end_char"]))


def _between(stext: str, start0: int, a, b) -> str:
    lo, hi = sorted((min(a["end_char"], b["end_char"]), max(a["start_char"], b["start_char"])))
    return stext[lo - start0:hi - start0]


_CAPITALIZED = regex.compile(r"(?<![\p{L}-])\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?![\p{L}])")


def speakers(doc, sentences, rs, wanted=None) -> dict[int, str | None]:
    """sentence_id → speaker surname (or None for the writer's own narration); with `wanted` (a
    set of sentence ids), only those sentences are answered, and no paragraph after the last."""
    return _speakers(doc, sentences, rs, wanted, scan_form(doc.text))[0]


def _speakers(doc, sentences, rs, wanted, form: str) -> tuple[dict, dict]:
    """(speakers(doc, sentences, rs, wanted), the scan of each sentence that is a paragraph of its
    own: sentence_id → the names of the patterns that may match in it). `form`:
    scan_form(doc.text), the text as the prefilter scans it: its scans are handed slices of it,
    with nothing left to translate."""
    pats = _patterns(rs)
    text = doc.text
    words = _Words(text)
    lines = [ln for ln in text[:600].splitlines() if ln.strip()]
    signer = None
    if lines and pats["address"].search(lines[0]):
        names = [m.group(0) for m in pats["surname"].finditer(lines[0])]
        signer = names[-1] if names else None
    paragraphs = _paragraphs(text, sentences)
    spans = [(para[0].start_char, para[-1].end_char) for para in paragraphs]
    read = len(paragraphs)
    if wanted is not None:           # a paragraph's speaker carries on, so the earlier ones are read
        ends = [k for k, para in enumerate(paragraphs) if any(s.sentence_id in wanted for s in para)]
        read = ends[-1] + 1 if ends else 0
    mays = pats["may"].many([form[a:b] for a, b in spans[:read]])
    pieces = _Pieces(text, form, paragraphs, mays, pats)
    roles = _Roles(pieces, pats, rs, words)      # title → the surname first written right after it
    whole: dict = {}                    # read off the whole text, the first time a paragraph needs them

    def any_surname() -> bool:
        if "any" not in whole:
            whole["any"] = next(pieces.finditer("surname"), None) is not None
        return whole["any"]

    def counts() -> Counter:            # surname → times written
        if "counts" not in whole:
            whole["counts"] = Counter(m.group(0) for m in pieces.finditer("surname"))
        return whole["counts"]
    out: dict[int, str | None] = {}
    alone: dict[int, set] = {}
    last = None
    for para, (a, b), may in zip(paragraphs, spans, mays):
        ptext = text[a:b]
        if len(para) == 1:
            alone[para[0].sentence_id] = may
        who = None
        for key in ("after", "before", "according", "according_after"):
            if key not in may:
                continue
            for m in pats[key].finditer(ptext):
                name = m.group("name")      # "Сатыбалдының айтуынша": the word before it is a name
                who = _surname(name, pats) or (name.split()[-1] if key == "according_after" else None) or who
        if who is None and ("role_said" in may or "said_role" in may):
            role = _role(ptext, may, pats)
            if role and any_surname():
                word = role.groupdict().get("role") or role.groupdict().get("role2")
                title = rs.lookup("role", word)
                # SPEC: a Russian/Kazakh title is the person named as holding it, else nobody
                who = roles.get(title) or (None if _CYRILLIC.match(word) else counts().most_common(1)[0][0])
        if who is None and "quote_back" in may and pats["quote_back"].search(ptext):   # '..." - he said.': the quote is the last speaker's
            who = last
        who = _nominative(who, words)
        for s in para:
            if wanted is not None and s.sentence_id not in wanted:
                continue
            sp = who
            # ("back" not in the paragraph's scan: in none of its sentences that are slices of it)
            if sp is None and ("back" in may or text[s.start_char:s.end_char] != s.text) and pats["back"].search(s.text):
                sp = last
            if sp is None and signer and s.start_char > len(lines[0]):
                sp = signer               # an address: its signer speaks throughout
            out[s.sentence_id] = sp
        last = who or last
    return out, alone


def _paragraphs(text: str, sentences) -> list[list]:
    """The sentences in paragraphs: a line break ends one (a blank line, in hard-wrapped text)."""
    paragraphs: list[list] = []
    prev_end = None
    brk = "\n\n" if hard_wrapped(text) else "\n"
    for s in sentences:
        if prev_end is None or brk in text[prev_end:s.start_char]:
            paragraphs.append([])
        paragraphs[-1].append(s)
        prev_end = s.end_char
    return paragraphs


def _role(ptext: str, may, pats):
    """pats["role"].search(ptext), running only the branch the scan says can match where it
    says one alone can (the branch that opens with a speech verb tries every position)."""
    if "said_role" not in may:
        return pats["role_said"].search(ptext)
    if "role_said" not in may:
        return pats["said_role"].search(ptext)
    return pats["role"].search(ptext)


class _Pieces:
    """The whole text in pieces, cut after sentences that end in a character of _CUT_AFTER (no
    match of a _WHOLE pattern crosses such a cut), each scanned for the _WHOLE patterns that may
    match in it: `finditer(key)` is pats[key].finditer(text), run only over the pieces where the
    pattern can match (a match lies in one piece; at a piece's start, lookbehinds see the text
    before it; at its end stands a cut character, which no match ends at or holds).
    The text is first cut after paragraphs: a piece that is one paragraph and spaces has that
    paragraph's scan (no match starts or ends with a space), and only a piece that may hold a
    match, or was not scanned, is cut again after its sentences and those pieces scanned."""

    def __init__(self, text: str, form: str, paragraphs: list, mays: list, pats):
        self.text, self.form, self.paragraphs, self.scanned, self.pats = text, form, paragraphs, mays, pats
        self.spans = self.may = None            # cut the first time a pattern is asked for

    def finditer(self, key: str):
        if self.spans is None:
            self._cut()
        rx = self.pats[key]
        for (a, b), may in zip(self.spans, self.may):
            if key in may:
                yield from rx.finditer(self.text, a, b)

    def _cut(self) -> None:
        text, paras = self.text, self.paragraphs
        if self.pats["may_whole"] is None or not paras:
            self.spans, self.may = [(0, len(text))], [set(_WHOLE)]
            return
        self.spans, self.may = [], []
        start, first = 0, 0
        for k, para in enumerate(paras):
            if k == len(paras) - 1 or text[para[-1].end_char - 1] in _CUT_AFTER:
                end = len(text) if k == len(paras) - 1 else para[-1].end_char
                self._piece(start, end, first, k)
                start, first = end, k + 1
        todo = [i for i, may in enumerate(self.may) if may is None]
        for i, may in zip(todo, self.pats["may_whole"].many([self.form[slice(*self.spans[i])] for i in todo])):
            self.may[i] = may

    def _piece(self, s: int, e: int, j: int, k: int) -> None:
        """The piece [s, e) of paragraphs j..k: kept with its paragraph's scan where that says no
        match, else cut after its sentences (to be scanned)."""
        text, paras = self.text, self.paragraphs
        if j == k < len(self.scanned) and _blank(text, s, paras[j][0].start_char) and _blank(text, paras[j][-1].end_char, e):
            may = self.scanned[j]
            if not may & _WHOLE_SET:
                self.spans.append((s, e))
                self.may.append(may)
                return
        cuts = [x.end_char for para in paras[j:k + 1] for x in para if s < x.end_char < e and text[x.end_char - 1] in _CUT_AFTER]
        bounds = [s, *cuts, e]
        self.spans.extend(zip(bounds, bounds[1:]))
        self.may.extend([None] * (len(bounds) - 1))


def _blank(text: str, a: int, b: int) -> bool:
    return a >= b or text[a:b].isspace()


class _Roles:
    """`roles.get(title)`: the surname first written right after the title (Russian and Kazakh
    titles first, as "аким Жамбылской области Ерлан Сапаров", then "akim Berik Uali"). The text
    is read only as far as the titles asked for need."""

    def __init__(self, pieces: _Pieces, pats, rs, words):
        self.pieces, self.pats, self.rs, self.words = pieces, pats, rs, words
        self.found: dict = {}
        self.matches = None

    def get(self, title):
        if self.matches is None:
            self.matches = itertools.chain(self.pieces.finditer("role_name_ru"), self.pieces.finditer("role_name"))
        while title not in self.found:
            m = next(self.matches, None)
            if m is None:
                return None
            surname = _nominative(_surname(m.group("name"), self.pats), self.words)
            if surname:
                self.found.setdefault(self.rs.lookup("role", m.group("role")), surname)
        return self.found[title]


class _Words:
    """`w in words`: is w a capitalized word of the text; the text is read the first time a
    (Cyrillic) surname asks."""

    def __init__(self, text: str):
        self.text, self.words = text, None

    def __contains__(self, w: str) -> bool:
        if self.words is None:
            self.words = set(_CAPITALIZED.findall(self.text))
        return w in self.words


def _ahead(f: dict, published) -> bool:
    """A deadline still to come ("by 2029", "until 2030"): an interval open at the start whose end
    is after publication."""
    return (f["kind"] == "date" and f.get("date_start") is None and f.get("date_end") is not None
            and published is not None and f["date_end"] >= published)


def claims_for(doc, sentences, figures, rs) -> list[dict]:
    pats = _patterns(rs)
    n = Counter(f["sentence_id"] for f in figures if f["kind"] in ("money", "percent"))
    if not n:
        return []
    form = scan_form(doc.text)
    who, alone = _speakers(doc, sentences, rs, set(n), form)
    ahead = {f["sentence_id"] for f in figures if _ahead(f, doc.published)}
    rows = []
    said = [s for s in sentences if s.sentence_id in n]
    # a sentence that is a paragraph of its own was scanned as that paragraph (the same text)
    todo = [s for s in said if s.sentence_id not in alone or doc.text[s.start_char:s.end_char] != s.text]
    scans = dict(zip((s.sentence_id for s in todo), pats["may"].many(_scan_slices(
        doc.text, form, [(s.start_char, s.end_char, s.text) for s in todo]))))
    for s in said:
        may = scans[s.sentence_id] if s.sentence_id in scans else alone[s.sentence_id]
        ctype = next((t for t, rx in pats["types"]
                      if (f"type:{t}" in may and rx.search(s.text)) or (t == "planned" and s.sentence_id in ahead)),
                     "other")
        rows.append({"doc_id": doc.doc_id, "sentence_id": s.sentence_id, "speaker": who.get(s.sentence_id),
                     "claim_type": ctype, "n_figures": n[s.sentence_id]})
    return rows
