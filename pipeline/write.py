"""Rows → Parquet tables with fixed pyarrow schemas, committed to OUT as one set (all old or all new).

Tables stream into a staging folder inside OUT (row groups of bounded size, so memory stays
flat). The commit then:
  1. closes and fsyncs every staged table and writes the new manifest (each table's sha256 and
     row count) into the staging folder;
  2. writes the journal `.kzx-commit.json` naming that folder: the commit point;
  3. moves the tables, then the manifest, into OUT, and removes the journal.
A crash before 2 leaves OUT as it was (the next run deletes the staging folder: rolled back);
a crash after 2 is rolled forward by the next run (`recover`). Readers (`read_table`, so stats,
check and the Python API) refuse a folder whose tables do not match its manifest. Everything
that needs disk space happens before the commit point, so a full disk leaves the old set whole.
One run at a time: `OutLock` holds an flock on `.kzx.lock` (which names the owner's pid).
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import OutputBusy, OutputError

S, I, F, D = pa.string(), pa.int64(), pa.float64(), pa.date32()

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", S), ("path", S), ("format", S), ("encoding", S), ("title", S), ("published", D), ("url", S),
        ("language", S), ("n_chars", I), ("sha256", S), ("text", pa.large_string())]),
    "sentences": pa.schema([("doc_id", S), ("sentence_id", I), ("start_char", I), ("end_char", I), ("text", S)]),
    "figures": pa.schema([
        ("figure_id", S), ("doc_id", S), ("sentence_id", I), ("kind", S), ("text", S), ("start_char", I),
        ("end_char", I), ("value_min", F), ("value_max", F), ("unit", S), ("qualifier", S), ("date_start", D),
        ("date_end", D), ("granularity", S), ("name", S), ("name_key", S), ("program", S), ("rule", S), ("note", S)]),
    "links": pa.schema([("doc_id", S), ("source_id", S), ("target_id", S), ("relation", S)]),
    "claims": pa.schema([("doc_id", S), ("sentence_id", I), ("speaker", S), ("claim_type", S), ("n_figures", I)]),
    "errors": pa.schema([("path", S), ("stage", S), ("error", S), ("message", S)]),
    "facts": pa.schema([    # one row per money/percent figure with its claim (pipeline/facts.py)
        ("figure_id", S), ("doc_id", S), ("sentence_id", I), ("kind", S), ("text", S), ("start_char", I),
        ("end_char", I), ("value_min", F), ("value_max", F), ("unit", S), ("qualifier", S), ("project_id", S),
        ("project", S), ("project_key", S), ("period_start", D), ("period_end", D), ("period_granularity", S),
        ("speaker", S), ("claim_type", S), ("sentence", S), ("published", D), ("title", S), ("url", S),
        ("language", S), ("repeat_of", S), ("part_of", S)]),
}
ROW_GROUP = 20_000
LONG_TEXT = 1_000_000        # characters
MANIFEST = "manifest.json"
JOURNAL = ".kzx-commit.json"
LOCK = ".kzx.lock"


class _NoPandas:
    """A finder that refuses pandas, for the moment pyarrow looks for it (pyarrow_without_pandas)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not used by kzx extract")
        return None


def pyarrow_without_pandas() -> None:
    """For a process that never hands pyarrow a pandas object (the `kzx extract` command): its first
    pa.array() would import pandas only to ask whether a value is a Series (0.3 CPU-s, a sixth of
    start-up); refused that once, pyarrow takes pandas for absent. pandas stays importable, and
    pyarrow's pandas functions (to_pandas, from_pandas) import it when called, and then know it again.
    Not for the Python API: until then, a caller's pandas objects would look like plain sequences."""
    if "pandas" in sys.modules:
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(_NoPandas)


