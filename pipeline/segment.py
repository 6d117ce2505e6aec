"""Document text → sentences with character offsets into that text (spaCy tokenizer + boundary rules).

spacy.blank("en") tokenizes (no model download); our component sets sentence starts:
a line break ends a sentence (headlines, list items) unless the text is hard-wrapped at a fixed
width (then only a blank line or a list item does); . ! ? … end one unless the word before is
an abbreviation from rules/lexicon/abbreviations.yaml or an initial, or the next word is lower
case, or a scale word's stop ("1 bln. 200 mln.") is followed by a number; "production.Growth"
splits because spaCy's infix rules already cut the period off.
Long texts are cut at line breaks into blocks so memory stays bounded and spaCy's length
limit never applies.
Only the few words around each . ! ? … and line break are tokenized (`windows`): a boundary
depends on nothing farther away, and spaCy tokenizes each space-separated chunk on its own,
so the sentences are exactly those of tokenizing the whole text (tests/test_segment.py).
"""
from __future__ import annotations

import bisect
from typing import Iterator, NamedTuple

import re

import numpy
import spacy
from spacy.attrs import IDX, IS_ALPHA, IS_SPACE, LENGTH, SPACY, SENT_START
from spacy.language import Language

BLOCK_CHARS = 100_000
TERMINAL = {".", "!", "?", "…", "...", "?!", "!!"}
CLOSERS = set("\"'”’»)]")


class Sentence(NamedTuple):
    """One sentence: its id in the document, its characters [start_char, end_char) of the document
    text and that text (a tuple: made for every sentence of every document, a frozen dataclass
    cost three times as much to build)."""
    sentence_id: int
    start_char: int
    end_char: int
    text: str


class _Sentencer:
    """The boundary rules; as a pipeline component it sets SENT_START on a whole doc."""

    def __init__(self, abbreviations, scale_abbreviations):
        self.abbrevs, self.scales = set(abbreviations), set(scale_abbreviations)

    def __call__(self, doc):
        n = len(doc)
        starts = numpy.full((n, 1), -1, dtype="int64")   # one array write: per-token setters are quadratic
        if n:
            starts[0, 0] = 1
        for i in self.starts(doc, doc.user_data.get("hard_wrapped", False)):
            starts[i, 0] = 1
        doc.from_array([SENT_START], starts.astype("uint64"))  # -1 wraps, as spaCy itself stores it
        return doc

    def starts(self, doc, wrapped: bool, text: str | None = None) -> Iterator[int]:
        """Indices of the tokens that start a sentence (but the first). `text`: doc.text, when the
        caller has it (doc.text joins every token). Only the tokens holding a character that can
        end a sentence are looked at (no other token decides anything), and through one array of
        the tokens' attributes, not a Token object each."""
        rows = doc.to_array(_ATTRS).tolist()          # [idx, length, whitespace after, is_space, is_alpha]
        return self._starts(rows, doc.text if text is None else text, wrapped)

    def offsets(self, doc, wrapped: bool, text: str) -> list[int]:
        """The character offsets in `text` (doc.text) of the tokens starts() gives, for a window's
        few tokens (their attributes read token by token: to_array costs more below ~20)."""
        rows = [(t.idx, len(t), t.whitespace_ != "", t.is_space, t.is_alpha) for t in doc]
        return [rows[i][0] for i in self._starts(rows, text, wrapped)]

    def _starts(self, rows: list, text: str, wrapped: bool) -> Iterator[int]:
        abbrevs, scales = self.abbrevs, self.scales
        n = len(rows)
        idx = [r[0] for r in rows]

        def word(k: int) -> str:
            return text[rows[k][0]:rows[k][0] + rows[k][1]]
        # a stop or line break is never in a token's trailing whitespace (a single " "): it is in
        # the token starting at or before it
        for i in sorted({bisect.bisect_right(idx, m.start()) - 1 for m in _CAN_END.finditer(text)}):
            at, _, _, is_space, is_alpha = rows[i]
            tok = word(i)
            nxt = None
            if is_space and "\n" in tok:
                if not wrapped or tok.count("\n") > 1 or _BULLET.match(text, at + len(tok)):
                    nxt = i + 1
            elif tok in TERMINAL or (len(tok) > 1 and tok[-1] in "!?" and not is_alpha):
                prev = word(i - 1) if i > 0 and not rows[i - 1][2] else ""
                before = _WORD_BEFORE.search(text, max(0, at - 12), at)   # "р-н": three tokens
                if tok == "." and (prev in abbrevs or (len(prev) == 1 and prev.isupper())
                                   or (before and before.group() in abbrevs)):
                    continue
                if tok == "." and prev in scales and i + 1 < n and (
                        word(i + 1)[:1].isdigit() or (rows[i + 1][3] and i + 2 < n and word(i + 2)[:1].isdigit())):
                    continue                  # "1 bln. 200 mln.": the amount goes on
                j = i + 1
                while j < n and word(j) in CLOSERS and not rows[j - 1][2]:
                    j += 1
                if j < n and not rows[j][3]:
                    first = word(j)[0]
                    if first.islower() or first in ",;:":
                        continue
                nxt = j
            if nxt is not None and nxt < n:
                yield nxt


