"""The relaxed patterns' disk cache (prefilter.relaxed_checks): a hit gives what relaxing gives,
without relaxing; a changed pattern, flag or relaxer misses; a damaged file is rebuilt."""
import json

import pytest
import regex

from kzx import prefilter
from kzx.prefilter import Prefilter

PATTERNS = [regex.compile(r"(?<![\p{L}])тенге", regex.I), r"\bUSD\b", r"\d+\s*%", r"(?i:per\s*cent)",
            r"(?(1)a|b)", regex.compile(r" 5 \  bln  # a comment", regex.X), r"tenge|dollars"]
D = r"[0-9٠-٩۰-۹߀-߉\x{800}-\x{1fff}\x{2c00}-\x{10ffff}]"   # \d (as in test_prefilter.py)
RELAXED = [r"(?i)(?:^|[^A-Za-z])тенге", "USD", D + r"+[\x{20}]*\x{25}", r"(?i:per[\x{20}]*cent)", None, r"5\x{20}bln", "tenge|dollars"]
EXACT = [False, False, False, True, False, False, True]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))
    return tmp_path / "prefilter"


def _files(cache):
    return sorted(cache.glob("*.relaxed.json"))


def _no_relaxing(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("relaxed although cached")
    monkeypatch.setattr(prefilter, "relax", refuse)
    monkeypatch.setattr(prefilter, "exact", refuse)


def test_fresh_relaxing_is_what_relax_and_exact_give(cache):
    relaxed, exact = prefilter.relaxed_checks([(getattr(p, "pattern", p), getattr(p, "flags", 0)) for p in PATTERNS])
    assert relaxed[0].startswith("(?i)(?:^|[^") and relaxed[0].endswith("])тенге")
    assert relaxed[1:] == RELAXED[1:]
    assert exact == EXACT
    assert len(_files(cache)) == 1


def test_a_hit_gives_the_same_checks_without_relaxing(cache, monkeypatch):
    first = Prefilter(PATTERNS, "regex")
    (path,) = _files(cache)
    written = path.read_bytes()
    _no_relaxing(monkeypatch)
    again = Prefilter(PATTERNS, "regex")
    assert again.relaxed == first.relaxed and again.sure == first.sure
    assert path.read_bytes() == written                 # a hit does not rewrite the file


def test_a_changed_pattern_or_flag_misses(cache, monkeypatch):
    Prefilter(PATTERNS, "regex")
    calls = []
    real = prefilter._relax_check
    monkeypatch.setattr(prefilter, "_relax_check", lambda t, f: calls.append(t) or real(t, f))
    changed = Prefilter(PATTERNS[:-1] + ["tenge|euros"], "regex")
    assert changed.relaxed[-1] == "tenge|euros" and len(calls) == len(PATTERNS)
    calls.clear()
    ignorecase = Prefilter(PATTERNS[:-1] + [regex.compile("tenge|dollars", regex.I)], "regex")
    assert ignorecase.relaxed[-1] == "(?i)tenge|dollars" and len(calls) == len(PATTERNS)
    assert len(_files(cache)) == 3


def test_a_changed_relaxer_misses(cache, monkeypatch):
    Prefilter(PATTERNS, "regex")
    monkeypatch.setattr(prefilter, "_relaxer_key", lambda: "another relaxer")
    monkeypatch.setattr(prefilter, "relax", lambda *a, **k: "x")
    assert Prefilter(PATTERNS, "regex").relaxed == ["x"] * len(PATTERNS)
    assert len(_files(cache)) == 2


@pytest.mark.parametrize("damage", [
    lambda b: b[:len(b) // 2],                                   # cut short
    lambda b: b"\x00" * len(b),
    lambda b: b"",
    lambda b: json.dumps({**json.loads(b), "relaxed": json.loads(b)["relaxed"][:-1]}).encode(),   # one too few
    lambda b: json.dumps({**json.loads(b), "exact": [1] * len(json.loads(b)["exact"])}).encode(),  # not booleans
    lambda b: json.dumps({**json.loads(b), "relaxed": [5] * len(json.loads(b)["relaxed"])}).encode(),
    lambda b: json.dumps({**json.loads(b), "key": "0" * 64}).encode(),                         # another set's file
    lambda b: b"[1, 2]",
])
def test_a_damaged_file_is_relaxed_again_and_rewritten(cache, monkeypatch, damage):
    fresh = Prefilter(PATTERNS, "regex")
    (path,) = _files(cache)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    again = Prefilter(PATTERNS, "regex")
    assert again.relaxed == fresh.relaxed and again.sure == fresh.sure
    assert path.read_bytes() == good


def test_an_unwritable_cache_still_relaxes(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KZX_CACHE", str(blocker))
    assert Prefilter(PATTERNS, "regex").relaxed[1:] == RELAXED[1:]


def test_prune_deletes_the_least_recently_used_files_down_to_the_budget(tmp_path):
    import os
    for k, name in enumerate(["a.hsdb", "b.hsdb", "c.relaxed.json", "d.hsdb", ".tmpx"]):
        f = tmp_path / name
        f.write_bytes(b"x" * 100)
        os.utime(f, (1000 + k, 1000 + k))          # a oldest, .tmpx newest
    prefilter.prune(tmp_path, keep=tmp_path / "a.hsdb", budget=250)
    assert sorted(f.name for f in tmp_path.iterdir()) == [".tmpx", "a.hsdb"]      # b, c, d: oldest but the kept one
    prefilter.prune(tmp_path, budget=1000)          # under the budget: nothing goes
    assert len(list(tmp_path.iterdir())) == 2
    prefilter.prune(tmp_path / "missing", budget=0)     # no folder: nothing to do, no error


@pytest.mark.skipif("hyperscan" not in prefilter.available(), reason="needs Hyperscan")
def test_a_new_database_prunes_the_folder_and_a_hit_keeps_its_file_fresh(cache, monkeypatch):
    import os
    Prefilter(["tenge", "dollars"], "hyperscan")
    [first] = sorted(cache.glob("*.hsdb"))
    os.utime(first, (1000, 1000))
    Prefilter(["tenge", "dollars"], "hyperscan")            # a hit: the file is touched
    assert first.stat().st_mtime > 1000
    os.utime(first, (1000, 1000))
    monkeypatch.setattr(prefilter, "CACHE_BYTES", first.stat().st_size + 10)
    Prefilter(["euro", "pounds"], "hyperscan")               # a new database: the old one goes
    assert first not in set(cache.glob("*.hsdb")) and len(list(cache.glob("*.hsdb"))) == 1