def crash_point(name: str) -> None:
    """Tests kill the process here (KZX_CRASH_AT=name) to prove every moment of a commit is safe."""
    if os.environ.get("KZX_CRASH_AT") == name:
        os._exit(137)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durable(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _disk_error(out: Path, e: OSError) -> OutputError:
    what = "the disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else (e.strerror or str(e))
    return OutputError(f"cannot write the tables in {out}: {what}; the previous output is unchanged",
                       "free some space or write to another folder with -o")


def writer_options(table: str) -> dict:
    """ParquetWriter options: a document's whole text is written with neither a dictionary nor
    min/max statistics (both copy the value: 8 bytes of memory per byte of a 20 MB text, 2.5 without)."""
    if table != "documents":
        return {}
    others = [n for n in SCHEMAS[table].names if n != "text"]
    return {"use_dictionary": others, "write_statistics": others}


def buffer_full(table: str, buf: list[dict]) -> bool:
    """When a table's buffered rows become a row group: documents (whole texts) in small groups,
    and a long text in a group of its own, so that it is not held after its document is done."""
    return len(buf) >= ROW_GROUP or (table == "documents" and (len(buf) >= 64 or (buf and buf[-1]["n_chars"] >= LONG_TEXT)))


class OutLock:
    """flock on OUT/.kzx.lock for the length of a run; a second run gets OutputBusy (exit 2).
    The file is left in place (removing it would let two runs lock two different files)."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.fd: int | None = None

    def acquire(self) -> "OutLock":
        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pid = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise OutputBusy(self.out, pid) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)          # closing drops the flock
            self.fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class TableSet:
    """Streams rows into staged Parquet files; `commit()` moves them into OUT together.
    Holds OUT's lock from creation to commit or abort."""

    def __init__(self, out: Path, tables):
        self.out = Path(out)
        self.lock = OutLock(self.out).acquire()
        try:
            recover(self.out)
            self.stage = self.out / f".kzx-staging-{uuid.uuid4().hex[:8]}"
            self.stage.mkdir()
        except OSError as e:
            self.lock.release()
            raise _disk_error(self.out, e) from e
        self.tables = list(tables)
        self.buffers: dict[str, list[dict]] = {t: [] for t in self.tables}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = {t: 0 for t in self.tables}

    def add(self, table: str, rows) -> None:
        buf = self.buffers[table]
        buf.extend(rows)
        if buffer_full(table, buf):
            self._flush(table)

    def _flush(self, table: str) -> None:
        buf = self.buffers[table]
        if not buf and table in self.writers:
            return
        schema = SCHEMAS[table]
        batch = pa.Table.from_pylist(buf, schema=schema)
        try:
            if table not in self.writers:
                self.writers[table] = pq.ParquetWriter(self.stage / f"{table}.parquet", schema, **writer_options(table))
            if buf:
                self.writers[table].write_table(batch)
        except OSError as e:
            raise _disk_error(self.out, e) from e
        self.counts[table] += len(buf)
        buf.clear()

    def commit(self, manifest: dict, merge: bool = False, stale=()) -> None:
        """Move the staged tables into OUT. `merge`: a single stage's run keeps the other tables;
        `stale`: tables built from the old versions of these, removed so no run's tables mix."""
        try:
            for t in self.tables:
                self._flush(t)
                self.writers[t].close()
            entries = {}
            for t in self.tables:                      # fsync before the move makes it visible
                path = self.stage / f"{t}.parquet"
                with open(path, "rb") as f:
                    os.fsync(f.fileno())
                entries[t] = {"rows": self.counts[t], "sha256": file_sha256(path)}
            if merge:
                prev = _read_manifest(self.out) or {}
                for t, entry in (prev.get("tables") or {}).items():
                    kept = self.out / f"{t}.parquet"
                    if t not in entries and t not in stale and kept.is_file():
                        entries[t] = {"rows": pq.ParquetFile(kept).metadata.num_rows, "sha256": file_sha256(kept)}
                manifest = dict(prev, **manifest)
            manifest = dict(manifest, tables=entries)
            _write_durable(self.stage / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True, default=str))
            crash_point("staged")
            journal = {"staging": self.stage.name, "tables": self.tables, "stale": list(stale)}
            tmp = self.out / (JOURNAL + ".tmp")
            _write_durable(tmp, json.dumps(journal))
            os.replace(tmp, self.out / JOURNAL)           # the commit point
            _fsync_dir(self.out)
        except OSError as e:
            self.abort()
            raise _disk_error(self.out, e) from e
        except BaseException:
            self.abort()
            raise
        crash_point("journal")
        try:
            _roll_forward(self.out, journal)
        finally:
            self.lock.release()

    def abort(self) -> None:
        for w in self.writers.values():
            try:
                w.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        shutil.rmtree(self.stage, ignore_errors=True)
        (self.out / (JOURNAL + ".tmp")).unlink(missing_ok=True)
        self.lock.release()


def _roll_forward(out: Path, journal: dict) -> None:
    """Finish a commit whose journal is written; each step may already have been done."""
    stage = out / journal["staging"]
    for t in journal.get("stale", []):
        (out / f"{t}.parquet").unlink(missing_ok=True)
    for t in journal["tables"]:
        src, target = stage / f"{t}.parquet", out / f"{t}.parquet"
        if src.exists():
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(src, target)
            crash_point(f"moved:{t}")
    if (stage / MANIFEST).exists():
        os.replace(stage / MANIFEST, out / MANIFEST)
    _fsync_dir(out)
    crash_point("manifest")
    (out / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)


def recover(out: Path) -> None:
    """Under OUT's lock: roll an interrupted commit forward (journal written) or back (staging only)."""
    out = Path(out)
    jpath = out / JOURNAL
    if jpath.exists():
        try:
            journal = json.loads(jpath.read_text(encoding="utf-8"))
        except ValueError:
            journal = None          # never completed: the rename is atomic, so this is not ours
        if isinstance(journal, dict) and (out / str(journal.get("staging", ""))).is_dir():
            if journal.get("layout") == "partitioned":
                import fsspec

                from .partitioned import roll_forward
                roll_forward(fsspec.filesystem("file"), str(out), journal)
            else:
                _roll_forward(out, journal)
        jpath.unlink(missing_ok=True)
    (out / (JOURNAL + ".tmp")).unlink(missing_ok=True)
    clean_stale_staging(out)


