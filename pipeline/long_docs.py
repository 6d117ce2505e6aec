"""A document too long to hold all of its rows at once is analysed in parts of whole paragraphs.

A document's rows are kept until they are written, and a figure-dense text gives about 100 bytes of
rows per byte of text: a 200 MB file would need gigabytes. Past LONG_CHARS characters the
sentences (segmented once, over the whole text, so ids and offsets are those of the whole
document) are grouped into parts of about PART_CHARS characters, cut at a line break; each part
goes through match, link, claims and facts as a document of its own, and its rows are written
before the next part is read. The price, paid by such documents only: the passes that read a
whole document (a project's acronym or shorter name used later, the most-mentioned surname as a
speaker, a figure repeated from earlier) look within one part.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator

from .match import figure_id
from .segment import Sentence

LONG_CHARS = 2_000_000          # longer documents are analysed in parts
PART_CHARS = 1_000_000          # a part ends at the first line break after this many characters
HARD_CUT = 4 * PART_CHARS       # ... or at a sentence end, where a text has no line breaks


def parts(text: str, sentences: Iterable[Sentence]) -> Iterator[list[Sentence]]:
    """The sentences in consecutive groups of about PART_CHARS characters, each ending at a line break
    (or, failing one for HARD_CUT characters, at a sentence end)."""
    group: list[Sentence] = []
    for s in sentences:
        if group:
            size = group[-1].end_char - group[0].start_char
            if size >= HARD_CUT or (size >= PART_CHARS and "\n" in text[group[-1].end_char:s.start_char]):
                yield group
                group = []
        group.append(s)
    if group:
        yield group


def as_document(doc, group: list[Sentence]):
    """(the part as a document of its own, its sentences with offsets into it, the part's offset)."""
    lo, hi = group[0].start_char, group[-1].end_char
    part = dataclasses.replace(doc, text=doc.text[lo:hi], warnings=[])
    return part, [Sentence(s.sentence_id, s.start_char - lo, s.end_char - lo, s.text) for s in group], lo


def shift(rows, lo: int, doc_id: str) -> None:
    """Move a part's rows (a run.DocRows) from the part's offsets to the document's: character
    offsets, and the figure ids built from them wherever a row refers to a figure."""
    if not lo:
        return
    new_id = {}
    for f in rows.figures:
        f["start_char"] += lo
        f["end_char"] += lo
        old, f["figure_id"] = f["figure_id"], figure_id(doc_id, f["kind"], f["start_char"], f["end_char"])
        new_id[old] = f["figure_id"]
    for s in rows.sentences:
        s["start_char"] += lo
        s["end_char"] += lo
    for link in rows.links:
        link["source_id"], link["target_id"] = new_id[link["source_id"]], new_id[link["target_id"]]
    for fact in rows.facts:
        fact["start_char"] += lo
        fact["end_char"] += lo
        for key in ("figure_id", "project_id", "repeat_of", "part_of"):
            if fact[key] is not None:
                fact[key] = new_id[fact[key]]
