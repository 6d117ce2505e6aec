"""Gated macros (pipeline/gates.py): a rule without a gate finds what the whole rule finds
wherever the gate cannot match, and the matcher runs that variant only there."""
import pytest
import regex
from hypothesis import given, settings, strategies as st

from conftest import GOOD_RULE_FILE as GOOD
from kzx.errors import RuleError
from kzx.gates import NEVER, without
from kzx.match import find_mentions, rule_prefilter
from kzx.rules import load_rules


@pytest.mark.parametrize("pattern,out", [
    ("a|U|c", "a|c"),                       # one branch among others: left out
    ("U|a", "a"),
    ("(?:a|U)?x", "(?:a)?x"),
    ("(?=a|U)", "(?=a)"),                   # in a lookahead the alternation means the same
    ("(?P<n>U|b)", "(?P<n>b)"),
    ("(?:U)?x", "x"),                       # an optional part that never matches: gone
    ("(?:U){0,3}x|a", "x|a"),
    ("U?b|a", "b|a"),
    ("xU|a", "a"),                          # a branch that must pass through it: gone
    ("(?:U)+x|y", "y"),
    ("a(?:b|(?:cU)+)d|e", "a(?:b)d|e"),
    ("(?!aU)x", "x"),                       # "not" something that never matches always holds
    ("(?<!U)x", "x"),
    ("(?=U)a|b", "b"),
    ("(?x)a|U", "(?x)a"),                   # the leading flags stay
    ("(?:U)", NEVER),                       # nothing else can match: the whole pattern never does
    ("U", NEVER),
    ("U|U", NEVER),
    ("(?i)(?:U)+x", f"(?i){NEVER}"),
    ("[U]|a", "[U]|a"),                     # in a class or after a backslash it is not the unit
    (r"\U|a", r"\U|a"),
    ("(?(1)U|c)", f"(?(1){NEVER}|c)"),      # a conditional's branches are no alternatives: only replaced
    (r"(a)U|\1", rf"(a){NEVER}|\1"),      # nor are branches a back reference counts
    ("(?-i:a)|U", "(?-i:a)"),               # (a scoped flag is no back reference)
    ("aU|(?i)b", f"a{NEVER}|(?i)b"),        # a global flag further on rules the whole pattern
])
def test_without_leaves_out_the_unit(pattern, out):
    assert without(pattern, "U") == out


def test_without_reads_verbose_patterns_around_their_spaces():
    assert without("a |\n U | b", "U", verbose=True) == "a | b"
    assert without("x U | a", "U", verbose=True) == " a"
    assert without("x U # a comment\n | a", "U", verbose=True) == f"x {NEVER} # a comment\n | a"


ATOMS = ["a", "b", "c", "ab", "[ab]", r"\b", "a*", "b?", "(?<=a)", "(?!b)", "UNIT", "UNIT?", "(?:UNIT)+",
         "(?!UNIT)", "(?!aUNIT)", "(?<!UNIT)", "(?=a|UNIT)", "(?P<g>UNIT|b)", "(?>aUNIT|c)"]


@st.composite
def patterns(draw, depth=2):
    def seq():
        return "".join(draw(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=4)))
    if depth == 0:
        return seq()
    branches = draw(st.lists(st.one_of(st.just(None), patterns(depth - 1)), min_size=1, max_size=3))
    parts = [seq() if b is None else f"(?:{b}){draw(st.sampled_from(['', '?', '*', '+', '{1,2}', '{0,2}']))}"
             for b in branches]
    return "|".join(parts)


@settings(max_examples=600, deadline=None)
@given(patterns(), st.text(alphabet="abcd ", max_size=30), st.sampled_from(["c+d", "(?:c+d)", "(?:c|d)c+d"]))
def test_without_changes_no_match_where_the_unit_matches_nowhere(pattern, text, unit):
    text = text.replace("cd", "c d")        # the text never holds "cd", so the unit matches nowhere
    full = pattern.replace("UNIT", unit)
    out = without(full, unit)
    assert regex.search(unit, text) is None
    assert [m.span() for m in regex.finditer(out, text)] == [m.span() for m in regex.finditer(full, text)]


def test_shipped_money_rule_runs_without_number_words_only_where_none_can_match(rules):
    cache = rules.cache.setdefault("variants", {})
    cache.clear()
    words = rules.gates["WORDS_SCALED"]
    found = find_mentions("Investments reached 5 billion tenge.", rules)
    assert [(m.rule, m.text, m.get("value_min")) for m in found if m.kind == "money"] == [
        ("money.amount_currency_after", "5 billion tenge", 5e9)]
    assert ("money.amount_currency_after", (words,)) in cache
    assert ("money.amount_currency_after", ()) not in cache
    found = find_mentions("Investments reached two trillion 300 billion tenge.", rules)
    assert [(m.text, m.get("value_min")) for m in found if m.kind == "money"] == [
        ("two trillion 300 billion tenge", 2.3e12)]
    assert ("money.amount_currency_after", ()) in cache


def test_shipped_gates_are_checked_by_the_prefilter(rules):
    pre = rule_prefilter(rules)
    by_id = {r.id: k for k, r in enumerate(rules.rules)}
    assert [t for _, t in pre.gated[by_id["money.amount_currency_after"]]] == [rules.gates["WORDS_SCALED"]]
    assert [t for _, t in pre.gated[by_id["count.number_noun"]]] == [rules.gates["WORDS_SCALE"]]
    assert pre.gated[by_id["percent.symbol"]] == ()
    if pre.pf.active:
        k = pre.gated[by_id["money.amount_currency_after"]][0][0]
        assert [k in h for h in pre.pf.hits_many(["5 billion tenge", "five billion tenge", "a plan"])] == [
            False, True, False]


@pytest.mark.parametrize("gates,problem", [
    ("[NOPE]", "gate NOPE is not a macro"),
    ("[CAP]", "gate CAP holds a group without a name"),
    ("[MAYBE]", "gate MAYBE matches the empty text"),
    ("[EITHER]", "gate EITHER is an alternation"),
    ("NUM", "`gates:` must be a list of macro names"),
])
def test_bad_gate_is_refused(rules_dir, gates, problem):
    macros = rules_dir / "macros.yaml"
    text = macros.read_text(encoding="utf-8").replace("gates: [WORDS_SCALED, WORDS_SCALE, OPEN_WORD, OPEN_WORD_RU]", f"gates: {gates}")
    macros.write_text(text + "CAP: '(x)'\nMAYBE: 'x?'\nEITHER: 'x|y'\n", encoding="utf-8")
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(RuleError, match=regex.escape(problem)) as e:
        load_rules(rules_dir)
    assert "macros.yaml" in str(e.value)