def clean_stale_staging(out: Path) -> None:
    """Remove staging folders a killed run left behind (they never hold visible tables).
    Only call with OUT's lock held: a live run's staging folder looks the same."""
    for p in Path(out).glob(".kzx-staging-*"):
        shutil.rmtree(p, ignore_errors=True)


def _read_manifest(out: Path) -> dict | None:
    path = Path(out) / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise OutputError(f"{path} cannot be read: {e}", "run kzx extract again into this folder")
    return data if isinstance(data, dict) else None


_VERIFIED: dict = {}    # (out, manifest stat, table stats) → True: each set is checksummed once per process


def verify(out: Path) -> dict | None:
    """The manifest of OUT, after checking that every table in OUT is the one it records (rows and
    sha256). Raises OutputError for a mixed or half-committed set; None for a folder with no output."""
    out = Path(out)
    tables = sorted(p for p in out.glob("*.parquet") if p.stem in SCHEMAS)
    try:
        return _verify(out, tables)
    except OutputError as e:
        if (out / JOURNAL).exists():
            raise OutputError(f"{out} holds a commit that was interrupted, its tables a mix of two runs "
                              f"({e.message})", e.hint) from None
        raise


def _verify(out: Path, tables: list[Path]) -> dict | None:
    hint = "run the same kzx command again: it finishes or undoes the interrupted commit"
    manifest = _read_manifest(out)
    if manifest is None:
        if tables or any(_part_files(out, t) for t in SCHEMAS if (out / t).is_dir()):    # also OUT/<table>/ parts
            raise OutputError(f"{out} has tables but no {MANIFEST}: they may come from different runs", hint)
        return None
    entries = manifest.get("tables") or {}
    parts = manifest.get("parts") or {}          # the partitioned layout: each part's rows and sha256
    folders = [p for t in parts for p in _part_files(out, t)]
    key = (str(out.resolve()), os.stat(out / MANIFEST).st_mtime_ns,
           tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in tables + folders))
    if _VERIFIED.get(str(out.resolve())) == key:
        return manifest
    for p in tables:
        if p.stem not in entries:
            raise OutputError(f"{p} is not part of the run {MANIFEST} records", hint)
    for name, entry in entries.items():
        path = out / f"{name}.parquet"
        if not path.is_file() and (path.is_dir() or (out / name).is_dir()):
            if name in parts:
                _verify_parts(out, name, parts[name], hint)
            continue                  # else a dataset folder of parts written by other tools: not checked here
        if not path.is_file():
            raise OutputError(f"{path} is missing: {MANIFEST} records it", hint)
        rows = entry if isinstance(entry, int) else entry.get("rows")    # an older manifest: counts only
        if pq.ParquetFile(path).metadata.num_rows != rows:
            raise OutputError(f"{path} does not hold the {rows} rows {MANIFEST} records", hint)
        if isinstance(entry, dict) and entry.get("sha256") and file_sha256(path) != entry["sha256"]:
            raise OutputError(f"{path} is not the table {MANIFEST} records (checksum differs)", hint)
    _VERIFIED[str(out.resolve())] = key
    return manifest



def part_folder(out: Path, name: str) -> Path:
    """Where table `name`'s parts are: OUT/<name>/ (kzx's partitioned layout) or OUT/<name>.parquet/."""
    return out / f"{name}.parquet" if (out / f"{name}.parquet").is_dir() else out / name


def _part_files(out: Path, name: str) -> list[Path]:
    folder = part_folder(out, name)
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(".")) if folder.is_dir() else []


def _verify_parts(out: Path, name: str, recorded: dict, hint: str) -> None:
    """Every part of a partitioned table is the one the manifest records: no part more or less, each
    with its rows and sha256."""
    files = {p.name: p for p in _part_files(out, name)}
    for part in sorted(set(files) - set(recorded)):
        raise OutputError(f"{files[part]} is not part of the run {MANIFEST} records", hint)
    for part, entry in sorted(recorded.items()):
        path = part_folder(out, name) / part
        if part not in files:
            raise OutputError(f"{path} is missing: {MANIFEST} records it", hint)
        if pq.ParquetFile(path).metadata.num_rows != entry.get("rows"):
            raise OutputError(f"{path} does not hold the {entry.get('rows')} rows {MANIFEST} records", hint)
        if entry.get("sha256") and file_sha256(path) != entry["sha256"]:
            raise OutputError(f"{path} is not the part {MANIFEST} records (checksum differs)", hint)
