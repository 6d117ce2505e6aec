"""Figures of one document → links (money `funds` project, money/percent `dated` date) and
claims (one row per sentence with money or percent: speaker and claim type).

Every rule here is a heuristic over one sentence (or its paragraph, for quotes):
- funds: a money figure and a project in the same sentence, with a funding word from
  rules/lexicon/claims.yaml (`worth`, `for`, `investment of`, ...) in the sentence → the nearest project.
- dated: a money or percent figure → the nearest date of the same sentence not cut off by ";".
- speaker: an attribution in the sentence's paragraph ("said Akhmetov", "Akhmetov noted", "the
  head of state said" → the person the document names most); "according to him" → the last
  speaker; in a first-person address, the signer named in the first line.
- claim type: the first of instructed / planned / achieved whose words occur in the sentence.
"""
from __future__ import annotations

from collections import Counter

import regex


def _alt(rs, name: str) -> str:
    return rs.macros[name.upper()]


def _patterns(rs) -> dict:
    if "link" in rs.cache:
        return rs.cache["link"]
    say = _alt(rs, "speech_verb")
    endings = "|".join(regex.escape(e) for e in rs.lexicon_aliases["surname_ending"])
    name = r"(?:\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?\s+){0,2}\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
    pats = {
        "after": regex.compile(rf"(?<![\p{{L}}])(?:{say})\s+(?P<name>{name})"),
        "before": regex.compile(rf"(?P<name>{name})\s+(?:{say})(?![\p{{L}}])"),
        "role": regex.compile(rf"(?<![\p{{L}}])(?P<role>{_alt(rs, 'role')})\s+(?:{say})(?![\p{{L}}])"
                              rf"|(?:{say})\s+(?P<role2>{_alt(rs, 'role')})(?![\p{{L}}])", regex.I),
        "back": regex.compile(rf"(?<![\p{{L}}])(?:{_alt(rs, 'back_reference')})(?![\p{{L}}])", regex.I),
        "surname": regex.compile(rf"(?<![\p{{L}}-])\p{{Lu}}\p{{Ll}}+(?:-\p{{Lu}}\p{{Ll}}+)?(?:{endings})(?![\p{{L}}])"),
        "first_person": regex.compile(r"(?<![\p{L}])(?:I|we|We|our|Our|us|my|My)(?![\p{L}])"),
        "address": regex.compile(r"(?i)\b(?:address|appeal|speech|message|letter|statement)\b"),
        "funds": regex.compile(rf"(?<![\p{{L}}])(?:{_alt(rs, 'funds_cue')})(?![\p{{L}}])", regex.I),
        "types": [(t, regex.compile(r"(?<![\p{L}])(?:" + "|".join(
            regex.escape(w).replace(r"\ ", r"\s+") for w in sorted(ws, key=len, reverse=True)) + r")(?![\p{L}])", regex.I))
            for t, ws in _types(rs)],
    }
    rs.cache["link"] = pats
    return pats


def _types(rs):
    table: dict[str, list[str]] = {}
    for alias, typ in rs.lexicon["claim_type"].items():
        table.setdefault(typ, []).append(alias)
    order = ["instructed", "planned", "achieved"]
    return [(t, table[t]) for t in order if t in table]


def _surname(name: str, pats) -> str | None:
    words = name.split()
    good = [w for w in words if pats["surname"].fullmatch(w)]
    if good:
        return good[-1]
    return words[-1] if len(words) == 1 and words[0][0].isupper() else None


def links_for(doc, sentences, figures, rs) -> list[dict]:
    pats = _patterns(rs)
    by_sent: dict[int, list[dict]] = {}
    for f in figures:
        by_sent.setdefault(f["sentence_id"], []).append(f)
    text_of = {s.sentence_id: s.text for s in sentences}
    out = []
    for sid, figs in by_sent.items():
        projects = [f for f in figs if f["kind"] == "project"]
        dates = [f for f in figs if f["kind"] == "date"]
        stext = text_of.get(sid, "")
        start0 = next((s.start_char for s in sentences if s.sentence_id == sid), 0)
        for f in figs:
            if f["kind"] == "money" and projects and pats["funds"].search(stext):
                p = min(projects, key=lambda p: _gap(f, p))
                out.append({"doc_id": doc.doc_id, "source_id": f["figure_id"], "target_id": p["figure_id"],
                            "relation": "funds"})
            if f["kind"] in ("money", "percent") and dates:
                near = [d for d in dates if ";" not in _between(stext, start0, f, d)]
                if near:
                    d = min(near, key=lambda d: _gap(f, d))
                    out.append({"doc_id": doc.doc_id, "source_id": f["figure_id"], "target_id": d["figure_id"],
                                "relation": "dated"})
    return out


def _gap(a, b) -> int:
    return max(0, max(a["start_char"], b["start_char"]) - min(a["end_char"], b["end_char"]))


def _between(stext: str, start0: int, a, b) -> str:
    lo, hi = sorted((min(a["end_char"], b["end_char"]), max(a["start_char"], b["start_char"])))
    return stext[lo - start0:hi - start0]


def speakers(doc, sentences, rs) -> dict[int, str | None]:
    """sentence_id → speaker surname (or None for the writer's own narration)."""
    pats = _patterns(rs)
    text = doc.text
    counts: Counter = Counter(m.group(0) for m in pats["surname"].finditer(text))
    lines = [ln for ln in text[:600].splitlines() if ln.strip()]
    signer = None
    if lines and pats["address"].search(lines[0]):
        names = [m.group(0) for m in pats["surname"].finditer(lines[0])]
        signer = names[-1] if names else None
    paragraphs: list[list] = []
    prev_end = None
    for s in sentences:
        if prev_end is None or "\n" in text[prev_end:s.start_char]:
            paragraphs.append([])
        paragraphs[-1].append(s)
        prev_end = s.end_char
    out: dict[int, str | None] = {}
    last = None
    for para in paragraphs:
        ptext = text[para[0].start_char:para[-1].end_char]
        who = None
        for key in ("after", "before"):
            for m in pats[key].finditer(ptext):
                who = _surname(m.group("name"), pats) or who
        if who is None and pats["role"].search(ptext) and counts:
            who = counts.most_common(1)[0][0]
        for s in para:
            sp = who
            if sp is None and pats["back"].search(s.text):
                sp = last
            if sp is None and signer and pats["first_person"].search(s.text):
                sp = signer
            out[s.sentence_id] = sp
        last = who or last
    return out


def claims_for(doc, sentences, figures, rs) -> list[dict]:
    pats = _patterns(rs)
    n = Counter(f["sentence_id"] for f in figures if f["kind"] in ("money", "percent"))
    if not n:
        return []
    who = speakers(doc, sentences, rs)
    rows = []
    for s in sentences:
        if s.sentence_id not in n:
            continue
        ctype = next((t for t, rx in pats["types"] if rx.search(s.text)), "other")
        rows.append({"doc_id": doc.doc_id, "sentence_id": s.sentence_id, "speaker": who.get(s.sentence_id),
                     "claim_type": ctype, "n_figures": n[s.sentence_id]})
    return rows
