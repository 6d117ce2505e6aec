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
from kzx.write import file_sha256

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
# What ../shared/tools/score.py printed (--json, and its table) for the output _perturbed builds: kept so
# a clone without ../shared checks the same agreement; where the scorer is present it is run again.
FROZEN = ROOT / "tests" / "data" / "score_py_on_perturbed_seeds.json"


def _perturbed(out):
    """An output folder made from the seeds' gold (data/gold) itself, spoiled in every way the scorers
    must tell apart: misses, wrong values, wrong sentences, partial spans, false alarms, a doc_id with
    a folder and a '#part', and a gold document the output lacks. It does not depend on the rules."""
    import pandas as pd
    from kzx.evaluate import load_gold

    gold = load_gold(ROOT / "data" / "gold")
    names = sorted(gold)
    docs, figs, sents, n = [], [], [], 0
    for d, name in enumerate(names[:-1]):                  # the last gold document is left out of OUT
        text = (ROOT / "data" / "raw" / name).read_text(encoding="utf-8")
        doc_id = f"2024/{name}#1" if d == 1 else name
        docs.append({"doc_id": doc_id, "text": text})
        for g in gold[name]:
            n += 1
            start = -1
            for _ in range(int(g.get("occurrence") or 1)):
                start = text.find(g["text"], start + 1)
            end = start + len(g["text"])
            if n % 9 == 0:
                continue                                   # missed
            if n % 5 == 0 and end - start > 2:
                end -= 1                                   # partial span
            f = {"doc_id": doc_id, "kind": g["kind"], "start_char": start, "end_char": end,
                 "text": text[start:end], "value_min": g.get("value_min"), "value_max": g.get("value_max"),
                 "unit": g.get("unit"), "date_start": g.get("date_start"), "date_end": g.get("date_end"),
                 "name": g.get("name"), "sentence_id": n}
            if n % 7 == 0:                                 # wrong value, in the kind's own way
                if g["kind"] == "date":
                    f["date_end"] = "1999-12-31"
                elif g["kind"] == "project":
                    f["name"] = "Other " + str(g.get("name"))
                elif f["value_min"] is not None:
                    f["value_min"] = float(f["value_min"]) * 10
            if n % 13 == 0 and g["kind"] in ("money", "percent"):
                f["unit"] = "USD" if g["kind"] == "money" else "pp"
            figs.append(f)
            sents.append({"doc_id": doc_id, "sentence_id": n,
                          "text": "An unrelated sentence." if n % 11 == 0 else g.get("sentence") or ""})
            if n % 17 == 0:                                # a false alarm of another kind at the same span
                figs.append({**f, "kind": "percent" if g["kind"] != "percent" else "money",
                             "unit": "%" if g["kind"] != "percent" else "KZT"})
    out.mkdir()
    pd.DataFrame(docs).to_parquet(out / "documents.parquet")
    pd.DataFrame(figs).to_parquet(out / "figures.parquet")
    pd.DataFrame(sents).to_parquet(out / "sentences.parquet")
    tables = {t: {"rows": len(rows), "sha256": file_sha256(out / f"{t}.parquet")}
              for t, rows in (("documents", docs), ("figures", figs), ("sentences", sents))}
    (out / "manifest.json").write_text(json.dumps({"tables": tables}), encoding="utf-8")   # kzx's readers ask for one
    return out


def test_evaluate_gives_what_the_shared_scorer_gives_on_a_spoiled_seeds_output(tmp_path):
    out = _perturbed(tmp_path / "out")
    frozen = json.loads(FROZEN.read_text(encoding="utf-8"))
    if SCORER.exists():                                    # the scorer itself, where it is at hand
        theirs = tmp_path / "score.json"
        subprocess.run([sys.executable, str(SCORER), str(ROOT / "data" / "gold"), str(out), "--json", str(theirs),
                        "--kinds", ",".join(ALL_KINDS)], check=True, capture_output=True)
        table = subprocess.run([sys.executable, str(SCORER), str(ROOT / "data" / "gold"), str(out)], check=True,
                               capture_output=True, text=True).stdout.splitlines()
        assert {"report": json.loads(theirs.read_text()), "table": table[:6]} == frozen
    ours = evaluate(ROOT / "data" / "gold", out, ALL_KINDS).report()
    assert set(ours) == set(frozen["report"])
    for kind, row in frozen["report"].items():
        for metric, value in row.items():
            assert round(ours[kind][metric], 6) == round(value, 6), (kind, metric)
    assert render(evaluate(ROOT / "data" / "gold", out)).splitlines()[1:6] == frozen["table"][1:6]
    assert frozen["report"]["money"]["doc_missing"] > 0 and 0 < frozen["report"]["all"]["f1"] < 0.9
