"""Extraction in partitions, written as partitioned Parquet datasets: OUT/<table>/part-NNNNN.parquet.

Inputs are discovered once, cut into partitions of bounded size (bytes, in discovery order) and each
partition is one task: read, analyze, write one part per table. A task writes its parts under a
temporary name and renames them on success, and partition ids follow the inputs' order, so a task
run twice (a worker killed mid-partition and the task retried) replaces its parts, never doubles
them. The parts of a run are staged apart and moved into place together; manifest.json comes last.

The same tasks run in this process (the local engine with --partition-size) or on a Dask cluster
(`pipeline/cluster.py`); inputs and OUT may be fsspec URLs (s3://, gs://, memory://, file://).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import posixpath
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from .config import Settings
from .errors import InputError, UsageError
from .ingest import Skip, Source, discover
from .run import (ALL_TABLES, Engine, Summary, _add, _manifest, check_output_folder, discovery_walk, each_source,
                  error_row, metadata_error_rows, rules_label)
from .write import JOURNAL, MANIFEST, SCHEMAS, OutLock, buffer_full, crash_point, recover, writer_options

if TYPE_CHECKING:
    import fsspec

DEFAULT_PARTITION_BYTES = 64 * 1024 * 1024   # a partition's input; its rows stay well inside a worker's memory


def is_url(p) -> bool:
    return "://" in str(p)


def out_fs(out) -> tuple[fsspec.AbstractFileSystem, str]:
    import fsspec                     # here, not at import: a local `kzx extract` never needs it
    fs, path = fsspec.core.url_to_fs(str(out))
    return fs, path.rstrip("/")


# ---------------------------------------------------------------- discovery and partitions
def discover_all(settings: Settings) -> list[Source | InputError | Skip]:
    """Local inputs through the local walk (one walk: doc ids stay unique across inputs), URLs through
    fsspec. kzx's own output is never an input."""
    import fsspec
    out_fs_, out_path = out_fs(settings.out)
    local = [i for i in settings.inputs if not is_url(i)]
    items: list = list(discover(local, discovery_walk(settings))) if local else []
    several = len(settings.inputs) > 1
    for inp in (i for i in settings.inputs if is_url(i)):
        fs, root = fsspec.core.url_to_fs(str(inp))
        root = root.rstrip("/")
        prefix = posixpath.basename(root) + "/" if several else ""   # as the local walk does: unique ids
        if not fs.exists(root):
            items.append(InputError(inp, "discover", "NotFound", "no such file or folder"))
        elif fs.isfile(root):
            items.append(Source(fs.unstrip_protocol(root), posixpath.basename(root), fs))
        else:
            for p in sorted(fs.find(root)):
                rel = posixpath.relpath(p, root)
                if not any(part.startswith(".") for part in rel.split("/")):
                    items.append(Source(fs.unstrip_protocol(p), prefix + rel, fs))
    return [i for i in items if not isinstance(i, Source) or not _inside(i, out_fs_, out_path)]


def _inside(src: Source, fs, out_path: str) -> bool:
    """Is this input under OUT (the same filesystem, below OUT's path)?"""
    import fsspec
    src_fs, p = (fsspec.filesystem("file"), str(src.path)) if src.fs is None else fsspec.core.url_to_fs(str(src.path))
    if type(src_fs) is not type(fs):
        return False
    if src.fs is None:
        p, out_path = str(Path(p).resolve()), str(Path(out_path).resolve())
    return p.startswith(out_path.rstrip("/") + "/")


def _size(item) -> int:
    if isinstance(item, InputError):
        return 0
    try:
        return item.fs.size(item.path) if item.fs is not None else item.path.stat().st_size
    except (OSError, FileNotFoundError):
        return 0


def partitions(items: list, max_bytes: int) -> list[list]:
    """Consecutive items, at most max_bytes of input each (one item bigger than that stands alone)."""
    parts, cur, size = [], [], 0
    for item in items:
        n = _size(item)
        if cur and size + n > max_bytes:
            parts.append(cur)
            cur, size = [], 0
        cur.append(item)
        size += n
    if cur:
        parts.append(cur)
    return parts


