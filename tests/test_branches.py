"""A pattern's top-level alternatives run apart and merged, or its costly leading lookbehinds
checked only where the rest matched (pipeline/branches.py), find exactly the matches of the whole
pattern."""
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from kzx.branches import finditer, finditer_peeled, peel, split
from kzx.match import _apart
from kzx.rules import load_rules


def spans(ms):
    return [(m.span(), {k: v for k, v in m.groupdict().items() if v is not None}) for m in ms]


def merged(pattern, text, flags=0):
    parts = split(pattern, flags)
    assert parts is not None
    return finditer(regex.compile(pattern, flags), [regex.compile(p, flags) for p in parts], text)


def test_split_cuts_at_top_level_bars_only_and_keeps_leading_flags():
    assert split(r"a|b(?:c|d)|[|]", 0) == ["a", "b(?:c|d)", "[|]"]
    assert split("(?x) a \\| b | c", 0) == ["(?x) a \\| b ", "(?x) c"]
    assert split("(?i)ab|cd", 0) == ["(?i)ab", "(?i)cd"]


def test_split_leaves_whole_what_reads_differently_apart():
    assert split("abc", 0) is None                       # one alternative
    assert split(r"(a)|\1b", 0) is None                  # a back reference
    assert split(r"(?P<x>a)|(?P=x)", 0) is None
    assert split(r"a|b(?i)", 0) is None                  # a global flag further on applies to all
    assert split("a | b # a comment | or not", regex.X) is None
    assert split("a||b", 0) is None                      # an empty alternative
    assert split(r"\Ga|b", 0) is None


def test_merged_matches_are_the_whole_patterns():
    # leftmost first; at one position the earlier alternative, even when a later one is longer
    assert [m.group() for m in merged(r"ab|abc|c", "abc c abc")] == ["ab", "c", "c", "ab", "c"]
    # a match of one alternative inside another's is passed over, as the whole pattern passes it
    assert [m.span() for m in merged(r"x\w+|\d", "x123 4")] == [(0, 4), (5, 6)]
    # lookbehinds see the text before where a branch searches again
    assert [m.group() for m in merged(r"(?<=a)b|(?<![a-z])c", "abcab c")] == ["b", "b", "c"]
    # named groups of the alternative that matched
    assert spans(merged(r"(?P<n>\d+)%|(?P<w>[a-z]+)", "5% ab")) == [((0, 2), {"n": "5"}), ((3, 5), {"w": "ab"})]


def test_an_empty_match_gives_the_whole_patterns_matches():
    assert [m.span() for m in merged(r"a|(?=b)", "ab")] == [m.span() for m in regex.finditer(r"a|(?=b)", "ab")]


def test_every_shipped_rule_run_apart_finds_its_examples_as_the_whole_pattern():
    rs = load_rules()
    texts = [ex if isinstance(ex, str) else ex["text"] for r in rs.rules for ex in (*r.examples, *r.negative)]
    split_rules = [r for r in rs.rules if _apart(r, rs) and _apart(r, rs).parts is not None]
    assert {"project.not_description", "money.not_rate", "date.ru_day_range"} <= {r.id for r in split_rules}
    for r in split_rules:
        for t in texts:
            assert spans(finditer(r.regex, _apart(r, rs).parts, t)) == spans(r.regex.finditer(t)), (r.id, t)


_PIECES = ["a", "b", "ab", "[ab]", r"\d", "a+", "(?<=a)", "(?<![a-z])", "^", "$", r"\b", "(?:a|b)", "b?", "(?=b)", " "]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4), min_size=2, max_size=4),
       st.lists(st.text("ab1 ", max_size=10), min_size=1, max_size=4), st.booleans())
def test_any_alternatives_merge_into_the_whole_patterns_matches(alts, texts, ignorecase):
    pattern = "|".join("".join(a) for a in alts)
    flags = regex.I if ignorecase else 0
    whole = regex.compile(pattern, flags)
    parts = [regex.compile(p, flags) for p in split(pattern, flags)]
    for t in texts:
        assert [m.span() for m in finditer(whole, parts, t)] == [m.span() for m in whole.finditer(t)]


def test_a_rule_keeps_its_alternatives_apart_only_where_that_was_timed_faster():
    rs = load_rules()
    rule = next(r for r in rs.rules if r.id == "project.not_description")
    text = "They visited the Industrial Park and the Aral Sea ports."
    for ratio, kept in ((0.0, True), (100.0, False)):       # apart's time ÷ the whole pattern's, per window
        apart = _apart(rule, rs)
        apart.tried, apart.ratios = apart.TRIAL - 1, [ratio] * (apart.TRIAL - 2)
        parts = apart.parts
        assert spans(apart.trial(rule.regex, text, {})) == spans(rule.regex.finditer(text))
        assert len(spans(rule.regex.finditer(text))) == 2
        assert (apart.parts is not None) == kept and apart.tried == apart.TRIAL
        apart.parts = parts


