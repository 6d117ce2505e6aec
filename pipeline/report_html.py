"""Report → one HTML page: inline CSS, inline JavaScript, charts as inline SVG (matplotlib).

matplotlib draws the charts here, at build time, as SVG text: the page needs no chart script,
opens from disk with no network, and prints as it shows.
"""
from __future__ import annotations

import html
import io
import json

from .report import CORE, GENERATOR, Report

COLOURS = {"money": "#ffd54f", "percent": "#81d4fa", "date": "#a5d6a7", "project": "#ce93d8",
           "quantity": "#ffab91", "count": "#b0bec5", "multiplier": "#f48fb1", "duration": "#e6ee9c"}
OTHER = "#e0e0e0"
DETAIL_FIELDS = [("value", "value"), ("unit", "unit"), ("qualifier", "qualifier"), ("interval", "interval"),
                 ("name", "name"), ("program", "known program"), ("rule", "rule"), ("project", "linked project"), ("date", "linked date"),
                 ("speaker", "speaker"), ("claim_type", "claim type"), ("note", "note")]

E = html.escape


def _svg(fig, salt: str) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):   # text stays text; ids unique per chart
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_money(series) -> str:
    if series is None or series.empty:
        return '<p class="empty">No tenge amount is linked to a project.</p>'
    plt = _plt()
    s = series.iloc[::-1] / 1e9
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(s) + 1.0))
    ax.barh([n if len(n) <= 45 else n[:44] + "…" for n in s.index], s.values, color=COLOURS["money"], edgecolor="#8d6e00")
    ax.set_xlabel("billion KZT (repeats excluded)")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "money")


def chart_years(frame) -> str:
    if frame is None or frame.empty:
        return '<p class="empty">No money or percent figure has a year.</p>'
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    bottom = None
    years = [str(y) for y in frame.index]
    for kind in frame.columns:
        vals = frame[kind].values
        ax.bar(years, vals, bottom=bottom, label=kind, color=COLOURS.get(kind, OTHER), edgecolor="#555", linewidth=0.5)
        bottom = vals if bottom is None else bottom + vals
    ax.set_ylabel("figures")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if len(years) > 12:
        ax.tick_params(axis="x", labelrotation=60)
    return _svg(fig, "years")


def chart_speakers(series) -> str:
    if series is None or series.empty:
        return '<p class="empty">No percent figure is attributed to a speaker.</p>'
    plt = _plt()
    s = series.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(s) + 1.0))
    ax.barh(list(s.index), s.values, color=COLOURS["percent"], edgecolor="#01579b")
    ax.set_xlabel("percent figures")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "speakers")


def marked(text: str, figures: list[dict]) -> str:
    """The text with one <mark> per figure. A figure inside another (a date inside a project's
    name) nests; one that crosses the end of an enclosing mark is cut at that end."""
    out, pos, stack = [], 0, []
    for f in sorted(figures, key=lambda f: (f["start"], -f["end"])):
        start, end = f["start"], f["end"]
        while stack and stack[-1] <= start:
            close = stack.pop()
            out.append(E(text[pos:close]) + "</mark>")
            pos = close
        if stack:
            end = min(end, stack[-1])
        out.append(E(text[pos:start]))
        pos = start
        out.append(f'<mark class="k" data-kind="{E(f["kind"])}" data-figure-id="{E(f["id"])}">')
        stack.append(end)
    while stack:
        close = stack.pop()
        out.append(E(text[pos:close]) + "</mark>")
        pos = close
    out.append(E(text[pos:]))
    return "".join(out)


