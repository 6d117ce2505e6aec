"""The report in a real browser: the OS's headless Chromium, driven over the DevTools protocol (tests/cdp.py).

Skipped, saying so, where Chromium is not installed (.ci/run installs it).
"""
import io
import json

import pandas as pd
import pytest

from cdp import Browser, find_chromium
from kzx.report import CORE, write_report

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium): "
                                                          "the report was NOT checked in a browser")


@pytest.fixture(scope="module")
def page(seeds_out, tmp_path_factory):
    out, _ = seeds_out
    html = tmp_path_factory.mktemp("report") / "report.html"
    write_report(out, html, max_docs=3)
    figs = pd.read_parquet(out / "figures.parquet")
    shown = figs.doc_id.value_counts().head(3).index
    browser = Browser(CHROMIUM)
    browser.call("Network.enable", session=True)
    browser.open(html.as_uri())
    yield browser, figs[figs.doc_id.isin(shown)]
    browser.close()


def test_every_figure_of_the_shown_documents_is_one_mark_in_the_rendered_dom(page):
    b, figs = page
    ids = b.js("[...document.querySelectorAll('mark[data-figure-id]')].map(m => m.dataset.figureId)")
    assert len(ids) == len(figs) and sorted(ids) == sorted(figs.figure_id)
    status = b.js("Object.assign({}, document.getElementById('status').dataset)")
    assert status == {"marks": str(len(figs)), "docs": "3", "highlighted": str(int(figs.kind.isin(CORE).sum()))}


def test_core_kinds_are_coloured_and_extra_kinds_start_switched_off(page):
    b, figs = page
    bg = b.js("""(() => { const o = {}; document.querySelectorAll('mark[data-kind]').forEach(m =>
        o[m.dataset.kind] = getComputedStyle(m).backgroundColor); return o; })()""")
    assert bg["money"] == "rgb(255, 213, 79)" and bg["percent"] == "rgb(129, 212, 250)"
    assert bg["date"] == "rgb(165, 214, 167)" and bg["project"] == "rgb(206, 147, 216)"
    extra = set(figs.kind) - set(CORE)
    assert extra and all(bg[k] == "rgba(0, 0, 0, 0)" for k in extra)


def test_hover_and_click_show_the_figures_details(page):
    b, figs = page
    money = figs[(figs.kind == "money") & (figs.unit == "KZT")].iloc[0]
    sel = json.dumps(f'mark[data-figure-id="{money.figure_id}"]')
    tip = b.js(f"""(() => {{ const m = document.querySelector({sel});
        m.dispatchEvent(new MouseEvent('mouseover', {{bubbles: true, clientX: 50, clientY: 50}}));
        const t = document.getElementById('tip'); return [getComputedStyle(t).display, t.innerText]; }})()""")
    assert tip[0] == "block"
    assert "unit\tKZT" in tip[1] and f"rule\t{money.rule}" in tip[1] and f"text\t{money.text}" in tip[1]
    pin = b.js(f"""(() => {{ document.querySelector({sel}).click(); const p = document.getElementById('pin');
        return [getComputedStyle(p).display, p.innerText]; }})()""")
    assert pin[0] == "block" and pin[1].startswith(money.figure_id) and "value\t" in pin[1]


def test_kind_filter_and_title_search(page):
    b, figs = page
    n_money = int((figs.kind == "money").sum())
    after = b.js("""(() => { const box = document.querySelector('#controls input[data-kind="money"]'); box.click();
        const r = [getComputedStyle(document.querySelector('mark[data-kind="money"]')).backgroundColor,
                   +document.getElementById('status').dataset.highlighted]; box.click(); return r; })()""")
    assert after == ["rgba(0, 0, 0, 0)", int(figs.kind.isin(CORE).sum()) - n_money]
    found = b.js("""(() => { const s = document.getElementById('search'); s.value = 'zhetysu';
        s.dispatchEvent(new Event('input')); const r = [document.getElementById('status').dataset.docs,
        document.querySelectorAll('table.index tbody tr:not(.hidden)').length];
        s.value = ''; s.dispatchEvent(new Event('input')); return r; })()""")
    assert found == ["1", 1]


def test_charts_render_and_the_page_requests_nothing_but_itself(page):
    b, _ = page
    charts = b.js("""[...document.querySelectorAll('figure.chart svg')].map(s => {
        const r = s.getBoundingClientRect(); return [s.parentNode.id, Math.round(r.width), Math.round(r.height),
        s.querySelectorAll('path').length]; })""")
    assert [c[0] for c in charts] == ["chart-money", "chart-years", "chart-speakers"]
    assert all(w > 300 and h > 150 and paths > 5 for _, w, h, paths in charts), charts
    urls = [e["params"]["request"]["url"] for e in b.events if e.get("method") == "Network.requestWillBeSent"]
    assert urls and all(u.startswith(("file:", "data:", "about:")) for u in urls), urls


def test_screenshot_of_the_money_chart_is_not_blank(page):
    from PIL import Image

    b, _ = page
    b.js("document.getElementById('chart-money').scrollIntoView()")
    img = Image.open(io.BytesIO(b.screenshot())).convert("RGB")
    assert img.size == (1280, 900)
    colours = {c: n for n, c in img.getcolors(maxcolors=1 << 24)}
    white = colours.get((255, 255, 255), 0) + colours.get((250, 250, 250), 0)      # the page and card grounds
    assert white < 0.95 * 1280 * 900 and len(colours) > 50
    assert colours.get((255, 213, 79), 0) > 2000                                   # the money bars' fill


def test_readme_report_of_data_raw_renders_every_figure_and_the_charts(seeds_out, tmp_path):
    """README's `kzx report data/out -o report.html` after its extract: all of data/raw, as a user opens it."""
    from typer.testing import CliRunner

    from kzx.cli import app

    out, _ = seeds_out
    html = tmp_path / "report.html"
    r = CliRunner().invoke(app, ["report", str(out), "-o", str(html)])
    figs = pd.read_parquet(out / "figures.parquet")
    assert r.exit_code == 0 and f"5 documents (5 in full, at most 200), {len(figs)} figures marked, 0 errors" in r.output
    b = Browser(CHROMIUM)
    try:
        b.call("Network.enable", session=True)
        b.open(html.as_uri())
        ids = b.js("[...document.querySelectorAll('mark[data-figure-id]')].map(m => m.dataset.figureId)")
        shown = b.js("""[...document.querySelectorAll('mark[data-kind]')].filter(m =>
            getComputedStyle(m).backgroundColor !== 'rgba(0, 0, 0, 0)').length""")
        charts = b.js("""[...document.querySelectorAll('figure.chart svg')].map(s =>
            [Math.round(s.getBoundingClientRect().width), s.querySelectorAll('path').length])""")
        urls = [e["params"]["request"]["url"] for e in b.events if e.get("method") == "Network.requestWillBeSent"]
    finally:
        b.close()
    assert sorted(ids) == sorted(figs.figure_id) and len(ids) == 385
    assert shown == int(figs.kind.isin(CORE).sum()) == 69 + 58 + 86 + 45        # the core kinds, coloured
    assert len(charts) == 3 and all(w > 300 and paths > 5 for w, paths in charts), charts
    assert urls == [html.as_uri()]                                             # offline: nothing but the file