def peeled(pattern, text, flags=0):
    rest, check = peel(pattern, flags)
    return finditer_peeled(regex.compile(pattern, flags), regex.compile(rest, flags), regex.compile(check, flags), text)


def test_peel_takes_out_the_leading_lookbehinds():
    assert peel(r"(?<![x])(?<!\d\s*)abc", 0) == (r"abc", r"(?<![x])(?<!\d\s*)")
    assert peel(r"(?i)(?<!(?:one|two) )(?<=\s)m(?<!x)", 0) == (r"(?i)m(?<!x)", r"(?i)(?<!(?:one|two) )(?<=\s)")
    assert peel(r"abc", 0) is None                           # no lookbehind
    assert peel(r"(?<!a|b)", 0) is None                      # nothing after the lookbehinds
    assert peel(r"(?<!(?P<n>a|b))abc", 0) is None            # a group it captures
    assert peel(r"(?<!(a|b))abc", 0) is None
    assert peel(r"(?<!a|b)abc|d", 0) is None                 # alternatives: split's to run apart
    assert peel(r"(?<!a|b)(x)\1", 0) is None                # a back reference
    assert peel(r"(?<!a|b)x(?i)", 0) is None                 # a global flag further on
    # verbose: the pieces come without the layout, which the flag ignores anyway
    assert peel(r"(?<!a|b) x", regex.X) == ("x", "(?<!a|b)")
    assert peel("(?<! [ ]a )  # not after ' a'\n  b\\ {1, 2} [#]", regex.X) == (r"b\ {1,2}[#]", "(?<![ ]a)")
    # a POSIX class holds a "]" and a comment group a "#": neither ends where it seems to
    assert peel(r"(?<!a)[[:alpha:] ]b", regex.X) == ("[[:alpha:] ]b", "(?<!a)")
    assert peel("(?<!a)(?# note # here )b c", regex.X) == ("(?# note # here )bc", "(?<!a)")
    assert peel(r"x(?<!a|b)y", 0) is None                    # not at the head


def test_peeled_matches_are_the_whole_patterns():
    # where the check fails, the rest is looked for again one character on, not after its match
    assert [m.span() for m in peeled(r"(?<!(?:7|8) )\w+", "7 ab cd")] == [(0, 1), (3, 4), (5, 7)]
    assert [m.span() for m in regex.finditer(r"(?<!(?:7|8) )\w+", "7 ab cd")] == [(0, 1), (3, 4), (5, 7)]
    assert spans(peeled(r"(?i)(?<!(?:five|six)\s*)(?P<s>million)", "five MILLION and million")) == [
        ((17, 24), {"s": "million"})]
    assert [m.span() for m in peeled(r"(?<!a+)b?", "abb")] == [m.span() for m in regex.finditer(r"(?<!a+)b?", "abb")]


def test_every_shipped_rule_peeled_finds_its_examples_as_the_whole_pattern():
    rs = load_rules()
    texts = [ex if isinstance(ex, str) else ex["text"] for r in rs.rules for ex in (*r.examples, *r.negative)]
    peeled_rules = [r for r in rs.rules if _apart(r, rs) and _apart(r, rs).peeled is not None]
    assert {"money.ru_scale_alone", "money.ru_range_from_to"} <= {r.id for r in peeled_rules}
    for r in peeled_rules:
        for t in texts:
            assert spans(_apart(r, rs).find(r.regex, t, {})) == spans(r.regex.finditer(t)), (r.id, t)


_LOOKS = ["(?<!a)", "(?<![ab])", "(?<!a|b)", "(?<=a+)", "(?<!ab?)", "(?<=(?:a|1) ?)", "(?<!\\d\\s*)", "(?<=(?i:A))"]
_BODY = _PIECES + ["(?P<n>b+)", "(?i:A)", "a*+", "(?>ab|a)", "\\K"]


# layout a verbose pattern may hold between its pieces: spaces, line breaks, comments
_LAYOUT = ["", " ", "\n  ", "  # a comment (with [brackets] and a | bar)\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LOOKS), min_size=1, max_size=3), st.lists(st.sampled_from(_BODY), min_size=1, max_size=4),
       st.lists(st.text("ab1 A", max_size=12), min_size=1, max_size=4), st.booleans(),
       st.lists(st.sampled_from(_LAYOUT), min_size=7, max_size=7) | st.none())
