"""The installed package finds its rules without the source tree."""
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_packaging_wheel_ships_rules_and_runs_elsewhere(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist")], check=True, capture_output=True)
    [wheel] = list((tmp_path / "dist").glob("kzx-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*.yaml")}
    assert {f"kzx/rules_data/{n}" for n in shipped} <= names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("from kzx.rules import load_rules, default_rules_dir; from kzx.match import find_mentions; "
            "rs = load_rules(); print(default_rules_dir()); print([m.text for m in find_mentions('5 bln tenge', rs)]); "
            "import kzx; print(kzx.__file__); print(kzx.extract_text('5 млрд тенге и 12% в 2024 году'))")
    r = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True,
                       env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, check=True)
    where, found, package, figures = r.stdout.splitlines()
    assert where == str(target / "kzx" / "rules_data")
    assert found == "['5 bln tenge']"
    assert package == str(target / "kzx" / "__init__.py")       # the installed package, not the source tree
    assert figures.startswith("[Figure(kind='money', text='5 млрд тенге', value_min=5000000000.0")
    assert "Figure(kind='percent', text='12%'" in figures