# ---------------------------------------------------------------- one partition (runs on a worker)
class PartWriter:
    """Rows of one partition → one part per table, under temporary names until `close()` succeeds."""

    def __init__(self, fs, stage: str, pid: int, tables):
        self.fs, self.stage, self.name = fs, stage, f"part-{pid:05d}.parquet"
        self.tmp = f".tmp-{uuid.uuid4().hex[:8]}-{self.name}"
        self.tables = list(tables)
        self.buffers: dict[str, list] = {t: [] for t in self.tables}
        self.writers: dict = {}
        self.files: dict = {}
        self.counts = {t: 0 for t in self.tables}
        self.parts: dict = {}       # table → {part name: {rows, sha256}}, for the manifest (readers verify it)

    def add(self, table: str, rows) -> None:
        buf = self.buffers[table]
        buf.extend(rows)
        if buffer_full(table, buf):
            self._flush(table)

    def _flush(self, table: str) -> None:
        if table not in self.writers:
            self.fs.makedirs(f"{self.stage}/{table}", exist_ok=True)
            self.files[table] = self.fs.open(f"{self.stage}/{table}/{self.tmp}", "wb")
            self.writers[table] = pq.ParquetWriter(self.files[table], SCHEMAS[table], **writer_options(table))
        buf = self.buffers[table]
        if buf:
            self.writers[table].write_table(pa.Table.from_pylist(buf, schema=SCHEMAS[table]))
            self.counts[table] += len(buf)
            buf.clear()

    def close(self) -> dict:
        for t in self.tables:   # every table gets a part, empty or not: readers see one schema per table
            self._flush(t)
            self.writers[t].close()
            self.files[t].close()
        for t in self.tables:
            final = f"{self.stage}/{t}/{self.name}"
            self.fs.mv(f"{self.stage}/{t}/{self.tmp}", final)
            self.parts[t] = {self.name: {"rows": self.counts[t], "sha256": _sha256(self.fs, final)}}
        return dict(self.counts)

    def abort(self) -> None:
        for t, w in self.writers.items():
            try:
                w.close()
                self.files[t].close()
                self.fs.rm(f"{self.stage}/{t}/{self.tmp}")
            except Exception:  # noqa: BLE001 - best effort; the staging folder goes anyway
                pass


def _sha256(fs, path: str) -> str:
    h = hashlib.sha256()
    with fs.open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_ENGINES: dict = {}   # per process: rules compiled and spaCy loaded once, not per task


def worker_engine(settings: Settings) -> Engine:
    key = (str(settings.rules_dir), settings.published)
    if key not in _ENGINES:
        _ENGINES[key] = Engine.build(settings)
    return _ENGINES[key]


@dataclass
class PartResult:
    pid: int
    summary: Summary
    used: set = field(default_factory=set)     # metadata rows this partition's documents used
    counts: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0                    # the task's own CPU time (benchmarks/scale.py reads it)
    parts: dict = field(default_factory=dict)   # table → {part name: {rows, sha256}}


def run_partition(pid: int, items: list, settings: Settings, meta, stage: str, tables=ALL_TABLES) -> PartResult:
    """One partition → its parts in the staging folder. Per-document failures are error rows."""
    cpu0 = time.process_time()
    crash_point("partition")            # tests: a dead worker must fail the run, not hang it
    engine = worker_engine(settings)
    if meta is not None:   # a worker shares one metadata object among its tasks: mark into this task's own set
        meta = copy.copy(meta)
        meta.used = set()
    fs, _ = out_fs(stage)
    _, stage_path = out_fs(stage)
    writer = PartWriter(fs, stage_path, pid, tables)
    summary = Summary()
    try:
        for rows in each_source(items, settings, engine, meta):    # small files' scans in batches
            _add(writer, rows, summary, tables)
        counts = writer.close()
    except BaseException:
        writer.abort()
        raise
    return PartResult(pid, summary, set(meta.used) if meta is not None else set(), counts,
                      time.process_time() - cpu0, writer.parts)


