"""A rule pattern's other forms (pipeline/variants.py) come from kzx's cache folder the same as
worked out, and a damaged cache file is worked out again."""
import pytest

from conftest import ROOT
from kzx import variants
from kzx.match import rule_prefilter
from kzx.rules import load_rules

RS = load_rules(ROOT / "rules")


def _cases():
    pre = rule_prefilter(RS)
    for i, rule in enumerate(RS.rules):
        yield rule.regex.pattern, rule.regex.flags, ()
        for _, unit in pre.gated[i]:
            yield rule.regex.pattern, rule.regex.flags, (unit,)


CASES = list(_cases())


def test_forms_from_the_cache_are_the_forms_worked_out(tmp_path, monkeypatch):
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))
    worked = [variants.work_out(*c) for c in CASES]
    assert any(w[1] for w in worked) and any(w[2] for w in worked)       # some split, some peel
    assert any(w[0] != c[0] for w, c in zip(worked, CASES))             # and some leave a gate out
    assert [variants.forms(*c) for c in CASES] == worked                # worked out and written
    assert len(list((tmp_path / "variants").iterdir())) == len(set(map(repr, CASES)))

    def no(*a):
        raise AssertionError("worked out again")
    monkeypatch.setattr(variants, "work_out", no)
    assert [variants.forms(*c) for c in CASES] == worked                # read back


@pytest.mark.parametrize("damage", [b"", b"x" * 64 + b"[]", "flip"])
def test_a_damaged_cache_file_is_worked_out_again(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))
    case = next(c for c in CASES if variants.work_out(*c)[2])           # a peeled one
    want = variants.forms(*case)
    path = next((tmp_path / "variants").iterdir())
    blob = path.read_bytes()
    path.write_bytes(blob[:-5] + b"x" + blob[-4:] if damage == "flip" else damage)
    assert variants.forms(*case) == want
    assert path.read_bytes() == blob                                    # and written again
