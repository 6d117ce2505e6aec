"""README's two first commands stay true: CI runs exactly the test command it gives."""
import re

from conftest import ROOT


def _commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_starts_with_extract_and_test_commands():
    extract, tests = _commands()
    assert "kzx extract data/raw -o data/out" in extract and extract.startswith("python3 -m venv .venv")
    assert tests.startswith("python3 -m venv .venv") and tests.endswith("python -m pytest")


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = _commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci
