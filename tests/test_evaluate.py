"""kzx evaluate: our scorer for gold JSONL; on the seeds it agrees with the shared scorer."""
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import kzx
from conftest import ROOT, SHARED
from kzx.cli import app
from kzx.evaluate import evaluate, render

runner = CliRunner()
TEXT = ("The akim said 5 billion tenge was allocated in 2023. Exports grew by 12% and 3% in March 2022.\n"
        "The Saran industrial zone opened.")
S1 = "The akim said 5 billion tenge was allocated in 2023."


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """One document, its output, and hand-written gold with a hit, a wrong value, a miss, a partial
    span, false alarms and a document the output does not hold."""
    root = tmp_path_factory.mktemp("small")
    (root / "in").mkdir()
    (root / "in" / "doc.txt").write_text(TEXT, encoding="utf-8")
    kzx.extract(root / "in", root / "out")
    gold = [
        {"doc": "doc.txt", "kind": "money", "text": "5 billion tenge", "occurrence": 1, "value_min": 5e9,
         "value_max": 5e9, "unit": "KZT", "qualifier": None, "sentence": S1},
        {"doc": "doc.txt", "kind": "percent", "text": "12%", "occurrence": 1, "value_min": 13.0, "value_max": 13.0,
         "unit": "%", "sentence": "Some other sentence."},
        {"doc": "doc.txt", "kind": "percent", "text": "40%", "occurrence": 1, "value_min": 40.0, "value_max": 40.0,
         "unit": "%", "sentence": "Not in the text."},
        {"doc": "doc.txt", "kind": "date", "text": "in 2023", "occurrence": 1, "date_start": "2023-01-01",
         "date_end": "2023-12-31", "granularity": "year", "sentence": S1},
        {"doc": "doc.txt", "kind": "project", "text": "Saran industrial zone", "occurrence": 1,
         "name": "saran  Industrial zone", "sentence": "The Saran industrial zone opened."},
    ]
    (root / "gold").mkdir()
    (root / "gold" / "doc.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    other = {"doc": "other.txt", "kind": "money", "text": "1 tenge", "occurrence": 1, "value_min": 1, "value_max": 1,
             "unit": "KZT"}
    (root / "gold" / "other.jsonl").write_text(json.dumps(other) + "\n", encoding="utf-8")
    return root


def test_evaluate_counts_hits_misses_false_alarms_and_values(small):
    r = evaluate(small / "gold", small / "out").report()
    rounded = {k: {m: round(v, 3) for m, v in r[k].items()} for k in r}
    assert rounded["money"] == {"gold": 2, "pred": 1, "tp": 1, "precision": 1.0, "recall": 0.5, "f1": 0.667,
                                "exact": 1.0, "value": 1.0, "sentence": 1.0, "vf1": 0.667, "doc_missing": 1}
    assert rounded["percent"] == {"gold": 2, "pred": 2, "tp": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5,
                                  "exact": 1.0, "value": 0.0, "sentence": 0.0, "vf1": 0.0, "doc_missing": 0}
    assert rounded["date"] == {"gold": 1, "pred": 2, "tp": 1, "precision": 0.5, "recall": 1.0, "f1": 0.667,
                               "exact": 0.0, "value": 1.0, "sentence": 1.0, "vf1": 0.667, "doc_missing": 0}
    assert rounded["project"]["f1"] == rounded["project"]["value"] == 1.0
    assert rounded["all"] == {"gold": 6, "pred": 6, "tp": 4, "precision": 0.667, "recall": 0.667, "f1": 0.667,
                              "vf1": 0.5}


