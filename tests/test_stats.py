"""kzx stats / kzx check: counts per document and kind, drift against a baseline."""
import shutil

from typer.testing import CliRunner

from conftest import ROOT
from kzx.cli import app

runner = CliRunner()


def test_stats_formats(seeds_out):
    out, _ = seeds_out
    csv = runner.invoke(app, ["stats", str(out), "--format", "csv"]).output.splitlines()
    assert csv[0] == "doc_id,kind,count"
    assert "001_2ca8d319622e1d63.txt,money,3" in csv
    table = runner.invoke(app, ["stats", str(out)]).output
    assert table.splitlines()[-1].split()[0] == "(all)"
    assert runner.invoke(app, ["stats", str(out), "--format", "xml"]).exit_code == 2


def test_check_fails_on_a_rule_change_then_update_passes(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "percent.yaml").read_text(encoding="utf-8")
    (rules / "percent.yaml").write_text(text.replace("(?:percent|per\\s+cent|pct)", "(?:per\\s+cent)"),
                                        encoding="utf-8")
    out = tmp_path / "out"
    args = ["extract", str(ROOT / "data" / "raw"), "-o", str(out), "--metadata", str(ROOT / "data" / "raw.metadata.csv")]
    assert runner.invoke(app, args + ["--rules", str(rules)]).exit_code == 0
    baseline = tmp_path / "baseline.csv"
    shutil.copy(ROOT / "data" / "baseline_counts.csv", baseline)
    r = runner.invoke(app, ["check", str(out), "--baseline", str(baseline)])
    assert r.exit_code == 3                                       # drift: not 1 (inputs failed), not 2 (usage)
    lines = r.output.splitlines()
    assert lines[0] == f"drift from the baseline {baseline} (tolerance 0):"
    assert lines[1] == "counts: 2 of 48 differ"
    assert lines[2].split() == ["doc_id", "kind", "baseline", "now", "difference"]
    assert lines[3].split() == ["(all)", "percent", "58", "56", "-2"]
    assert lines[4].split() == ["004_eb299ecfd6df5ace.txt", "percent", "6", "4", "-2"]
    assert lines[-1] == "If the change is intended: kzx check OUT --baseline FILE --update"
    tol = {t: runner.invoke(app, ["check", str(out), "--baseline", str(baseline), "--tolerance", t]).exit_code
           for t in ("1", "2", "10%", "40%")}
    assert tol == {"1": 3, "2": 0, "10%": 3, "40%": 0}
    assert runner.invoke(app, ["check", str(out), "--baseline", str(baseline), "--update"]).exit_code == 0
    assert runner.invoke(app, ["check", str(out), "--baseline", str(baseline)]).exit_code == 0
