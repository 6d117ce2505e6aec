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


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory):
    """kzx extract over data/raw with its metadata, once per test session."""
    from kzx.config import Settings
    from kzx.run import extract

    out = tmp_path_factory.mktemp("seeds_out")
    summary = extract(Settings(inputs=(ROOT / "data" / "raw",), out=out, metadata=ROOT / "data" / "raw.metadata.csv"))
    return out, summary
