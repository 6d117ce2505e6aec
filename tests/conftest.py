import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def rules():
    from kzx.rules import load_rules

    return load_rules(ROOT / "rules")


# one valid rule file, for tests that break it one way at a time
GOOD_RULE_FILE = """rules:
  - id: money.test
    kind: money
    pattern: '{NUM} tenge'
    examples: [{text: "5 tenge"}]
"""


@pytest.fixture
def rules_dir(tmp_path):
    """A rules folder holding the shipped lexicons and macros.yaml but no rule files."""
    import shutil

    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d)
    for f in d.glob("*.yaml"):
        if f.name != "macros.yaml":
            f.unlink()
    return d


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory):
    """kzx extract over data/raw with its metadata, once per test session."""
    from kzx.config import Settings
    from kzx.run import extract

    out = tmp_path_factory.mktemp("seeds_out")
    summary = extract(Settings(inputs=(ROOT / "data" / "raw",), out=out, metadata=ROOT / "data" / "raw.metadata.csv"))
    return out, summary
