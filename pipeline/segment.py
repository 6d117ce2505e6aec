"""Document text → sentences with character offsets into that text (spaCy tokenizer + boundary rules).

spacy.blank("en") tokenizes (no model download); our component sets sentence starts:
a line break ends a sentence (headlines, list items); . ! ? … end one unless the word before is
an abbreviation from rules/lexicon/abbreviations.yaml or an initial, or the next word is lower
case; "production.Growth" splits because spaCy's infix rules already cut the period off.
Long texts are cut at line breaks into blocks so memory stays bounded and spaCy's length
limit never applies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import re

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language

BLOCK_CHARS = 100_000
TERMINAL = {".", "!", "?", "…", "...", "?!", "!!"}
CLOSERS = set("\"'”’»)]")


@dataclass(frozen=True)
class Sentence:
    sentence_id: int
    start_char: int
    end_char: int
    text: str


@Language.factory("kzx_sentences", default_config={"abbreviations": []})
def _make_sentencer(nlp, name, abbreviations):
    abbrevs = set(abbreviations)

    def set_starts(doc):
        n = len(doc)
        starts = numpy.full((n, 1), -1, dtype="int64")   # one array write: per-token setters are quadratic
        if n:
            starts[0, 0] = 1
        i = 0
        while i < n:
            tok = doc[i]
            nxt = None
            if tok.is_space and "\n" in tok.text:
                nxt = i + 1
            elif tok.text in TERMINAL or (len(tok.text) > 1 and tok.text[-1] in "!?" and not tok.is_alpha):
                prev = doc[i - 1].text if i > 0 and not doc[i - 1].whitespace_ else ""
                if tok.text == "." and (prev in abbrevs or (len(prev) == 1 and prev.isupper())):
                    i += 1
                    continue
                j = i + 1
                while j < n and doc[j].text in CLOSERS and not doc[j - 1].whitespace_:
                    j += 1
                if j < n and not doc[j].is_space:
                    first = doc[j].text[0]
                    if first.islower() or first in ",;:":
                        i += 1
                        continue
                nxt = j
            if nxt is not None and nxt < n:
                starts[nxt, 0] = 1
            i += 1
        doc.from_array([SENT_START], starts.astype("uint64"))  # -1 wraps, as spaCy itself stores it
        return doc

    return set_starts


def make_nlp(abbreviations) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("kzx_sentences", config={"abbreviations": sorted(abbreviations)})
    return nlp


_ISLAND = re.compile(r"\S+(?:\s{1,199}\S+)*")


def blocks(text: str, size: int = BLOCK_CHARS) -> Iterator[tuple[int, str]]:
    """Cut text into (offset, block) pieces of at most `size` chars, at line breaks when possible.

    Runs of 200+ whitespace characters are dropped between blocks: spaCy spends time on every
    character of a whitespace token, and such a run always ends a sentence anyway.
    """
    for island in _ISLAND.finditer(text):
        for off, piece in _sized(island.group(), size):
            yield island.start() + off, piece


def _sized(text: str, size: int) -> Iterator[tuple[int, str]]:
    pos, n = 0, len(text)
    while pos < n:
        end = min(n, pos + size)
        if end < n:                     # cut where a figure cannot straddle: a line, a sentence, a clause
            for sep in ("\n", ". ", "; ", ", ", " "):
                cut = text.rfind(sep, pos + size // 2, end)
                if cut >= 0:
                    end = cut + len(sep)
                    break
        yield pos, text[pos:end]
        pos = end


def segment(text: str, nlp: Language) -> Iterator[Sentence]:
    """Yield the sentences of `text` in order, trimmed of surrounding whitespace, ids from 0."""
    sid = 0
    for offset, block in blocks(text):
        doc = nlp(block)
        for sent in doc.sents:
            s, e = sent.start_char, sent.end_char
            piece = block[s:e]
            core = piece.strip()
            if core:
                s += len(piece) - len(piece.lstrip())
                e = s + len(core)
                yield Sentence(sid, offset + s, offset + e, block[s:e])
                sid += 1
