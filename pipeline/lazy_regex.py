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

import regex

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
            d["_rx"] = regex.compile(d["pattern"], d["_given"])
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


def _key(pattern: str, flags: int) -> str:
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
    known, key = _known(), _key(pattern, flags)
    if key in known:
        return LazyPattern(pattern, flags, known[key])
    rx = regex.compile(pattern, flags)
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