_ATTRS = [IDX, LENGTH, SPACY, IS_SPACE, IS_ALPHA]


@Language.factory("kzx_sentences", default_config={"abbreviations": [], "scale_abbreviations": []})
def _make_sentencer(nlp, name, abbreviations, scale_abbreviations):
    return _Sentencer(abbreviations, scale_abbreviations)


def make_nlp(abbreviations, scale_abbreviations=()) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("kzx_sentences", config={"abbreviations": sorted(abbreviations),
                                          "scale_abbreviations": sorted(scale_abbreviations)})
    return nlp


_WORD_BEFORE = re.compile(r"[^\s(«\"'\[]+$")
# a whitespace run that ends a block: tried at run starts only (linear); the lookbehind comes after
# the first \s so that `re` skips to the next whitespace character at C speed
_GAP = re.compile(r"\s(?<!\s\s)\s{199,}")
_BULLET = re.compile(r"(?:[-•*–—]|\d{1,2}[.)])\s")    # a list item starts the next line
_OPEN_END = re.compile(r"[^\W_]$|[,-]$")   # a line ending in a letter, digit, comma or hyphen
_CAN_END = re.compile(r"[.!?…\n]")         # every token that can end a sentence holds one of these
_STOP = re.compile(r"[.!?…]")
_LINE_BREAK = re.compile(r"\n\s*")          # a line break and the rest of its run of whitespace
_NEXT_CHUNK = re.compile(r"(\S*)\s*\S*\s?")


