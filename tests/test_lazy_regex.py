"""Rule patterns compiled at first use (pipeline/lazy_regex.py): deferred only when seen to compile
with this regex version, and then the same pattern in every respect; a bad pattern is refused at
once; a damaged, foreign or missing list compiles everything again."""
import hashlib
import json
import pickle

import pytest
import regex

from conftest import ROOT
from kzx import lazy_regex
from kzx.errors import RuleError
from kzx.lazy_regex import LazyPattern, compile_rule_pattern
from kzx.rules import load_rules

PAT = r"(?x) (?P<n>\d+) \s* (?:млн|bn)  # a comment"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))
    lazy_regex.forget()
    yield tmp_path / "regex-compiled"
    lazy_regex.forget()


def _seen(pattern=PAT, flags=regex.I):
    """Compile once and keep the list, as a first start does; then start again."""
    compile_rule_pattern(pattern, flags)
    lazy_regex.save()
    lazy_regex.forget()


def test_a_new_pattern_compiles_at_once_and_a_seen_one_at_first_use(cache):
    first = compile_rule_pattern(PAT, regex.I)
    assert isinstance(first, regex.Pattern)
    lazy_regex.save()
    (path,) = cache.glob("*.json")
    lazy_regex.forget()
    lazy = compile_rule_pattern(PAT, regex.I)
    assert isinstance(lazy, LazyPattern) and "_rx" not in lazy.__dict__
    assert (lazy.pattern, lazy.flags) == (first.pattern, first.flags)       # read without compiling
    assert "_rx" not in lazy.__dict__
    text = "5 млн and 12 BN, 7 bn"
    assert [m.span("n") for m in lazy.finditer(text)] == [m.span("n") for m in first.finditer(text)] == \
        [(0, 1), (10, 12), (17, 18)]
    assert lazy.groupindex == first.groupindex and lazy.search("x 3 bn").group(0) == "3 bn"
    assert lazy == first and hash(lazy) == hash(compile_rule_pattern(PAT, regex.I))
    assert json.loads(path.read_bytes())["known"] == {lazy_regex.pattern_key(PAT, regex.I): first.flags}


def test_other_flags_or_text_are_not_seen(cache):
    _seen()
    assert isinstance(compile_rule_pattern(PAT, 0), regex.Pattern)
    assert isinstance(compile_rule_pattern(PAT + "x", regex.I), regex.Pattern)
    assert isinstance(compile_rule_pattern(PAT, regex.I), LazyPattern)


def test_a_bad_pattern_is_refused_every_time(cache):
    for _ in range(2):
        with pytest.raises(regex.error):
            compile_rule_pattern(r"(unclosed", 0)
        lazy_regex.save()
        lazy_regex.forget()
    assert not list(cache.glob("*.json"))


def test_another_regex_version_reads_another_list(cache, monkeypatch):
    _seen()
    monkeypatch.setattr(regex, "__version__", "0.0.1")
    assert isinstance(compile_rule_pattern(PAT, regex.I), regex.Pattern)


