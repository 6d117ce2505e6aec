"""A rule pattern's other forms (pipeline/variants.py) come from kzx's cache folder the same as
worked out, and a damaged cache file is worked out again."""
import pytest

from conftest import ROOT
from kzx import variants
from kzx.rules import load_rules

RS = load_rules(ROOT / "rules")


def _cases():
    """Every rule's pattern as it is, with each gate it holds left out, and with all of them
    (no shipped rule holds two now)."""
    for rule in RS.rules:
        units = tuple(t for t in RS.gates.values() if t in rule.regex.pattern)
        yield rule.regex.pattern, rule.regex.flags, ()
        for unit in units:
            yield rule.regex.pattern, rule.regex.flags, (unit,)
        if len(units) > 1:
            yield rule.regex.pattern, rule.regex.flags, units


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


def test_a_file_for_other_inputs_is_not_taken(tmp_path, monkeypatch):
    """A file whose digest holds but that says it answers another pattern (a key clash, a copied
    folder) is worked out again."""
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))
    a, b = CASES[0], next(c for c in CASES if c[0] != CASES[0][0])
    variants.forms(*b)
    path_b = next((tmp_path / "variants").iterdir())
    path_a = variants._path(*a)
    path_a.write_bytes(path_b.read_bytes())                 # b's answer where a's belongs
    assert variants.forms(*a) == variants.work_out(*a)


@pytest.mark.parametrize("module", ["branches", "gates", "lazy_regex", "variants"])
def test_the_key_changes_with_the_code_of_every_module_that_works_the_forms_out(tmp_path, monkeypatch, module):
    import importlib
    mod = importlib.import_module(f"kzx.{module}")
    variants._code_key.cache_clear()
    before = variants._code_key()
    changed = tmp_path / f"{module}.py"
    changed.write_bytes(open(mod.__file__, "rb").read() + b"\n# changed\n")
    monkeypatch.setattr(mod, "__file__", str(changed))
    variants._code_key.cache_clear()
    try:
        assert variants._code_key() != before
    finally:
        monkeypatch.undo()
        variants._code_key.cache_clear()