def test_any_pattern_peeled_finds_the_whole_patterns_matches(looks, body, texts, ignorecase, layout):
    pieces = looks + body
    if layout is None:
        pattern, flags = "".join(pieces), regex.I if ignorecase else 0
    else:                             # verbose: layout between the pieces (a literal space is "\ " there)
        pattern = "".join(q.replace(" ", "\\ ") + sep for q, sep in zip(pieces, layout))
        flags = regex.X | (regex.I if ignorecase else 0)
    pieces = peel(pattern, flags)
    if pieces is None:                # \K moves a match's start; a body of only lookbehinds leaves nothing
        assert "\\K" in body or not "".join(body).replace("(?<=a)", "").replace("(?<![a-z])", "")
        return
    whole = regex.compile(pattern, flags)
    rest, check = (regex.compile(q, flags) for q in pieces)
    for t in texts:
        assert spans(finditer_peeled(whole, rest, check, t)) == spans(whole.finditer(t))


def test_peel_refuses_what_would_read_differently_or_not_compile():
    assert peel(r"(?<!a)*b", 0) is None and peel(r"(?<!a){2}b", 0) is None      # a lookbehind repeated
    assert peel(r"(?<=a)b\Kc", 0) is None                   # \K: the match starts after the check's place
    assert peel(r"(?r)(?<=a)b", 0) is None and peel(r"(?<=a)b", regex.REVERSE) is None
    assert peel(r"(?<!q)a\w(*SKIP)c", 0) is None            # a verb steers where the search goes on
    assert peel(r"(?<=[[:alpha:])])x", 0) == ("x", r"(?<=[[:alpha:])])")     # a POSIX class holds a "]"
    assert split(r"ab\Kc|b", 0) is None and split(r"(?r)a|b", 0) is None


def test_a_rule_keeps_its_lookbehinds_peeled_only_where_that_was_timed_faster():
    rs = load_rules()
    rule = next(r for r in rs.rules if r.id == "money.ru_scale_alone")
    text = "На ремонт выделен миллиард тенге, а на дороги пять миллиардов тенге."
    for ratio, kept in ((0.0, True), (100.0, False)):
        apart = _apart(rule, rs)
        apart.tried, apart.ratios = apart.TRIAL - 1, [ratio] * (apart.TRIAL - 2)
        peeled_ = apart.peeled
        assert apart.peeled is not None and apart.parts is None
        assert spans(apart.trial(rule.regex, text, {})) == spans(rule.regex.finditer(text))
        assert [m.group() for m in rule.regex.finditer(text)] == ["миллиард тенге"]
        assert (apart.peeled is not None) == kept and apart.tried == apart.TRIAL
        apart.peeled = peeled_


def test_a_timeout_bounds_a_run_of_searches_together():
    import time
    from kzx.branches import _budget
    assert _budget({})() == {}
    left = _budget({"timeout": 0.05})
    assert 0 < left()["timeout"] <= 0.05
    time.sleep(0.06)
    with pytest.raises(TimeoutError):
        left()


def test_a_trial_whose_other_way_gives_up_keeps_the_whole_patterns_matches(monkeypatch):
    rs = load_rules()
    rule = next(r for r in rs.rules if r.id == "money.ru_scale_alone")
    apart = _apart(rule, rs)
    peeled_, tried = apart.peeled, apart.tried
    text = "На ремонт выделен миллиард тенге."

    def gives_up(*a, **k):
        raise TimeoutError("regex timed out")
    monkeypatch.setattr(type(apart), "find", gives_up)
    try:
        assert [m.group() for m in apart.trial(rule.regex, text, {})] == ["миллиард тенге"]
        assert not apart.on
    finally:
        apart.peeled, apart.tried = peeled_, tried


def test_peel_compiles_a_pattern_only_the_first_time_this_machine_sees_it(monkeypatch, tmp_path):
    from kzx import lazy_regex
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))          # a machine that has seen nothing
    lazy_regex.forget()
    monkeypatch.setattr(lazy_regex, "save", lambda: None)
    compiled = []
    real = regex.compile
    monkeypatch.setattr(regex, "compile", lambda *a, **k: compiled.append(a[0]) or real(*a, **k))
    pattern = r"(?<![\p{L}])(?<!\d\s?)(?:ёлка|пихта)\s+\d+"
    first = peel(pattern, regex.I)
    assert set(compiled) >= set(first)                      # the first time, both pieces compile
    assert first == (r"(?:ёлка|пихта)\s+\d+", r"(?<![\p{L}])(?<!\d\s?)")

    def no_compile(*a, **k):
        raise AssertionError("compiled again")
    monkeypatch.setattr(regex, "compile", no_compile)
    monkeypatch.setattr(regex._main, "_compile", no_compile)
    assert peel(pattern, regex.I) == first          # its pieces are known to compile: not parsed again
    lazy_regex.forget()                                     # the real cache folder's list for what follows
