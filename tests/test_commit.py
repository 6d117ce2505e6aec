"""OUT is all old or all new: crash at any commit step, full disk, two runs at once, dead workers."""
import errno
import json
import os
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kzx.cli import app
from kzx.config import Settings
from kzx.errors import OutputBusy, OutputError
from kzx.run import ALL_TABLES, extract
from kzx.stages import ingest_stage
from kzx.stats import count_table
from kzx.tables import read_table
from kzx.partitioned import extract_partitioned
from kzx.write import JOURNAL, OutLock, recover, verify

TABLES = ALL_TABLES
CRASH_POINTS = ["staged", "journal"] + [f"moved:{t}" for t in TABLES] + ["manifest"]


def _inputs(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "a.txt").write_text("In 2021, 5 billion tenge was invested.", encoding="utf-8")
    for i in range(3):
        (new / f"n{i}.txt").write_text(f"Growth was {i + 2}% and 7 billion tenge in 2022.", encoding="utf-8")
    return old, new


def _killed_run(settings, point) -> int:
    """Run extract in a forked child that dies at crash point `point`; its exit status."""
    pid = os.fork()
    if pid == 0:                                   # the child: never returns to pytest
        os.environ["KZX_CRASH_AT"] = point
        try:
            extract(settings)
        finally:
            os._exit(3)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _docs(out):
    return sorted(read_table(out, "documents").column("doc_id").to_pylist())


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_kill_at_any_commit_step_leaves_old_or_new_and_the_next_run_finishes(tmp_path, point):
    old, new = _inputs(tmp_path)
    out = tmp_path / "out"
    extract(Settings(inputs=(old,), out=out))
    assert _killed_run(Settings(inputs=(new,), out=out), point) == 137
    if point in ("staged", "journal"):         # nothing moved yet: the old set, whole and readable
        assert _docs(out) == ["a.txt"] and verify(out)["inputs"] == [str(old)]
    elif point == "manifest":                  # every table and the manifest moved: the new set
        assert _docs(out) == ["n0.txt", "n1.txt", "n2.txt"]
    else:                                      # a mix on disk: every reader refuses it
        with pytest.raises(OutputError, match="interrupted"):
            read_table(out, "figures")
        with pytest.raises(OutputError, match="interrupted"):
            count_table(out)
        if point == "moved:documents":
            r2 = CliRunner().invoke(app, ["stats", str(out)])
            assert r2.exit_code == 1 and r2.output.startswith("Error: ") and "interrupted" in r2.output
    # the next run into OUT first rolls the interrupted commit forward, then writes its own set
    assert ingest_stage(Settings(inputs=(new,), out=out)).documents == 3
    assert _docs(out) == ["n0.txt", "n1.txt", "n2.txt"]
    assert not (out / JOURNAL).exists() and not list(out.glob(".kzx-staging-*"))
    assert set(json.loads((out / "manifest.json").read_text())["tables"]) == {"documents", "errors"}


def test_readers_refuse_a_mixed_set(tmp_path):
    old, new = _inputs(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    extract(Settings(inputs=(old,), out=a))
    extract(Settings(inputs=(new,), out=b))
    assert count_table(a).shape[0] > 0
    os.replace(b / "figures.parquet", a / "figures.parquet")     # a table of another run
    with pytest.raises(OutputError, match="figures.parquet does not hold the 2 rows manifest.json records"):
        count_table(a)
    (a / "manifest.json").unlink()
    with pytest.raises(OutputError, match="no manifest.json"):
        read_table(a, "documents")


def test_manifest_records_checksums_and_row_counts(tmp_path):
    old, _ = _inputs(tmp_path)
    out = tmp_path / "out"
    extract(Settings(inputs=(old,), out=out))
    tables = json.loads((out / "manifest.json").read_text())["tables"]
    assert set(tables) == set(TABLES)
    for t, entry in tables.items():
        assert entry["rows"] == pq.read_table(out / f"{t}.parquet").num_rows
        assert len(entry["sha256"]) == 64
    assert tables["documents"]["rows"] == 1 and tables["figures"]["rows"] == 2


def test_a_full_disk_is_a_clean_error_and_the_old_output_stays(tmp_path, monkeypatch):
    old, new = _inputs(tmp_path)
    out = tmp_path / "out"
    extract(Settings(inputs=(old,), out=out))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".kzx.lock"}

    def full(self, *a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    r = CliRunner().invoke(app, ["extract", str(new), "-o", str(out)])
    assert r.exit_code == 1
    assert "Error: cannot write the tables in" in r.output and "the disk is full" in r.output
    assert "Traceback" not in r.output
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".kzx.lock"}
    assert after == before and not list(out.glob(".kzx-staging-*"))
    monkeypatch.undo()
    assert _docs(out) == ["a.txt"]
    extract(Settings(inputs=(new,), out=out))           # the lock was released
    assert _docs(out) == ["n0.txt", "n1.txt", "n2.txt"]


def test_a_second_run_into_the_same_out_exits_2_naming_the_owner(tmp_path):
    old, _ = _inputs(tmp_path)
    out = tmp_path / "out"
    with OutLock(out):                                   # flock: a second open of the file conflicts too
        r = CliRunner().invoke(app, ["extract", str(old), "-o", str(out)])
        with pytest.raises(OutputBusy):
            ingest_stage(Settings(inputs=(old,), out=out))
    assert r.exit_code == 2
    assert r.output.startswith(f"Error: {out} is in use by pid {os.getpid()}")
    assert not (out / "documents.parquet").exists()
    extract(Settings(inputs=(old,), out=out))            # the lock goes with its owner
    assert _docs(out) == ["a.txt"]


