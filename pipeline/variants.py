"""A rule pattern's other forms, worked out once per machine: with some gates left out
(pipeline/gates.py), its top-level alternatives apart, or its leading lookbehinds peeled
(pipeline/branches.py).

Working them out reads each pattern character by character in Python: ~1.3 ms a pattern, about
0.2 CPU-s in the first pass of every run (65 forms on the ru/kk dev set). The answer depends only
on the pattern, its flags, the gates left out, the code of the modules that read them and the
`regex` version (peel test-compiles its pieces), so it is kept in kzx's cache folder, one file per
pattern and gates, with its own sha256: a damaged or foreign file is worked out again.
"""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import regex

from .branches import peel, split
from .gates import without


@functools.lru_cache(maxsize=None)
def _code_key() -> str:
    """What decides the forms besides the pattern: the code of the modules that work them out
    (lazy_regex: peel's test compile goes through it)."""
    from . import branches, gates, lazy_regex
    code = b"\0".join(Path(f).read_bytes() for f in (branches.__file__, gates.__file__, lazy_regex.__file__, __file__))
    return hashlib.sha256(code + regex.__version__.encode()).hexdigest()


def _path(pattern: str, flags: int, absent: tuple) -> Path:
    from .prefilter import _cache_dir
    key = hashlib.sha256(json.dumps([_code_key(), pattern, int(flags), list(absent)]).encode()).hexdigest()
    return _cache_dir() / "variants" / f"{key[:32]}.json"


def work_out(pattern: str, flags: int, absent: tuple) -> tuple[str, list | None, tuple | None]:
    """(the pattern with the `absent` gates left out, its alternatives or None, its peeled (rest,
    check) or None); alternatives and peeling exclude each other (see match._variant)."""
    p = pattern
    for unit in absent:
        p = without(p, unit, bool(flags & regex.VERBOSE))
    alts = split(p, flags)
    peeled = None if alts else peel(p, flags)
    return p, alts, peeled


def forms(pattern: str, flags: int, absent: tuple = ()) -> tuple[str, list | None, tuple | None]:
    """work_out(pattern, flags, absent), from the disk cache when there."""
    path = _path(pattern, flags, absent)
    try:
        blob = path.read_bytes()
        digest, body = blob[:64], blob[64:]
        if hashlib.sha256(body).hexdigest().encode() == digest:
            p, alts, peeled, echo = json.loads(body)
            if (echo == [pattern, int(flags), list(absent)] and isinstance(p, str)
                    and (alts is None or (isinstance(alts, list) and all(isinstance(a, str) for a in alts)))
                    and (peeled is None or (isinstance(peeled, list) and len(peeled) == 2
                                            and all(isinstance(q, str) for q in peeled)))):
                return p, alts, (tuple(peeled) if peeled else None)
    except Exception:  # noqa: BLE001 - none cached, or a damaged file: worked out below
        pass
    p, alts, peeled = work_out(pattern, flags, absent)
    body = json.dumps([p, alts, list(peeled) if peeled else None, [pattern, int(flags), list(absent)]]).encode()
    from .prefilter import _atomic_write
    _atomic_write(path, hashlib.sha256(body).hexdigest().encode() + body)     # (no cache folder: nothing)
    return p, alts, peeled