def hard_wrapped(text: str) -> bool:
    """True for text wrapped at a fixed width (e-mails, PDF exports): most lines that another line
    follows stop mid-sentence and are long. There a single line break is a space, not a boundary."""
    lines = text[:20_000].split("\n")
    inner = [a.rstrip() for a, b in zip(lines, lines[1:]) if a.strip() and b.strip()]
    if len(inner) < 3:
        return False
    lengths = sorted(len(a) for a in inner)
    open_ends = sum(1 for a in inner if _OPEN_END.match(a, len(a) - 1))   # its last character only
    return open_ends >= 0.6 * len(inner) and lengths[len(lengths) // 2] >= 40


def blocks(text: str, size: int = BLOCK_CHARS) -> Iterator[tuple[int, str]]:
    """Cut text into (offset, block) pieces of at most `size` chars, at line breaks when possible.

    Runs of 200+ whitespace characters are dropped between blocks: spaCy spends time on every
    character of a whitespace token, and such a run always ends a sentence anyway. The runs are
    found by a scan that keeps no state between them (a regex over whole "islands" of text kept
    backtracking state for all of a 200 MB file), so memory is one block at a time.
    """
    pos = 0
    for gap in _GAP.finditer(text):
        yield from _island(text, pos, gap.start(), size)
        pos = gap.end()
    yield from _island(text, pos, len(text), size)


def _island(text: str, start: int, end: int, size: int) -> Iterator[tuple[int, str]]:
    """The text between two long whitespace runs, trimmed, in pieces of at most `size` chars."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    pos = start
    while pos < end:
        cut = min(end, pos + size)
        if cut < end:                   # cut where a figure cannot straddle: a line, a sentence, a clause
            for sep in ("\n", ". ", "; ", ", ", " "):
                at = text.rfind(sep, pos + size // 2, cut)
                if at >= 0:
                    cut = at + len(sep)
                    break
        yield pos, text[pos:cut]
        pos = cut


def windows(block: str, can_end=_CAN_END) -> Iterator[tuple[int, int]]:
    """(start, end) spans of `block` holding every token that may end a sentence (holds a
    character of `can_end`) with all that its decision reads: from the start of the chunk (run of
    non-spaces) holding the candidate, or of the chunk before a line break (before the candidate's
    chunk or in it), through the next chunk and one more character (a list item's "1. "). Spans
    start at a chunk's start, so spaCy tokenizes them as it does the whole block."""
    lo = hi = -1
    chunk_end = reach = -1       # the last candidate's chunk end and how far its window reached

    def next_end(p: int) -> int:
        """Where the window of the candidate at p ends; candidates further on in one chunk share
        it, so a chunk of many stops ("1.1.1.1...") is scanned once, not once per stop."""
        nonlocal chunk_end, reach
        if p < chunk_end:
            return reach
        m = _NEXT_CHUNK.match(block, p + 1)
        chunk_end, reach = m.end(1), m.end()
        return reach

    for m in can_end.finditer(block):
        p = m.start()
        if p < hi:                     # inside the current window: it reaches far enough already
            hi = max(hi, next_end(p))
            continue
        start = p
        if block[p].isspace():                     # a line break: from the chunk before its spaces
            while start > 0 and block[start - 1].isspace():
                start -= 1
        while start > 0 and not block[start - 1].isspace():
            start -= 1
        if start > 0 and block[start - 1] == "\n":   # the word before a stop is read back over a line
            start -= 1                                  # break ("approx\n." : `$` matches before "\n")
            while start > 0 and block[start - 1].isspace():
                start -= 1
            while start > 0 and not block[start - 1].isspace():
                start -= 1
        end = next_end(p)
        if lo >= 0 and start <= hi:
            hi = max(hi, end)
            continue
        if lo >= 0:
            yield lo, hi
        lo, hi = start, end
    if lo >= 0:
        yield lo, hi


def _block_starts(block: str, nlp: Language, wrapped: bool) -> list[int]:
    """Character offsets in `block` where a sentence starts, tokenizing only the windows. Where
    the text is not hard-wrapped, a line break starts a sentence at the token after its run of
    whitespace (spaCy makes the run one token, less a first space that goes with the token
    before), whatever stands around it: those are read off the text, and only the stops need
    windows."""
    sentencer = nlp.get_pipe("kzx_sentences")
    out = [0]
    if not wrapped:
        out.extend(m.end() for m in _LINE_BREAK.finditer(block) if m.end() < len(block))
    for lo, hi in windows(block, _CAN_END if wrapped else _STOP):
        piece = block[lo:hi]
        out.extend(lo + at for at in sentencer.offsets(nlp.make_doc(piece), wrapped, piece))
    return out


def segment(text: str, nlp: Language, whole: bool = False) -> Iterator[Sentence]:
    """Yield the sentences of `text` in order, trimmed of surrounding whitespace, ids from 0.
    `whole=True` tokenizes all of every block (the plain reference the windows must equal)."""
    sid = 0
    wrapped = hard_wrapped(text)
    for offset, block in blocks(text):
        if whole:
            doc = nlp.make_doc(block)
            doc.user_data["hard_wrapped"] = wrapped
            for _, component in nlp.pipeline:
                doc = component(doc)
            spans = [(sent.start_char, sent.end_char) for sent in doc.sents]
        else:
            starts = sorted(set(_block_starts(block, nlp, wrapped)))
            spans = list(zip(starts, starts[1:] + [len(block)]))
        for s, e in spans:
            piece = block[s:e]
            core = piece.strip()
            if core:
                s += len(piece) - len(piece.lstrip())
                e = s + len(core)
                yield Sentence(sid, offset + s, offset + e, block[s:e])
                sid += 1
