"""Bad input never stops a batch, never loses data; runs are atomic and deterministic."""
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ROOT
from kzx.config import Settings
from kzx.ingest import Document
from kzx.run import Engine, analyze, extract

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
BIG_MB = 50


def _bad_folder(root):
    d = root / "in"
    d.mkdir()
    (d / "good1.txt").write_text("In 2021, 5 billion tenge was invested.\n", encoding="utf-8")
    (d / "good2.html").write_text("<html><body><p>Growth was 12%.</p></body></html>", encoding="utf-8")
    (d / "undecodable.txt").write_bytes(bytes(range(128, 256)) * 20)
    (d / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (d / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with zipfile.ZipFile(d / "archive.zip", "w") as z:
        z.writestr("a.txt", "5 billion tenge")
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_bytes(b"  \n\n\t  \n")
    (d / "truncated.json").write_bytes(b'{"title": "x", "text": "abc')
    (d / "notext.json").write_bytes(b'{"title": "no text", "id": 5}')
    (d / "nobody.html").write_bytes(b"<html><head><title>x</title></head><body><script>1</script></body></html>")
    (d / "nul.txt").write_bytes(b"Growth was 5%." + b"\x00" + b" Next year more." + b"x" * 200)
    (d / "longline.txt").write_text("word " * 200_000 + "It cost 3 billion tenge.", encoding="utf-8")
    (d / "deep.html").write_text("<div>" * 50_000 + "Deep 7%." + "</div>" * 50_000, encoding="utf-8")
    para = "In 2020, 8 billion tenge or 9% was spent.\n"
    with open(d / "big.txt", "w", encoding="utf-8") as f:     # 50 MB, figures at both ends
        f.write(para)
        for _ in range(BIG_MB):
            f.write(("\n" * 1023 + " ") * 1024)
        f.write(para)
    (d / "locked.txt").write_text("Locked 4%.", encoding="utf-8")
    os.chmod(d / "locked.txt", 0)
    os.symlink(d, d / "loop")                                   # a folder that contains itself
    os.symlink(d / "missing.txt", d / "dangling.txt")
    return d


def test_bad_inputs_are_recorded_and_good_documents_processed_in_full(tmp_path):
    folder = _bad_folder(tmp_path)
    out = tmp_path / "out"
    summary = extract(Settings(inputs=(folder,), out=out, published=None))
    errors = pd.read_parquet(out / "errors.parquet")
    got = sorted((os.path.basename(p), s, e) for p, s, e in zip(errors.path, errors.stage, errors.error))
    expected = [
        ("blank.txt", "decode", "EmptyFile"),
        ("dangling.txt", "read", "FileNotFoundError"),
        ("empty.txt", "decode", "EmptyFile"),
        ("loop", "discover", "SymlinkLoop"),
        ("nobody.html", "parse", "NoText"),
        ("notext.json", "parse", "NoText"),
        ("nul.txt", "decode", "NulBytes"),
        ("truncated.json", "parse", "InvalidJSON"),
        ("undecodable.txt", "decode", "UndecodableBytes"),
    ]
    if not AS_ROOT:
        expected.append(("locked.txt", "read", "PermissionError"))
    assert got == sorted(expected)
    assert all(m and len(m) > 10 for m in errors.message)
    docs = pd.read_parquet(out / "documents.parquet")
    good = ["big.txt", "deep.html", "good1.txt", "good2.html", "longline.txt", "nul.txt"] + (["locked.txt"] if AS_ROOT else [])
    assert sorted(docs.doc_id) == sorted(good)
    figs = pd.read_parquet(out / "figures.parquet")
    by_doc = figs.groupby("doc_id")["text"].apply(list).to_dict()
    assert by_doc["good1.txt"] == ["2021", "5 billion tenge"]
    assert by_doc["good2.html"] == ["12%"]
    assert by_doc["deep.html"] == ["7%"]
    assert by_doc["longline.txt"] == ["3 billion tenge"]
    assert by_doc["nul.txt"] == ["5%", "Next year"]
    assert by_doc["big.txt"] == ["2020", "8 billion tenge", "9%"] * 2
    big = docs.set_index("doc_id").loc["big.txt"]
    assert big.n_chars > BIG_MB * 1024 * 1024
    assert summary.input_errors == len([e for e in expected if e[1] != "metadata"])
    assert summary.skipped == {"not a known format": 3}           # report.pdf, image.png, archive.zip


def test_bad_input_exit_code_is_1_and_summary_counts_errors(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ok.txt").write_text("5%", encoding="utf-8")
    (tmp_path / "in" / "bad.json").write_bytes(b"{broken")
    r = subprocess.run([sys.executable, "-m", "kzx", "extract", str(tmp_path / "in"), "-o", str(tmp_path / "out")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("1 documents, figures: percent 1; 1 errors;")


def test_unmatched_metadata_row_is_reported(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("This year 5%.", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("doc_id,published\na.txt,2022-07-15\nghost.txt,2021-01-01\n", encoding="utf-8")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out", metadata=meta))
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors.to_dict("records") == [{"path": str(meta), "stage": "metadata", "error": "UnmatchedMetadata",
                                          "message": "metadata row for 'ghost.txt' matches no input document"}]
    figs = pd.read_parquet(tmp_path / "out" / "figures.parquet")
    assert str(figs[figs.kind == "date"].date_start.iloc[0]) == "2022-01-01"


def test_bad_metadata_date_is_reported_and_the_batch_goes_on(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("This year 5%.", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("This year 6%.", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("File,Date\na.txt,someday\nb.txt,15.07.2022\n", encoding="utf-8")   # other column names
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out", metadata=meta))
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors.to_dict("records") == [{"path": str(meta), "stage": "metadata", "error": "BadMetadata",
                                          "message": "row 1 ('a.txt'): published 'someday' is not a date; left out"}]
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert [str(d) for d in docs.sort_values("doc_id").published] == ["None", "2022-07-15"]


def test_two_runs_give_identical_tables(tmp_path):
    raw, meta = ROOT / "data" / "raw", ROOT / "data" / "raw.metadata.csv"
    extract(Settings(inputs=(raw,), out=tmp_path / "a", metadata=meta))
    extract(Settings(inputs=(raw,), out=tmp_path / "b", metadata=meta, workers=2))
    for t in ("documents", "sentences", "figures", "links", "claims", "facts", "errors"):
        a, b = pq.read_table(tmp_path / "a" / f"{t}.parquet"), pq.read_table(tmp_path / "b" / f"{t}.parquet")
        assert a.equals(b), t


def test_interrupted_run_leaves_no_half_table_and_rerun_completes(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    seeds = sorted((ROOT / "data" / "raw").iterdir())
    for i in range(20):
        for s in seeds:
            (src / f"{i:03d}_{s.name}").write_bytes(s.read_bytes())
    out = tmp_path / "out"
    first = tmp_path / "first"
    first.mkdir()
    (first / "one.txt").write_text("In 2021, 5 billion tenge.", encoding="utf-8")
    extract(Settings(inputs=(first,), out=out))
    cmd = [sys.executable, "-m", "kzx", "extract", str(src), "-o", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob(".kzx-staging-*/documents.parquet")):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)                          # mid-run: tables are being written
    proc.wait()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"] == [str(first)]                 # the killed run changed nothing visible
    for t, entry in manifest["tables"].items():
        assert pq.read_table(out / f"{t}.parquet").num_rows == entry["rows"]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"] == [str(src)] and manifest["documents"] == 100
    assert pq.read_table(out / "documents.parquet").num_rows == 100
    assert not list(out.glob(".kzx-staging-*"))


@pytest.fixture(scope="module")
def engine():
    return Engine.build(Settings())


def _check_doc(doc, engine):
    rows = analyze(doc, engine)
    for f in rows.figures:
        assert 0 <= f["start_char"] < f["end_char"] <= len(doc.text)
        assert doc.text[f["start_char"]:f["end_char"]] == f["text"]
    for s in rows.sentences:
        assert doc.text[s["start_char"]:s["end_char"]] == s["text"]


ATOMS = st.sampled_from(["5", "billion", "tenge", "%", "2021", "-", "from", "to", "this year", "KZT", "$", "\n",
                         ".", ",", " ", "since", "the", "Program", '"', "«", "»", "3,7", "1.234.567", "Q3", "half"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(ATOMS, st.text(max_size=8)), max_size=60).map(" ".join))
def test_fuzz_random_text_offsets_hold(engine, text):
    _check_doc(Document("f.txt", "f.txt", "text", text), engine)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes_never_crash_the_batch(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("fz")
    (d / "in").mkdir()
    (d / "in" / "x.txt").write_bytes(data)
    (d / "in" / "ok.txt").write_text("It cost 5 billion tenge.", encoding="utf-8")
    extract(Settings(inputs=(d / "in",), out=d / "out"))
    figs = pd.read_parquet(d / "out" / "figures.parquet")
    assert "ok.txt" in set(figs.doc_id)
    docs = pd.read_parquet(d / "out" / "documents.parquet").set_index("doc_id")
    for f in figs.itertuples():
        assert docs.loc[f.doc_id, "text"][f.start_char:f.end_char] == f.text


def test_file_over_the_size_limit_is_an_error_row(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "huge.txt").write_text("5% " * 1000, encoding="utf-8")
    (tmp_path / "in" / "ok.txt").write_text("7%", encoding="utf-8")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out", max_file_bytes=1000))
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors[["stage", "error"]].values.tolist() == [["read", "FileTooLarge"]]
    assert "3000 bytes is over the 1000-byte limit" in errors.message[0]
    assert pd.read_parquet(tmp_path / "out" / "documents.parquet").doc_id.tolist() == ["ok.txt"]


def test_long_line_full_of_figures_is_processed(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dense.txt").write_text("5% and 7 billion tenge, " * 20_000, encoding="utf-8")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    kinds = pd.read_parquet(tmp_path / "out" / "figures.parquet").kind.value_counts().to_dict()
    assert kinds == {"percent": 20_000, "money": 20_000}


def test_output_folder_inside_the_input_is_not_read_back(tmp_path):
    src = tmp_path / "corpus"
    src.mkdir()
    (src / "a.txt").write_text("It cost 5 billion tenge.", encoding="utf-8")
    for _ in range(2):                                   # the second run sees the first run's tables
        extract(Settings(inputs=(src,), out=src / "out"))
    assert pd.read_parquet(src / "out" / "documents.parquet").doc_id.tolist() == ["a.txt"]
    assert pd.read_parquet(src / "out" / "errors.parquet").empty
