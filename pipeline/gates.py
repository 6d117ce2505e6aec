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

NEVER = "(?:(?!))"
# Conditionals give their two branches other meanings than "either": nothing is removed there.
_CONDITIONAL = "(?("


def _tokens(p: str, verbose: bool) -> list[tuple[int, int, str]]:
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


# a quantifier that allows no repeat at all: "?", "*", "{0,n}", lazy or possessive
_MAY_SKIP = regex.compile(r"(?:\?|\*|\{0?,\d*\}|\{0\})[?+]?")
# what follows "(?" up to a group's body: "?:", "?=", "?<!", "?P<name>", "?i:", "?>" ...
_GROUP_HEAD = regex.compile(r"\?(?:[:=!>|]|<[=!]|P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*'|[a-zA-Z]*(?:-[a-zA-Z]*)?:)")


def without(pattern: str, unit: str, verbose: bool = False) -> str:
    """`pattern` with every whole occurrence of `unit` (a regex of its own, e.g. a macro's text)
    unable to match: left out where it is one branch among others or an optional group's whole
    body ("(?:unit)?" goes), else replaced by NEVER.
    Where `unit` matches nowhere in a text, the result matches there exactly as `pattern` does."""
    if not unit:
        return pattern
    done = 0
    while True:
        toks = _tokens(pattern, verbose)
        starts = {s: k for k, (s, _, _) in enumerate(toks)}
        ends = {e: k for k, (_, e, _) in enumerate(toks)}
        a = pattern.find(unit, done)
        while a >= 0 and not (a in starts and a + len(unit) in ends):
            a = pattern.find(unit, a + 1)           # inside a class or an escape: not the unit
        if a < 0:
            return pattern
        b = a + len(unit)
        first, last = starts[a], ends[b]
        before = toks[first - 1][2] if first else "open"
        after = toks[last + 1][2] if last + 1 < len(toks) else "close"
        whole = before in ("open", "bar") and after in ("close", "bar")
        optional = (first and last + 2 < len(toks) and toks[first - 1][2] == "open" and after == "close"
                    and pattern[toks[first - 1][0]:toks[first - 1][1]] == "(?:"
                    and _MAY_SKIP.match(pattern, toks[last + 2][0]))
        if optional:                                # "(?:unit)?" → "": an optional part that never matches
            q = _MAY_SKIP.match(pattern, toks[last + 2][0])
            pattern = pattern[:toks[first - 1][0]] + pattern[q.end():]
            done = toks[first - 1][0]
        elif whole and (before == "bar" or after == "bar") and _CONDITIONAL not in pattern:
            if before == "bar":                     # "A|unit" → "A"
                pattern = pattern[:toks[first - 1][0]] + pattern[b:]
                done = toks[first - 1][0]
            else:                                   # "unit|B" → "B"
                pattern = pattern[:a] + pattern[toks[last + 1][1]:]
                done = a
        else:
            pattern = pattern[:a] + NEVER + pattern[b:]
            done = a + len(NEVER)
