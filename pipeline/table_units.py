"""Tables whose header names the unit ("Доходы, тыс. тенге", "(мың теңге)", "(KZT million)"): the
bare numbers in the rows below are money in that unit (SPEC.md: a table whose header says
`тыс. тенге` multiplies its rows). The header shapes are rules with `table: true` (rules/money_ru.yaml);
this module carries the header's unit down the lines that follow, one document at a time.

A table ends at a blank line, at a new header, at a sentence that does not start a line, or at a
line of prose (no number and more than TABLE_PROSE words). In a row, every number that is not already a mention, a year, a list number
or a zero is a money mention; a minus before it makes it negative.
"""
from __future__ import annotations

import regex

from .match import Mention, _finish_money
from .normalize.numbers import parse_number
from .prefilter import Prefilter

TABLE_PROSE = 8          # a line without numbers longer than this is prose: the table is over
_BLANK = regex.compile(r"\n[ \t\u00a0]*\n")


def _patterns(rs) -> dict:
    if "tables" not in rs.cache:
        rs.cache["tables"] = {
            "num": regex.compile(rs.macro("NUM")),
            "year": regex.compile(r"(?:1[89]\d\d|20\d\d)"),
            "item": regex.compile(r"^\s*\(?\d{1,2}[.)](?!\d)"),      # "1)", "2.": a list number
            # one scan per line says whether any header rule can match it (most lines: none)
            "header": Prefilter([r.regex for r in rs.rules if r.table]),
            "tables": [k for k, r in enumerate(rs.rules) if r.table],      # in rule order
        }
    return rs.cache["tables"]


def header_unit(text: str, rs, hits=None, rules=None) -> tuple[float, str, str] | None:
    """(multiplier, currency, rule id) a header line declares, or None if it is no table header.
    `hits`: the header prefilter's answer for text, if scanned already; `rules`: instead, the
    indices of the header rules that may match it (the others surely do not)."""
    if rules is None and not (_patterns(rs)["header"].hits(text) if hits is None else hits):
        return None
    for k in _patterns(rs)["tables"] if rules is None else sorted(rules):
        rule = rs.rules[k]
        if rule.requires is not None and not rule.requires.search(text):
            continue
        m = rule.regex.search(text)
        if m:
            scale = rs.lookup("scale", m.group("scale"))
            cur = rs.lookup("currency_after", m.group("cur")) or rs.lookup("currency_before", m.group("cur"))
            if scale and cur:
                return float(scale), cur, rule.id
    return None


def table_money(lines, found, rs, may=None) -> dict[int, list[Mention]]:
    """`lines`: (text, gap_before) per sentence in document order, gap_before the document text
    between it and the previous one; `found`: the mentions already found per sentence; `may`, if
    given: per sentence, the indices of the header rules that may match it, or None where not known.
    Returns the extra money mentions per sentence index (offsets into that sentence's text)."""
    pats, out, unit = _patterns(rs), {}, None
    if may is None:
        may = [None] * len(lines)
    todo = [k for k, m in enumerate(may) if m is None]
    heads = dict(zip(todo, pats["header"].hits_many([lines[k][0] for k in todo])))    # one batch scan
    for i, (text, gap) in enumerate(lines):
        if not text.strip() or _BLANK.search(gap) or (i and "\n" not in gap):
            unit = None                              # a blank line, or a sentence going on in a paragraph
        head = header_unit(text, rs, heads.get(i), may[i])
        if head:
            unit = head
            continue
        if unit is None:
            continue
        taken = [(m.start, m.end) for m in found[i]]
        new = []
        for m in pats["num"].finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue
            raw = m.group(0)
            item = pats["item"].match(text)
            if pats["year"].fullmatch(raw) or (item and s < item.end()) or text[e:e + 2].lstrip().startswith("%"):
                continue
            try:
                value = parse_number(raw, decimal_comma=True) * unit[0]
            except ValueError:
                continue
            if value == 0:
                continue                             # a zero line is not a mention (SPEC.md)
            new.append(Mention("money", s, e, raw, unit[2], 0,
                               {"value_min": value, "value_max": value, "unit": unit[1]}))
        if new:
            out[i] = _finish_money(new, text, rs)
        elif not found[i] and len(text.split()) > TABLE_PROSE:
            unit = None
    return out


def document_mentions(text: str, sentences, rs, published=None, traces=None, timeouts=None) -> list[list[Mention]]:
    """The mentions of each sentence of one document (offsets into the sentence), table rows' money
    included. `sentences` have start_char, end_char and text; `traces`, if given, one list per
    sentence for find_mentions' trace; `timeouts`, if given, one list per sentence for the rules
    that gave up on it."""
    from .match import find_mentions_many, prescan, rule_prefilter

    texts = [s.text for s in sentences]
    tables = _patterns(rs)["tables"]
    if not tables:
        return find_mentions_many(texts, rs, published, traces, timeouts)
    scanned = prescan(texts, rs)           # the rules' scan also says which header rules may match
    found = find_mentions_many(texts, rs, published, traces, timeouts, scanned=scanned)
    pre = rule_prefilter(rs)
    lines = [(s.text, text[sentences[i - 1].end_char:s.start_char] if i else "") for i, s in enumerate(sentences)]
    for i, extra in table_money(lines, found, rs, [_header_rules(h, pre, tables) for h in scanned]).items():
        found[i] = sorted(found[i] + extra, key=lambda m: (m.start, m.end, m.kind))
    return found


def _header_rules(hits: list, pre, tables: list[int]) -> set | None:
    """The header rules that may match a sentence, from the rules' scan of its windows: known for
    a sentence of one window (a longer one is scanned whole by table_money); all where the scan
    could not tell."""
    if len(hits) != 1:
        return None
    if not isinstance(hits[0], set):
        return set(tables)
    return {k for k in tables if pre.pat[k] in hits[0]}


def table_money_in_text(text: str, rs) -> list[Mention]:
    """The table money of a text whose lines are its sentences (the rules' examples); offsets
    index `text`."""
    from .match import find_mentions

    lines, found, starts, pos = [], [], [], 0
    for line in text.split("\n"):
        lines.append((line, "\n"))
        found.append(find_mentions(line, rs))
        starts.append(pos)
        pos += len(line) + 1
    extra = table_money(lines, found, rs)
    return [Mention(m.kind, starts[i] + m.start, starts[i] + m.end, m.text, m.rule, m.priority, m.fields, m.note)
            for i in sorted(extra) for m in extra[i]]
