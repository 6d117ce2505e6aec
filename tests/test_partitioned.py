"""Partitioned output (OUT/<table>/part-NNNNN.parquet), the local and the Dask engine, fsspec URLs."""
import json
import os
import shutil
import signal
import threading
import time

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from conftest import ROOT

from kzx.cli import app
from kzx.config import Settings
from kzx.partitioned import check_partition_size, extract_partitioned, partitions, run_partition
from kzx.run import ALL_TABLES, extract
from kzx.tables import read_table

RAW, META = ROOT / "data" / "raw", ROOT / "data" / "raw.metadata.csv"
KEYS = {"documents": ["doc_id"], "sentences": ["doc_id", "sentence_id"], "figures": ["figure_id"],
        "links": ["source_id", "target_id", "relation"], "claims": ["doc_id", "sentence_id"],
        "facts": ["figure_id"], "errors": ["path", "stage", "error", "message"]}


def _sorted(df, table):
    return df.sort_values(KEYS[table]).reset_index(drop=True)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    out = tmp_path_factory.mktemp("single")
    extract(Settings(inputs=(RAW,), out=out, metadata=META))
    return out


def _same_tables(a, b):
    for t in ALL_TABLES:
        x, y = read_table(a, t), read_table(b, t)
        assert x.schema == y.schema, t
        pd.testing.assert_frame_equal(_sorted(x.to_pandas(), t), _sorted(y.to_pandas(), t), obj=t)