def _table(frame, index_name="") -> str:
    head = "".join(f"<th>{E(str(c))}</th>" for c in frame.columns)
    rows = "".join(f"<tr><th>{E(str(i))}</th>" + "".join(f"<td>{E(str(v))}</td>" for v in r) + "</tr>"
                   for i, r in zip(frame.index, frame.values))
    return f"<table><thead><tr><th>{E(index_name)}</th>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _overview(rep: Report) -> str:
    n_figs = int(rep.by_kind_language.values.sum()) if rep.by_kind_language.size else 0
    share = f"{rep.undated / rep.n_documents:.0%}" if rep.n_documents else "–"
    cards = "".join(f'<div class="card"><b>{v}</b><span>{E(k)}</span></div>' for k, v in [
        ("documents", f"{rep.n_documents:,}"), ("sentences", f"{rep.n_sentences:,}"), ("figures", f"{n_figs:,}"),
        ("errors", f"{rep.n_errors:,}"), ("undated documents", f"{rep.undated:,} ({share})")])
    kl = rep.by_kind_language.copy()
    if kl.size:
        kl["all"] = kl.sum(axis=1)
    errs = '<p class="empty">No errors.</p>'
    if rep.n_errors:
        rows = "".join(f"<tr><td>{E(str(r.path))}</td><td>{E(str(r.stage))}</td><td>{E(str(r.error))}</td>"
                       f"<td>{E(str(r.message))}</td></tr>" for r in rep.errors.itertuples())
        more = f"<p>{rep.n_errors - len(rep.errors):,} more not listed.</p>" if rep.n_errors > len(rep.errors) else ""
        errs = (f'<table class="errors"><thead><tr><th>path</th><th>stage</th><th>error</th><th>reason</th></tr>'
                f"</thead><tbody>{rows}</tbody></table>{more}")
    return (f'<section id="overview"><h2>Overview</h2><div class="cards">{cards}</div>'
            f"<h3>Figures per kind and language</h3>{_table(kl, 'kind')}"
            f"<h3>Errors</h3>{errs}</section>")


def _charts(rep: Report) -> str:
    n = rep.notes
    old = ('<p class="cut">This folder has no <code>facts</code> table (an older kzx wrote it): '
           "re-run kzx extract to draw the charts.</p>") if n.get("no_facts") else ""
    return (
        f'<section id="charts"><h2>Charts</h2>{old}'
        f'<figure class="chart" id="chart-money">{chart_money(rep.money_by_project)}'
        "<figcaption>Money by project: the top 20 projects by tenge linked to them (funds links). In every chart "
        f"a figure repeating an earlier one of its document counts once ({n.get('repeats', 0)} repeats left out)."
        "</figcaption></figure>"
        f'<figure class="chart" id="chart-years">{chart_years(rep.figures_by_year)}'
        "<figcaption>Money and percent figures per year: the year of the linked period, else of the "
        f"document's publication ({n.get('undated_figures', 0)} figures have neither).</figcaption></figure>"
        f'<figure class="chart" id="chart-speakers">{chart_speakers(rep.percent_by_speaker)}'
        f"<figcaption>Percent figures by speaker (top 15; {n.get('unattributed_percent', 0)} have no speaker)."
        "</figcaption></figure></section>")


def _kinds(rep: Report) -> list[str]:
    extra = sorted(set(rep.by_kind_language.index) | {f["kind"] for v in rep.views for f in v.figures})
    return list(CORE) + [k for k in extra if k not in CORE]


