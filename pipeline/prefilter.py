"""One multi-pattern scan per text that says which of many regexes *can* match it.

A Prefilter holds checks (regex patterns). `hits(text)` answers, for every check at once, "may
this pattern match somewhere in text?": a check it leaves out surely does not match; one it keeps
may (the caller still runs the real regex). Each pattern is first relaxed (`relax`): lookarounds,
\\b and anchors dropped (but a `$` that ends the pattern), case ignored, classes widened to what
the `regex` module's classes hold, so the relaxed language is a superset of the original and "no
relaxed match" proves "no match".

Engines, first available wins: Hyperscan (one database of all checks, cached on disk by its
patterns' digest), RE2's Set, else none: then `hits` keeps every check and the caller's regexes
decide alone, so results are the same with or without an engine. KZX_PREFILTER=off|regex|re2|
hyperscan chooses one by hand (off and regex: no prefilter).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import unicodedata
from pathlib import Path

import regex

from .branches import unverbose

# Texts are scanned with every whitespace character written as " " (SPACES), and patterns are
# relaxed to match: `\s` and whitespace literals become " ". Small automata, and Hyperscan's and
# RE2's own `\s` (ASCII in RE2) never come in. `\d` and `\w` are spelled as the `regex` module reads them.
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200b))) + \
    "\u2028\u2029\u202f\u205f\u3000"
# The `regex` module's IGNORECASE takes "ı" for "I" and "İ" for "i" (Kazakh Latin, Turkish); the
# engines fold by simple case folding, where they differ. Both are scanned, and written in
# patterns, as "i": a superset, with no case classes in the automaton.
# (tests/test_prefilter.py checks over the BMP that no other character needs this.)
ODD_CASE = {"ı": "i", "İ": "i"}
SPACES = str.maketrans({**{c: " " for c in WHITESPACE}, **ODD_CASE})
_TRANSLATED = regex.compile("[" + regex.escape("".join(c for c in WHITESPACE if c != " ") + "".join(ODD_CASE)) + "]")


# (character, what it is scanned as): SPACES less what it leaves alone
_REPLACED = [(c, SPACES[ord(c)]) for c in WHITESPACE + "".join(ODD_CASE) if SPACES[ord(c)] != c]


def scan_form(text: str) -> str:
    """text.translate(SPACES), as a replace of each character present: translate builds the string
    a character at a time, many times slower over a text that is not all ASCII (data/raw x80: 0.37
    against 0.011 CPU-s)."""
    for c, to in _REPLACED:
        if c in text:
            text = text.replace(c, to)
    return text


def _scanned(text: str) -> bytes:
    """The bytes scanned for text."""
    return (scan_form(text) if _TRANSLATED.search(text) else text).encode("utf-8")
# Classes (\p{L}, \d, \w) are written out exactly up to U+07FF (Latin, Greek, Cyrillic, ...) and
# widened to "any character" above: a superset whose automaton is small, where full Unicode
# tables under case folding take seconds to compile.
_EXACT_BELOW = 0x800
# ... and exactly in General Punctuation through Miscellaneous Symbols and Arrows too, where dashes,
# quotes, ₸, ‰ and no-break spaces live: "any character" there made \d match every "–".
_EXACT_BLOCK = range(0x2000, 0x2C00)
_WIDE = r"\x{800}-\x{1fff}\x{2c00}-\x{10ffff}"
_CASED = {"Lu": "L", "Ll": "L", "Lt": "L", "Uppercase": "L", "Lowercase": "L"}
_ANCHORS = set("bBAZzG")
_BIG_REPEAT = 6         # {m,n} with n above this becomes {m,}: same superset, far smaller automaton


# syntax pieces the relaxer reads
_LOOK = regex.compile(r"\(\?(<=|<!|=|!)")
_ONE_CLASS = regex.compile(r"\[(?:\\.|[^\]\\])+\]|\\[dwsDWS]|\\[pP]\{\w+\}|\\[pP]\w|[^\\()\[\]|*+?{}.^$]")
_LEADING_FLAGS = regex.compile(r"\(\?([a-zA-Z]+)\)")
_BRACES = regex.compile(r"\{(\d*)(,?)(\d*)\}(\+?)(\??)")
_PROP = regex.compile(r"\\[pP](?:\{(\^?)([\w=:&. -]+)\}|([A-Za-z]))")
_NAMED_CHAR = regex.compile(r"\\N\{([^}]+)\}")
_GROUP_REF = regex.compile(r"\\g<[^>]+>")
_HEX = regex.compile(r"\\(?:x\{([0-9A-Fa-f]+)\}|x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_OCTAL = regex.compile(r"\\0[0-7]{0,2}")
_PLAIN_GROUP = regex.compile(r"\(\?(?:P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*'|>|\||:)")
_FLAG_GROUP = regex.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_QUANTIFIER = regex.compile(r"(?:[*+?]|\{\d*,?\d*\})[+?]?")


class Unrelaxable(ValueError):
    """A construct the relaxer does not read (conditionals, fuzzy matching, verbose mode)."""


def relax(pattern: str, verbose: bool = False, ignorecase: bool = False, multiline: bool = False) -> str:
    """A pattern whose matches include every match of `pattern`, in the syntax common to Hyperscan
    and RE2. `verbose`, `ignorecase`: the pattern was compiled with those flags. Case is kept
    where the pattern minds it (capitals are most of what tells a project name from a phrase):
    a case-insensitive pattern comes out as "(?i)" + its text, a region of the other mode as a
    `(?i:...)` or `(?-i:...)` group. A `$` that ends the pattern (`_final_ends`) is kept, unless
    `multiline` (MULTILINE or WORD, where "$" holds at other places). Raises Unrelaxable for constructs it cannot widen safely."""
    pattern = _without_layout(pattern, verbose)
    # an inline global flag applies to the whole pattern wherever it stands (the `regex` module's
    # V0 rule); one spotted inside a class or after a backslash only makes the result wider
    ci = ignorecase or bool(_GLOBAL_I.search(pattern))
    ends = frozenset() if multiline or _LINE_ENDS.search(pattern) else _final_ends(pattern)
    out, _ = _seq(pattern, 0, ci, top=True, ends=ends)
    return "(?i)" + out if ci else out


# "(?m)", "(?im:": a line's end, which the scan does not mark; "(?w)": "$" also before a final
# "\r\n", two spaces when scanned
_LINE_ENDS = regex.compile(r"\(\?[a-zA-Z]*[mw]")
# What a kept `$` becomes: the end of the text, or before a last space. The `regex` module's `$`
# also holds before a final "\n", which the scan reads as " " (SPACES); a "\n" never reaches it.
_END = r"(?:\x20?$)"


def _final_ends(p: str) -> frozenset:
    """The offsets of the `$` anchors after which nothing can be consumed: up to the pattern's end
    only group closes, quantifiers, and the other alternatives of a group closing on the way
    ("(?=[.,;]|$)", "... $)"). Such a `$` is kept (as _END): consuming the last space
    there leaves nothing for the pattern to want after it. Any other `$` goes, as before."""
    from .branches import tokens
    toks = tokens(p)
    out = set()
    for k, (s, e, kind) in enumerate(toks):
        if kind == "other" and p[s:e] == "$" and _nothing_after(p, toks, k + 1):
            out.add(s)
    return frozenset(out)


def _nothing_after(p: str, toks: list, k: int) -> bool:
    """Can tokens k.. of p consume nothing more in any match (see _final_ends)?"""
    depth = 0                       # > 0: inside an alternative that is skipped to its group's close
    while k < len(toks):
        s, e, kind = toks[k]
        text = p[s:e]
        if kind == "open":
            if not depth:
                return False
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "bar":
            depth = depth or 1
        elif depth:
            pass
        elif text in ("?", "*", "+"):
            pass
        elif text == "{":           # a repeat "{m,n}", else a literal "{"
            j = k + 1
            while j < len(toks) and (p[toks[j][0]:toks[j][1]] == "," or p[toks[j][0]:toks[j][1]].isdigit()):
                j += 1
            if j == len(toks) or p[toks[j][0]:toks[j][1]] != "}":
                return False
            k = j
        else:
            return False
        k += 1
    return True


_GLOBAL_I = regex.compile(r"\(\?[a-zA-Z]*i[a-zA-Z]*\)")


def _without_layout(pattern: str, verbose: bool) -> str:
    """The pattern with a leading (?x) taken out of its flags and, if verbose, its layout gone."""
    m = _LEADING_FLAGS.match(pattern)
    if m and "x" in m.group(1):
        verbose, pattern = True, pattern[:m.start(1)] + m.group(1).replace("x", "") + pattern[m.end(1):]
    return unverbose(pattern) if verbose else pattern


# The syntax whose relaxed form matches exactly what the pattern matches (on text without the
# characters of _UNSURE): literals, escaped punctuation, \s, groups, alternation, ? * + and
# classes of plain characters. Lookarounds,
# anchors, \p and \d (widened above U+07FF), `.`, {m,n}, literal spaces and negated classes are not.
_EXACT_SYNTAX = regex.compile(r"""
    (?: \\s | \\[^\w\s] | \(\?(?:-?i)?: | \((?!\?) | \) | \| | [?*+] (?!\+)
      | \[ (?!\^) (?: \\[^\w\s] | [^\]\\\s] )+ \]
      | [^\\()\[\]|?*+{}.^$\s] )*""", regex.X)
# characters the scan reads wider than the `regex` module does: ı/İ (folded to i) and the
# separators \x1c-\x1f (spaces to str.isspace, not to regex's \s)
_UNSURE = regex.compile("[" + regex.escape("".join(ODD_CASE) + "".join(
    c for c in WHITESPACE if not regex.match(r"\s", c))) + "]")


def exact(pattern: str, verbose: bool = False) -> bool:
    """Does relax(pattern) match exactly where `pattern` does (on text with no ı/İ)? A prefilter
    hit on such a check is the answer, with no need to run the regex (where `Prefilter.sure_in`)."""
    pattern = _CASE_FLAG.sub("", _without_layout(pattern, verbose), count=1)
    if any(c in pattern for c in ODD_CASE) or not _EXACT_SYNTAX.fullmatch(pattern):
        return False
    # a class range over ı/İ is written with an "i" added (see _class): wider
    return not any(regex.search(c.group(0), "".join(ODD_CASE)) for c in _PLAIN_CLASS.finditer(pattern))


_PLAIN_CLASS = regex.compile(r"\[(?:\\[^\w\s]|[^\]\\])+\]")
_CASE_FLAG = regex.compile(r"^\(\?i?\)")          # a leading (?i), or the (?) a lone (?x) leaves


def _seq(p: str, i: int, ci: bool, top: bool = False, ends: frozenset = frozenset(),
         edges: tuple = (False, False)) -> tuple[str, int]:
    """Relax p from i up to the `)` closing the current group (or the end); returns (text, index after).
    `ci`: case is ignored here; `ends`: the offsets of the `$` anchors kept (see relax); `edges`:
    (each alternative here starts the match, each ends it), true at the top and inside a group
    that stands at such an edge, unrepeated: there a lookaround is text to consume (_edge_look)."""
    out: list[str] = []
    n = len(p)
    if top:
        edges = (True, True)
    while i < n:
        c = p[i]
        if c == ")":
            if top:
                raise Unrelaxable("unbalanced )")
            return "".join(out), i + 1
        if c == "\\":
            piece, i = _escape(p, i, ci)
            out.append(piece)
        elif c == "[":
            piece, i = _class(p, i, ci)
            out.append(piece)
        elif c == "(":
            start = i
            bar = max((k for k, x in enumerate(out) if x == "|"), default=-1)
            at_start = edges[0] and all(x == "" for x in out[bar + 1:])     # nothing consumed before it
            close = _closes(p).get(start)
            once = close is not None and not _QUANTIFIED.match(p, close + 1)    # (a repeat's later turns are no edge)
            inner = (at_start, edges[1] and _last(p, close + 1)) if once else (False, False)
            piece, i = _group(p, i, ci, ends, inner)
            if piece == "" and once and _LOOK.match(p, start):
                piece = _edge_look(p, start, i, *inner, ci, ends)
            out.append(piece)
        elif c in "^$":
            if i in ends:
                out.append(_END)
            i += 1
        elif c in "*+?":
            i += 1
            if i < n and p[i] == "+":          # possessive: same language, greedy
                i += 1
            out.append(c)
            if i < n and p[i] == "?":
                out.append("?")
                i += 1
        elif c == "{":
            piece, i = _braces(p, i, bool(out) and out[-1].startswith("("))
            out.append(piece)
        elif c == ".":
            out.append(".")
            i += 1
        elif c.isalnum():
            out.append(_lit(c))
            i += 1
        else:
            out.append(c if c == "|" else _lit(c))
            i += 1
    if not top:
        raise Unrelaxable("unclosed group")
    return "".join(out), i


@functools.lru_cache(maxsize=16)
def _closes(p: str) -> dict:
    """Group open offset → its `)` offset (branches.layout), for the pattern being relaxed."""
    from .branches import layout
    return layout(p)[1]


def _last(p: str, j: int) -> bool:
    """Does the piece ending before p[j] end its alternative, unrepeated (nothing to consume after it)?"""
    return (j == len(p) or p[j] in "|)") and not _QUANTIFIED.match(p, j)


def _braces(p: str, i: int, group: bool) -> tuple[str, int]:
    """A {m,n} repeat; after a group it becomes * or +, since Hyperscan writes out a bounded
    repeat of a group copy by copy (a {0,5} of number words took half a CPU-minute to compile)."""
    m = _BRACES.match(p, i)
    if not m:
        if regex.match(r"\{\s*[eisd]", p[i:]):
            raise Unrelaxable("fuzzy matching")
        return r"\{", i + 1                    # a literal brace
    lo, comma, hi = m.group(1), m.group(2), m.group(3)
    lo_n = int(lo) if lo else 0
    hi_n = int(hi) if hi else (lo_n if not comma else None)
    if group and (hi_n is None or hi_n > 1):
        q = "+" if lo_n else "*"
    elif comma and hi and int(hi) > _BIG_REPEAT:
        q = f"{{{min(lo_n, _BIG_REPEAT)},}}"
    elif not comma and lo_n > _BIG_REPEAT:
        q = f"{{{_BIG_REPEAT},}}"
    else:
        q = f"{{{lo_n}{comma}{hi}}}"
    if q == "{0,}":
        q = "*"
    return q + m.group(5), m.end()


def _escape(p: str, i: int, ci: bool, in_class: bool = False) -> tuple[str, int]:
    """One escape at p[i] == '\\' → its relaxed text."""
    kind, value, j = _read_escape(p, i, in_class, ci)
    if kind == "chr":
        return _lit(value), j
    if kind == "raw":
        return (value if in_class else f"[{value}]"), j
    return value, j                              # "any" (.), "" (anchors), back-references


def _read_escape(p: str, i: int, in_class: bool, ci: bool) -> tuple[str, str, int]:
    """(kind, value, index after): kind "chr" (one character), "raw" (class body), "any" or "text"."""
    if i + 1 >= len(p):
        raise Unrelaxable("trailing backslash")
    c = p[i + 1]
    if c == "s":
        return "raw", r"\x{20}", i + 2
    if c in "dw":
        return "raw", _property("\\" + c, ci), i + 2
    if c in "SDW":
        return "any", ".", i + 2
    if c in "pP":
        m = _PROP.match(p, i)
        if not m:
            raise Unrelaxable("bad \\p")
        if c == "P" or m.group(1):
            return "any", ".", m.end()           # a negated property: any character is a superset
        return "raw", _property(m.group(0)[:2] + "{" + (m.group(2) or m.group(3)) + "}", ci), m.end()
    if c == "N":
        m = _NAMED_CHAR.match(p, i)
        if not m:
            raise Unrelaxable("bad \\N")
        return "chr", unicodedata.lookup(m.group(1)), m.end()
    if c in _ANCHORS and not in_class:
        return "text", "", i + 2
    if c == "b":
        return "chr", "\b", i + 2
    if c.isdigit() and c != "0" and not in_class:
        j = i + 1
        while j < len(p) and p[j].isdigit():
            j += 1
        return "text", "(?:.*)", j                # a back-reference: anything
    if c == "g" and not in_class:
        m = _GROUP_REF.match(p, i)
        if m:
            return "text", "(?:.*)", m.end()
    m = _HEX.match(p, i)
    if m:
        return "chr", chr(int(next(g for g in m.groups() if g), 16)), m.end()
    if c == "0":
        m = _OCTAL.match(p, i)
        return "chr", chr(int(m.group(0)[1:] or "0", 8)), m.end()
    simple = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "e": "\x1b"}
    if c in simple:
        return "chr", simple[c], i + 2
    if c.isalnum():
        raise Unrelaxable(f"escape \\{c}")
    return "chr", c, i + 2


@functools.lru_cache(maxsize=None)
def _property(prop: str, ci: bool) -> str:
    """A class escape (\\p{X}, \\d, \\w) → its members below U+0800 and in _EXACT_BLOCK (under
    `ci`, in either case), as ranges, and everything else above U+0800."""
    m = regex.fullmatch(r"\\p\{(\w+)\}", prop)
    if m and ci:
        prop = "\\p{" + _CASED.get(m.group(1), m.group(1)) + "}"
    try:
        rx = regex.compile(prop, regex.I if ci else 0)
    except regex.error as e:
        raise Unrelaxable(f"{prop}: {e}")
    chars = [*range(_EXACT_BELOW), *_EXACT_BLOCK]
    if ci:
        members = [c for c in chars if any(rx.match(v) for v in {chr(c), chr(c).lower(), chr(c).upper()})]
    else:
        members = [c for c in chars if rx.match(chr(c))]
    members = sorted(set(members) | {ord(v) for k, v in ODD_CASE.items() if ord(k) in members})
    # capitals and small letters alternate in Latin Extended, Greek and Cyrillic Extended
    # ("ĀāĂă"): joined over one-letter gaps, \p{Lu} stays a few ranges, not a thousand letters
    return _ranges(members, gap=2) + _WIDE


def _lit(ch: str, keep_space: bool = False) -> str:
    if ch in WHITESPACE and not keep_space:
        ch = " "
    if not keep_space:                  # (keep_space: a class range's end, kept as written)
        ch = ODD_CASE.get(ch, ch)
    if ch.isalnum() or (not ch.isascii() and ch.isprintable() and not keep_space):
        return ch                       # letters as themselves (UTF-8): patterns stay short
    return f"\\x{{{ord(ch):x}}}"


def _class(p: str, i: int, ci: bool) -> tuple[str, int]:
    """A character class at p[i] == '[' → its relaxed text; what cannot be widened exactly
    (a negated class with letters, properties or spaces, a nested set) becomes `.`."""
    j = i + 1
    negated = p.startswith("^", j)
    j += negated
    items: list[tuple] = []          # ("chr", c) | ("range", lo, hi) | ("raw", body) | ("any",)
    first = True
    while True:
        if j >= len(p):
            raise Unrelaxable("unclosed [")
        if p[j] == "]" and not first:
            j += 1
            break
        first = False
        item, j = _class_item(p, j, ci)
        if item[0] == "chr" and p.startswith("-", j) and j + 1 < len(p) and p[j + 1] != "]":
            hi, j = _class_item(p, j + 1, ci)
            if hi[0] != "chr":
                raise Unrelaxable("range to a class")
            item = ("range", item[1], hi[1])
        items.append(item)
    body, risky = [], False
    for it in items:
        if it[0] == "any":
            return ".", j
        if it[0] == "raw":
            body.append(it[1])
            risky = True
        elif it[0] == "chr":
            body.append(_lit(it[1]))
            risky |= it[1].isalpha() or it[1] in WHITESPACE
        else:
            lo, hi = it[1], it[2]
            body.append(f"{_lit(lo, True)}-{_lit(hi, True)}")
            if any(lo <= w <= hi for w in WHITESPACE):
                body.append(" ")
            body += [v for k, v in ODD_CASE.items() if lo <= k <= hi]
            risky |= hi > "\x7f" or any(chr(c).isalpha() or chr(c) in WHITESPACE for c in range(ord(lo), ord(hi) + 1))
    if negated and risky:
        return ".", j              # case folding and spaces make a negated class hard to widen: any character
    text = "".join(b.replace(" ", r"\x{20}") for b in body)
    if not text:
        return ".", j
    return (f"[^{text}]" if negated else f"[{text}]"), j


def _class_item(p: str, j: int, ci: bool) -> tuple[tuple, int]:
    c = p[j]
    if c == "[":
        if p.startswith("[:", j):
            return ("any",), p.index(":]", j) + 2
        _, k = _class(p, j, ci)        # a nested set (V1 syntax): any character
        return ("any",), k
    if c == "\\":
        kind, value, k = _read_escape(p, j, True, ci)
        return ((kind, value) if kind != "any" else ("any",)), k
    return ("chr", c), j + 1


def _group(p: str, i: int, ci: bool, ends: frozenset = frozenset(), edges: tuple = (False, False)) -> tuple[str, int]:
    """A group at p[i] == '('; lookarounds vanish, the rest becomes non-capturing (with its case
    mode, where it changes). `edges`: does the group start, end the match (see _seq)."""
    rest = p[i:]
    for look in ("(?=", "(?!", "(?<=", "(?<!"):
        if rest.startswith(look):
            _, j = _seq(p, i + len(look), ci, ends=ends)
            j = _skip_quantifier(p, j)
            return "", j
    if rest.startswith("(?#"):
        return "", p.index(")", i) + 1
    if rest.startswith("(?P="):
        return "(?:.*)", p.index(")", i) + 1      # a named back-reference: anything
    if rest.startswith("(?("):
        raise Unrelaxable("conditional group")
    m = _PLAIN_GROUP.match(p, i)
    if m:
        inner, j = _seq(p, m.end(), ci, ends=ends, edges=edges)
        return f"(?:{inner})", j
    m = _FLAG_GROUP.match(p, i)
    if m:
        on, off = m.group(1) or "", m.group(2) or ""
        if "x" in on or "x" in off:
            raise Unrelaxable("verbose mode")
        if m.group(3) == ")":
            return "", m.end()                  # a global flag: relax() has read it
        inner_ci = False if "i" in off else (True if "i" in on else ci)
        inner, j = _seq(p, m.end(), inner_ci, ends=ends, edges=edges)
        mode = "" if inner_ci == ci else ("i" if inner_ci else "-i")
        return f"(?{mode}:{inner})", j
    if rest.startswith("(?"):
        raise Unrelaxable(f"group {rest[:4]!r}")
    inner, j = _seq(p, i + 1, ci, ends=ends, edges=edges)
    return f"(?:{inner})", j


def _edge_look(p: str, start: int, end: int, at_start: bool, at_end: bool, ci: bool,
               ends: frozenset = frozenset()) -> str:
    """A lookaround at the start or end of a top-level alternative, written as text the relaxed
    pattern consumes, which keeps what it says about the neighbours ("5 t" is not "5 thousand"):
    (?<=X)R → XR, R(?=X) → RX, (?<!C)R → (?:^|[^C])R, R(?!C) → R(?:[^C]|$) for one class C
    (narrowed to what C holds in every case, so the negation stays a superset)."""
    m = _LOOK.match(p, start)
    kind, body = m.group(1), p[m.end():end - 1]
    behind = kind.startswith("<")
    if (behind and not at_start) or (not behind and not at_end):
        return ""
    if kind in ("<=", "="):
        inner, _ = _seq(p, m.end(), ci, ends=ends)
        return f"(?:{inner})"
    if not _ONE_CLASS.fullmatch(body):
        return ""
    narrow = _narrow(body)
    if not narrow:
        return ""
    return f"(?:^|[^{narrow}])" if behind else f"(?:[^{narrow}]|$)"


@functools.lru_cache(maxsize=None)
def _narrow(item: str) -> str:
    """The ASCII characters that one class item (as the `regex` module reads it) holds in all their
    cases, as class ranges (ASCII only: a negated class over Unicode ranges compiles slowly)."""
    try:
        rx = regex.compile(item)
    except regex.error:
        return ""
    members = [c for c in range(128)
               if all(rx.fullmatch(v) for v in {chr(c), chr(c).lower(), chr(c).upper()} if len(v) == 1)]
    if not all(rx.fullmatch(w) for w in WHITESPACE):     # texts are scanned with spaces as " "
        members = [c for c in members if chr(c) not in WHITESPACE]
    return _ranges(members)


def _ranges(members: list[int], gap: int = 1) -> str:
    """Code points as class ranges; `gap` > 1 also joins runs that far apart (a wider class)."""
    runs: list[list[int]] = []
    for c in members:                   # consecutive code points as ranges: A-Za-z
        if runs and c - runs[-1][1] <= gap:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "".join(_lit(chr(a), True) + (f"-{_lit(chr(b), True)}" if b > a else "") for a, b in runs)


def _skip_quantifier(p: str, j: int) -> int:
    m = _QUANTIFIER.match(p, j)
    return m.end() if m else j


def _groups(p: str) -> list[tuple[int, int]]:
    """(start, end) of every group of a relaxed pattern (where raw ( ) [ ] are syntax only)."""
    out, stack, i = [], [], 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            i = p.index("}", i) + 1 if p.startswith("{", i + 2) else i + 2
            continue
        if c == "[":
            while p[i] != "]":
                i = p.index("}", i) + 1 if p[i] == "\\" else i + 1
        elif c == "(":
            stack.append(i)
        elif c == ")":
            out.append((stack.pop(), i + 1))
        i += 1
    return out


def _alternatives(p: str) -> list[str]:
    """A relaxed pattern cut at its top-level `|`."""
    last, out, i = 0, [], 0
    spans = _groups(p)
    inside = {}
    for s, e in spans:
        inside[s] = e
    while i < len(p):
        if p[i] == "\\":
            i = p.index("}", i) + 1 if p.startswith("{", i + 2) else i + 2
            continue
        if p[i] == "[":
            while p[i] != "]":
                i = p.index("}", i) + 1 if p[i] == "\\" else i + 1
        elif p[i] == "(":
            i = inside[i]
            continue
        elif p[i] == "|":
            out.append(p[last:i])
            last = i + 1
        i += 1
    return out + [p[last:]]


def shrink(p: str, limit: int) -> list[str]:
    """Patterns, each at most `limit` bytes long, that together match wherever `p` matches:
    top-level alternatives apart, then the largest inner groups replaced by `(?:.*)` (anything).
    A leading "(?i)" goes to every piece."""
    flag = "(?i)" if p.startswith("(?i)") else ""
    return [flag + q for q in _shrink(p[len(flag):], limit - len(flag))]


def _opening(p: str, s: int) -> str:
    """The opening of the group at p[s]: "(?:", "(?i:" or "(?-i:"."""
    return p[s:p.index(":", s) + 1]


def _shrink(p: str, limit: int) -> list[str]:
    if len(p.encode()) <= limit:
        return [p]
    parts = _alternatives(p)
    if len(parts) > 1:
        return [q for part in parts for q in _shrink(part, limit)]
    while len(p.encode()) > limit:
        groups = _groups(p)
        if (0, len(p)) in groups:              # one group around it all: look inside
            head = _opening(p, 0)
            if head == "(?:":
                return _shrink(p[3:-1], limit)
            return [head + q + ")" for q in _shrink(p[len(head):-1], limit - len(head) - 1)]
        inner = [g for g in groups if p[g[0]:g[1]] != _ANY]
        if not inner:
            return [_ANY]
        s, e = max(inner, key=lambda g: g[1] - g[0])
        head = _opening(p, s)
        alts = _alternatives(p[s + len(head):e - 1])
        if len(alts) > 1 and not _QUANTIFIED.match(p, e):
            half = len(alts) // 2                  # X(?:a|b)Y matches where X(?:a)Y or X(?:b)Y does
            return [q for part in (alts[:half], alts[half:])
                    for q in _shrink(p[:s] + head + "|".join(part) + ")" + p[e:], limit)]
        p = p[:s] + _ANY + p[e:]
    return [p]


_QUANTIFIED = regex.compile(r"[*+?{]")
_ANY = "(?:.*)"


# ---------------------------------------------------------------- engines
def _cache_dir() -> Path:
    if os.environ.get("KZX_CACHE"):
        return Path(os.environ["KZX_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kzx"


class _Hyperscan:
    """Checks spread over a few databases by a hash of their pattern, each compiled once and cached
    on disk by its patterns' digest: a changed rule recompiles one bucket, not all."""
    name = "hyperscan"
    # Every database is one scan call per text: measured on the shipped rules (data/raw x20 as
    # 12,360 sentences, 2026-12-01), 8 buckets scanned in 0.38-0.42 CPU-s, 2 in 0.28-0.32, 1 in
    # 0.28. Compiling all from cold cost 133 (8 buckets), 148 (2) and 134 (1) CPU-s (a few large
    # patterns dominate; the checks are the patterns with their lexicon lists plain, see
    # RuleSet.plain_form: as tries they took 292 and 358). 2 keep nearly all of one database's
    # speed while a changed rule recompiles about half the checks (~70 CPU-s on average), where 8
    # recompiled an eighth (~17 s): the price of the scan.
    BUCKETS = 2
    MAX_PATTERN = 15_000      # Hyperscan refuses longer expressions (16,000 characters)
    VERSION = 7               # of how a bucket is built: part of its cache key

    def __init__(self, patterns: list[str | None]):
        import hyperscan

        self._hs = hyperscan
        self.flags = (hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
                      | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_DOTALL)   # case: in the patterns
        buckets = max(1, min(self.BUCKETS, len(patterns) // 16))   # a few checks: one scan
        by_bucket: dict[int, dict[int, list[bytes]]] = {}
        self.always, self.inexact = set(), set()     # inexact: checks cut into wider pieces
        for k, pat in enumerate(patterns):
            if pat is None:
                self.always.add(k)
            else:
                b = int(hashlib.sha256(pat.encode()).hexdigest(), 16) % buckets
                pieces = shrink(pat, self.MAX_PATTERN)
                if pieces != [pat]:
                    self.inexact.add(k)
                by_bucket.setdefault(b, {})[k] = [q.encode() for q in pieces]
        self.dbs = []
        for b in sorted(by_bucket):
            db, always, refit = self._bucket(by_bucket[b], patterns)
            self.always |= always
            self.inexact |= refit
            if db is not None:
                self.dbs.append(db)

    def _fit(self, k: int, exprs: list, pattern: str) -> list | None:
        """The check's expressions if they compile, else shrunk further (Hyperscan's size limit
        counts its automaton, so a long Cyrillic alternation fails well under MAX_PATTERN)."""
        limit = self.MAX_PATTERN
        while self._compile({k: exprs}) is None:
            limit //= 2
            if limit < 200:
                return None                  # this check always runs
            exprs = [q.encode() for q in shrink(pattern, limit)]
        return exprs

    def _bucket(self, exprs: dict, patterns):
        """(database, checks that always run, checks shrunk further to compile), from the disk
        cache or compiled and cached."""
        key = repr((sorted(exprs.items()), self.flags, self.VERSION, getattr(self._hs, "__version__", ""))).encode()
        path = _cache_dir() / "prefilter" / f"{hashlib.sha256(key).hexdigest()[:24]}.hsdb"
        try:
            head, _, blob = path.read_bytes().partition(b"\n")
            always, _, refit = head.partition(b";")
            db = self._hs.loadb(blob, self._hs.HS_MODE_BLOCK)
            db.scratch = self._hs.Scratch(db)
            _touch(path)
            return db, {int(k) for k in always.split(b",") if k}, {int(k) for k in refit.split(b",") if k}
        except Exception:  # noqa: BLE001 - no cache or a damaged one: built again
            pass
        ok = dict(exprs)
        db = self._compile(ok)
        if db is None:                       # some check does not compile: find which, shrink it more
            ok = {k: e for k, e in ((k, self._fit(k, e, patterns[k])) for k, e in ok.items()) if e}
            db = self._compile(ok)
        always = set(exprs) - set(ok)
        refit = {k for k in ok if ok[k] != exprs[k]}
        if db is not None:
            head = ",".join(map(str, sorted(always))) + ";" + ",".join(map(str, sorted(refit)))
            _atomic_write(path, head.encode() + b"\n" + self._hs.dumpb(db))
            prune(path.parent, keep=path)
        return db, always, refit

    def _compile(self, exprs: dict):
        if not exprs:
            return None
        db = self._hs.Database()
        pairs = [(k, e) for k, es in exprs.items() for e in es]      # a check may take several expressions
        try:
            db.compile(expressions=[e for _, e in pairs], ids=[k for k, _ in pairs], flags=[self.flags] * len(pairs))
        except self._hs.error:
            return None                      # e.g. it matches the empty string: that check always runs
        return db

    def hits(self, text: str):
        return self.hits_many([text])[0]

    def hits_many(self, texts: list[str]) -> list:
        """hits() of each text, database by database over all of them: the databases are
        megabytes, and scanning one over many texts in a row finds it in the CPU's caches
        (a text at a time, between other work, costs several times more)."""
        datas, found = [], []
        for text in texts:
            try:
                datas.append(_scanned(text))
                found.append(set(self.always))
            except UnicodeEncodeError:       # lone surrogates are not UTF-8: let every check run
                datas.append(None)
                found.append(_EVERYTHING)
        pairs = [(d, f) for d, f in zip(datas, found) if d is not None]
        for db in self.dbs:
            scan = db.scan
            for data, f in pairs:
                scan(data, match_event_handler=_on_match, context=f)
        return found


def _on_match(id_, start, end, flags, found):
    found.add(id_)


class _RE2:
    name = "re2"

    def __init__(self, patterns: list[str]):
        import re2

        opts = re2.Options()
        opts.case_sensitive = True                # relaxed patterns say where case is ignored
        opts.dot_nl = True
        opts.max_mem = 256 << 20
        self.set = re2.Set.SearchSet(opts)
        self.index, self.always = {}, set()
        for k, pat in enumerate(patterns):
            if pat is None:
                self.always.add(k)
                continue
            try:
                if re2.compile(pat, opts).search("") is not None:
                    self.always.add(k)
                    continue
                self.index[self.set.Add(pat)] = k
            except re2.error:
                self.always.add(k)
        self.set.Compile()

    def hits(self, text: str):
        try:
            data = _scanned(text)
        except UnicodeEncodeError:
            return _EVERYTHING
        found = set(self.always)
        found.update(self.index[i] for i in self.set.Match(data) or ())
        return found


class _All:
    """No engine: every check may match (the callers' regexes decide)."""
    name = "regex"

    def __init__(self, patterns):
        self.n = len(patterns)

    def hits(self, text: str):
        return _EVERYTHING


class _Everything:
    def __contains__(self, k):
        return True


_EVERYTHING = _Everything()


def _atomic_write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass                                  # no cache: compiled again next time


# What the prefilter's cache folder may hold, at most: every rule change leaves databases of tens
# of megabytes behind (a user editing rules for a week: gigabytes); the shipped rules' own take
# ~60 MB, and other rule sets in use (a user's --rules, the test suite's) fit beside them.
CACHE_BYTES = 1 << 30


def prune(folder: Path, keep: Path | None = None, budget: int | None = None) -> None:
    """Delete the least recently used files of a cache folder (by modification time: a hit
    touches its file) until it holds at most `budget` bytes (CACHE_BYTES), never `keep` (just
    written). A file another process has open stays readable to it; one it was about to open is
    built again there. Errors (a file gone meanwhile, a folder not ours to write) are ignored."""
    budget = CACHE_BYTES if budget is None else budget
    files = []
    try:
        for f in folder.iterdir():
            try:
                st = f.stat()
            except OSError:
                continue
            if f.is_file():
                files.append((st.st_mtime, st.st_size, f))
    except OSError:
        return
    total = sum(size for _, size, _ in files)
    for _, size, f in sorted(files, key=lambda t: t[0]):
        if total <= budget:
            break
        if f == keep:
            continue
        try:
            f.unlink()
            total -= size
        except OSError:
            pass


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def available() -> list[str]:
    out = []
    for name, mod in (("hyperscan", "hyperscan"), ("re2", "re2")):
        try:
            __import__(mod)
            out.append(name)
        except ImportError:
            pass
    return out + ["regex"]


def chosen_engine() -> str:
    want = os.environ.get("KZX_PREFILTER", "").strip().lower()
    if want in ("off", "none", "no", "0"):
        return "regex"
    have = available()
    if want:
        if want not in have:
            raise ValueError(f"KZX_PREFILTER={want}: not installed (have {', '.join(have)})")
        return want
    return have[0]


def _relax_check(text: str, flags: int) -> tuple[str | None, bool]:
    """(relaxed pattern or None: always may match, is it exact) of one check."""
    try:
        return (relax(text, bool(flags & regex.VERBOSE), bool(flags & regex.IGNORECASE),
                      bool(flags & (regex.MULTILINE | regex.WORD))),
                exact(text, bool(flags & regex.VERBOSE)))
    except (Unrelaxable, ValueError, KeyError):
        return None, False


@functools.lru_cache(maxsize=None)
def _relaxer_key() -> str:
    """All that decides what relax() and exact() give besides the patterns: this module's own code
    (no version number to forget to raise), and the `regex` module and Unicode tables that _property
    and _narrow read."""
    from . import branches              # (its tokens and unverbose read the patterns for relax)
    code = Path(__file__).read_bytes() + b"\0" + Path(branches.__file__).read_bytes()
    return hashlib.sha256(b"\0".join([code, regex.__version__.encode(), unicodedata.unidata_version.encode()])).hexdigest()


def relaxed_checks(checks: list[tuple[str, int]]) -> tuple[list[str | None], list[bool]]:
    """(relaxed patterns, exact flags) of (pattern, flags) checks: relaxing ~200 rule patterns costs
    half a CPU-second at every start, so the answer is kept in the disk cache beside the Hyperscan
    databases, keyed by the checks and _relaxer_key(); a missing, damaged or foreign file is
    computed again (and rewritten)."""
    key = hashlib.sha256(repr((_relaxer_key(), checks)).encode()).hexdigest()
    path = _cache_dir() / "prefilter" / f"{key[:24]}.relaxed.json"
    try:
        data = json.loads(path.read_bytes())
        relaxed, is_exact = data["relaxed"], data["exact"]
        if (data["key"] == key and len(relaxed) == len(is_exact) == len(checks)
                and all(r is None or isinstance(r, str) for r in relaxed) and all(isinstance(e, bool) for e in is_exact)):
            _touch(path)
            return relaxed, is_exact
    except Exception:  # noqa: BLE001 - no cache or a damaged one: computed again
        pass
    pairs = [_relax_check(text, flags) for text, flags in checks]
    relaxed, is_exact = [r for r, _ in pairs], [e for _, e in pairs]
    _atomic_write(path, json.dumps({"key": key, "relaxed": relaxed, "exact": is_exact}).encode())
    return relaxed, is_exact


class Prefilter:
    """Checks (compiled `regex` patterns, or pattern strings) → one scan per text naming those that may match."""

    def __init__(self, patterns: list, engine: str | None = None):
        self.engine_name = engine or chosen_engine()
        checks = [(getattr(pat, "pattern", pat), int(getattr(pat, "flags", 0))) for pat in patterns]
        self.relaxed, syntax_exact = relaxed_checks(checks)
        cls = {"hyperscan": _Hyperscan, "re2": _RE2}.get(self.engine_name, _All)
        self.engine = cls(self.relaxed)
        # sure[k]: a hit on check k means the pattern matches (in text without ı/İ: see `sure_in`)
        cut = getattr(self.engine, "always", set()) | getattr(self.engine, "inexact", set())
        self.sure = [ok and self.active and k not in cut for k, ok in enumerate(syntax_exact)]

    @staticmethod
    def sure_in(text: str) -> bool:
        """May `sure` be trusted on this text? Not where the scan reads some character wider."""
        return _UNSURE.search(text) is None

    @property
    def active(self) -> bool:
        return self.engine_name != "regex"

    def hits(self, text: str):
        """Indices of the checks that may match `text` (a set, or an object where every index is in)."""
        return self.engine.hits(text)

    def hits_many(self, texts: list[str]) -> list:
        """[self.hits(t) for t in texts], faster where the engine scans them in a batch."""
        many = getattr(self.engine, "hits_many", None)
        return many(texts) if many else [self.engine.hits(t) for t in texts]
