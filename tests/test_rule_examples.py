"""Every example of every rule file is its own test case (Duckling-style corpus tests).

An example passes when the whole rule set, run on its text, yields a mention of the rule's kind
with exactly the expected span, found by that rule, with the expected normalized fields (and,
with `only: true`, no other mention of that kind).
A negative example passes when no mention of the rule's kind comes out of the text.
"""
import dataclasses
import datetime as dt

import pytest

from conftest import ROOT
from kzx.match import find_mentions, rule_prefilter
from kzx.rules import load_rules
from kzx.table_units import table_money_in_text

RS = load_rules(ROOT / "rules")
PLAIN = dataclasses.replace(RS, cache={})     # the same rules with no prefilter: every rule runs
rule_prefilter(PLAIN, "regex")
FIELDS = ("value_min", "value_max", "unit", "qualifier", "date_start", "date_end", "granularity", "name",
          "program")


def _date(v):
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def _cases():
    for rule in RS.rules:
        default_pub = RS.data.get(rule.source.removesuffix(".yaml"), {}).get("published")
        for i, ex in enumerate(rule.examples):
            yield pytest.param(rule, ex, default_pub, id=f"{rule.id}[{i}]")
        for i, neg in enumerate(rule.negative):
            yield pytest.param(rule, {"negative": neg}, default_pub, id=f"{rule.id}[neg{i}]")
        for i, ex in enumerate(rule.known_failures):   # kept in the spec, marked, never deleted
            yield pytest.param(rule, ex, default_pub, id=f"{rule.id}[known{i}]",
                               marks=pytest.mark.xfail(reason=ex.get("reason", "known failure"), strict=True))


def _found(rule, text, pub, rs):
    """A table rule's example is a table (lines); any other rule's a sentence."""
    if rule.table:
        return [m for m in table_money_in_text(text, rs) if m.rule == rule.id]
    return [m for m in find_mentions(text, rs, pub) if m.kind == rule.kind]


@pytest.mark.parametrize("prefiltered", [True, False], ids=["prefilter", "plain"])
@pytest.mark.parametrize("rule,ex,default_pub", list(_cases()))
def test_rule_example(rule, ex, default_pub, prefiltered):
    rs = RS if prefiltered else PLAIN
    if "negative" in ex:
        found = _found(rule, ex["negative"], _date(default_pub), rs)
        assert not found, f"must not match: {[(m.text, m.rule) for m in found]}"
        return
    pub = _date(ex.get("published", default_pub))
    want = ex.get("match", ex["text"])
    found = _found(rule, ex["text"], pub, rs)
    spans = [m for m in found if m.text == want]
    assert spans, f"expected {want!r}, got {[(m.text, m.rule) for m in found]}"
    if ex.get("only"):                 # and nothing else of this kind in the text
        assert [m.text for m in found] == [want]
    m = spans[0]
    assert m.rule == rule.id, f"{want!r} was found by {m.rule}, not {rule.id}"
    expected = {k: v for k, v in ex.items() if k not in ("reason", "only")}
    if "value" in expected:
        expected["value_min"] = expected["value_max"] = expected.pop("value")
    for key in FIELDS:
        if key not in expected:
            if key == "qualifier" and rule.kind in ("money", "percent"):
                assert m.get(key) is None, f"qualifier {m.get(key)!r}, expected none"
            continue
        got, exp = m.get(key), expected[key]
        if key.startswith("date_"):
            exp = _date(exp)
        if key.startswith("value_"):
            assert got == pytest.approx(float(exp), rel=1e-9), f"{key}: {got} != {exp}"
        else:
            assert got == exp, f"{key}: {got!r} != {exp!r}"


def test_every_rule_has_examples():
    for rule in RS.rules:
        if rule.exclude:
            assert rule.negative, f"{rule.id}: an exclude rule needs negative examples"
        else:
            assert rule.examples, f"{rule.id} has no examples"
