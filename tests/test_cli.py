"""The command line through typer's CliRunner: help, exit codes, outputs."""
import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from kzx.rules import default_rules_dir
from conftest import ROOT
from kzx.cli import app

runner = CliRunner()
COMMANDS = ["extract", "ingest", "tokenize", "match", "explain", "stats", "check", "rules"]


@pytest.mark.parametrize("cmd", COMMANDS)
def test_cli_every_command_has_help_with_an_example(cmd):
    r = runner.invoke(app, [cmd, "--help"])
    assert r.exit_code == 0
    assert "Example:" in r.output and "kzx " + cmd in r.output


def test_cli_explain_prints_span_kind_rule_and_values():
    r = runner.invoke(app, ["explain", "more than 2 trillion tenge or 53% this year", "--published", "2022-07-15"])
    assert r.exit_code == 0
    lines = r.output.strip().splitlines()
    assert lines[0] == ("[10:26] money    '2 trillion tenge'  rule=money.amount_currency_after  "
                        "value_min=2000000000000.0, value_max=2000000000000.0, unit=KZT, qualifier=more_than")
    assert lines[1].startswith("[30:33] percent  '53%'  rule=percent.symbol")
    assert lines[2] == ("[34:43] date     'this year'  rule=date.relative_year  date_start=2022-01-01, "
                        "date_end=2022-12-31, granularity=year")


def test_cli_usage_errors_exit_2(tmp_path):
    r = runner.invoke(app, ["extract", str(tmp_path / "missing"), "-o", str(tmp_path / "out")])
    assert r.exit_code == 2 and "does not exist" in r.output
    r = runner.invoke(app, ["explain", "x", "--published", "July 2022"])
    assert r.exit_code == 2 and "is not a date" in r.output
    r = runner.invoke(app, ["extract", str(tmp_path), "--no-such-option"])
    assert r.exit_code == 2


def test_cli_bad_rule_file_stops_before_any_work(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "money.yaml").write_text("rules:\n  - id: money.broken\n    kind: money\n    pattern: '(unclosed'\n"
                                      "    examples: [{text: x}]\n", encoding="utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["extract", str(ROOT / "data" / "raw"), "-o", str(out), "--rules", str(rules)])
    assert r.exit_code == 2
    assert "money.yaml" in r.output and "money.broken" in r.output and "does not compile" in r.output
    assert not (out / "figures.parquet").exists()


def test_cli_staged_commands_equal_extract(tmp_path):
    raw, meta = str(ROOT / "data" / "raw"), str(ROOT / "data" / "raw.metadata.csv")
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["extract", raw, "-o", str(a), "--metadata", meta]).exit_code == 0
    assert runner.invoke(app, ["ingest", raw, "-o", str(b), "--metadata", meta, "-j", "2"]).exit_code == 0
    assert runner.invoke(app, ["tokenize", "-o", str(b), "-j", "2"]).exit_code == 0
    r = runner.invoke(app, ["match", str(b), "-j", "2"])
    assert r.exit_code == 0 and "5 documents" in r.output
    for t in ("documents", "sentences", "figures", "links", "claims", "facts"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / f"{t}.parquet"), pd.read_parquet(b / f"{t}.parquet"))
    # a new ingest into the folder removes the tables built from the old documents
    assert runner.invoke(app, ["ingest", raw, "-o", str(b)]).exit_code == 0
    assert sorted(p.name for p in b.glob("*.parquet")) == ["documents.parquet", "errors.parquet"]


def test_cli_match_without_tokenize_says_what_to_run(tmp_path):
    r = runner.invoke(app, ["tokenize", "-o", str(tmp_path)])
    assert r.exit_code == 2 and "documents.parquet does not exist" in r.output
    assert runner.invoke(app, ["ingest", str(ROOT / "data" / "raw"), "-o", str(tmp_path)]).exit_code == 0
    r = runner.invoke(app, ["match", "-o", str(tmp_path)])
    assert r.exit_code == 2
    assert "sentences.parquet does not exist" in r.output and "run the stage that writes `sentences` first" in r.output


def test_cli_summary_line_and_workers(tmp_path):
    r = runner.invoke(app, ["extract", str(ROOT / "data" / "raw"), "-o", str(tmp_path / "o"), "-j", "2"])
    assert r.exit_code == 0
    last = r.output.strip().splitlines()[-1]
    assert re.fullmatch(r"5 documents, figures: count 45, date 86, duration 25, money 69, multiplier 11, percent 58, "
                        r"project 45, quantity 46; 0 errors; 3 of 5 documents undated: 61 relative dates left "
                        r"unresolved; pass --metadata; [\d.]+ s, [\d,]+ words/s; "
                        + re.escape(f"rules {default_rules_dir()} (packaged, digest ") + r"[0-9a-f]{16}\)", last), last


def test_cli_explain_lists_dropped_candidates_with_reasons():
    r = runner.invoke(app, ["explain", "They built 2019 schools. 1 USD = 470 tenge."])
    assert r.exit_code == 0
    out = r.output.splitlines()
    assert out[0] == "no matches"
    assert "dropped:" in out
    assert "  [11:15] date     '2019'  rule=date.year: vetoed by date.not_count over '2019 schools'" in out
    assert "  [33:42] money    '470 tenge'  rule=money.amount_currency_after: vetoed by money.not_rate over " \
           "'1 USD = 470 tenge'" in out
    assert out[-1] == "(no --published date: relative dates are found but not resolved)"


def test_cli_version():
    r = runner.invoke(app, ["--version"])
    assert (r.exit_code, r.output) == (0, "kzx 0.1.0\n")


def test_cli_explain_runs_the_document_level_project_pass():
    r = runner.invoke(app, ["explain", "The Koktal Ring Road (KRR) will be tolled. Traffic on the KRR grew by 5%."])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:4] == [
        "[4:20] project  'Koktal Ring Road'  rule=project.name_head  name=Koktal Ring Road",
        "[22:25] project  'KRR'  rule=project.doc_acronym  name=KRR",
        "[58:61] project  'KRR'  rule=project.doc_acronym  name=KRR",
        "[70:72] percent  '5%'  rule=percent.symbol  value_min=5.0, value_max=5.0, unit=%"]
