"""Gated macros: a rare branch of a pattern left out where the text cannot hold it.

The `regex` module skips quickly to the places where a pattern can start only when it knows the
characters it can start with. One branch that may start with any of a long word list (an amount
in number words, "two trillion 300 billion") takes that away from the whole pattern: the money
rules try their number words at every word of every sentence, and spend most of their time so.

macros.yaml names such branches under `gates:`. The prefilter checks each gate's macro alone,
and where it cannot match a window, the rule runs there in a variant with the macro taken out
(`without`): removed where it stands as one branch of an alternation, elsewhere replaced by a
pattern that never matches. A part that matches nowhere in a text changes no match when it is
removed, so the variant finds exactly the whole pattern's matches on that text.
"""
from __future__ import annotations

import regex

from .branches import ACROSS, GLOBAL_FLAGS, tokens as _tokens

NEVER = "(?:(?!))"


# a quantifier that allows no repeat at all: "?", "*", "{0,n}", lazy or possessive
_MAY_SKIP = regex.compile(r"(?:\?|\*|\{0?,\d*\}|\{0\})[?+]?")


def without(pattern: str, unit: str, verbose: bool = False) -> str:
    """`pattern` with every whole occurrence of `unit` (a regex of its own, e.g. a macro's text)
    unable to match: replaced by NEVER, and what then can never match taken out (`_prune`).
    Where `unit` matches nowhere in a text, the result matches there exactly as `pattern` does."""
    if not unit:
        return pattern
    toks = _tokens(pattern, verbose)
    starts, ends = {s for s, _, _ in toks}, {e for _, e, _ in toks}
    one_group = _one_group(unit, verbose)
    out, pos = [], 0
    a = pattern.find(unit)
    while a >= 0:
        b = a + len(unit)
        # not inside a class or an escape; and a quantifier after it must repeat all of it
        if a in starts and b in ends and (one_group or not _QUANTIFIER.match(pattern, b)):
            out += (pattern[pos:a], NEVER)
            pos = a + len(unit)
            a = pattern.find(unit, pos)
        else:
            a = pattern.find(unit, a + 1)
    if not out:
        return pattern
    pattern = "".join(out) + pattern[pos:]
    if ACROSS.search(pattern) or (verbose and "#" in pattern):
        return pattern                  # branches that mean more than "either", or a comment: as it is
    lead = _LEAD_FLAGS.match(pattern).group()
    if GLOBAL_FLAGS.search(pattern, len(lead)) is not None:
        return pattern                  # a global flag further on: it rules the whole pattern
    return lead + _prune(pattern[len(lead):], verbose)


def _one_group(p: str, verbose: bool) -> bool:
    """Is p one group, "(...)", or one atom (so a quantifier after it repeats all of it)?"""
    toks = _tokens(p, verbose)
    if len(toks) == 1 and toks[0][2] == "other" and not _QUANTIFIER.fullmatch(p):
        return True
    if not toks or toks[0][2] != "open" or toks[-1][2] != "close":
        return False
    depth = 0
    for k, (_, _, kind) in enumerate(toks):
        depth += (kind == "open") - (kind == "close")
        if depth == 0:
            return k == len(toks) - 1
    return False


def _prune(p: str, verbose: bool) -> str:
    """p with what can never match taken out, one NEVER at a time, until none is left to take:
    NEVER with a quantifier that may skip it goes; a branch that must pass through it goes where
    the alternation has others; a group of one such branch becomes NEVER itself (a negative
    lookaround of it goes: it always holds); at the top, the whole pattern is NEVER."""
    while True:
        toks = _tokens(p, verbose)
        k = next((k for k, (s, _, kind) in enumerate(toks) if kind == "open" and p.startswith(NEVER, s)), None)
        if k is None:
            return p
        a, last = toks[k][0], k + 3                 # NEVER is four tokens: "(?:", "(?!", ")", ")"
        b = toks[last][1]
        q = _QUANTIFIER.match(p, b)
        if q and _MAY_SKIP.fullmatch(q.group()):
            p = p[:a] + p[q.end():]                 # "NEVER?" matches only the empty text
            continue
        open_k, left = _outward(toks, range(k - 1, -1, -1), "open", "close")
        close_k, right = _outward(toks, range(last + 1, len(toks)), "close", "open")
        body_start = toks[open_k][1] if open_k is not None else 0
        body_end = toks[close_k][0] if close_k is not None else len(p)
        if left is not None:                        # "A|..NEVER..|B" → "A|B": the branch and the bar before it
            p = p[:toks[left][0]] + p[toks[right][0] if right is not None else body_end:]
        elif right is not None:                     # "..NEVER..|B" → "B"
            p = p[:body_start] + p[toks[right][1]:]
        elif open_k is None:
            return NEVER                            # the whole pattern must pass through it
        else:
            head = p[toks[open_k][0]:toks[open_k][1]]
            g_start, g_end = toks[open_k][0], toks[close_k][1]
            if head in ("(?!", "(?<!"):             # "not NEVER" always holds: the assertion goes
                q = _QUANTIFIER.match(p, g_end)
                p = p[:g_start] + p[q.end() if q else g_end:]
            else:                                   # a group that must pass through it never matches
                p = p[:g_start] + NEVER + p[g_end:]


def _outward(toks: list, order, edge: str, inner: str) -> tuple[int | None, int | None]:
    """Walking the tokens in `order` from a point: (the index of the first `edge` token ("open" or
    "close") of the group around the point, the index of the first bar of that group on the way),
    None where there is none (the pattern's top level)."""
    depth, bar = 0, None
    for j in order:
        kind = toks[j][2]
        if kind == inner:
            depth += 1
        elif kind == edge:
            if depth == 0:
                return j, bar
            depth -= 1
        elif kind == "bar" and depth == 0 and bar is None:
            bar = j
    return None, bar


_QUANTIFIER = regex.compile(r"(?:[?*+]|\{\d*,?\d*\})[?+]?")
_LEAD_FLAGS = regex.compile(f"(?:{GLOBAL_FLAGS.pattern})*")