# ---------------------------------------------------------------- the run
def extract_partitioned(settings: Settings, partition_bytes: int = DEFAULT_PARTITION_BYTES, submit=None,
                        engine_name: str = "local", progress=None, on_result=None) -> Summary:
    """Every input, in partitions, into OUT/<table>/part-*.parquet. `submit(pids, parts, **kw)` runs the
    tasks and yields PartResults in any order (Dask); without it they run here, one after another."""
    from .metadata import MetadataIndex

    t0 = time.time()
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    if not is_url(settings.out):
        check_output_folder(settings.out, [i for i in settings.inputs if not is_url(i)])
    engine = Engine.build(settings)          # validates rules before any work
    meta = MetadataIndex.load(settings.metadata) if settings.metadata else None
    found = discover_all(settings)
    sources = [i for i in found if isinstance(i, Source)]
    if meta:
        meta.know_inputs(i.doc_id for i in sources)
    parts = partitions(sources, partition_bytes)
    fs, out = out_fs(settings.out)
    fs.makedirs(out, exist_ok=True)
    lock = None if is_url(settings.out) else OutLock(Path(out)).acquire()   # one run at a time, as locally
    try:                                     # a killed run's commit: finished (journal written) or undone
        recover(Path(out)) if lock is not None else recover_url(fs, out)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    stage = f"{out}/.kzx-staging-{uuid.uuid4().hex[:8]}"
    stage_url = fs.unstrip_protocol(stage) if is_url(settings.out) else stage
    summary, used, counts = Summary(rules=rules_label(engine)), set(), {t: 0 for t in ALL_TABLES}
    recorded: dict = {t: {} for t in ALL_TABLES}     # every part's rows and sha256: readers check them
    for i in found:                          # discovery's findings stay on the client: nothing to ship
        if isinstance(i, Skip):
            summary.skip(i)
    try:
        if submit is None and settings.workers > 1 and len(parts) > 1:
            submit = _process_pool(settings.workers)
        if submit is None:
            results = (run_partition(pid, p, settings, meta, stage_url) for pid, p in enumerate(parts))
        else:
            results = submit(list(range(len(parts))), parts, settings=settings, meta=meta, stage=stage_url)
        for r in _progress(results, len(parts), progress):
            if on_result:
                on_result(r)
            _merge(summary, r.summary)
            used |= r.used
            for t, n in r.counts.items():
                counts[t] += n
            for t, entries in r.parts.items():
                recorded[t].update(entries)
        _run_errors(fs, stage, len(parts), [error_row(i) for i in found if isinstance(i, InputError)]
                    + metadata_error_rows(settings, meta, used), summary, counts, recorded)
        summary.seconds = time.time() - t0
        manifest = dict(_manifest(settings, engine, started, summary), layout="partitioned", engine=engine_name,
                        partitions=len(parts), partition_bytes=partition_bytes, tables=counts,
                        parts={t: dict(sorted(e.items())) for t, e in recorded.items()})
        _commit(fs, out, stage, manifest)
    except BaseException:
        if fs.exists(stage) and not fs.exists(f"{out}/{JOURNAL}"):    # past the journal, the next run finishes it
            fs.rm(stage, recursive=True)
        raise
    finally:
        if lock is not None:
            lock.release()
    return summary


def _process_pool(workers: int):
    """The local engine's -j N for partitions: worker processes, each building its Engine once."""
    def submit(pids, parts, settings, meta, stage):
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from multiprocessing import get_context

        from concurrent.futures.process import BrokenProcessPool

        from .run import WorkerDied

        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(run_partition, pid, p, settings, meta, stage): pid for pid, p in zip(pids, parts)}
            for f in as_completed(futures):
                try:
                    yield f.result()
                except BrokenProcessPool as e:     # as in a local run: loudly, never a hang or a traceback
                    raise WorkerDied(f"a worker process died while working on partition {futures[f]}; "
                                     "no output was written", "run again with -j 1 to find the input at fault") from e
    return submit


def _merge(total: Summary, part: Summary) -> None:
    total.documents += part.documents
    total.words += part.words
    total.errors += part.errors
    total.input_errors += part.input_errors
    total.undated += part.undated
    total.unresolved += part.unresolved
    for k, v in part.kinds.items():
        total.kinds[k] = total.kinds.get(k, 0) + v


