"""`kzx report OUT -o report.html`: one self-contained HTML file to look at a run's extractions.

Gathers the overview, the chart data and the documents to show in full, reading only the
columns and documents it needs (tables.py); report_html.py turns that into the page.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import tables
from .errors import UsageError

CORE = ("money", "percent", "date", "project")
MAX_DOC_CHARS = 100_000    # a document's full view shows at most this much text: the file size stays bounded
MAX_ERRORS = 500           # error rows listed (all are counted)
GENERATOR = "kzx report"   # marks a file as ours: only such a file is replaced


@dataclass
class DocView:
    doc_id: str
    title: str
    language: str
    published: str
    url: str
    text: str
    cut: int                     # characters left out (text longer than MAX_DOC_CHARS)
    figures: list[dict]          # those inside the shown text, with their details
    hidden_figures: int = 0      # figures beyond the cut


@dataclass
class Report:
    out: str
    manifest: dict
    n_documents: int
    n_sentences: int
    undated: int
    by_kind_language: pd.DataFrame
    errors: pd.DataFrame
    n_errors: int
    index: pd.DataFrame                      # one row per document: ids, title, counts per kind
    views: list[DocView] = field(default_factory=list)
    money_by_project: pd.Series = None
    figures_by_year: pd.DataFrame = None
    percent_by_speaker: pd.Series = None
    notes: dict = field(default_factory=dict)


def _df(out, name, columns=None, doc_ids=None) -> pd.DataFrame:
    return tables.read(out, name, columns, doc_ids).to_pandas()


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT else str(v)


def facts(out) -> pd.DataFrame:
    """The columns of `facts` the charts use (money and percent figures with project, period,
    speaker and repeat_of); empty for a folder written before kzx had that table."""
    cols = ["figure_id", "doc_id", "kind", "value_min", "value_max", "unit", "project", "project_key",
            "period_start", "speaker", "published", "repeat_of"]
    return _df(out, "facts", cols)


def _year(v):
    return None if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) else v.year


def chart_data(f: pd.DataFrame):
    """(money by project, figures by year and kind, percent figures by speaker) from a facts frame;
    a figure that repeats an earlier one of its document counts once, in every chart."""
    fresh = f[f.repeat_of.isna()]
    kzt = fresh[(fresh.kind == "money") & (fresh.unit == "KZT") & fresh.project_key.notna()]
    amount = kzt.value_max.fillna(kzt.value_min)
    label = kzt.groupby("project_key").project.agg(lambda names: names.mode().iloc[0])   # variants of a name: the usual one
    money = amount.groupby(kzt.project_key).sum().sort_values(ascending=False).head(20)
    money.index = money.index.map(label)
    year = [_year(p) if _year(p) is not None else _year(d) for p, d in zip(fresh.period_start, fresh.published)]
    by_year = (fresh.assign(year=year).dropna(subset=["year"]).astype({"year": int})
               .groupby(["year", "kind"]).size().unstack(fill_value=0))
    pct = fresh[fresh.kind == "percent"]
    speakers = pct.speaker.dropna().value_counts().head(15)
    notes = {"undated_figures": int(sum(y is None for y in year)), "unattributed_percent": int(pct.speaker.isna().sum()),
             "repeats": int(f.repeat_of.notna().sum())}
    return money, by_year, speakers, notes


def _fmt_number(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.6g}"


def _value(row) -> str:
    lo, hi = _fmt_number(row.value_min), _fmt_number(row.value_max)
    return lo if lo == hi else f"{lo} – {hi}".strip(" –")


def _interval(start, end, gran) -> str:
    s, e = _text(start), _text(end)
    if not s and not e:
        return ""
    span = s if s == e else f"{s} – {e}"
    return f"{span} ({gran})" if _text(gran) else span


def _details(figs: pd.DataFrame, links: pd.DataFrame, claims: pd.DataFrame) -> list[dict]:
    """Every figure of the shown documents with what a reader checks: value, unit, links, claim."""
    by_id = figs.set_index("figure_id")
    linked: dict[tuple, str] = {}
    for r in links.itertuples():
        if r.target_id in by_id.index:
            t = by_id.loc[r.target_id]
            label = t["name"] if r.relation == "funds" else f"{t['text']} ({_interval(t.date_start, t.date_end, '')})"
            linked.setdefault((r.source_id, r.relation), _text(label))
    claim = {(r.doc_id, r.sentence_id): (_text(r.speaker), _text(r.claim_type)) for r in claims.itertuples()}
    rows = []
    for r in figs.itertuples():
        speaker, ctype = claim.get((r.doc_id, r.sentence_id), ("", "")) if r.kind in ("money", "percent") else ("", "")
        if ctype and not speaker:
            speaker = "(none found)"          # a claim without a speaker: say so rather than leave it out
        d = {"id": r.figure_id, "doc_id": r.doc_id, "start": int(r.start_char), "end": int(r.end_char),
             "kind": r.kind, "text": r.text, "value": _value(r), "unit": _text(r.unit), "qualifier": _text(r.qualifier),
             "interval": _interval(r.date_start, r.date_end, r.granularity), "name": _text(r.name),
             "program": _text(getattr(r, "program", None)), "rule": r.rule,
             "note": _text(r.note), "project": linked.get((r.figure_id, "funds"), ""),
             "date": linked.get((r.figure_id, "dated"), ""), "speaker": speaker, "claim_type": ctype}
        rows.append({k: v for k, v in d.items() if v != ""})
    return rows


def _pick(index: pd.DataFrame, max_docs: int, sample: bool) -> list[str]:
    """Documents shown in full: the most figures first, or a stable pseudo-random sample."""
    if sample:
        order = sorted(index.doc_id, key=lambda d: hashlib.sha256(d.encode("utf-8")).hexdigest())
    else:
        order = list(index.sort_values(["n_figures", "doc_id"], ascending=[False, True], kind="stable").doc_id)
    return order[:max(0, max_docs)]


def _views(out, doc_ids: list[str]) -> list[DocView]:
    if not doc_ids:
        return []
    docs = _df(out, "documents", ["doc_id", "title", "language", "published", "url", "text"], doc_ids)
    figs = _df(out, "figures", None, doc_ids)
    links = _df(out, "links", None, doc_ids)
    claims = _df(out, "claims", None, doc_ids)
    details = _details(figs, links, claims)
    per_doc: dict[str, list[dict]] = {}
    for d in details:
        per_doc.setdefault(d["doc_id"], []).append(d)
    docs = docs.set_index("doc_id")
    views = []
    for doc_id in doc_ids:
        if doc_id not in docs.index:
            continue
        row = docs.loc[doc_id]
        text = row.text or ""
        shown = text[:MAX_DOC_CHARS]
        fl = per_doc.get(doc_id, [])
        inside = [f for f in fl if 0 <= f["start"] <= f["end"] <= len(shown)]
        views.append(DocView(doc_id, _text(row.title), _text(row.language), _text(row.published), _text(row.url),
                             shown, len(text) - len(shown), inside, len(fl) - len(inside)))
    return views


def build(out, max_docs: int = 200, sample: bool = False) -> Report:
    out = Path(out)
    if tables.table_path(out, "documents") is None:
        raise UsageError(f"{out} has no documents table", "run kzx extract first")
    docs = _df(out, "documents", ["doc_id", "title", "language", "published"])
    figs = _df(out, "figures", ["doc_id", "kind"])
    counts = figs.groupby(["doc_id", "kind"]).size()
    kinds = list(CORE) + sorted(set(figs.kind) - set(CORE))
    index = docs.copy()
    for k in kinds:
        per_doc = counts.xs(k, level="kind") if k in set(figs.kind) else pd.Series(dtype="int64")
        index[k] = index.doc_id.map(per_doc).fillna(0).astype(int)
    index["n_figures"] = index[kinds].sum(axis=1)
    lang = figs.merge(docs[["doc_id", "language"]], on="doc_id", how="left")
    by_kl = lang.groupby(["kind", "language"]).size().unstack(fill_value=0).reindex(kinds, fill_value=0)
    errors = _df(out, "errors")
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    rep = Report(out=str(out), manifest=manifest, n_documents=len(docs), n_sentences=tables.count_rows(out, "sentences"),
                 undated=int(docs.published.isna().sum()), by_kind_language=by_kl, errors=errors.head(MAX_ERRORS),
                 n_errors=len(errors), index=index)
    rep.money_by_project, rep.figures_by_year, rep.percent_by_speaker, rep.notes = chart_data(facts(out))
    rep.notes["no_facts"] = tables.table_path(out, "facts") is None
    rep.views = _views(out, _pick(index, max_docs, sample))
    return rep


def write_report(out, html_path, max_docs: int = 200, sample: bool = False) -> str:
    """Build the report of OUT into html_path (atomically); returns the summary line."""
    from .report_html import render

    html_path = Path(html_path)
    if max_docs < 0:
        raise UsageError("--max-docs must be 0 or more")
    if html_path.is_dir():
        raise UsageError(f"-o {html_path} is a folder", "give a file name, e.g. report.html")
    if html_path.exists() and GENERATOR not in html_path.read_text(encoding="utf-8", errors="replace")[:2000]:
        raise UsageError(f"{html_path} exists and is not a kzx report; not replacing it", "choose another -o")
    rep = build(out, max_docs, sample)
    page = render(rep)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, html_path)
    shown = sum(len(v.figures) for v in rep.views)
    size = html_path.stat().st_size
    return (f"{html_path}: {rep.n_documents} documents ({len(rep.views)} in full, at most {max_docs}), "
            f"{shown} figures marked, {rep.n_errors} errors; {size / 1024:,.0f} KB")