@pytest.mark.parametrize("damage", [
    lambda b: b[:len(b) // 2],
    lambda b: b"",
    lambda b: b"\xff" * 20,
    lambda b: json.dumps({**json.loads(b), "known": {k: v + 1 for k, v in json.loads(b)["known"].items()}}).encode(),
    lambda b: json.dumps({**json.loads(b), "regex": "0.0.1"}).encode(),
    lambda b: json.dumps({**json.loads(b), "known": {k: str(v) for k, v in json.loads(b)["known"].items()}}).encode(),
    lambda b: b"[]",
])
def test_a_damaged_list_compiles_again_and_is_rewritten(cache, damage):
    _seen()
    (path,) = cache.glob("*.json")
    good = path.read_bytes()
    path.write_bytes(damage(good))
    assert isinstance(compile_rule_pattern(PAT, regex.I), regex.Pattern)
    lazy_regex.save()
    assert path.read_bytes() == good


def test_a_lazy_pattern_pickles_and_copies(cache):
    _seen()
    lazy = compile_rule_pattern(PAT, regex.I)
    back = pickle.loads(pickle.dumps(lazy))
    assert isinstance(back, LazyPattern) and back == lazy and back.flags == lazy.flags
    assert back.match("42 bn").group("n") == "42"
    lazy.search("1 bn")                                    # compiled ones pickle the same way
    assert pickle.loads(pickle.dumps(lazy)).match("42 млн").group("n") == "42"


def test_the_shipped_rules_load_lazily_with_every_pattern_as_compiled(cache):
    cold = load_rules(ROOT / "rules", check_time=False)
    lazy_regex.forget()
    warm = load_rules(ROOT / "rules", check_time=False)
    assert all(isinstance(r.regex, LazyPattern) for r in warm.rules)
    for c, w in zip(cold.rules, warm.rules):
        assert isinstance(c.regex, regex.Pattern)
        for a, b in ((c.regex, w.regex), (c.requires, w.requires)):
            assert (a is None) == (b is None)
            if a is not None:
                assert (b.pattern, b.flags, b.groupindex) == (a.pattern, a.flags, a.groupindex)


def test_a_bad_rule_pattern_is_refused_with_the_list_warm(cache, tmp_path):
    import shutil
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    load_rules(rules, check_time=False)
    lazy_regex.forget()
    (rules / "zz.yaml").write_text("rules:\n- id: money.broken\n  kind: money\n  pattern: '(5 tenge'\n"
                                   "  examples: [{text: 5 tenge}]\n", encoding="utf-8")
    with pytest.raises(RuleError, match="does not compile"):
        load_rules(rules, check_time=False)


# ---------------------------------------------------------------- the parse, cached
def _no_compiling(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("compiled although cached")
    monkeypatch.setattr(regex, "compile", refuse)


def _same(a, b, texts):
    assert (a.pattern, a.flags, a.groupindex, a.groups) == (b.pattern, b.flags, b.groupindex, b.groups)
    for t in texts:
        assert [(m.span(), m.groupdict()) for m in a.finditer(t)] == [(m.span(), m.groupdict()) for m in b.finditer(t)]


def test_a_cached_parse_gives_the_same_pattern_without_parsing(cache, monkeypatch):
    first = lazy_regex.compile_cached(PAT, regex.I)
    (path,) = (cache.parent / "regex-code").glob("*.json")
    written = path.read_bytes()
    _no_compiling(monkeypatch)
    again = lazy_regex.compile_cached(PAT, regex.I)
    _same(first, again, ["5 млн and 12 BN, 7 bn", "nothing", "1bn2bn"])
    assert path.read_bytes() == written
    assert isinstance(again.flags, int) and again.flags == first.flags


def test_another_text_flag_or_regex_version_is_parsed_again(cache, monkeypatch):
    lazy_regex.compile_cached(PAT, regex.I)
    calls = []
    real = regex.compile
    monkeypatch.setattr(regex, "compile", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert lazy_regex.compile_cached(PAT, 0).search("5 BN") is None       # case matters now
    assert lazy_regex.compile_cached(PAT.replace("bn", "bx"), regex.I).search("5 BX").group(0) == "5 BX"
    monkeypatch.setattr(regex, "__version__", "0.0.1")
    lazy_regex.compile_cached(PAT, regex.I)
    assert len(calls) == 3 and len(list((cache.parent / "regex-code").glob("*.json"))) == 4


@pytest.mark.parametrize("damage", [
    lambda b: b[:len(b) // 2],
    lambda b: b"",
    lambda b: b[:64] + b[64:].replace(b"bn", b"bx"),                      # the body changed: digest fails
    lambda b: (lambda body: hashlib.sha256(body).hexdigest().encode() + body)(   # a well-formed file of
        json.dumps(["another pattern"] + json.loads(b[64:])[1:]).encode()),       # another pattern
    lambda b: (lambda body: hashlib.sha256(body).hexdigest().encode() + body)(
        json.dumps(json.loads(b[64:])[:2] + [["1"]] + json.loads(b[64:])[3:]).encode()),   # code not ints
])
def test_a_damaged_parse_file_is_parsed_again_and_rewritten(cache, damage):
    first = lazy_regex.compile_cached(PAT, regex.I)
    (path,) = (cache.parent / "regex-code").glob("*.json")
    good = path.read_bytes()
    path.write_bytes(damage(good))
    _same(first, lazy_regex.compile_cached(PAT, regex.I), ["5 млн and 12 BN, 7 bn"])
    assert path.read_bytes() == good


def test_every_shipped_pattern_is_the_same_from_its_cached_parse(cache, monkeypatch):
    rs = load_rules(ROOT / "rules", check_time=False)
    todo = []
    for rule in rs.rules:
        texts = [e["text"] for e in rule.examples] + list(rule.negative)
        todo += [(rx, texts) for rx in (rule.regex, rule.requires) if rx is not None]
    flags = [rx.flags & ~regex.U for rx, _ in todo]            # as given, plus inline and version flags
    fresh = [regex.compile(rx.pattern, f, cache_pattern=False) for (rx, _), f in zip(todo, flags)]
    for (rx, _), f in zip(todo, flags):
        lazy_regex.compile_cached(rx.pattern, f)
    _no_compiling(monkeypatch)
    for (rx, texts), f, a in zip(todo, flags, fresh):
        _same(a, lazy_regex.compile_cached(rx.pattern, f), texts)
    assert len(todo) > 200