def _run_errors(fs, stage, pid, rows, summary, counts, recorded) -> None:
    """Discovery's and the metadata file's errors (the latter known once every partition is done):
    one more part of `errors`, after the partitions' own."""
    if rows:
        w = PartWriter(fs, stage, pid, ("errors",))
        w.add("errors", rows)
        counts["errors"] += w.close()["errors"]
        recorded["errors"].update(w.parts["errors"])
        summary.errors += len(rows)
        summary.input_errors += sum(1 for r in rows if r["stage"] == "discover")


def _commit(fs, out: str, stage: str, manifest: dict) -> None:
    """Staged table folders → OUT/<table>/, as one set (the way write.TableSet.commit does it): the
    manifest goes into the staging folder, then the journal naming that folder is written (the
    commit point), then the tables and last the manifest are moved. A crash before the journal
    leaves OUT as it was; after it, the next run rolls the commit forward (`roll_forward`)."""
    with fs.open(f"{stage}/{MANIFEST}", "w") as f:
        f.write(json.dumps(manifest, indent=1, sort_keys=True, default=str))
    for t in ALL_TABLES:
        for left in fs.glob(f"{stage}/{t}/.tmp-*"):     # a killed attempt's unfinished part: not a table's
            fs.rm(left)
    crash_point("staged")
    staged = [t for t in ALL_TABLES if fs.exists(f"{stage}/{t}")]
    journal = {"staging": posixpath.basename(stage), "layout": "partitioned", "tables": staged,
               "stale": [t for t in ALL_TABLES if t not in staged]}
    with fs.open(f"{out}/{JOURNAL}.tmp", "w") as f:
        f.write(json.dumps(journal))
    fs.mv(f"{out}/{JOURNAL}.tmp", f"{out}/{JOURNAL}")     # the commit point
    crash_point("journal")
    roll_forward(fs, out, journal)


def roll_forward(fs, out: str, journal: dict) -> None:
    """Finish a partitioned commit whose journal is written; each step may already have been done.
    kzx's own earlier tables are replaced (both layouts), nothing else in OUT is touched."""
    stage = f"{out}/{journal['staging']}"
    if fs.exists(f"{stage}/{MANIFEST}") and fs.exists(f"{out}/{MANIFEST}"):
        fs.rm(f"{out}/{MANIFEST}")        # the old set's; until the new one lands, readers refuse OUT
    for t in journal.get("stale", []):
        _remove_table(fs, out, t)
    for t in journal["tables"]:
        if fs.exists(f"{stage}/{t}"):
            _remove_table(fs, out, t)
            fs.mv(f"{stage}/{t}", f"{out}/{t}", recursive=True)
            crash_point(f"moved:{t}")
    if fs.exists(f"{stage}/{MANIFEST}"):
        fs.mv(f"{stage}/{MANIFEST}", f"{out}/{MANIFEST}")
    crash_point("manifest")
    if fs.exists(f"{out}/{JOURNAL}"):
        fs.rm(f"{out}/{JOURNAL}")
    if fs.exists(stage):
        fs.rm(stage, recursive=True)


def _remove_table(fs, out: str, t: str) -> None:
    for old in (f"{out}/{t}", f"{out}/{t}.parquet"):
        if fs.exists(old):
            fs.rm(old, recursive=True)


def recover_url(fs, out: str) -> None:
    """An fsspec OUT (no lock there): roll forward a commit a killed run left with its journal."""
    path = f"{out}/{JOURNAL}"
    if not fs.exists(path):
        return
    try:
        with fs.open(path, "r") as f:
            journal = json.loads(f.read())
    except ValueError:
        journal = None
    if isinstance(journal, dict) and fs.exists(f"{out}/{journal.get('staging', '')}"):
        roll_forward(fs, out, journal)
    elif fs.exists(path):
        fs.rm(path)


def _progress(it, total, progress):
    return it if progress is None else progress(it, total)


def check_partition_size(value: str | int | None) -> int | None:
    """'64MB', '512k', '1G' or a byte count → bytes."""
    if value is None:
        return None
    s = str(value).strip().upper().removesuffix("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:], 1)
    try:
        n = int(float(s[:-1] if s[-1:] in "KMG" else s) * mult)
    except ValueError:
        raise UsageError(f"--partition-size {value!r} is not a size", "e.g. 64MB, 512KB or 1000000")
    if n < 1:
        raise UsageError("--partition-size must be positive")
    return n
