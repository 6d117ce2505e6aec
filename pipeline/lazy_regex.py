"""Rule patterns compiled at their first use, once this machine has seen them compile.

The `regex` module parses and compiles a pattern in Python: the ~240 patterns of the shipped
rules cost about two CPU-seconds at every start, while a run over one corpus uses a third of
them (the prefilter never lets the others run). A rule file must still be refused at load when
a pattern does not compile, so a pattern is deferred only when its key (text, flags) is in the
list of patterns that compiled before with this `regex` version, kept in kzx's cache folder with
the flags the compiled pattern reports (its `.flags` is read before any match: prefilter checks,
`requires` keys). Anything else is compiled at once, errors and all, and added to the list.
"""
from __future__ import annotations

import hashlib
import json
import threading

import regex
import regex._main as _regex_main

_KNOWN: dict[str, int] | None = None       # key → the compiled pattern's .flags
_NEW: set = set()                          # keys added since the file was read


class LazyPattern:
    """A compiled pattern's stand-in: `pattern` and `flags` at once, everything else (finditer,
    search, groupindex, ...) from the pattern compiled at the first such use, then kept on the
    instance, so later uses cost what the compiled pattern's own attributes cost."""

    def __init__(self, pattern: str, given: int, flags: int):
        self.pattern, self.flags, self._given = pattern, flags, given

    def __getattr__(self, name):
        d = self.__dict__
        if name.startswith("__") or "_given" not in d:
            raise AttributeError(name)
        if "_rx" not in d:
            d["_rx"] = compile_cached(d["pattern"], d["_given"])
        value = getattr(d["_rx"], name)
        d[name] = value
        return value

    def __reduce__(self):
        return LazyPattern, (self.pattern, self._given, self.flags)

    def __eq__(self, other):
        return (getattr(other, "pattern", None), getattr(other, "flags", None)) == (self.pattern, self.flags)

    def __hash__(self):
        return hash((self.pattern, self.flags))

    def __repr__(self):
        return f"LazyPattern({self.pattern[:60]!r}, flags={self.flags})"


def pattern_key(pattern: str, flags: int) -> str:
    """A pattern's key in kzx's cache lists (this one, and the load check's passed patterns)."""
    return hashlib.sha256(f"{flags}\0{pattern}".encode()).hexdigest()[:32]


def _file():
    """Named by what decides whether and how a pattern compiles: the `regex` version and its default V0/V1."""
    from .prefilter import _cache_dir
    name = hashlib.sha256(f"{regex.__version__}|{regex.DEFAULT_VERSION}".encode()).hexdigest()[:16]
    return _cache_dir() / "regex-compiled" / f"{name}.json"


def _digest(known: dict) -> str:
    return hashlib.sha256(json.dumps(known, sort_keys=True).encode()).hexdigest()


def _known() -> dict[str, int]:
    global _KNOWN
    if _KNOWN is None:
        _KNOWN = {}
        try:
            data = json.loads(_file().read_bytes())
            known = data["known"]
            if (data["regex"] == regex.__version__ and _digest(known) == data["digest"]
                    and all(isinstance(v, int) for v in known.values())):
                _KNOWN = known
        except Exception:  # noqa: BLE001 - no list yet, or a damaged one: every pattern compiles now
            pass
    return _KNOWN


def compile_rule_pattern(pattern: str, flags: int = 0):
    """regex.compile(pattern, flags), deferred to the first use when the pattern is known to compile
    (it raises regex.error here otherwise, as regex.compile does)."""
    known, key = _known(), pattern_key(pattern, flags)
    if key in known:
        return LazyPattern(pattern, flags, known[key])
    rx = compile_cached(pattern, flags)
    known[key] = rx.flags
    _NEW.add(key)
    return rx


def save() -> None:
    """Write the list if patterns were added (atomically; without a cache folder, nothing)."""
    if not _NEW:
        return
    from .prefilter import _atomic_write
    known = _known()
    _atomic_write(_file(), json.dumps({"regex": regex.__version__, "digest": _digest(known), "known": known}).encode())
    _NEW.clear()


def forget() -> None:
    """Drop what was read (tests: another cache folder)."""
    global _KNOWN
    _KNOWN = None
    _NEW.clear()


# ---------------------------------------------------------------- the parse, cached
# Most of regex.compile is Python (parse, optimise, code generation) ending in one call of the C
# compiler, _regex.compile(pattern, flags, code, ...), with plain data: a 15,000-character rule
# takes ~0.1 CPU-s to parse and a few ms to rebuild from that data. compile_cached keeps that data
# of each pattern on disk (JSON), keyed by the regex version, its default V0/V1, flags and text;
# the file carries its own sha256, so a damaged one is compiled again, never used. Where the C
# entry point is not what this expects, patterns compile as regex.compile does.
_CAPTURE = threading.Lock()
_C = getattr(_regex_main, "_regex", None)
_FLAG = type(regex.I)


def _code_file(pattern: str, flags: int):
    from .prefilter import _cache_dir
    key = hashlib.sha256(f"{regex.__version__}|{regex.DEFAULT_VERSION}|{int(flags)}\0{pattern}".encode()).hexdigest()
    return _cache_dir() / "regex-code" / f"{key[:32]}.json"


def _ints(xs) -> bool:
    return isinstance(xs, list) and all(type(x) is int for x in xs)


def _args(data, pattern: str):
    """The C compiler's arguments from their JSON form, or None where anything is not as written."""
    p, flags, code, group_index, index_group, req_offset, req_chars, req_flags, group_count = data
    if (p != pattern or not _ints([flags, req_offset, req_flags, group_count]) or not _ints(code)
            or not (req_chars is None or _ints(req_chars))
            or not all(type(k) is str and type(v) is int for k, v in group_index)
            or not all(type(k) is int and type(v) is str for k, v in index_group)):
        return None
    return (pattern, _FLAG(flags), code, dict(group_index), dict(index_group), {}, [], req_offset,
            None if req_chars is None else tuple(req_chars), req_flags, group_count)


def compile_cached(pattern: str, flags: int = 0):
    """regex.compile(pattern, flags), its C compiler's arguments from the disk cache when there."""
    if not callable(getattr(_C, "compile", None)):
        return regex.compile(pattern, flags)
    path = _code_file(pattern, flags)
    try:
        blob = path.read_bytes()
        digest, body = blob[:64], blob[64:]
        if hashlib.sha256(body).hexdigest().encode() == digest:
            args = _args(json.loads(body), pattern)
            if args is not None:
                return _C.compile(*args)
    except Exception:  # noqa: BLE001 - none cached, or damaged: compiled below
        pass
    seen = []
    with _CAPTURE:                          # one capture at a time; other threads' compiles pass through
        real = _C.compile

        def capture(*args):
            if args and args[0] is pattern:
                seen.append(args)
            return real(*args)
        _C.compile = capture
        try:
            rx = regex.compile(pattern, flags, cache_pattern=False)    # (a cached one would not reach _C)
        finally:
            _C.compile = real
    if len(seen) == 1 and len(seen[0]) == 11 and not seen[0][5] and not seen[0][6]:   # no named lists
        p, fl, code, gi, ig, _, _, req_offset, req_chars, req_flags, count = seen[0]
        body = json.dumps([p, int(fl), code, list(gi.items()), list(ig.items()), req_offset,
                           None if req_chars is None else list(req_chars), req_flags, count]).encode()
        from .prefilter import _atomic_write
        _atomic_write(path, hashlib.sha256(body).hexdigest().encode() + body)
    return rx