def _index(rep: Report, shown: dict, kinds: list[str]) -> str:
    head = "".join(f"<th>{E(k)}</th>" for k in kinds)
    rows = []
    for r in rep.index.itertuples():
        title = E(r.title if isinstance(r.title, str) and r.title else r.doc_id)
        link = f'<a href="#doc-{shown[r.doc_id]}">{title}</a>' if r.doc_id in shown else title
        pub = "" if r.published is None or str(r.published) in ("NaT", "None", "nan") else str(r.published)
        counts = "".join(f"<td>{getattr(r, k, 0) if hasattr(r, k) else 0}</td>" for k in kinds)
        rows.append(f'<tr data-title="{E((str(r.title or "") + " " + r.doc_id).lower())}"><td>{link}</td>'
                    f"<td>{E(r.doc_id)}</td><td>{E(str(r.language or ''))}</td><td>{pub}</td>{counts}</tr>")
    return (f'<section id="index"><h2>All documents ({len(rep.index):,}; {len(shown):,} shown in full below)</h2>'
            f'<table class="index"><thead><tr><th>title</th><th>doc_id</th><th>lang</th><th>published</th>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def _doc(i: int, v) -> str:
    meta = " · ".join(E(x) for x in [v.doc_id, v.language, v.published] if x)
    url = f' · <a href="{E(v.url)}">source</a>' if v.url.startswith(("http://", "https://")) else ""
    cut = (f'<p class="cut">Text cut after {len(v.text):,} characters ({v.cut:,} more, with '
           f"{v.hidden_figures} figures, not shown).</p>") if v.cut else ""
    title = v.title or v.doc_id
    return (f'<section class="doc" id="doc-{i}" data-title="{E((v.title + " " + v.doc_id).lower())}">'
            f"<h3>{E(title)}</h3><p class=\"meta\">{meta}{url} · {len(v.figures)} figures</p>"
            f'<div class="text">{marked(v.text, v.figures)}</div>{cut}</section>')


CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}header p{margin:2px 0 0;color:#cfd8dc}
main{max-width:1100px;margin:0 auto;padding:8px 24px 60px}
h2{border-bottom:2px solid #cfd8dc;padding-bottom:4px;margin-top:32px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:22px}.card span{color:#666;font-size:13px}
table{border-collapse:collapse;background:#fff;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;font-size:13px}
td{font-variant-numeric:tabular-nums}table.index{width:100%}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px;margin:12px 0;padding:8px}.chart svg{max-width:100%;height:auto}
figcaption{color:#555;font-size:13px}.empty{color:#777;font-style:italic}
#controls{position:sticky;top:0;background:#eceff1;padding:8px 12px;border-bottom:1px solid #ccc;z-index:5;display:flex;flex-wrap:wrap;gap:10px;align-items:center}
#controls label{white-space:nowrap}#controls input[type=search]{padding:3px 6px;min-width:220px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:middle;margin-right:3px}
.doc{background:#fff;border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:4px 16px 12px;scroll-margin-top:90px}
.doc h3{margin:8px 0 0}.meta{color:#666;font-size:13px;margin:0 0 8px}.cut{color:#a00;font-size:13px}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
mark.k{border-radius:3px;padding:0 1px;cursor:pointer;color:inherit}
mark.k mark.k{outline:1px solid #555}
mark.k.pinned{outline:2px solid #d32f2f}
#tip{position:fixed;display:none;background:#fff;border:1px solid #888;border-radius:5px;box-shadow:0 2px 8px rgba(0,0,0,.25);padding:6px 10px;font-size:13px;max-width:420px;z-index:10;pointer-events:none}
#pin{position:fixed;right:12px;bottom:12px;background:#fff;border:2px solid #d32f2f;border-radius:6px;padding:6px 10px;font-size:13px;max-width:420px;display:none;z-index:9}
#tip table,#pin table{margin:0;background:none}#tip th,#tip td,#pin th,#pin td{border:none;padding:0 6px 0 0}
.hidden{display:none}
"""

JS = r"""
(function(){
  var data = JSON.parse(document.getElementById('kzx-figures').textContent);
  var fields = JSON.parse(document.getElementById('kzx-fields').textContent);
  var tip = document.getElementById('tip'), pin = document.getElementById('pin'), pinned = null;
  function esc(s){return String(s).replace(/[&<>"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c];});}
  function card(id){
    var f = data[id] || {}, rows = '<tr><th>kind</th><td>'+esc(f.kind||'')+'</td></tr><tr><th>text</th><td>'+esc(f.text||'')+'</td></tr>';
    fields.forEach(function(p){ if (f[p[0]] !== undefined) rows += '<tr><th>'+esc(p[1])+'</th><td>'+esc(f[p[0]])+'</td></tr>'; });
    return '<table>'+rows+'</table>';
  }
  document.addEventListener('mouseover', function(e){
    var m = e.target.closest('mark.k'); if (!m) { tip.style.display='none'; return; }
    tip.innerHTML = card(m.dataset.figureId); tip.style.display='block';
  });
  document.addEventListener('mousemove', function(e){
    if (tip.style.display !== 'block') return;
    var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    var y = e.clientY + 18; if (y + tip.offsetHeight > window.innerHeight) y = e.clientY - tip.offsetHeight - 10;
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  });
  window.addEventListener('scroll', function(){ tip.style.display='none'; }, {passive: true});
  document.addEventListener('click', function(e){
    var m = e.target.closest('mark.k');
    if (pinned) pinned.classList.remove('pinned');
    if (!m || m === pinned) { pinned = null; pin.style.display='none'; return; }
    e.stopPropagation(); pinned = m; m.classList.add('pinned');
    pin.innerHTML = '<b>'+esc(m.dataset.figureId)+'</b>' + card(m.dataset.figureId); pin.style.display='block';
  });
  var boxes = document.querySelectorAll('#controls input[data-kind]');
  function recount(){
    var marks = document.querySelectorAll('.doc:not(.hidden) mark.k'), per = {}, shown = 0;
    marks.forEach(function(m){ per[m.dataset.kind] = (per[m.dataset.kind]||0) + 1; });
    boxes.forEach(function(b){
      var k = b.dataset.kind; document.body.classList.toggle('off-'+k, !b.checked);
      var n = document.querySelector('.n[data-kind="'+k+'"]'); if (n) n.textContent = per[k]||0;
      if (b.checked) shown += per[k]||0;
    });
    var st = document.getElementById('status');
    st.dataset.marks = marks.length; st.dataset.highlighted = shown;
    st.dataset.docs = document.querySelectorAll('.doc:not(.hidden)').length;
    st.textContent = marks.length + ' marks in ' + st.dataset.docs + ' documents, ' + shown + ' highlighted';
  }
  boxes.forEach(function(b){ b.addEventListener('change', recount); });
  document.getElementById('search').addEventListener('input', function(){
    var q = this.value.trim().toLowerCase();
    document.querySelectorAll('[data-title]').forEach(function(el){ el.classList.toggle('hidden', q !== '' && el.dataset.title.indexOf(q) < 0); });
    recount();
  });
  recount();
})();
"""


def _controls(kinds: list[str]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" data-kind="{E(k)}"{" checked" if k in CORE else ""}>'
        f'<span class="swatch" style="background:{COLOURS.get(k, OTHER)}"></span>{E(k)} '
        f'(<span class="n" data-kind="{E(k)}">0</span>)</label>' for k in kinds)
    return (f'<div id="controls">{boxes}<input type="search" id="search" placeholder="search titles…" '
            f'aria-label="search document titles"><span id="status"></span></div>')


def _kind_css(kinds: list[str]) -> str:
    on = "".join(f'mark.k[data-kind="{k}"]{{background:{COLOURS.get(k, OTHER)}}}' for k in kinds)
    off = "".join(f'body.off-{k} mark.k[data-kind="{k}"]{{background:none;outline:none;padding:0}}' for k in kinds)
    return on + off


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def render(rep: Report) -> str:
    kinds = _kinds(rep)
    shown = {v.doc_id: i for i, v in enumerate(rep.views)}
    figures = {f["id"]: {k: v for k, v in f.items() if k not in ("id", "doc_id")} for v in rep.views for f in v.figures}
    m = rep.manifest
    sub = " · ".join(E(str(x)) for x in [rep.out, f"kzx {m['kzx_version']}" if m.get("kzx_version") else "",
                                           f"rules {m['rules_digest']}" if m.get("rules_digest") else "",
                                           f"run finished {m['finished']}" if m.get("finished") else ""] if x)
    off = " ".join(f"off-{k}" for k in kinds if k not in CORE)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>kzx report: {E(rep.out)}</title>'
        f"<style>{CSS}{_kind_css(kinds)}</style></head>"
        f'<body class="{off}"><header><h1>kzx report</h1><p>{sub}</p></header><main>'
        f"{_overview(rep)}{_charts(rep)}{_controls(kinds)}{_index(rep, shown, kinds)}"
        f'<section id="documents"><h2>Documents in full ({len(rep.views):,})</h2>'
        f"{''.join(_doc(i, v) for i, v in enumerate(rep.views))}</section></main>"
        '<div id="tip"></div><div id="pin"></div>'
        f'<script type="application/json" id="kzx-figures">{_json(figures)}</script>'
        f'<script type="application/json" id="kzx-fields">{_json(DETAIL_FIELDS)}</script>'
        f"<script>{JS}</script></body></html>")
