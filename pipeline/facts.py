"""One document's figures, links and claims → `facts`: one row per money or percent figure with
its claim spelled out (linked project, linked period, speaker, claim type, sentence, document).

The analyst's questions ("how much money went to which project, in which year, said by whom")
are then one filter and one groupby, with no joins. `repeat_of` marks a figure that restates an
earlier one of the same document (a lead paragraph or headline repeating the body), and
`part_of` a money figure that is part of an earlier one of its sentence ("481 billion tenge,
including 62 billion this year"), so that sums can skip both.
"""
from __future__ import annotations

import regex

from .lazy_regex import compile_cached

KINDS = ("money", "percent")

# A repeat states the same claim in the same words: the same CLAIM_KEY (kind, value, unit, and the
# same project and period where either figure has one: "10% annually" is not "10% this year"),
# and at least REPEAT_SHARED of the content words (letters only, REPEAT_MIN_LETTERS or more, so
# "in", "the", "will", "в", "и" never count) within REPEAT_WINDOW words either side of the figure. "17 billion tenge" for 79 PPP
# projects and "17 billion tenge" invested in the coast share none; a lead and its body share most.
REPEAT_WINDOW = 6
REPEAT_SHARED = 2
REPEAT_MIN_LETTERS = 5
# First statements of one claim key kept to compare later figures with: a document states one
# claim in a few places, not hundreds; a hostile one ("5%-5%-5%-...", 30,000 times) made this
# all pairs (43 s on 100,000 characters).
MAX_FIRSTS = 100
CLAIM_KEY = ("kind", "value_min", "value_max", "unit", "project_key", "period_start", "period_end")
_WORD = regex.compile(rf"\p{{L}}{{{REPEAT_MIN_LETTERS},}}")


def facts_for(doc, sentences, figures: list[dict], links: list[dict], claims: list[dict], rs=None) -> list[dict]:
    """The facts rows of one document, in figure order; `rs` (the rules) gives the words that open
    an amount's parts (without it, part_of stays null)."""
    by_id = {f["figure_id"]: f for f in figures}
    project_of, period_of = {}, {}
    for link in links:
        target = by_id.get(link["target_id"])
        if target is None:
            continue
        if link["relation"] == "funds":
            project_of.setdefault(link["source_id"], target)
        elif link["relation"] == "dated":
            period_of.setdefault(link["source_id"], target)
    claim_of = {c["sentence_id"]: c for c in claims}
    sent_of = {s.sentence_id: s for s in sentences}
    rows, first = [], {}   # claim key → (row, context) of each first statement of it
    for f in figures:
        if f["kind"] not in KINDS:
            continue
        p, d = project_of.get(f["figure_id"]), period_of.get(f["figure_id"])
        c = claim_of.get(f["sentence_id"], {})
        s = sent_of.get(f["sentence_id"])
        row = {k: f.get(k) for k in ("figure_id", "doc_id", "sentence_id", "kind", "text", "start_char",
                                     "end_char", "value_min", "value_max", "unit", "qualifier")}
        row.update(project_id=p and p["figure_id"], project=p and p.get("name"), project_key=p and p.get("name_key"),
                   period_start=d and d.get("date_start"), period_end=d and d.get("date_end"),
                   period_granularity=d and d.get("granularity"), speaker=c.get("speaker"),
                   claim_type=c.get("claim_type"), sentence=s.text if s else None, published=doc.published,
                   title=doc.title, url=doc.url, language=doc.language)
        # a figure's context words are read only when another figure of its claim key needs them
        # (most keys are stated once)
        same = first.setdefault(tuple(row[k] for k in CLAIM_KEY), [])
        context = _context(f, s) if same else None
        row["repeat_of"] = next((entry[0]["figure_id"] for entry in same
                                 if len(_first_context(entry) & context) >= REPEAT_SHARED), None)
        if row["repeat_of"] is None and len(same) < MAX_FIRSTS:   # a repeat points at the first statement,
            same.append([row, context, f, s])                    # never at a repeat
        row["part_of"] = None
        rows.append(row)
    if rs is not None:
        _mark_parts(rows, sent_of, _part_cue(rs))
    return rows


def _part_cue(rs):
    if "part_cue" not in rs.cache:
        rs.cache["part_cue"] = compile_cached(rf"(?<![\p{{L}}])(?:{rs.macros['PART_CUE']})(?![\p{{L}}])", regex.I)
    return rs.cache["part_cue"]


def _mark_parts(rows: list[dict], sent_of: dict, cue) -> None:
    """part_of: a money figure after a part cue ("including", "в том числе") is part of the nearest
    amount before that cue in its sentence, in the same unit and no smaller, when both fund the same
    project (or both none): summed per project, the two would count one amount twice. Only money: a
    percent after "including" is a share of something else, not a summand."""
    by_sent: dict[int, list[dict]] = {}
    for r in rows:
        if r["kind"] == "money" and r["value_max"] is not None:
            by_sent.setdefault(r["sentence_id"], []).append(r)
    for sid, money in by_sent.items():
        s = sent_of.get(sid)
        if s is None or len(money) < 2:
            continue
        cues = [m.start() + s.start_char for m in cue.finditer(s.text)]
        for k, part in enumerate(money):
            opened = [c for c in cues if c < part["start_char"]]
            if not opened:
                continue
            whole = next((w for w in reversed(money[:k]) if w["end_char"] <= opened[-1] and w["unit"] == part["unit"]
                          and w["value_max"] >= part["value_max"]), None)
            if whole is not None and whole["project_key"] != part["project_key"]:
                continue     # the whole funds another project (or none): the part is that project's own sum
            if whole is not None:
                part["part_of"] = whole["part_of"] or whole["figure_id"]     # a part's part counts in the whole


def _first_context(entry: list) -> set[str]:
    """The context words of a first statement ([row, context or None, figure, sentence]), read once."""
    if entry[1] is None:
        entry[1] = _context(entry[2], entry[3])
    return entry[1]


def _context(f: dict, s) -> set[str]:
    """Content words within REPEAT_WINDOW words either side of the figure, in its sentence."""
    if s is None:
        return set()
    a, b = f["start_char"] - s.start_char, f["end_char"] - s.start_char
    reach = REPEAT_WINDOW * 40          # characters enough for the window's words: bounded work per figure
    before = _WORD.findall(s.text[max(0, a - reach):a].lower())[-REPEAT_WINDOW:]
    after = _WORD.findall(s.text[b:b + reach].lower())[:REPEAT_WINDOW]
    return set(before) | set(after)
