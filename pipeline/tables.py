"""Read an output folder's tables in either layout: OUT/<table>.parquet or OUT/<table>/part-*.parquet.

Readers ask for the columns and documents they need, so a large run is never loaded whole.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from .write import SCHEMAS, verify


def table_path(out, name: str) -> Path | None:
    """The file or the folder of parts holding table `name`, or None when OUT has neither."""
    out = Path(out)
    single = out / f"{name}.parquet"
    if single.is_file():
        return single
    for folder in (single, out / name):        # a dataset folder, with or without the suffix
        if folder.is_dir() and _files(folder):
            return folder
    return None


def _files(path: Path) -> list[Path]:
    """A table's file, or the parts of a folder (a dot-file is an unfinished write, never a part)."""
    return sorted(p for p in path.glob("*.parquet") if not p.name.startswith(".")) if path.is_dir() else [path]


def read(out, name: str, columns=None, doc_ids=None) -> pa.Table:
    """Table `name` of OUT (only `columns`, only the rows of `doc_ids`); empty with its schema if absent.
    Refuses (OutputError) a folder whose tables do not match its manifest."""
    verify(out)
    path = table_path(out, name)
    schema = SCHEMAS.get(name)
    if path is None:
        empty = schema if schema is not None else pa.schema([])
        if columns:
            empty = pa.schema([empty.field(c) for c in columns if c in empty.names])
        return empty.empty_table()
    files = _files(path)
    data = ds.dataset([str(f) for f in files], format="parquet")
    where = None
    if doc_ids is not None and "doc_id" in data.schema.names:
        where = ds.field("doc_id").isin(sorted(set(doc_ids)))
    cols = [c for c in columns if c in data.schema.names] if columns else None
    return data.to_table(columns=cols, filter=where)


def read_table(out, name: str) -> pa.Table | None:
    """Table `name` of OUT whole, or None when OUT has no such table."""
    return read(out, name) if table_path(out, name) is not None else None


def count_rows(out, name: str) -> int:
    verify(out)
    path = table_path(out, name)
    if path is None:
        return 0
    files = _files(path)
    return ds.dataset([str(f) for f in files], format="parquet").count_rows()
