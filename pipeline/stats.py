"""Output folder → counts per document and kind; compare an output with a committed baseline.

Baseline format (documented in README, "kzx in your CI"):
- version 2, JSON (`--update` writes it to a `.json` path): `{"kzx_baseline": 2, "counts": [[doc_id,
  kind, count], ...], "sums": [[kind, unit, sum of value_max], ...], "linked_projects": N,
  "dated_figures": N, "resolved_dates": N, "figures": [[doc_id, kind, text, value], ...]}`, one row a line.
- version 1: a sorted CSV `doc_id,kind,count` (or a JSON list of such rows): counts only.
Small and diff-friendly, so a rule change shows its effect in numbers in the same commit.
"""
from __future__ import annotations

import io
import json
import math
import os
from collections import Counter
from pathlib import Path

import pandas as pd

from .errors import UsageError
from .tables import read_table

CORE = ["money", "percent", "date", "project"]
TOTAL = "(all)"
VERSION = 2
DRIFT = 3          # exit code of `kzx check` when the output drifted from the baseline


def _tables(out):
    out = Path(out)
    if not out.is_dir():
        raise UsageError(f"no such output folder ({out})", "run kzx extract IN -o OUT first")
    docs, figs = read_table(out, "documents"), read_table(out, "figures")
    if docs is None or figs is None:
        raise UsageError(f"no documents or figures table ({out})", "run kzx extract IN -o OUT first")
    doc_ids = docs.column("doc_id").to_pylist()
    dup = [d for d, n in Counter(doc_ids).items() if n > 1]
    if dup:
        raise UsageError(f"{len(dup)} doc_ids stand for several documents, e.g. {dup[0]!r} "
                         f"({out / 'documents.parquet'})", "re-run kzx extract: this version gives unique ids")
    return out, doc_ids, figs


def count_table(out) -> pd.DataFrame:
    _, doc_ids, figs = _tables(out)
    return _counts(doc_ids, figs.select(["doc_id", "kind"]).to_pandas())


def _counts(doc_ids, f: pd.DataFrame) -> pd.DataFrame:
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


# ---------------------------------------------------------------- what a baseline records
def _num(v) -> str:
    return "null" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.6g}"


def figure_value(r: dict) -> str:
    """A figure's normalized value as one comparable string: '2e+12 KZT', '1..3 %', a date range, a name."""
    if r["kind"] == "project":
        return str(r.get("name"))
    if r["kind"] == "date":
        return f"{r.get('date_start')}..{r.get('date_end')}"
    lo, hi = _num(r.get("value_min")), _num(r.get("value_max"))
    return f"{hi if lo == hi else lo + '..' + hi} {r.get('unit')}"


def snapshot(out) -> dict:
    """Everything `kzx check` compares, as the version-2 baseline holds it."""
    out, doc_ids, figs = _tables(out)
    f = figs.to_pandas()
    links = read_table(out, "links")
    links = links.to_pandas() if links is not None else pd.DataFrame(columns=["source_id", "target_id", "relation"])
    sums = (f.dropna(subset=["value_max"]).groupby(["kind", "unit"])["value_max"].sum()
            if len(f) else pd.Series(dtype=float))
    order = f.sort_values(["doc_id", "start_char", "end_char", "kind"], kind="stable") if len(f) else f
    return {
        "kzx_baseline": VERSION,
        "counts": [list(r) for r in _counts(doc_ids, f[["doc_id", "kind"]]).itertuples(index=False)],
        "sums": [[k, u, float(v)] for (k, u), v in sums.items()],
        "linked_projects": int(links[links.relation == "funds"].target_id.nunique()),
        "dated_figures": int(links[links.relation == "dated"].source_id.nunique()),
        "resolved_dates": int(((f.kind == "date") & f.date_start.notna()).sum()) if len(f) else 0,
        "figures": [[r["doc_id"], r["kind"], r["text"], figure_value(r)] for r in order.to_dict("records")],
    }


def _dump(snap: dict) -> str:
    """JSON with one row a line, so a baseline diff reads row by row."""
    parts = []
    for k, v in snap.items():
        if isinstance(v, list):
            rows = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in v)
            parts.append(f"{json.dumps(k)}: [\n{rows}\n ]" if v else f"{json.dumps(k)}: []")
        else:
            parts.append(f"{json.dumps(k)}: {json.dumps(v)}")
    return "{" + ",\n ".join(parts) + "}\n"


