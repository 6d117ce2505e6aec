"""Hostile rule files and hostile text: refused at load, or bounded in time, never a silent loss."""
import subprocess
import sys
import time

import pytest

from conftest import GOOD_RULE_FILE as GOOD, ROOT
from kzx.errors import RuleError
from kzx.probes import probes
from kzx.rules import load_rules


@pytest.mark.parametrize("change,problem", [
    (("kind: money", "kind: [money]"), "kind must be one of"),
    (("kind: money", "kind: money\n    priority: high"), "`priority` must be a whole number, not 'high'"),
    (("kind: money", "kind: money\n    negative: 5"), "`negative` must be a list, not 5"),
    (("kind: money", "kind: money\n    known_failures: 5"), "`known_failures` must be a list, not 5"),
    (("kind: money", "kind: money\n    requires: [x]"), "`requires` must be a string"),
    (("kind: money", "kind: money\n    exclude: maybe"), "`exclude` must be true or false"),
])
def test_rule_type_errors_are_clear_messages(rules_dir, change, problem):
    (rules_dir / "money.yaml").write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_dir)
    assert "money.yaml" in str(e.value) and "'money.test'" in str(e.value) and problem in str(e.value)


def test_a_list_as_macros_file_is_a_clear_message(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD, encoding="utf-8")
    (rules_dir / "macros.yaml").write_text("- NUM: '\\d+'\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"macros\.yaml.*must map macro names to regex strings"):
        load_rules(rules_dir)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_a_yaml_alias_bomb_is_refused_not_expanded(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD + BOMB, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(RuleError, match=r"money\.yaml.*aliases expand to over 200,000 nodes"):
        load_rules(rules_dir)
    assert time.perf_counter() - t0 < 60          # 10^9 nodes were never built (no timing bound meant)


def test_small_aliases_still_load(rules_dir):
    body = GOOD.replace('examples: [{text: "5 tenge"}]', 'examples: &ex [{text: "5 tenge"}]') + \
        GOOD.replace("rules:\n", "").replace("money.test", "money.test_two").replace('examples: [{text: "5 tenge"}]',
                                                                                     "examples: *ex")
    (rules_dir / "money.yaml").write_text(body, encoding="utf-8")
    assert [r.examples for r in load_rules(rules_dir).rules] == [({"text": "5 tenge"},)] * 2


# kzx's own route rule before it was made linear: dashes inside and between names, both unbounded
OLD_ROUTE = (r"'{B}\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*(?:{DASH}\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*)+\s+"
             r"(?i:{ROUTE_HEAD})(?![\p{L}])'")


def test_a_catastrophic_user_rule_is_refused_at_load(rules_dir):
    (rules_dir / "money.yaml").write_text(GOOD.replace("'{NUM} tenge'", OLD_ROUTE), encoding="utf-8")
    with pytest.raises(RuleError, match=r"money\.yaml, rule 'money\.test': (pattern takes over 10 s|time grows faster)"):
        load_rules(rules_dir)
    r = subprocess.run([sys.executable, "-m", "kzx", "explain", "5 tenge", "--rules", str(rules_dir)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith("Error: bad rule file") and "pipeline/probes.py" in r.stderr


PROBES = probes(10_000)
BOUND = 2.0     # seconds: ten times what a linear rule needs on 10,000 characters, so noise cannot fail it


@pytest.mark.parametrize("name", sorted(PROBES))
def test_every_shipped_rule_is_bounded_on_10000_character_probes(rules, name):
    slow = []
    for rule in rules.rules:
        try:
            for _ in rule.regex.finditer(PROBES[name], timeout=BOUND):
                pass
        except TimeoutError:
            slow.append(rule.id)
    assert not slow, f"rules over {BOUND} s on probe {name!r}: {slow}"


def test_the_shipped_rules_pass_the_load_check_like_user_rules(rules_dir, monkeypatch, tmp_path):
    from kzx import rules as R
    (rules_dir / "money.yaml").write_text(GOOD.replace("'{NUM} tenge'", OLD_ROUTE), encoding="utf-8")
    monkeypatch.setattr(R, "default_rules_dir", lambda: rules_dir)     # as if kzx shipped this rule
    monkeypatch.setattr(R, "_CHECKED", set())
    monkeypatch.setenv("KZX_CACHE", str(tmp_path / "cache"))
    with pytest.raises(RuleError, match=r"money\.yaml, rule 'money\.test'"):
        load_rules()


def test_passed_patterns_are_not_timed_again(monkeypatch, tmp_path):
    from kzx import rules as R
    monkeypatch.setattr(R, "_CHECKED", set())
    monkeypatch.setenv("KZX_CACHE", str(tmp_path / "cache"))
    shipped = load_rules()                                  # every shipped pattern timed once, and passed
    keys = set(R._checked_file().read_text(encoding="ascii").split())
    assert keys == {R._pattern_key(r.regex) for r in shipped.rules} and len(keys) > 100
    monkeypatch.setattr(R, "_CHECKED", set())               # a new process: the keys come from the file
    monkeypatch.setattr(R, "_time", lambda *a: pytest.fail("a passed pattern was timed again"))
    assert len(load_rules().rules) == len(shipped.rules)
