"""The user's data through the CLI: unique ids, what is read, what is never touched, exit codes, messages."""
import json
import os
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kzx.rules import default_rules_dir
from conftest import ROOT
from kzx.cli import app
from kzx.run import ALL_TABLES, UNRESOLVED
from kzx.write import SCHEMAS

runner = CliRunner()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _docs(out):
    return pd.read_parquet(out / "documents.parquet")


def _summary(r):
    return r.output.strip().splitlines()[-1]


def _tree(folder):
    """Every file under folder with its bytes: what 'left alone' is checked against."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_names_in_two_inputs_get_unique_ids_and_a_file_twice_is_read_once(tmp_path):
    for year, text in (("2022", "It cost 5 billion tenge."), ("2023", "Growth was 7%.")):
        (tmp_path / year).mkdir()
        (tmp_path / year / "a.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["extract", str(tmp_path / "2022"), str(tmp_path / "2023"), str(tmp_path / "2022" / "a.txt"),
                            "-o", str(out)])
    assert r.exit_code == 0
    assert "; skipped 1 (1 duplicate input); " in _summary(r)
    assert _docs(out).doc_id.tolist() == ["2022/a.txt", "2023/a.txt"]
    figs = pd.read_parquet(out / "figures.parquet")
    assert figs[["doc_id", "text"]].values.tolist() == [["2022/a.txt", "5 billion tenge"], ["2023/a.txt", "7%"]]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["skipped_paths"] == [[str(tmp_path / "2022" / "a.txt"), "same file as 2022/a.txt"]]
    stats = runner.invoke(app, ["stats", str(out), "--format", "csv"]).output.splitlines()
    assert "2022/a.txt,money,1" in stats and "2023/a.txt,percent,1" in stats
    # one input: ids relative to it, as before
    r = runner.invoke(app, ["extract", str(tmp_path / "2022"), "-o", str(tmp_path / "one")])
    assert _docs(tmp_path / "one").doc_id.tolist() == ["a.txt"]


def test_a_table_with_duplicate_ids_is_refused_by_stats(tmp_path):
    rows = [{"doc_id": "a.txt", "path": f"{y}/a.txt", "format": "text", "encoding": "utf-8", "title": None,
             "published": None, "url": None, "language": "en", "n_chars": 1, "sha256": "", "text": "x"} for y in (1, 2)]
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS["documents"]), tmp_path / "documents.parquet")
    pq.write_table(pa.Table.from_pylist([], schema=SCHEMAS["figures"]), tmp_path / "figures.parquet")
    from kzx.write import file_sha256      # an older kzx's output: its manifest records these tables
    (tmp_path / "manifest.json").write_text(json.dumps({"tables": {
        t: {"rows": pq.ParquetFile(tmp_path / f"{t}.parquet").metadata.num_rows,
            "sha256": file_sha256(tmp_path / f"{t}.parquet")} for t in ("documents", "figures")}}), encoding="utf-8")
    r = runner.invoke(app, ["stats", str(tmp_path)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.splitlines() == [
        f"Error: 1 doc_ids stand for several documents, e.g. 'a.txt' ({tmp_path / 'documents.parquet'})",
        "Hint: re-run kzx extract: this version gives unique ids"]


def test_output_equal_to_the_input_is_refused_and_nothing_written(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("It cost 5 billion tenge.", encoding="utf-8")
    r = runner.invoke(app, ["extract", str(corpus), "-o", str(corpus)])
    assert r.exit_code == 2
    assert r.output.splitlines()[0] == f"Error: output folder is an input folder ({corpus})"
    assert r.output.splitlines()[1].startswith("Hint: write the tables elsewhere")
    assert sorted(os.listdir(corpus)) == ["a.txt"]


def test_output_metadata_and_baseline_inside_the_input_are_never_read(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("This year 5 billion tenge was spent.", encoding="utf-8")
    meta = corpus / "meta.jsonl"
    meta.write_text('{"doc_id": "a.txt", "published": "2022-07-15", "text": "not a document"}\n', encoding="utf-8")
    args = ["extract", str(corpus), "-o", str(corpus / "out"), "--metadata", str(meta)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "; skipped 1 (1 metadata or baseline file); " in _summary(r)
    assert runner.invoke(app, ["check", str(corpus / "out"), "--baseline", str(corpus / "base.json"),
                               "--update"]).exit_code == 0
    os.rename(corpus / "out", corpus / "old_out")                         # an earlier run's output, another name
    for _ in range(2):                                                    # the second run meets the first one's tables
        r = runner.invoke(app, args)
        assert r.exit_code == 0
        assert _docs(corpus / "out").doc_id.tolist() == ["a.txt"]
        assert pd.read_parquet(corpus / "out" / "errors.parquet").empty
    assert "; skipped 4 (2 kzx output, 2 metadata or baseline file); " in _summary(r)
    reasons = dict(json.loads((corpus / "out" / "manifest.json").read_text(encoding="utf-8"))["skipped_paths"])
    assert reasons == {str(corpus / "base.json"): "metadata or baseline file",
                       str(meta): "metadata or baseline file",
                       str(corpus / "old_out"): "kzx output", str(corpus / "out"): "kzx output"}


def _formats(folder):
    folder.mkdir()
    (folder / "a.txt").write_text("Growth was 1%.", encoding="utf-8")
    (folder / "b.md").write_text("# Title\n\nGrowth was 2%.", encoding="utf-8")
    (folder / "c.html").write_text("<html><body><p>Growth was 3%.</p></body></html>", encoding="utf-8")
    (folder / "d.json").write_text('{"title": "T", "text": "Growth was 4%."}', encoding="utf-8")
    (folder / "e.jsonl").write_text('{"text": "Growth was 5%."}\n{"text": "Growth was 6%."}\n', encoding="utf-8")
    (folder / "f.htm").write_text("<html><body><p>Growth was 9%.</p></body></html>", encoding="utf-8")
    (folder / "g.ndjson").write_text('{"text": "Growth was 10%."}\n', encoding="utf-8")
    (folder / "README").write_text("Growth was 7%.\n", encoding="utf-8")            # extension-less text
    (folder / "blob").write_bytes(b"\x00\x01\x02" * 100)                          # extension-less binary
    (folder / "data.csv").write_text("region,growth\nAstana,8%\n", encoding="utf-8")
    (folder / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))


def test_known_formats_are_read_others_skipped_with_a_count(tmp_path):
    _formats(tmp_path / "in")
    out = tmp_path / "out"
    r = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(out)])
    assert r.exit_code == 0
    assert "; 0 errors; skipped 3 (2 not a known format, 1 not text (no extension, sniffed)); " in _summary(r)
    assert _docs(out).doc_id.tolist() == ["README", "a.txt", "b.md", "c.html", "d.json", "e.jsonl#1", "e.jsonl#2",
                                          "f.htm", "g.ndjson"]
    assert _docs(out).format.tolist() == ["text", "text", "markdown", "html", "json", "json", "json", "html", "json"]
    assert pd.read_parquet(out / "figures.parquet").text.tolist() == [f"{n}%" for n in (7, 1, 2, 3, 4, 5, 6, 9, 10)]
    # --include replaces the known formats, --exclude takes files out
    r = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(out), "--include", "*.csv", "--include", "*.md"])
    assert r.exit_code == 0
    assert _docs(out).doc_id.tolist() == ["b.md", "data.csv"]
    assert "skipped 9 (9 not matched by --include)" in _summary(r)
    r = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(out), "--exclude", "e.*", "--exclude", "README"])
    assert r.exit_code == 0
    assert _docs(out).doc_id.tolist() == ["a.txt", "b.md", "c.html", "d.json", "f.htm", "g.ndjson"]
    assert "skipped 5 (2 excluded by --exclude, 2 not a known format, 1 not text (no extension, sniffed))" in _summary(r)


def test_dash_reads_one_document_from_stdin(tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(app, ["extract", "-", "-o", str(out), "--published", "2022-07-15"],
                      input="This year 5 billion tenge was spent.")
    assert r.exit_code == 0
    docs = _docs(out)
    assert docs[["doc_id", "path"]].values.tolist() == [["stdin", "-"]]
    figs = pd.read_parquet(out / "figures.parquet")
    assert figs[["text", "value_max"]].values.tolist()[1] == ["5 billion tenge", 5e9]


def test_the_users_files_in_out_are_left_alone(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Growth was 7%.", encoding="utf-8")
    out = tmp_path / "out"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "ideas.md").write_text("my notes", encoding="utf-8")
    (out / "analysis.ipynb").write_text("{}", encoding="utf-8")
    (out / "old_figures.parquet").write_bytes(b"PAR1 mine")
    mine = _tree(out)
    for args in (["extract", str(tmp_path / "in")], ["ingest", str(tmp_path / "in")], ["tokenize"], ["match"]):
        assert runner.invoke(app, args + ["-o", str(out)]).exit_code == 0, args
        now = _tree(out)
        assert {k: now[k] for k in mine} == mine
    assert sorted(set(now) - set(mine)) == sorted([f"{t}.parquet" for t in ALL_TABLES] + ["manifest.json", ".kzx.lock"])   # the lock (README: Bad input and hostile text)


def test_undated_documents_are_reported_in_the_summary_and_note(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / "in" / name).write_text("This year 5% more, next year 6%.", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("doc_id,published\na.txt,2022-07-15\n", encoding="utf-8")
    r = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--metadata", str(meta)])
    assert r.exit_code == 0
    assert "; 2 of 3 documents undated: 4 relative dates left unresolved; pass --metadata; " in _summary(r)
    dates = pd.read_parquet(tmp_path / "out" / "figures.parquet").query("kind == 'date'")
    notes = dates.note.where(dates.note.notna(), "")
    assert notes.groupby(dates.doc_id).apply(list).to_dict() == {"a.txt": ["", ""], "b.txt": [UNRESOLVED] * 2,
                                                                  "c.txt": [UNRESOLVED] * 2}
    assert UNRESOLVED == ("relative date not resolved: the document has no publication date "
                          "(pass --metadata or --published)")
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["undated"] == 2


def test_ordinary_mistakes_are_one_error_line_and_a_hint(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Growth was 7%.", encoding="utf-8")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    bad_meta = tmp_path / "meta.csv"
    bad_meta.write_bytes(b"doc_id,published\n\xff\xfe,2022\n")
    no_id = tmp_path / "no_id.csv"
    no_id.write_text("name,date\na.txt,2022-07-15\n", encoding="utf-8")
    cases = [
        (["extract", str(tmp_path / "in"), "-o", str(a_file)], f"Error: output folder is a file ({a_file})"),
        (["tokenize", str(a_file)], f"Error: output folder is a file ({a_file})"),
        (["extract", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--metadata", str(bad_meta)],
         f"Error: cannot read the metadata file: not UTF-8 ({bad_meta})"),
        (["extract", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--metadata", str(tmp_path / "none.csv")],
         f"Error: --metadata is not a file ({tmp_path / 'none.csv'})"),
        (["extract", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--metadata", str(tmp_path / "in")],
         f"Error: --metadata is not a file ({tmp_path / 'in'})"),
        (["extract", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--metadata", str(no_id)],
         f"Error: metadata row 1 has no doc_id ({no_id})"),
        (["extract", str(tmp_path / "missing"), "-o", str(tmp_path / "o")],
         f"Error: input does not exist ({tmp_path / 'missing'})"),
        (["stats", str(tmp_path / "a"), "-o", str(tmp_path / "b")],
         f"Error: two output folders given ({tmp_path / 'a'}, {tmp_path / 'b'})"),
        (["extract", str(tmp_path / "in"), "--rules", str(a_file)], f"Error: --rules is not a folder ({a_file})"),
    ]
    for args, line in cases:
        r = runner.invoke(app, args)
        assert (r.exit_code, r.output.splitlines()[0]) == (2, line), args
        assert r.output.splitlines()[1].startswith("Hint: ") and len(r.output.splitlines()) == 2
        assert r.exception is None or isinstance(r.exception, SystemExit)
    assert not (tmp_path / "o").exists()                                    # refused before any work


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_command_shows_the_traceback(tmp_path, where):
    args = ["stats", str(tmp_path / "nothing")]
    args = ["--debug"] + args if where == "before" else args + ["--debug"]
    r = runner.invoke(app, args)
    assert type(r.exception).__name__ == "UsageError"
    r = runner.invoke(app, ["stats", str(tmp_path / "nothing")])
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit)


def test_a_bug_exits_4_without_a_traceback(tmp_path, monkeypatch):
    import kzx.run

    def boom(*a, **k):
        raise ValueError("boom")

    monkeypatch.setattr(kzx.run, "extract", boom)
    r = runner.invoke(app, ["extract", str(ROOT / "data" / "raw"), "-o", str(tmp_path / "o")])
    assert (r.exit_code, r.output.splitlines()) == (4, ["Error: internal error: ValueError: boom",
                                                        "Hint: rerun with --debug and report the traceback"])
    r = runner.invoke(app, ["extract", str(ROOT / "data" / "raw"), "-o", str(tmp_path / "o"), "--debug"])
    assert str(r.exception) == "boom"


def test_h_quiet_and_out_given_either_way(tmp_path):
    assert runner.invoke(app, ["-h"]).output == runner.invoke(app, ["--help"]).output
    r = runner.invoke(app, ["check", "-h"])
    assert r.exit_code == 0 and "--baseline" in r.output and "Example: kzx check" in r.output
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Growth was 7%.", encoding="utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(out), "-q"])
    assert (r.exit_code, r.output) == (0, "")
    r = runner.invoke(app, ["--quiet", "ingest", str(tmp_path / "in"), "--out", str(out)])
    assert (r.exit_code, r.output) == (0, "")
    assert runner.invoke(app, ["tokenize", str(out), "-q"]).exit_code == 0
    assert runner.invoke(app, ["match", "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["stats", "-o", str(out), "--format", "csv"]).output.splitlines()[-1] == "a.txt,project,0"
    assert runner.invoke(app, ["stats", str(out), "--format", "csv"]).output.splitlines()[-1] == "a.txt,project,0"


def test_evaluate_takes_out_either_way(seeds_out, tmp_path):
    out, _ = seeds_out
    gold = str(ROOT / "data" / "gold")
    positional = runner.invoke(app, ["evaluate", gold, str(out), "--kinds", "money"])
    assert positional.exit_code == 0
    assert positional.output.splitlines()[1].split()[:4] == ["money", "69", "69", "1.000"]
    for flag in ("-o", "--out"):
        r = runner.invoke(app, ["evaluate", gold, flag, str(out), "--kinds", "money"])
        assert (r.exit_code, r.output) == (0, positional.output), flag
    r = runner.invoke(app, ["evaluate", gold, str(out), "-o", str(tmp_path)])
    assert (r.exit_code, r.output.splitlines()[0]) == (2, f"Error: two output folders given ({out}, {tmp_path})")


def test_rules_in_use_are_named_and_can_be_copied(tmp_path):
    r = runner.invoke(app, ["rules"])
    lines = r.output.splitlines()
    assert r.exit_code == 0
    assert lines[0] == f"rules folder: {default_rules_dir()} (packaged; --rules DIR reads another)"
    digest = lines[1].removeprefix("digest: ")
    assert len(digest) == 16
    mine = tmp_path / "my_rules"
    r = runner.invoke(app, ["rules", "init", str(mine)])
    assert (r.exit_code, r.output) == (0, f"copied the packaged rules ({default_rules_dir()}) to {mine}; "
                                          f"use them with --rules {mine}\n")
    assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in (ROOT / "rules").iterdir()
                                                            if p.name != "__pycache__" and p.suffix != ".py")
    r = runner.invoke(app, ["rules", "init", str(mine)])
    assert (r.exit_code, r.output.splitlines()[0]) == (2, f"Error: folder exists and is not empty ({mine})")
    r = runner.invoke(app, ["rules", "--rules", str(mine)])
    assert r.output.splitlines()[:2] == [f"rules folder: {mine}", f"digest: {digest}"]   # the same rules
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Growth was 7%.", encoding="utf-8")
    r = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--rules", str(mine)])
    assert _summary(r).endswith(f"; rules {mine} (--rules, digest {digest})")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["rules_dir"], manifest["rules_digest"]) == (str(mine), digest)


# ---------------------------------------------------------------- issue 18: the discovery walk
def _special_folder(root):
    d = root / "in"
    d.mkdir()
    (d / "good.txt").write_text("It cost 5 billion tenge.", encoding="utf-8")
    os.mkfifo(d / "pipe.txt")                                  # a FIFO met directly
    os.symlink("/dev/zero", d / "zero.txt")                    # a link to a device
    os.symlink(d / "pipe.txt", d / "to_pipe.txt")              # a link to a FIFO
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret 9%.", encoding="utf-8")
    os.symlink(outside / "secret.txt", d / "secret.txt")       # leaves the input folder
    os.symlink(outside, d / "elsewhere")
    os.symlink(d, d / "loop")                                  # a folder that contains itself
    (d / "sub").mkdir()
    (d / "sub" / "inner.txt").write_text("Inner 3%.", encoding="utf-8")
    os.symlink(d / "sub" / "inner.txt", d / "inner_link.txt")  # inside the input: followed
    (d / "locked").mkdir()
    os.chmod(d / "locked", 0)
    return d


EXPECTED_18 = [("elsewhere", "discover", "LinkOutsideInput"), ("loop", "discover", "SymlinkLoop"),
               ("pipe.txt", "discover", "NotRegularFile"), ("secret.txt", "discover", "LinkOutsideInput"),
               ("to_pipe.txt", "discover", "NotRegularFile"), ("zero.txt", "discover", "NotRegularFile")]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_fifos_devices_outside_links_and_loops_are_recorded_and_never_hang(tmp_path, workers):
    d = _special_folder(tmp_path)
    out = tmp_path / "out"
    try:
        r = subprocess.run([sys.executable, "-m", "kzx", "extract", str(d), "-o", str(out), "-j", workers],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        os.chmod(d / "locked", 0o755)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    errors = pd.read_parquet(out / "errors.parquet")
    got = sorted((os.path.basename(p), s, e) for p, s, e in zip(errors.path, errors.stage, errors.error))
    expected = EXPECTED_18 + ([] if AS_ROOT else [("locked", "discover", "PermissionError")])
    assert got == sorted(expected)
    msg = dict(zip(errors.path.map(os.path.basename), errors.message))
    assert msg["zero.txt"] == "a device, not a regular file; skipped"
    assert msg["pipe.txt"] == "a FIFO, not a regular file; skipped"
    assert msg["secret.txt"] == (f"symlink to {tmp_path / 'outside' / 'secret.txt'} leaves the input folder {d}; "
                                 "not followed (pass --follow-links to read it)")
    assert _docs(out).doc_id.tolist() == ["good.txt", "inner_link.txt"]     # sub/inner.txt: the same file, once
    assert pd.read_parquet(out / "figures.parquet").text.tolist() == ["5 billion tenge", "3%"]


def test_follow_links_reads_what_leaves_the_input(tmp_path):
    d = _special_folder(tmp_path)
    os.chmod(d / "locked", 0o755)
    r = runner.invoke(app, ["extract", str(d), "-o", str(tmp_path / "out"), "--follow-links"])
    assert r.exit_code == 1                                     # the FIFO, the device and the loop remain
    assert _docs(tmp_path / "out").doc_id.tolist() == ["elsewhere/secret.txt", "good.txt", "inner_link.txt"]


def test_a_device_given_as_input_is_an_error_row_not_a_hang(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kzx", "extract", "/dev/zero", "-o", str(tmp_path / "out")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 1
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors[["path", "stage", "error", "message"]].values.tolist() == [
        ["/dev/zero", "discover", "NotRegularFile", "a device, not a regular file; skipped"]]


def test_no_table_ever_holds_two_documents_with_one_id(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_text('[{"text": "Growth was 1%."}, {"text": "Growth was 2%."}]', encoding="utf-8")
    (tmp_path / "in" / "a.json#1").write_text("Growth was 3%.", encoding="utf-8")   # a file named like a record
    out = tmp_path / "out"
    r = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(out), "--include", "*"])
    assert r.exit_code == 1
    assert _docs(out).doc_id.tolist() == ["a.json#1", "a.json#2"]
    errors = pd.read_parquet(out / "errors.parquet")
    assert errors.values.tolist() == [[str(tmp_path / "in" / "a.json#1"), "write", "DuplicateId",
                                       "doc_id 'a.json#1' is already taken; not written"]]


def test_a_bare_file_name_in_the_metadata_dates_only_the_one_input_of_that_name(tmp_path):
    for folder in ("2022", "2023"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text("This year 5%.", encoding="utf-8")
    (tmp_path / "2023" / "b.txt").write_text("This year 6%.", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("doc_id,published\na.txt,2022-07-15\n2023/a.txt,2023-03-01\nb.txt,2023-05-05\n", encoding="utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["extract", str(tmp_path / "2022"), str(tmp_path / "2023"), "-o", str(out),
                            "--metadata", str(meta)])
    docs = {r["doc_id"]: str(r["published"]) for r in pq.read_table(out / "documents.parquet").to_pylist()}
    assert docs == {"2022/a.txt": "None", "2023/a.txt": "2023-03-01", "2023/b.txt": "2023-05-05"}
    errors = pd.read_parquet(out / "errors.parquet")
    assert errors[["error", "message"]].values.tolist() == [
        ["UnmatchedMetadata", "metadata row for 'a.txt' matches no input document; several inputs have that file "
                              "name: key the row by doc_id"]]
    assert r.exit_code == 0
