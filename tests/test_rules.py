"""Loading rule folders: every problem stops with the file, the rule id and what is wrong."""
import pytest
from re import escape as regex_escape

import regex as regex_module
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import GOOD_RULE_FILE as GOOD
from kzx.errors import RuleError
from kzx.rules import load_rules


@pytest.mark.parametrize("body,rule_id,problem", [
    ("rules: 5", None, "needs a top-level `rules:` list"),
    ("rules: [{kind: money, pattern: x, examples: [{text: x}]}]", "#0", "needs an `id`"),
    (GOOD.replace("kind: money", "kind: cash"), "money.test", "kind must be one of"),
    (GOOD.replace("'{NUM} tenge'", "'(unclosed'"), "money.test", "pattern does not compile"),
    (GOOD.replace("{NUM}", "{NOPE}"), "money.test", "unknown macro {NOPE}"),
    (GOOD.replace("{NUM}", "{NUM} {NOPE=5}"), "money.test", "{NOPE=5}: no lexicon list is named NOPE"),
    (GOOD.replace("{NUM}", "{NUM} {SCALE=7}"), "money.test", "{SCALE=7}: list 'scale' has no word of value 7"),
    (GOOD.replace("    examples: [{text: \"5 tenge\"}]\n", ""), "money.test", "has no `examples`"),
    (GOOD + "    colour: red\n", "money.test", "unknown keys ['colour']"),
    (GOOD + GOOD.replace("rules:\n", ""), "money.test", "duplicate id"),
    (GOOD.replace("kind: money", "kind: money\n    flags: q"), "money.test", "unknown flag 'q'"),
    ("rules: [\n  - id: x", None, "invalid YAML"),
])
def test_rules_bad_file_is_named_with_rule_and_problem(rules_dir, body, rule_id, problem):
    (rules_dir / "money.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_dir)
    msg = str(e.value)
    assert "money.yaml" in msg and problem in msg
    if rule_id:
        assert f"rule {rule_id!r}" in msg


def test_rules_bad_lexicon_names_the_yaml_trap(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    (rules_dir / "lexicon" / "extra.yaml").write_text("words:\n  x: [yes, on]\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"extra\.yaml.*list 'words', value 'x'.*quote words"):
        load_rules(rules_dir)


def test_rules_folder_without_macros_is_refused(tmp_path):
    with pytest.raises(RuleError, match="not a rules folder"):
        load_rules(tmp_path)


def test_rules_good_minimal_folder_loads(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    rs = load_rules(rules_dir)
    assert [r.id for r in rs.rules] == ["money.test"]
    assert rs.lookup("currency_after", "Tenge") == "KZT"
    assert len(rs.digest) == 16


def test_a_macro_names_the_words_of_a_list_that_mean_one_value(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD.replace("'{NUM} tenge'", "'{NUM} (?:{SCALE=1000000}) tenge'")
                                          .replace('"5 tenge"', '"5 mln tenge"'), encoding="utf-8")
    rs = load_rules(rules_dir)
    rx = rs.rules[0].regex
    for word in ("mln", "million", "млн", "миллионов", "миллиона"):           # every language's words of it
        assert rx.fullmatch(f"5 {word} tenge"), word
    for word in ("bln", "thousand", "тыс", "мың", "trillion"):
        assert not rx.fullmatch(f"5 {word} tenge"), word
    plain = rs.plain_form(rx.pattern)             # the prefilter reads it as a plain list, like the others
    assert "|million|" in plain or "(?:million|" in plain or "|million)" in plain
    assert regex_module.fullmatch(plain, "5 миллионов tenge") and not regex_module.fullmatch(plain, "5 bln tenge")


AMOUNT_PARTS = ["5", "2,5", " ", " and ", "billion", "bln.", "million", "mln", "thousand", "trillion", "млрд",
                "млн", "тыс.", "мың", "миллиардов", "x"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(AMOUNT_PARTS), min_size=1, max_size=9))
def test_the_prefilter_reads_scaled_amounts_as_a_superset(rules, parts):
    """SCALED (descending scales) is scanned as SCALED_ANY_ORDER (`scan_as:`): every text the first
    matches, the second matches too."""
    text = "".join(parts)
    tight = regex_module.compile(rules.macro("SCALED"), regex_module.I)
    wide = regex_module.compile(rules.macro("SCALED_ANY_ORDER"), regex_module.I)
    if tight.fullmatch(text):
        assert wide.fullmatch(text), text


def test_the_prefilter_reads_a_rule_with_scan_as_in_its_wider_form(rules):
    rule = next(r for r in rules.rules if r.id == "money.amount_currency_after")
    scanned = rules.plain_form(rule.regex.pattern)
    assert rules.macro("SCALED") in rule.regex.pattern and rules.macro("SCALED") not in scanned
    assert rules.plain_form(rules.macro("SCALED_ANY_ORDER")) in scanned
    assert regex_module.compile(scanned, rule.regex.flags).search("1 trillion and 500 billion tenge")
    assert regex_module.compile(scanned, rule.regex.flags).search("6 billion and 2 billion tenge")


def test_scan_as_names_macros(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    macros = rules_dir / "macros.yaml"
    macros.write_text(macros.read_text(encoding="utf-8") + "\nscan_as: {SCALED: NOPE}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="scan_as: NOPE is not a macro"):
        load_rules(rules_dir)


def test_rules_shipped_set_has_each_core_kind(rules):
    kinds = {r.kind for r in rules.rules}
    assert {"money", "percent", "date", "project"} <= kinds
    assert all(r.id.startswith(r.kind + ".") for r in rules.rules)


def test_rules_list_defined_twice_is_refused(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    (rules_dir / "lexicon" / "extra.yaml").write_text("scale:\n  1000: [grand]\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"list 'scale' is defined in .*\.yaml too"):
        load_rules(rules_dir)


def test_rules_language_list_extends_its_base(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    (rules_dir / "lexicon" / "extra.yaml").write_text("scale.xx:\n  1000: [grand]\n", encoding="utf-8")
    rs = load_rules(rules_dir)
    assert rs.lookup("scale", "grand") == "1000" and rs.lookup("scale.xx", "grand") == "1000"
    assert rs.lookup("scale", "million") == "1000000" and rs.lookup("scale.xx", "million") is None
    assert "grand" in rs.macros["SCALE"] and "million" not in rs.macros["SCALE_XX"]


@pytest.mark.parametrize("body,problem", [
    ("nothing.xx:\n  1: [uno]\n", "extends 'nothing', which no lexicon defines"),
    ("scale.xx:\n  5: [thousand]\n", "'thousand' is '5' here but '1000' in 'scale'"),
    ("Scale:\n  5: [x]\n", "list name 'Scale'"),
])
def test_rules_bad_language_list_is_refused(rules_dir, body, problem):
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    (rules_dir / "lexicon" / "extra.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(RuleError, match=regex_escape(problem)):
        load_rules(rules_dir)


@pytest.mark.parametrize("text,headline", [
    ("Kazakhstan Launches New Wind Power Plant in Zhanatas", True),
    ("Tokayev Meets with Investors from Japan and Korea", True),        # small words stay lower case
    ("GOVERNMENT APPROVES NEW ROAD PLAN", True),
    ("The akim visited the Almaty Ring Road construction site", False),
    ("The Titanium and Magnesium Plant Expanded.", False),              # a sentence: it has its stop
    ("Semey Airport", False),                                           # too short to tell
])
def test_title_case_headlines_are_told_apart(rules, text, headline):
    from kzx.match import title_cased
    from kzx.normalize.projects import minor_words

    assert title_cased(text, minor_words(rules)) is headline