def test_local_partitions_write_parts_with_the_rows_of_a_single_file_run(single, tmp_path):
    out = tmp_path / "out"
    summary = extract_partitioned(Settings(inputs=(RAW,), out=out, metadata=META), partition_bytes=20_000)
    assert summary.documents == 5
    assert sorted(p.name for p in (out / "figures").iterdir()) == [f"part-0000{i}.parquet" for i in range(5)]
    assert not list(out.glob(".kzx-staging-*"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["layout"], manifest["partitions"], manifest["tables"]["figures"]) == ("partitioned", 5, 385)
    _same_tables(single, out)


def test_partitioned_output_is_read_by_pandas_duckdb_dask_and_kzx(single, tmp_path):
    duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra")
    out = tmp_path / "out"
    extract_partitioned(Settings(inputs=(RAW,), out=out), partition_bytes=30_000)
    assert len(pd.read_parquet(out / "figures")) == 385
    assert duckdb.sql(f"select count(*) from read_parquet('{out}/figures/*.parquet') "
                      "where kind = 'money'").fetchall() == [(69,)]
    r = CliRunner().invoke(app, ["stats", str(out), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "(all),money,69" in r.output
    base = tmp_path / "baseline.csv"
    assert CliRunner().invoke(app, ["check", str(single), "--baseline", str(base), "--update"]).exit_code == 0
    assert CliRunner().invoke(app, ["check", str(out), "--baseline", str(base)]).exit_code == 0
    r = CliRunner().invoke(app, ["report", str(out), "-o", str(tmp_path / "report.html")])
    assert r.exit_code == 0, r.output
    assert "5 documents (5 in full, at most 200), 385 figures marked, 0 errors" in r.output
    import dask.dataframe as dd

    figs = dd.read_parquet(str(out / "figures")).compute()
    assert figs.figure_id.is_unique and dict(figs.kind.value_counts())["money"] == 69
    assert sorted(figs.figure_id) == sorted(read_table(single, "figures").column("figure_id").to_pylist())


def test_partitions_are_consecutive_and_bounded(tmp_path):
    for name, size in [("a", 10), ("b", 10), ("c", 25), ("d", 1), ("e", 1)]:
        (tmp_path / f"{name}.txt").write_text("x" * size)
    from kzx.ingest import discover

    parts = partitions(list(discover([tmp_path])), 20)
    assert [[s.doc_id for s in p] for p in parts] == [["a.txt", "b.txt"], ["c.txt"], ["d.txt", "e.txt"]]


@pytest.mark.parametrize("text, n", [("64MB", 64 << 20), ("512k", 512 << 10), ("1G", 1 << 30), ("1000", 1000)])
def test_partition_size_reads_units(text, n):
    assert check_partition_size(text) == n


def test_a_partition_run_twice_leaves_one_part(tmp_path):
    from kzx.ingest import discover

    items = list(discover([RAW]))[:2]
    stage = tmp_path / "stage"
    s = Settings(inputs=(RAW,), out=tmp_path)
    first = run_partition(7, items, s, None, str(stage))
    again = run_partition(7, items, s, None, str(stage))   # a retried task (its worker died after writing)
    assert first.counts == again.counts
    assert [p.name for p in (stage / "figures").iterdir()] == ["part-00007.parquet"]
    assert pq.read_table(stage / "documents").num_rows == 2


def test_fsspec_urls_in_and_out_memory_filesystem(single):
    mem = fsspec.filesystem("memory")
    for p in sorted(RAW.iterdir()):
        mem.pipe(f"/kzx-test-in/{p.name}", p.read_bytes())
    try:
        extract_partitioned(Settings(inputs=("memory://kzx-test-in",), out="memory://kzx-test-out", metadata=META),
                            partition_bytes=30_000)
        figures = pd.concat([pd.read_parquet(mem.open(f)) for f in sorted(mem.glob("/kzx-test-out/figures/*.parquet"))])
        want = pd.read_parquet(single / "figures.parquet")
        docs = pd.concat([pd.read_parquet(mem.open(f)) for f in sorted(mem.glob("/kzx-test-out/documents/*.parquet"))])
        assert sorted(docs.path) == [f"memory:///kzx-test-in/{p.name}" for p in sorted(RAW.iterdir())]
        pd.testing.assert_frame_equal(_sorted(figures, "figures"), _sorted(want, "figures"))
        assert mem.exists("/kzx-test-out/manifest.json")
    finally:
        mem.rm("/kzx-test-in", recursive=True)
        mem.rm("/kzx-test-out", recursive=True)


def test_file_url_output_never_reads_itself_back(tmp_path):
    src = tmp_path / "corpus"
    shutil.copytree(RAW, src)
    url = f"file://{src}/out"
    r = CliRunner().invoke(app, ["extract", str(src), "-o", url, "--partition-size", "1MB"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["extract", f"file://{src}", "-o", url, "--partition-size", "1MB"])
    assert r.exit_code == 0, r.output
    assert len(pd.read_parquet(src / "out" / "documents")) == 5


# ---------------------------------------------------------------- Dask
distributed = pytest.importorskip("distributed", reason="the dask extra is part of the test extra")


def test_dask_engine_gives_the_local_engine_figures(single, tmp_path):
    out = tmp_path / "dask"
    r = CliRunner().invoke(app, ["extract", str(RAW), "-o", str(out), "--engine", "dask", "--workers", "2",
                                 "--metadata", str(META), "--partition-size", "20KB"])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "manifest.json").read_text())["engine"] == "dask"
    _same_tables(single, out)
    base = tmp_path / "baseline.csv"
    assert CliRunner().invoke(app, ["check", str(single), "--baseline", str(base), "--update"]).exit_code == 0
    r = CliRunner().invoke(app, ["check", str(out), "--baseline", str(base)])
    assert r.exit_code == 0, r.output


def test_a_worker_killed_mid_run_still_gives_every_document_once(tmp_path):
    from kzx.cluster import extract_dask

    src = tmp_path / "in"
    for k in range(4):
        shutil.copytree(RAW, src / f"copy{k}")
    out = tmp_path / "out"
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = distributed.Client(cluster)
    result, killed = {}, []
    pids = client.run(os.getpid)   # worker address → its process

    def run():
        result["summary"] = extract_dask(Settings(inputs=(src,), out=out), scheduler=cluster.scheduler_address,
                                         partition_bytes=1)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.time() + 300
    while not killed and t.is_alive() and time.time() < deadline:
        busy = [w for w, tasks in client.processing().items() if any("kzx-partition" in k for k in tasks)]
        done = sum(1 for _ in (out.glob(".kzx-staging-*/documents/part-*.parquet")))
        if busy and done >= 2:   # some partitions written, one running: kill its worker now
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])
        time.sleep(0.05)
    t.join(600)
    client.close()
    cluster.close()
    assert killed, "the run ended before a worker could be killed"
    docs = pd.read_parquet(out / "documents")
    assert len(docs) == 20 and docs.doc_id.is_unique
    assert result["summary"].documents == 20
    assert len(pd.read_parquet(out / "figures")) == 4 * 385


