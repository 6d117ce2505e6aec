"""A rule pattern's top-level alternatives ("A|B|C"), run one by one and merged.

The `regex` module skips quickly to the places where a pattern can start only when it knows
which characters it can start with. Alternatives that start in different ways (a lookbehind
and a word list, a capital, "^") leave the whole pattern with no such set, so it is tried at
every position; each alternative alone usually has one ("\\p{Lu}...") and skips. `finditer`
runs the alternatives apart and merges their matches into exactly the matches of the whole
pattern: the leftmost match, where several start at one position the first alternative's (in
the pattern's order, as the whole pattern tries them), then on from its end.
"""
from __future__ import annotations

import time

import regex

from .lazy_regex import compile_rule_pattern

GLOBAL_FLAGS = regex.compile(r"\(\?[a-zA-Z]+\)")      # "(?i)": a flag for the whole pattern
# Back references, conditionals, branch resets and recursion ("(?-1)", not the flag group
# "(?-i:...)") name groups by number or refer across alternatives, \G is where a search began, \K
# moves a match's start, and backtracking verbs ("(*SKIP)") steer where the search goes on: read
# apart, or with a branch taken out (pipeline/gates.py), they would mean something else.
ACROSS = regex.compile(r"\\[1-9]|\\g<|\\G|\\K|\(\*|\(\?P=|\(\?P>|\(\?\(|\(\?\||\(\?R\)"
                       r"|\(\?(?:[0-9&]|[+-][0-9])")
# the pattern is searched from its end backwards ("(?r)", regex.REVERSE): leftmost-first merging
# and retrying one character on do not hold
_REVERSE = regex.compile(r"\(\?[a-zA-Z]*r")