def test_a_dead_worker_fails_the_run_loudly_and_never_hangs(tmp_path, monkeypatch):
    old, new = _inputs(tmp_path)
    out = tmp_path / "out"
    extract(Settings(inputs=(old,), out=out))
    monkeypatch.setenv("KZX_CRASH_AT", "worker")        # every worker dies on its first file
    r = CliRunner().invoke(app, ["extract", str(new), "-o", str(out), "-j", "2"])
    assert r.exit_code == 1
    assert r.output.startswith("Error: a worker process died") and "Traceback" not in r.output
    assert _docs(out) == ["a.txt"] and not list(out.glob(".kzx-staging-*"))


def test_discovery_errors_cross_to_workers(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("Growth was 5%.", encoding="utf-8")
    (d / "b.txt").write_text("Growth was 6%.", encoding="utf-8")
    os.symlink(d, d / "loop")
    out = tmp_path / "out"
    extract(Settings(inputs=(d,), out=out, workers=2))
    errs = pd.read_parquet(out / "errors.parquet")
    assert errs.error.tolist() == ["SymlinkLoop"]
    assert _docs(out) == ["a.txt", "b.txt"]


@pytest.mark.parametrize("stage", ["tokenize", "match"])
def test_a_dead_worker_fails_a_staged_command_loudly_and_never_hangs(tmp_path, stage):
    import subprocess
    import sys

    from conftest import ROOT

    _, new = _inputs(tmp_path)
    out = tmp_path / "out"
    kzx = [sys.executable, "-m", "kzx"]
    subprocess.run(kzx + ["ingest", str(new), "-o", str(out)], check=True, cwd=ROOT, capture_output=True)
    if stage == "match":
        subprocess.run(kzx + ["tokenize", "-o", str(out)], check=True, cwd=ROOT, capture_output=True)
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}
    env = dict(os.environ, KZX_CRASH_AT="worker")            # every worker dies on its first document
    r = subprocess.run(kzx + [stage, "-o", str(out), "-j", "2"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300)                # a hang fails here instead of blocking
    assert r.returncode == 1
    assert r.stderr.startswith("Error: a worker process died while working on n0.txt") and "Traceback" not in r.stderr
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before      # OUT as it was
    assert not list(out.glob(".kzx-staging-*"))
    r = subprocess.run(kzx + [stage, "-o", str(out), "-j", "2"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert verify(out)["stage"] == [{"tokenize": "sentences", "match": "figures"}[stage], *(
        ["links", "claims", "facts"] if stage == "match" else [])]


# ---------------------------------------------------------------- the partitioned layout
def _killed_partitioned(settings, point) -> int:
    pid = os.fork()
    if pid == 0:
        os.environ["KZX_CRASH_AT"] = point
        try:
            extract_partitioned(settings, partition_bytes=60)       # a partition per file
        finally:
            os._exit(3)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.fixture(scope="module")
def old_sets(tmp_path_factory):
    """The old output of _inputs' old/ in both layouts, made once (manifests name that folder)."""
    root = tmp_path_factory.mktemp("old_sets")
    old, _ = _inputs(root)
    extract(Settings(inputs=(old,), out=root / "single"))
    extract_partitioned(Settings(inputs=(old,), out=root / "partitioned"), partition_bytes=60)
    return root


@pytest.mark.parametrize("point,old_layout", [(p, "partitioned") for p in CRASH_POINTS]
                         + [("journal", "single"), ("moved:figures", "single")])
def test_a_kill_inside_a_partitioned_commit_is_rolled_forward_or_back(tmp_path, point, old_layout, old_sets):
    old, new = _inputs(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(old_sets / old_layout, out)
    assert _killed_partitioned(Settings(inputs=(new,), out=out), point) == 137
    if point in ("staged", "journal"):         # nothing moved yet: the old set, whole and readable
        assert _docs(out) == ["a.txt"]
    elif point == "manifest":
        assert _docs(out) == ["n0.txt", "n1.txt", "n2.txt"]
    else:
        with pytest.raises(OutputError, match="interrupted"):
            read_table(out, "figures")
    assert (out / JOURNAL).exists() == (point != "staged")
    with OutLock(out):                         # what the next run does first, under OUT's lock
        recover(out)
    want = ["a.txt"] if point == "staged" else ["n0.txt", "n1.txt", "n2.txt"]
    assert _docs(out) == want and len(read_table(out, "figures")) == (2 if point == "staged" else 9)
    assert not (out / JOURNAL).exists() and not list(out.glob(".kzx-staging-*"))
    layout = old_layout if point == "staged" else "partitioned"
    assert sorted(p.name for p in out.iterdir() if p.name != ".kzx.lock") == (
        sorted(["manifest.json"] + [f"{t}.parquet" for t in TABLES]) if layout == "single"
        else sorted(["manifest.json", *TABLES]))
    # and the next run itself recovers too, then writes its own set
    if point == "moved:sentences" and old_layout == "partitioned":
        assert _killed_partitioned(Settings(inputs=(old,), out=out), "moved:figures") == 137
        extract_partitioned(Settings(inputs=(old,), out=out), partition_bytes=60)
        assert _docs(out) == ["a.txt"]