def test_partitioned_run_guards_like_the_local_one(tmp_path):
    src = tmp_path / "corpus"
    shutil.copytree(RAW, src)
    (src / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    r = CliRunner().invoke(app, ["extract", str(src), "-o", str(src), "--partition-size", "1MB"])
    assert r.exit_code == 2
    assert "output folder is an input folder" in r.output
    out = tmp_path / "out"
    (src / "broken.json").write_text('{"title": "x", "text": ', encoding="utf-8")
    r = CliRunner().invoke(app, ["extract", str(src), "-o", str(out), "--partition-size", "20KB"])
    assert r.exit_code == 1, r.output
    assert "skipped 1 (" in r.output
    local = CliRunner().invoke(app, ["extract", str(src), "-o", str(tmp_path / "local")])
    undated = [part for part in local.output.split("; ") if "documents undated" in part]
    assert undated and undated[0].startswith("3 of 5 documents undated: ")   # two seeds have a dateline
    assert undated[0] in r.output.split("; ")
    errors = pd.read_parquet(out / "errors")
    assert errors[["path", "stage"]].values.tolist() == [[str(src / "broken.json"), "parse"]]
    assert sorted(pd.read_parquet(out / "documents").doc_id) == sorted(p.name for p in RAW.iterdir())


def test_partitioned_run_takes_outs_lock(tmp_path):
    from kzx.errors import KzxError
    from kzx.write import OutLock

    out = tmp_path / "out"
    with OutLock(out):
        with pytest.raises(KzxError, match="in use by pid"):
            extract_partitioned(Settings(inputs=(RAW,), out=out), partition_bytes=1 << 20)
    extract_partitioned(Settings(inputs=(RAW,), out=out), partition_bytes=1 << 20)
    assert len(pd.read_parquet(out / "documents")) == 5


def test_readers_refuse_a_tampered_missing_or_extra_part(tmp_path):
    from kzx.errors import OutputError

    out = tmp_path / "out"
    extract_partitioned(Settings(inputs=(RAW,), out=out, metadata=META), partition_bytes=30_000)
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["parts"]["figures"]) == sorted(p.name for p in (out / "figures").iterdir())
    assert sum(e["rows"] for e in manifest["parts"]["figures"].values()) == manifest["tables"]["figures"] == 385
    assert len(read_table(out, "figures")) == 385
    part = out / "figures" / "part-00001.parquet"
    good = part.read_bytes()
    table = pq.read_table(part)
    texts = table.column("text").to_pylist()
    cases = {   # what is done to the part → the refusal
        "same rows, one value changed": (lambda: pq.write_table(table.set_column(
            table.schema.get_field_index("text"), "text", pa.array(texts[:-1] + [texts[-1] + "x"])), part),
                                         "is not the part manifest.json records (checksum differs)"),
        "a row less": (lambda: pq.write_table(table.slice(1), part), f"does not hold the {table.num_rows} rows"),
        "removed": (lambda: part.unlink(), "is missing: manifest.json records it"),
        "a part more": (lambda: shutil.copy(part, out / "figures" / "part-00099.parquet"),
                        "part-00099.parquet is not part of the run manifest.json records"),
    }
    assert table.num_rows > 1
    for what, (tamper, message) in cases.items():
        tamper()
        with pytest.raises(OutputError, match=message.replace("(", r"\(").replace(")", r"\)")):
            read_table(out, "figures")
        r = CliRunner().invoke(app, ["stats", str(out)])
        assert r.exit_code == 1 and r.output.startswith("Error: ") and message in r.output, (what, r.output)
        (out / "figures" / "part-00099.parquet").unlink(missing_ok=True)
        part.write_bytes(good)
        assert len(read_table(out, "figures")) == 385, what      # put back: read again
    (out / "manifest.json").unlink()                               # as a kill inside the commit leaves it
    with pytest.raises(OutputError, match="has tables but no manifest.json"):
        read_table(out, "documents")


def test_a_dead_worker_fails_a_partitioned_run_loudly_and_never_hangs(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    extract_partitioned(Settings(inputs=(RAW,), out=out), partition_bytes=30_000)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")}
    env = dict(os.environ, KZX_CRASH_AT="partition")          # every worker dies on its first partition
    r = subprocess.run([sys.executable, "-m", "kzx", "extract", str(RAW), "-o", str(out), "--partition-size", "30KB",
                        "-j", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("Error: a worker process died while working on partition") and "Traceback" not in r.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")} == before   # OUT as it was
    assert not list(out.glob(".kzx-staging-*"))
