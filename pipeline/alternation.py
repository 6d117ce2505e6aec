"""A list of aliases → one regex alternation, written as a trie.

Every lexicon list becomes an alternation in each pattern that names it ({NUMBER_WORD},
{CURRENCY_AFTER}, ...). Written plainly ("восемьюдесятью|восемнадцатью|...", 200 branches),
the `regex` module tries every branch at every position; under IGNORECASE, where it merges no
common beginnings itself, that costs about a microsecond a character. Written as a trie
("вос(?:ем(?:ь...|надцат...)|ьм...)") it costs a fraction, and it matches the same text with the
same preference among aliases:

The plain alternation lists the aliases longest first. At a position, the aliases that fit all
match the text from there, so each is a beginning of the next longer one: they lie on one path
of the trie, and a trie that tries a node's continuations before ending there meets them in the
same order, longest first. That holds where a node's branches cannot both start on one
character of text. Branches that can (case variants under IGNORECASE, "T" and "t", "ı" and "I";
a separator beside another separator, a dash or a space) are kept together as one plain
alternation of their aliases, in the list's order; so is a node where an alias that ends there
comes before a longer one in the list (which only odd spacing in an alias can cause).
"""
from __future__ import annotations

import functools

import regex

# Between the words of an alias: any space, or a dash with spaces around it or not; so
# "Auyl - El besigi" also matches "Auyl–El besigi" and "Auyl El besigi".
_SEP = regex.compile(r"(\s*[-‐–—]\s*|\s+)(?=\S)")
SPACE = r"\s+"
SPACE_OR_DASH = r"(?:\s*[-‐–—]\s*|\s+)"
# Characters a separator may start on: a literal one beside a separator is not told apart from it.
_SEPARATOR_START = regex.compile(r"[\s\-‐–—]")
# The `regex` module's IGNORECASE also takes "ı" for "I" and "İ" for "i" (pipeline/prefilter.py).
_ODD_CASE = {"ı": "i", "İ": "i"}


def alias_tokens(alias: str) -> tuple:
    """'US dollars' → ('U', 'S', SPACE, 'd', ...): each character of a word, a separator between words."""
    out = []
    for i, part in enumerate(_SEP.split(alias.strip())):
        if i % 2:
            out.append(SPACE_OR_DASH if regex.search(r"[-‐–—]", part) else SPACE)
        else:
            out.extend(part)
    return tuple(out)


def alias_regex(alias: str) -> str:
    """One alias as a regex: its words escaped, joined by any space (or dash, where it has one)."""
    return "".join(_piece(t) for t in alias_tokens(alias))


def plain_alternation(aliases) -> str:
    """The same alternation, one branch per alias, longest first (what `alternation` must equal)."""
    return "(?:" + "|".join(alias_regex(a) for a in _ordered(aliases)) + ")"


def alternation(aliases) -> str:
    """Aliases → one regex alternation, longest first so 'US dollars' beats 'dollars', as a trie."""
    members, seen = [], set()
    for a in _ordered(aliases):
        toks = alias_tokens(a)
        if toks not in seen:        # "a b" and "a  b": one regex, the second never matches first
            seen.add(toks)
            members.append((len(members), toks))
    return "(?:" + (_node(members, 0) if members else "") + ")"


def _ordered(aliases) -> list[str]:
    return sorted(set(aliases), key=lambda a: (-len(a), a))


def _piece(tok: str) -> str:
    return tok if tok in (SPACE, SPACE_OR_DASH) else regex.escape(tok)


def _plain(members, depth: int) -> str:
    return "(?:" + "|".join("".join(_piece(t) for t in toks[depth:]) for _, toks in sorted(members)) + ")"


def _node(members, depth: int) -> str:
    """The alternation of `members` ((list index, tokens) sharing their first `depth` tokens),
    from token `depth` on."""
    ends = [m for m in members if len(m[1]) == depth]
    if ends and any(i > ends[0][0] for i, toks in members if len(toks) > depth):
        return _plain(members, depth)      # an alias ending here comes before a longer one
    children: dict[str, list] = {}
    for m in members:
        if len(m[1]) > depth:
            children.setdefault(m[1][depth], []).append(m)
    branches = []
    for group in _apart(list(children)):
        mem = [m for tok in group for m in children[tok]]
        if len(group) == 1:
            branches.append((min(i for i, _ in mem), _piece(group[0]) + _node(mem, depth + 1)))
        else:
            branches.append((min(i for i, _ in mem), _plain(mem, depth)))
    body = [b for _, b in sorted(branches)]
    if not ends:
        return body[0] if len(body) == 1 else "(?:" + "|".join(body) + ")"
    if not body:
        return ""
    # the longer aliases first, then ending here; an empty branch and not "?": inside a repeated
    # group ({NUMWORDS}) the `regex` module runs a nested quantifier markedly slower
    return "(?:" + "|".join(body) + "|)"


def _apart(tokens: list[str]) -> list[list[str]]:
    """The tokens in groups no text character can start two of (union of those that may)."""
    parent = list(range(len(tokens)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(tokens):
        for j in range(i):
            if _may_share(a, tokens[j]):
                parent[root(i)] = root(j)
    groups: dict[int, list[str]] = {}
    for i, t in enumerate(tokens):
        groups.setdefault(root(i), []).append(t)
    return list(groups.values())


@functools.lru_cache(maxsize=None)
def _may_share(a: str, b: str) -> bool:
    """May one character of text start both tokens (under IGNORECASE too)? (The same pairs come
    up in every list: answered once.)"""
    sep_a, sep_b = a in (SPACE, SPACE_OR_DASH), b in (SPACE, SPACE_OR_DASH)
    if sep_a or sep_b:
        return (sep_a and sep_b) or bool(_SEPARATOR_START.match(b if sep_a else a))
    if _fold(a) == _fold(b):
        return True
    return bool(_ignoring_case(a).fullmatch(b) or _ignoring_case(b).fullmatch(a))


@functools.lru_cache(maxsize=None)
def _ignoring_case(c: str):
    """A character as a compiled IGNORECASE pattern, once per character (not once per pair)."""
    return regex.compile(regex.escape(c), regex.I)


def _fold(c: str) -> str:
    # the first character of the full case folding: "ß" ("ss") goes with "s", as FULLCASE would take it
    return _ODD_CASE.get(c, c).casefold()[:1]
