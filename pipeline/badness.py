"""ftfy.is_bad, the same answers, 14x faster on Russian and Kazakh text (where kzx's own pair
check lets most documents through to it).

ftfy's BADNESS_RE is an alternation of ~40 short sequences; `re` tries all of them at every
position. Here each alternative gets a pivot: its mandatory one-character item with the fewest
characters of ordinary English, Russian and Kazakh text, at a fixed offset from its start. The
quick pattern is one class of all pivots first (so `re` skips to them at C speed), then, in a
lookbehind reaching back to where the alternative would start, the alternative itself. A match of
BADNESS_RE has its pivot character inside it, so the quick search finds it; a quick match is a
BADNESS_RE match. Derived from ftfy's pattern when first used; if any alternative has no pivot
(a later ftfy), ftfy.is_bad is used as it is.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

try:
    from re import _parser as sre
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as sre

# characters of ordinary text: a pivot class holding fewer of them stands at fewer positions
ORDINARY = (set(map(chr, range(32, 127))) | set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")
            | set("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІ") | set("«»“”„‘’–—…№°\xa0"))
ONE_CHAR = (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY)


def _chars(op, av) -> set[str] | None:
    """The characters one item matches, for a literal or a class of literals and ranges; else None."""
    if op is sre.LITERAL:
        return {chr(av)}
    if op is not sre.IN:
        return None
    out: set[str] = set()
    for o, a in av:
        if o is sre.LITERAL:
            out.add(chr(a))
        elif o is sre.RANGE:
            out.update(map(chr, range(a[0], a[1] + 1)))
        else:
            return None              # a negated class or \s \w \d: not a small set
    return out


def _pivot(alt) -> tuple[int, set[str]] | None:
    """(offset from the alternative's start, characters) of its rarest pivot, or None."""
    best = None
    offset = 0
    for op, av in alt.data:
        if op is sre.AT:
            continue                 # ^ or \b: takes no character
        if op not in ONE_CHAR:
            break                    # a repeat or a group: the offsets after it vary
        chars = _chars(op, av)
        if chars is not None:
            key = (len(chars & ORDINARY), len(chars))
            if best is None or key < best[0]:
                best = (key, offset, chars)
        offset += 1
    return (best[1], best[2]) if best else None


def _alternatives(src: str) -> list[str]:
    """The top-level alternatives of a verbose pattern's source: split at | outside classes,
    groups and escapes, with # comments dropped."""
    out, cur, depth, in_class, i = [], [], 0, False, 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            cur.append(src[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]" or cur[-1] in ("[", "[^")
        elif c == "[":
            in_class = True
            if src.startswith("[^", i):
                cur.append("[^")
                i += 2
                continue
        elif c == "#":
            i = src.find("\n", i) if "\n" in src[i:] else len(src)
            continue
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            out.append("".join(cur))
            cur, i = [], i + 1
            continue
        cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def quick_form(pattern: re.Pattern) -> re.Pattern | None:
    """The pivoted form of an alternation (see the module's docstring), or None where it cannot
    be made the same."""
    tree = sre.parse(pattern.pattern, pattern.flags)
    if len(tree.data) != 1 or tree.data[0][0] is not sre.BRANCH:
        return None
    alts = tree.data[0][1][1]
    texts = _alternatives(pattern.pattern)
    if len(texts) != len(alts):
        return None
    by_offset: dict[int, list[str]] = {}
    pivots: set[str] = set()
    for alt, text in zip(alts, texts):
        if repr(sre.parse(text, pattern.flags).data) != repr(alt.data):
            return None              # the split went wrong: not the parser's alternative
        found = _pivot(alt)
        if found is None:
            return None
        offset, chars = found
        pivots |= chars
        by_offset.setdefault(offset, []).append(text)
    first = "[" + "".join(re.escape(c) for c in sorted(pivots)) + "]"
    behind = ["(?<=(?=(?:" + "|".join(texts) + "))" + "(?s:.)" * (offset + 1) + ")"
              for offset, texts in sorted(by_offset.items())]
    return re.compile(first + "(?:" + "|".join(behind) + ")", pattern.flags)


def is_bad_function():
    """A function text → bool, the same as ftfy.is_bad. The quick form is kept in kzx's cache
    folder, keyed by ftfy's badness.py and this module: a run whose texts hold no mojibake (most
    Russian and Kazakh runs: a Kazakh "бі" is a pair the ingest check lets through) never imports
    ftfy (45 ms) nor derives the form (13 ms)."""
    path = _cache_file()
    try:
        data = json.loads(path.read_bytes())
        if data["pattern"] is not None:
            quick = re.compile(data["pattern"], data["flags"])
            return lambda text: quick.search(text) is not None
    except Exception:  # noqa: BLE001 - no cache, a damaged one, or ftfy's own is_bad: derived again
        pass
    import ftfy
    from ftfy.badness import BADNESS_RE

    from .prefilter import _atomic_write

    quick = quick_form(BADNESS_RE)
    _atomic_write(path, json.dumps({"pattern": quick and quick.pattern, "flags": quick and quick.flags}).encode())
    if quick is None:
        return ftfy.is_bad
    return lambda text: quick.search(text) is not None


def _cache_file() -> Path:
    """Where is_bad_function keeps the quick form: named by ftfy's badness.py (found without
    importing ftfy), this module and the Python version (`re`'s parser); a folder no ftfy is in
    names a file never written."""
    from .prefilter import _cache_dir

    spec = importlib.util.find_spec("ftfy")
    ftfy_dir = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else None
    source = (ftfy_dir / "badness.py").read_bytes() if ftfy_dir and (ftfy_dir / "badness.py").is_file() else b"?"
    key = hashlib.sha256(b"\0".join([source, Path(__file__).read_bytes(), sys.version.encode()])).hexdigest()
    return _cache_dir() / "badness" / f"{key[:32]}.json"