def test_evaluate_cli_table_json_and_errors(small):
    r = runner.invoke(app, ["evaluate", str(small / "gold"), str(small / "out"), "--errors", "5"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["kind", "gold", "pred", "P", "R", "F1", "exact", "value", "sent", "vF1"]
    assert lines[2].split() == ["percent", "2", "2", "0.500", "0.500", "0.500", "1.000", "0.000", "0.000", "0.000"]
    assert "(1 gold mentions are in documents the output does not hold)" in r.output
    listed = [ln.split()[:2] for ln in lines if ln.startswith("  ")]
    assert listed == [["percent", "wrong"], ["percent", "missed"], ["percent", "false"], ["date", "false"]]
    assert "'12%'" in r.output and "'value_min': 12.0" in r.output and "'March 2022'" in r.output
    r = runner.invoke(app, ["evaluate", str(small / "gold"), str(small / "out"), "--format", "json", "--errors", "1",
                            "--kinds", "percent"])
    data = json.loads(r.output)
    assert set(data) == {"percent", "all", "errors"} and data["percent"]["tp"] == 1
    assert data["errors"] == [{"kind": "percent", "what": "wrong value", "doc": "doc.txt", "text": "12%",
                               "detail": "'12%' {'value_min': 12.0, 'value_max': 12.0, 'unit': '%'}"}]


def test_evaluate_bad_arguments_exit_2_with_a_reason(small, tmp_path):
    r = runner.invoke(app, ["evaluate", str(tmp_path / "none"), str(small / "out")])
    assert r.exit_code == 2 and "no gold JSONL" in r.output
    r = runner.invoke(app, ["evaluate", str(small / "gold"), str(tmp_path)])
    assert r.exit_code == 2 and "has no documents or figures table" in r.output
    (tmp_path / "bad.jsonl").write_text('{"doc": "a.txt", "kind": "money"}\nnot json\n', encoding="utf-8")
    r = runner.invoke(app, ["evaluate", str(tmp_path / "bad.jsonl"), str(small / "out")])
    assert r.exit_code == 2 and "bad.jsonl:2: not a gold mention" in r.output
    r = runner.invoke(app, ["evaluate", str(small / "gold"), str(small / "out"), "--format", "xml"])
    assert r.exit_code == 2 and "--format 'xml'" in r.output


def test_evaluate_gold_in_the_repo_is_the_seeds_annotation():
    """data/gold is a copy of the seeds' gold, kept in the repo so a plain clone can score itself."""
    mine = sorted(p.name for p in (ROOT / "data" / "gold").glob("*.jsonl"))
    assert mine == sorted(p.stem + ".jsonl" for p in (ROOT / "data" / "raw").glob("*.txt"))
    if (SHARED / "gold").is_dir():
        for name in mine:
            assert (ROOT / "data" / "gold" / name).read_bytes() == (SHARED / "gold" / name).read_bytes(), name


SCORER = SHARED / "tools" / "score.py"
ALL_KINDS = ["money", "percent", "date", "project", "quantity", "count"]


def _agree(gold, out, tmp_path):
    """Our figures equal score.py's to the third decimal, for every kind and metric, and the table rows match."""
    theirs_json = tmp_path / "score.json"
    subprocess.run([sys.executable, str(SCORER), str(gold), str(out), "--json", str(theirs_json),
                    "--kinds", ",".join(ALL_KINDS)], check=True, capture_output=True)
    theirs = json.loads(theirs_json.read_text())
    ours = evaluate(gold, out, ALL_KINDS).report()
    assert set(ours) == set(theirs)
    for kind, row in theirs.items():
        for metric, value in row.items():
            assert round(ours[kind][metric], 3) == round(value, 3), (kind, metric)
    table = subprocess.run([sys.executable, str(SCORER), str(gold), str(out)], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    assert render(evaluate(gold, out)).splitlines()[1:6] == table[1:6]
    return ours


@pytest.mark.skipif(not SCORER.exists(), reason="../shared (the shared scorer) is absent")
def test_evaluate_agrees_with_the_shared_scorer_on_the_seeds(seeds_out, tmp_path):
    ours = _agree(SHARED / "gold", seeds_out[0], tmp_path)
    assert ours["money"]["gold"] == 69


@pytest.mark.skipif(not SCORER.exists(), reason="../shared (the shared scorer and dev sets) is absent")
@pytest.mark.parametrize("corpus, gold", [("en2", "gold_en2"), ("ru", "gold_ru")])
def test_evaluate_agrees_with_the_shared_scorer_on_the_dev_sets(corpus, gold, tmp_path):
    """The dev texts are read in place (measuring only); nothing of them is kept."""
    kzx.extract(SHARED / "corpus" / corpus, tmp_path / "out", metadata=SHARED / "corpus" / f"{corpus}.metadata.csv")
    ours = _agree(SHARED / gold, tmp_path / "out", tmp_path)
    assert ours["all"]["gold"] > 100
