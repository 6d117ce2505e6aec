"""Output folder → counts per document and kind; compare them with a committed baseline.

The baseline is a sorted CSV (doc_id,kind,count) or JSON list of the same rows, small and
diff-friendly, so a rule change shows its effect in numbers in the same commit.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from .errors import UsageError
from .tables import read_table

CORE = ["money", "percent", "date", "project"]
TOTAL = "(all)"


def count_table(out) -> pd.DataFrame:
    out = Path(out)
    docs, figs = read_table(out, "documents"), read_table(out, "figures")
    if docs is None or figs is None:
        raise UsageError(f"{out} has no documents or figures table", "run kzx extract first")
    doc_ids = docs.column("doc_id").to_pylist()
    f = figs.select(["doc_id", "kind"]).to_pandas()
    kinds = sorted(set(CORE) | set(f["kind"]))
    counts = f.groupby(["doc_id", "kind"]).size()
    rows = [(d, k, int(counts.get((d, k), 0))) for d in doc_ids for k in kinds]
    rows += [(TOTAL, k, int(f["kind"].eq(k).sum())) for k in kinds]
    return pd.DataFrame(sorted(rows), columns=["doc_id", "kind", "count"])


def render(df: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return df.to_csv(index=False).rstrip("\n")
    if fmt == "json":
        return json.dumps(df.to_dict("records"), indent=1, ensure_ascii=False)
    if fmt != "table":
        raise UsageError(f"--format {fmt!r} is not one of table, csv, json")
    wide = df.pivot(index="doc_id", columns="kind", values="count").fillna(0).astype(int)
    order = [d for d in wide.index if d != TOTAL] + [TOTAL]
    return wide.loc[order].to_string()


def read_baseline(path: Path) -> pd.DataFrame:
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix.lower() == ".json":
        df = pd.DataFrame(json.loads(text))
    else:
        df = pd.read_csv(io.StringIO(text), dtype={"doc_id": str, "kind": str, "count": "int64"})
    missing = {"doc_id", "kind", "count"} - set(df.columns)
    if missing:
        raise UsageError(f"baseline {path} lacks columns {sorted(missing)}")
    return df[["doc_id", "kind", "count"]]


def _allowed(base: int, tol: str) -> float:
    tol = tol.strip()
    try:
        return abs(base) * float(tol[:-1]) / 100 if tol.endswith("%") else float(tol)
    except ValueError:
        raise UsageError(f"--tolerance {tol!r} is not a number or a percentage", "e.g. 3 or 5%")


def check_counts(out, baseline, tolerance: str = "0", update: bool = False) -> tuple[int, str]:
    now = count_table(out)
    baseline = Path(baseline)
    if update:
        text = render(now, "json") if baseline.suffix.lower() == ".json" else render(now, "csv")
        baseline.write_text(text + "\n", encoding="utf-8")
        return 0, f"baseline {baseline} updated: {len(now)} rows"
    if not baseline.exists():
        raise UsageError(f"baseline {baseline} does not exist", "create it with --update")
    base = read_baseline(baseline)
    merged = base.merge(now, on=["doc_id", "kind"], how="outer", suffixes=("_baseline", "_now")).fillna(0)
    merged["count_baseline"] = merged["count_baseline"].astype(int)
    merged["count_now"] = merged["count_now"].astype(int)
    merged["difference"] = merged["count_now"] - merged["count_baseline"]
    bad = merged[[abs(d) > _allowed(b, tolerance) for d, b in zip(merged["difference"], merged["count_baseline"])]]
    if bad.empty:
        return 0, f"counts match the baseline {baseline} ({len(merged)} rows, tolerance {tolerance})"
    table = bad.rename(columns={"count_baseline": "baseline", "count_now": "now"}).sort_values(["doc_id", "kind"])
    return 1, (f"{len(bad)} counts differ from the baseline {baseline} (tolerance {tolerance}):\n"
               + table.to_string(index=False) + "\nIf the change is intended: kzx check OUT --baseline FILE --update")
