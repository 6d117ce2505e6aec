"""A pattern's top-level alternatives run apart and merged (pipeline/branches.py) find exactly the
matches of the whole pattern."""
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from kzx.branches import finditer, split
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
    split_rules = [r for r in rs.rules if _apart(r, rs)]
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