def read_baseline(path: Path) -> dict:
    """A baseline of either version → the version-2 dict (a version 1 one has counts only)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"baseline is a folder, not a file ({path})", "give the baseline file, e.g. kzx_baseline.json")
    if not path.exists():
        raise UsageError(f"baseline does not exist ({path})", "create it with --update")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if text.lstrip().startswith(("{", "[")) else None
        if isinstance(data, dict):
            version = data.get("kzx_baseline")
            if not isinstance(version, int):
                raise ValueError("no kzx_baseline version field")
            if version > VERSION:
                raise UsageError(f"baseline version {version} is newer than this kzx reads ({path})",
                                 "upgrade kzx, or rewrite the baseline with --update")
            need = {"counts", "sums", "linked_projects", "dated_figures", "figures"} - set(data)
            if need:
                raise ValueError(f"lacks {sorted(need)}")
            data["counts"] = pd.DataFrame(data["counts"], columns=["doc_id", "kind", "count"])
            return data
        df = pd.DataFrame(data) if data is not None else pd.read_csv(
            io.StringIO(text), dtype={"doc_id": str, "kind": str, "count": "int64"})
        missing = {"doc_id", "kind", "count"} - set(df.columns)
        if missing:
            raise ValueError(f"lacks columns {sorted(missing)}")
        return {"kzx_baseline": 1, "counts": df[["doc_id", "kind", "count"]].astype({"count": "int64"})}
    except UsageError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, TypeError, pd.errors.ParserError) as e:
        raise UsageError(f"not a kzx baseline: {e} ({path})",
                         "a baseline is written by kzx check OUT --baseline FILE --update")


def _allowed(base: float, tol: str) -> float:
    tol = str(tol).strip()
    try:
        return abs(base) * float(tol[:-1]) / 100 if tol.endswith("%") else float(tol)
    except ValueError:
        raise UsageError(f"tolerance {tol!r} is not a number or a percentage", "e.g. 3 or 5%")


def write_baseline(path: Path, out) -> str:
    """--update: the current output as the baseline, written atomically (temporary file, then rename)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"baseline is a folder, not a file ({path})", "give the baseline file, e.g. kzx_baseline.json")
    if not path.parent.is_dir():
        raise UsageError(f"the baseline's folder does not exist ({path.parent})", "create the folder first")
    if path.suffix.lower() == ".csv":        # version 1 kept where it is used
        text, what = render(count_table(out), "csv") + "\n", "version 1, counts only"
    else:
        snap = snapshot(out)
        text, what = _dump(snap), f"version {VERSION}, {len(snap['figures'])} figures"
    tmp = path.with_name(f".{path.name}.kzx-tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return f"baseline {path} updated ({what})"


# ---------------------------------------------------------------- the comparison
def compare(out, baseline, tolerance="0", sum_tolerance=None, figure_tolerance=None, show: int = 20,
            link_tolerance=None) -> dict:
    """Every difference between OUT and the baseline that is over its tolerance."""
    base = read_baseline(baseline)
    _allowed(0, tolerance)
    st, ft, lt = sum_tolerance or tolerance, figure_tolerance or tolerance, link_tolerance or tolerance
    now = snapshot(out)
    report = {"baseline": str(baseline), "version": base["kzx_baseline"], "tolerance": tolerance, "drift": False}
    m = base["counts"].merge(pd.DataFrame(now["counts"], columns=["doc_id", "kind", "count"]), on=["doc_id", "kind"],
                             how="outer", suffixes=("_baseline", "_now")).fillna(0)
    m = m.astype({"count_baseline": int, "count_now": int})
    m["difference"] = m.count_now - m.count_baseline
    bad = m[[abs(d) > _allowed(b, tolerance) for d, b in zip(m.difference, m.count_baseline)]]
    report["counts"] = {"rows": len(m), "differ": bad.rename(columns={"count_baseline": "baseline", "count_now": "now"})
                        .sort_values(["doc_id", "kind"]).to_dict("records")}
    if base["kzx_baseline"] >= 2:
        report["sums"] = _sums(base["sums"], now["sums"], st)
        report["links"] = {k: {"baseline": base.get(k), "now": now[k]} for k in
                           ("linked_projects", "dated_figures", "resolved_dates") if base.get(k) is not None}
        report["links_differ"] = [k for k, v in report["links"].items()
                                  if abs(v["now"] - v["baseline"]) > _allowed(v["baseline"], lt)]
        report["figures"] = _figures(base["figures"], now["figures"], ft, show)
    report["drift"] = bool(report["counts"]["differ"] or report.get("sums", {}).get("differ")
                           or report.get("links_differ") or report.get("figures", {}).get("over"))
    return report


def _sums(base, now, tol) -> dict:
    b = {(k, u): v for k, u, v in base}
    n = {(k, u): v for k, u, v in now}
    differ = []
    for key in sorted(set(b) | set(n), key=str):
        x, y = b.get(key, 0.0), n.get(key, 0.0)
        if abs(y - x) > max(_allowed(x, tol), 1e-9 * max(abs(x), abs(y))):
            differ.append({"kind": key[0], "unit": key[1], "baseline": x, "now": y, "difference": y - x})
    return {"rows": len(set(b) | set(n)), "differ": differ}


def _keyed(figures) -> dict:
    """(doc_id, kind, text, n-th such) → value: the same text twice in a document is two figures."""
    seen: Counter = Counter()
    out = {}
    for doc_id, kind, text, value in figures:
        k = (doc_id, kind, text)
        out[k + (seen[k],)] = value
        seen[k] += 1
    return out


def _figures(base, now, tol, show: int) -> dict:
    b, n = _keyed(base), _keyed(now)
    changes = ([{"change": "appeared", "doc_id": k[0], "kind": k[1], "text": k[2], "now": n[k]} for k in n if k not in b]
               + [{"change": "disappeared", "doc_id": k[0], "kind": k[1], "text": k[2], "baseline": b[k]}
                  for k in b if k not in n]
               + [{"change": "changed", "doc_id": k[0], "kind": k[1], "text": k[2], "baseline": b[k], "now": n[k]}
                  for k in b if k in n and b[k] != n[k]])
    changes.sort(key=lambda c: (c["doc_id"], c["kind"], c["text"], c["change"]))
    count = Counter(c["change"] for c in changes)
    return {"baseline": len(b), "now": len(n), "appeared": count["appeared"], "disappeared": count["disappeared"],
            "changed": count["changed"], "over": len(changes) > _allowed(len(b), tol), "first": changes[:show]}


def render_report(r: dict, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(r, indent=1, ensure_ascii=False, default=str)
    if fmt != "text":
        raise UsageError(f"--format {fmt!r} is not one of text, json")
    figs = r.get("figures")
    if not r["drift"]:
        what = f"{r['counts']['rows']} counts" + (f", {r['sums']['rows']} sums, {figs['now']} figures" if figs else "")
        old = "" if r["version"] >= 2 else "; a version 1 baseline (counts only): --update to a .json file records more"
        return f"no drift from the baseline {r['baseline']}: {what} (tolerance {r['tolerance']}){old}"
    lines = [f"drift from the baseline {r['baseline']} (tolerance {r['tolerance']}):"]
    bad = r["counts"]["differ"]
    if bad:
        lines.append(f"counts: {len(bad)} of {r['counts']['rows']} differ")
        lines += ["  " + ln for ln in pd.DataFrame(bad).to_string(index=False).splitlines()]
    if r.get("sums", {}).get("differ"):
        lines.append(f"sums of value_max: {len(r['sums']['differ'])} of {r['sums']['rows']} differ")
        lines += ["  " + ln for ln in pd.DataFrame(r["sums"]["differ"]).to_string(index=False).splitlines()]
    for k in r.get("links_differ", []):
        v = r["links"][k]
        lines.append(f"{k.replace('_', ' ')}: {v['baseline']} → {v['now']} ({v['now'] - v['baseline']:+d})")
    if figs and figs["over"]:
        n = figs["appeared"] + figs["disappeared"] + figs["changed"]
        lines.append(f"figures: {figs['appeared']} appeared, {figs['disappeared']} disappeared, {figs['changed']} "
                     f"changed value (of {figs['baseline']}); first {min(n, len(figs['first']))}:")
        sign = {"appeared": "+", "disappeared": "-", "changed": "~"}
        for c in figs["first"]:
            value = {"appeared": c.get("now"), "disappeared": c.get("baseline"),
                     "changed": f"{c.get('baseline')} → {c.get('now')}"}[c["change"]]
            lines.append(f"  {sign[c['change']]} {c['doc_id']} {c['kind']} {c['text']!r}: {value}")
    lines.append("If the change is intended: kzx check OUT --baseline FILE --update")
    return "\n".join(lines)


def check_counts(out, baseline, tolerance: str = "0", update: bool = False, fmt: str = "text",
                 sum_tolerance=None, figure_tolerance=None, show: int = 20, link_tolerance=None) -> tuple[int, str]:
    """(exit code, message): 0 no drift or updated, 3 drift (DRIFT)."""
    if update:
        return 0, write_baseline(Path(baseline), out)
    r = compare(out, baseline, tolerance, sum_tolerance, figure_tolerance, show, link_tolerance)
    return (DRIFT if r["drift"] else 0), render_report(r, fmt)
