"""Rows → Parquet tables with fixed pyarrow schemas, written atomically as one set.

Tables are written to a staging folder inside OUT as they stream in (row groups of bounded
size, so memory stays flat), then moved into place together; manifest.json is removed
first and written last, so a folder whose manifest names the run holds only that run's tables.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

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
        ("language", S), ("repeat_of", S)]),
}
ROW_GROUP = 20_000
MANIFEST = "manifest.json"


class TableSet:
    """Streams rows into staged Parquet files; `commit()` moves them into OUT together."""

    def __init__(self, out: Path, tables):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.stage = self.out / f".kzx-staging-{uuid.uuid4().hex[:8]}"
        self.stage.mkdir()
        self.tables = list(tables)
        self.buffers: dict[str, list[dict]] = {t: [] for t in self.tables}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = {t: 0 for t in self.tables}

    def add(self, table: str, rows) -> None:
        buf = self.buffers[table]
        buf.extend(rows)
        if len(buf) >= ROW_GROUP or (table == "documents" and len(buf) >= 64):
            self._flush(table)

    def _flush(self, table: str) -> None:
        buf = self.buffers[table]
        if not buf and table in self.writers:
            return
        schema = SCHEMAS[table]
        batch = pa.Table.from_pylist(buf, schema=schema)
        if table not in self.writers:
            self.writers[table] = pq.ParquetWriter(self.stage / f"{table}.parquet", schema)
        if buf:
            self.writers[table].write_table(batch)
        self.counts[table] += len(buf)
        buf.clear()

    def commit(self, manifest: dict, merge: bool = False, stale=()) -> None:
        """Move the staged tables into OUT. `merge`: a single stage's run keeps the other tables;
        `stale`: tables built from the old versions of these, removed so no run's tables mix."""
        for t in self.tables:
            self._flush(t)
            self.writers[t].close()
        for t in self.tables:                      # fsync before the move makes it visible
            with open(self.stage / f"{t}.parquet", "rb") as f:
                os.fsync(f.fileno())
        prev_manifest = (self.out / MANIFEST).read_text(encoding="utf-8") if merge and (self.out / MANIFEST).exists() else None
        (self.out / MANIFEST).unlink(missing_ok=True)
        for t in stale:
            (self.out / f"{t}.parquet").unlink(missing_ok=True)
        for t in self.tables:
            target = self.out / f"{t}.parquet"
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(self.stage / f"{t}.parquet", target)
        counts = {t: self.counts[t] for t in self.tables}
        if prev_manifest:
            try:
                prev = json.loads(prev_manifest)
                counts = dict({k: v for k, v in prev.get("tables", {}).items() if k not in stale}, **counts)
                manifest = dict(prev, **manifest)
            except (OSError, ValueError):
                pass
        manifest = dict(manifest, tables=counts)
        tmp = self.stage / MANIFEST
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str), encoding="utf-8")
        os.replace(tmp, self.out / MANIFEST)
        shutil.rmtree(self.stage, ignore_errors=True)

    def abort(self) -> None:
        for w in self.writers.values():
            try:
                w.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        shutil.rmtree(self.stage, ignore_errors=True)


def clean_stale_staging(out: Path) -> None:
    """Remove staging folders a killed run left behind (they never hold visible tables)."""
    for p in Path(out).glob(".kzx-staging-*"):
        shutil.rmtree(p, ignore_errors=True)