def tokens(p: str, verbose: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, type) of each token: "open" (a group's opening up to its body), "close", "bar",
    "other" (a character, escape, class or quantifier); whitespace is skipped in verbose mode."""
    out, i, n = [], 0, len(p)
    while i < n:
        c = p[i]
        if verbose and c.isspace():
            i += 1
            continue
        if c == "\\":
            j = i + 2
            if p.startswith(("p{", "P{", "N{", "x{"), i + 1):
                j = p.index("}", i) + 1
            out.append((i, j, "other"))
        elif c == "[":
            j = i + 1 + p.startswith("^", i + 1)
            j += p.startswith("]", j)
            while j < n and p[j] != "]":
                if p.startswith("[:", j) and ":]" in p[j + 2:]:
                    j = p.index(":]", j + 2) + 2      # a POSIX class ("[[:alpha:]]") holds a "]"
                else:
                    j += 2 if p[j] == "\\" else 1
            j += 1
            out.append((i, j, "other"))
        elif c == "(":
            j = i + 1
            if p.startswith("?", j):
                m = _GROUP_HEAD.match(p, j)
                j = m.end() if m else j + 1
            out.append((i, j, "open"))
        elif c == ")":
            j = i + 1
            out.append((i, j, "close"))
        elif c == "|":
            j = i + 1
            out.append((i, j, "bar"))
        else:
            j = i + 1
            out.append((i, j, "other"))
        i = j
    return out


# what follows "(?" up to a group's body: "?:", "?=", "?<!", "?P<name>", "?i:", "?>" ...
_GROUP_HEAD = regex.compile(r"\?(?:[:=!>|]|<[=!]|P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*'|[a-zA-Z]*(?:-[a-zA-Z]*)?:)")


def layout(p: str) -> tuple[list, dict, list]:
    """(top-level `|` offsets, group open offset → close offset, unclosed opens) of a pattern."""
    bars, groups, stack = [], {}, []
    for start, _, kind in tokens(p):
        if kind == "open":
            stack.append(start)
        elif kind == "close" and stack:
            groups[stack.pop()] = start
        elif kind == "bar" and not stack:
            bars.append(start)
    return bars, groups, stack


def split(pattern: str, flags: int) -> list[str] | None:
    """The pattern's top-level alternatives, each a pattern of its own (with the pattern's leading
    flags), or None: one alternative, or something that would read differently apart."""
    m = GLOBAL_FLAGS.match(pattern)
    lead = m.group(0) if m else ""
    body = pattern[len(lead):]
    if ACROSS.search(body) or GLOBAL_FLAGS.search(body):   # a global flag further on rules them all
        return None
    if flags & regex.REVERSE or _REVERSE.match(lead):
        return None
    verbose = bool(flags & regex.VERBOSE) or "x" in lead
    if verbose and "#" in body:
        return None                  # a comment may hold a "|" or a parenthesis
    bars, _, unclosed = layout(body)
    if not bars or unclosed:
        return None
    cuts = [-1] + bars + [len(body)]
    parts = [body[a + 1:b] for a, b in zip(cuts, cuts[1:])]
    if any(not (p.strip() if verbose else p) for p in parts):
        return None                  # an empty alternative matches nothing at every position
    return [lead + p for p in parts]


def finditer(whole, parts: list, text: str, **kw) -> list:
    """list(whole.finditer(text, **kw)), found by `whole`'s alternatives `parts` (in its order).
    A branch's first match at or after a position stays its first match there until the position
    passes its start, so each branch searches again only then."""
    kw = _budget(kw)
    nxt = [p.search(text, 0, **kw()) for p in parts]
    out = []
    while True:
        best = None
        for k, m in enumerate(nxt):
            if m is not None and (best is None or m.start() < nxt[best].start()):
                best = k
        if best is None:
            return out
        m = nxt[best]
        if m.end() == m.start():     # what follows an empty match is the whole pattern's to decide
            return list(whole.finditer(text, **kw()))
        out.append(m)
        pos = m.end()
        for k, mk in enumerate(nxt):
            if mk is not None and mk.start() < pos:
                nxt[k] = parts[k].search(text, pos, **kw())


_CAPTURING = regex.compile(r"\((?!\?)|\(\?P?<[A-Za-z_]|\(\?'")     # a group that captures


# Lookbehinds at the head of a pattern can cost it the `regex` module's skip to where it can
# start: they are tried at every position first ("(?<!(?:{NUMBER_WORD}|\d)\s*)" in
# money.ru_scale_alone, 94 against 4 µs a sentence without; even "(?<![\p{L}\p{N}_])" before the
# literal "от" of money.ru_range_from_to).
def unverbose(p: str) -> str:
    """A VERBOSE pattern without its layout: unescaped spaces and # comments outside classes go
    (what the `regex` module ignores there, in braces too: "{1, 3}"), so it reads the same
    with or without the flag."""
    out, i, n = [], 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            out.append(p[i:i + 2])
            i += 2
        elif c == "[":
            j = i + 1
            if p.startswith("^", j):
                j += 1
            if p.startswith("]", j):
                j += 1
            while j < n and p[j] != "]":
                if p.startswith("[:", j) and ":]" in p[j + 2:]:
                    j = p.index(":]", j + 2) + 2      # a POSIX class ("[[:alpha:] ]") holds a "]"
                else:
                    j += 2 if p[j] == "\\" else 1
            out.append(p[i:j + 1])
            i = j + 1
        elif p.startswith("(?#", i):                  # a comment group: to its ")", "#" and all
            j = p.find(")", i)
            j = n if j < 0 else j + 1
            out.append(p[i:j])
            i = j
        elif c == "#":
            while i < n and p[i] != "\n":
                i += 1
        elif c.isspace():
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def peel(pattern: str, flags: int) -> tuple[str, str] | None:
    """(rest, check): the pattern without the lookbehinds it starts with, and those lookbehinds
    alone, each with the pattern's leading flags; None where there are none, or where taking them
    out could change what the pattern means (a group they capture, a back reference, a global flag
    further on). A verbose pattern's pieces come without its layout. The pattern matches at a
    position exactly where `rest` does and `check` holds there (finditer_peeled): assertions at one
    position hold or fail in any order."""
    m = GLOBAL_FLAGS.match(pattern)
    lead = m.group(0) if m else ""
    body = pattern[len(lead):]
    if flags & regex.REVERSE or _REVERSE.match(lead) or ACROSS.search(body) or GLOBAL_FLAGS.search(body):
        return None
    if flags & regex.VERBOSE or "x" in lead:
        body = unverbose(body)       # its pieces then read the same under the flag as without it
    bars, groups, unclosed = layout(body)
    if bars or unclosed:
        return None
    i = 0
    while body.startswith(("(?<!", "(?<="), i) and i in groups:
        i = groups[i] + 1
    if not i or i == len(body) or body[i] in "*+?{" or _CAPTURING.search(body[:i]):
        return None                  # none, only them, one of them repeated ("(?<!a)*b"), or a group they capture
    rest, check = lead + body[i:], lead + body[:i]
    try:                             # a pattern the syntax reader misread must not become two that cannot compile
        compile_rule_pattern(rest, flags)       # (once this machine has seen a pattern compile, not again:
        compile_rule_pattern(check, flags)      # regex.compile of the rules' pieces took 0.7 CPU-s a run)
    except regex.error:
        return None
    return rest, check


def finditer_peeled(whole, rest, check, text: str, **kw) -> list:
    """list(whole.finditer(text, **kw)) for `whole` = check + rest (see `peel`): the leftmost
    match of `rest`, kept where `check` holds at its start, else looked for again one character
    on; after a kept match, on from its end."""
    out, pos, kw = [], 0, _budget(kw)
    while True:
        m = rest.search(text, pos, **kw())
        if m is None:
            return out
        s, e = m.span()
        if s == e:                   # what follows an empty match is the whole pattern's to decide
            return list(whole.finditer(text, **kw()))
        if check.match(text, s, **kw()) is not None:
            out.append(m)
            pos = e
        else:
            pos = s + 1


def _budget(kw: dict):
    """The keywords for each next search of a run over one text: a `timeout` bounds them all
    together, as it bounds one finditer (each search gets what is left of it)."""
    if "timeout" not in kw:
        return lambda: kw
    deadline = time.monotonic() + kw["timeout"]

    def left() -> dict:
        t = deadline - time.monotonic()
        if t <= 0:
            raise TimeoutError("regex timed out")
        return {**kw, "timeout": t}
    return left
