"""kzx report: every figure marked once, the overview's numbers, charts, layouts, size bounds."""
import json
import re
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kzx import report as rp
from kzx.cli import app
from kzx.config import Settings
from kzx.report_html import marked
from kzx.run import extract

MARK = re.compile(r'<mark class="k" data-kind="([a-z]+)" data-figure-id="([^"]+)">')

# Our own sentences: a repeated claim (the lead says it again), a speaker, an undated document, an empty file.
MINI = {
    "a.txt": "Cement news\ndate 2023-03-01\n\nThe Aktau Cement Plant was built for 5 billion tenge in 2021, akim "
             "Sarsenov said.\n\nExports grew by 12% in 2022, Sarsenov noted.\n\nAs said, the Aktau Cement Plant was "
             "built for 5 billion tenge in 2021, akim Sarsenov said.\n\nImports fell by 3%, Sarsenov said.\n",
    "b.txt": "The Shymkent Bus Park received 2 billion tenge, and 40% of the buses are new.\n",
    "c.txt": "",
}


@pytest.fixture(scope="module")
def mini_out(tmp_path_factory):
    src = tmp_path_factory.mktemp("mini_in")
    for name, text in MINI.items():
        (src / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("mini_out")
    extract(Settings(inputs=(src,), out=out))
    return out


def _marks(page):
    return MARK.findall(page)


def _figure_data(page):
    return json.loads(re.search(r'<script type="application/json" id="kzx-figures">(.*?)</script>', page, re.S).group(1))


def test_marks_nest_and_a_crossing_mark_is_cut_at_the_enclosing_end():
    text = "the Plan until 2025 and 5%"
    figs = [{"id": "p", "kind": "project", "start": 4, "end": 19}, {"id": "d", "kind": "date", "start": 15, "end": 19},
            {"id": "x", "kind": "count", "start": 9, "end": 22}, {"id": "q", "kind": "percent", "start": 24, "end": 26}]
    html = marked(text, figs)
    assert re.sub(r"<[^>]+>", "", html) == text
    assert html == ('the <mark class="k" data-kind="project" data-figure-id="p">Plan <mark class="k" data-kind="count" '
                    'data-figure-id="x">until <mark class="k" data-kind="date" data-figure-id="d">2025</mark></mark>'
                    '</mark> and <mark class="k" data-kind="percent" data-figure-id="q">5%</mark>')


def test_marked_escapes_the_text():
    assert marked("a <b> & 5%", [{"id": "i", "kind": "percent", "start": 8, "end": 10}]) == (
        'a &lt;b&gt; &amp; <mark class="k" data-kind="percent" data-figure-id="i">5%</mark>')


def test_every_figure_of_data_raw_is_marked_once(seeds_out, tmp_path):
    out, _ = seeds_out
    line = rp.write_report(out, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    figs = pd.read_parquet(out / "figures.parquet")
    marks = _marks(page)
    assert sorted(fid for _, fid in marks) == sorted(figs.figure_id)
    assert dict(pd.Series([k for k, _ in marks]).value_counts()) == dict(figs.kind.value_counts())
    assert f"{len(figs)} figures marked" in line and "5 documents (5 in full, at most 200)" in line
    kb = (tmp_path / "r.html").stat().st_size / 1024
    assert line.endswith(f"{kb:,.0f} KB")


def test_a_mark_shows_value_unit_project_date_speaker_and_claim(mini_out, tmp_path):
    rp.write_report(mini_out, tmp_path / "r.html")
    data = _figure_data((tmp_path / "r.html").read_text(encoding="utf-8"))
    money = data["a.txt:money:66-81"]
    assert money == {"start": 66, "end": 81, "kind": "money", "text": "5 billion tenge", "value": "5,000,000,000",
                     "unit": "KZT", "rule": "money.amount_currency_after", "project": "Aktau Cement Plant",
                     "date": "2021 (2021-01-01 – 2021-12-31)", "speaker": "Sarsenov", "claim_type": "achieved"}
    assert data["a.txt:date:85-89"]["interval"] == "2021-01-01 – 2021-12-31 (year)"
    assert data["a.txt:project:33-51"]["name"] == "Aktau Cement Plant"
    assert data["b.txt:money:31-46"]["speaker"] == "(none found)" and "speaker" not in data["a.txt:date:85-89"]


def test_overview_counts_errors_and_undated_share(mini_out):
    rep = rp.build(mini_out)
    assert (rep.n_documents, rep.n_sentences, rep.undated, rep.n_errors) == (2, 7, 1, 1)
    assert rep.by_kind_language.loc["money", "en"] == 3 and rep.by_kind_language.loc["date", "en"] == 4
    page = __import__("kzx.report_html", fromlist=["render"]).render(rep)
    assert "c.txt</td><td>decode</td><td>EmptyFile</td><td>file is empty</td>" in page
    assert "1 (50%)</b><span>undated documents" in page


def test_charts_skip_repeats_and_read_years_from_periods_else_publication(mini_out):
    rep = rp.build(mini_out)
    assert rep.money_by_project.to_dict() == {"Aktau Cement Plant": 5e9, "Shymkent Bus Park": 2e9}
    assert rep.figures_by_year.to_dict() == {"money": {2021: 1, 2022: 0, 2023: 0},
                                             "percent": {2021: 0, 2022: 1, 2023: 1}}
    assert rep.percent_by_speaker.to_dict() == {"Sarsenov": 2}
    assert rep.notes == {"undated_figures": 2, "unattributed_percent": 1, "repeats": 1, "no_facts": False}


def test_a_folder_without_facts_says_so_instead_of_drawing_empty_charts(mini_out, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(mini_out, old)
    (old / "facts.parquet").unlink()                 # an older kzx's output: its manifest knows no facts
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    del manifest["tables"]["facts"]
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rep = rp.build(old)
    assert rep.notes["no_facts"] and rep.money_by_project.empty and len(rep.views) == 2
    rp.write_report(old, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "no <code>facts</code> table" in page and len(_marks(page)) == 13


def test_the_page_has_three_svg_charts_and_loads_nothing_from_outside(seeds_out, tmp_path):
    out, _ = seeds_out
    rp.write_report(out, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    for chart in ("chart-money", "chart-years", "chart-speakers"):
        svg = re.search(rf'<figure class="chart" id="{chart}"><svg.*?</svg>', page, re.S)
        assert svg and svg.group(0).count("<path") > 3, chart
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)=', page)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)     # only the charts' own clip paths


def test_max_docs_shows_those_with_most_figures_and_sample_is_stable(seeds_out, tmp_path):
    out, _ = seeds_out
    figs = pd.read_parquet(out / "figures.parquet")
    top = figs.doc_id.value_counts().head(2)
    rp.write_report(out, tmp_path / "r.html", max_docs=2)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(_marks(page)) == top.sum()
    assert {fid.split(":")[0] for _, fid in _marks(page)} == set(top.index)
    assert page.count('<tr data-title=') == 5                     # the index lists every document
    one = rp.build(out, max_docs=3, sample=True)
    two = rp.build(out, max_docs=3, sample=True)
    assert [v.doc_id for v in one.views] == [v.doc_id for v in two.views] and len(one.views) == 3


def test_long_text_is_cut_and_says_so(mini_out, tmp_path, monkeypatch):
    monkeypatch.setattr(rp, "MAX_DOC_CHARS", 100)
    rep = rp.build(mini_out)
    a = next(v for v in rep.views if v.doc_id == "a.txt")
    assert len(a.text) == 100 and a.cut == 185 and a.hidden_figures == 6 and len(a.figures) == 4


def test_partitioned_tables_give_the_same_report(seeds_out, tmp_path):
    out, _ = seeds_out
    parts = tmp_path / "parts"
    parts.mkdir()
    for f in out.glob("*.parquet"):
        t = pq.read_table(f)
        (parts / f.stem).mkdir()
        half = t.num_rows // 2
        pq.write_table(t.slice(0, half), parts / f.stem / "part-00000.parquet")
        pq.write_table(t.slice(half), parts / f.stem / "part-00001.parquet")
    shutil.copy(out / "manifest.json", parts / "manifest.json")
    a, b = rp.build(out), rp.build(parts)
    assert (a.n_documents, a.n_sentences, a.undated) == (b.n_documents, b.n_sentences, b.undated)
    assert a.money_by_project.to_dict() == b.money_by_project.to_dict()
    assert sorted(f["id"] for v in a.views for f in v.figures) == sorted(f["id"] for v in b.views for f in v.figures)
    import kzx

    one, many = kzx.read(out), kzx.read(parts)                    # the Python API reads both layouts too
    assert all(len(getattr(one, t)) == len(getattr(many, t)) > 0 for t in ("documents", "figures", "facts"))


def test_cli_writes_the_report_and_never_replaces_a_file_of_the_users(mini_out, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["report", str(mini_out), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert "2 documents (2 in full, at most 200), 13 figures marked, 1 errors" in res.output
    res = runner.invoke(app, ["report", str(mini_out), "-o", str(tmp_path / "r.html"), "--max-docs", "1"])
    assert res.exit_code == 0 and "(1 in full, at most 1)" in res.output     # our own report is replaced
    mine = tmp_path / "notes.html"
    mine.write_text("<p>my notes</p>", encoding="utf-8")
    res = runner.invoke(app, ["report", str(mini_out), "-o", str(mine)])
    assert res.exit_code == 2 and "not a kzx report" in res.output
    assert mine.read_text(encoding="utf-8") == "<p>my notes</p>"
    res = runner.invoke(app, ["report", str(tmp_path / "nothing"), "-o", str(tmp_path / "x.html")])
    assert res.exit_code == 2 and "no documents table" in res.output and not (tmp_path / "x.html").exists()


def test_a_run_whose_every_input_failed_still_gives_a_report_listing_the_errors(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "in" / "blob.txt").write_bytes(b"%PDF-1.7\x00\x01\x02")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    line = rp.write_report(tmp_path / "out", tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "0 documents (0 in full, at most 200), 0 figures marked, 2 errors" in line
    assert "empty.txt</td><td>decode</td><td>EmptyFile</td>" in page and "blob.txt</td>" in page
    assert not _marks(page)
