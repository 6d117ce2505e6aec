"""Other sources than the seeds, end to end: an HTML news page and a JSON Lines feed."""
import datetime as dt
import json

import pandas as pd

from kzx.config import Settings
from kzx.run import extract

PAGE = """<!DOCTYPE html><html><head><title>Region invests in roads</title>
<script>window.ads = [1, 2, 3];</script><style>.x{color:red}</style></head><body>
<nav><a href="/">Home</a> | <a href="/news">News 2024</a></nav>
<article><h1>Region invests in roads</h1>
<p class="date">Thursday, 14 March 2024</p>
<p>ASTANA. In 2023, KZT 45.2 billion was spent on the Shymkent-Tashkent highway, up 12.5% from 2022.</p>
<p>&laquo;We will allocate another 60 bln tenge next year,&raquo; said akim Murat Aitenov.</p>
<ul><li>Roads repaired: 1,250 km</li><li>Share in good condition: 87 %</li></ul>
</article><footer>&copy; 2008-2024 Example News</footer></body></html>"""

FEED = [
    {"id": 17, "title": "Budget news", "date": "2023-10-05T09:00:00", "url": "https://example.kz/a",
     "text": "Since the beginning of the year, $1.2 billion of investments came in. This is 7-10% more."},
    {"id": 18, "title": "Exchange", "published": "2023-10-06", "body": "USD/KZT closed at 471.20 on Friday."},
]


def _n(v):
    return None if v is None or (isinstance(v, float) and v != v) else v


def _rows(out, doc_id):
    figs = pd.read_parquet(out / "figures.parquet").astype(object)
    figs = figs.where(figs.notna(), None)
    figs = figs[figs.doc_id == doc_id]
    rows = []
    for f in figs.itertuples():
        if f.kind in ("money", "percent"):
            rows.append((f.kind, f.text, f.value_min, f.value_max, f.unit, f.qualifier))
        elif f.kind == "date":
            rows.append((f.kind, f.text, str(f.date_start), str(f.date_end), f.granularity))
        elif f.kind == "project":
            rows.append((f.kind, f.text, f.name))
    return rows


def test_html_news_page_end_to_end(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "news.html").write_text(PAGE, encoding="utf-8")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    doc = pd.read_parquet(tmp_path / "out" / "documents.parquet").iloc[0]
    assert (doc.format, doc.title, doc.published) == ("html", "Region invests in roads", dt.date(2024, 3, 14))
    assert "Home" not in doc.text and "window.ads" not in doc.text and "2008" not in doc.text
    assert _rows(tmp_path / "out", "news.html") == [
        ("date", "Thursday, 14 March 2024", "2024-03-14", "2024-03-14", "day"),
        ("date", "2023", "2023-01-01", "2023-12-31", "year"),
        ("money", "KZT 45.2 billion", 45.2e9, 45.2e9, "KZT", None),
        ("project", "Shymkent-Tashkent highway", "Shymkent-Tashkent highway"),
        ("percent", "12.5%", 12.5, 12.5, "%", None),
        ("date", "2022", "2022-01-01", "2022-12-31", "year"),
        ("money", "60 bln tenge", 60e9, 60e9, "KZT", None),
        ("date", "next year", "2025-01-01", "2025-12-31", "year"),
        ("percent", "87 %", 87.0, 87.0, "%", None),
    ]
    claims = pd.read_parquet(tmp_path / "out" / "claims.parquet")
    assert [[_n(v) for v in r] for r in claims[["speaker", "claim_type"]].values.tolist()] == [[None, "achieved"], ["Aitenov", "planned"], [None, "other"]]


def test_json_lines_feed_end_to_end(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in FEED), encoding="utf-8")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert [[_n(v) for v in r] for r in docs[["doc_id", "format", "title", "url"]].values.tolist()] == [
        ["feed.jsonl#1", "json", "Budget news", "https://example.kz/a"], ["feed.jsonl#2", "json", "Exchange", None]]
    assert [str(d) for d in docs.published] == ["2023-10-05", "2023-10-06"]
    assert _rows(tmp_path / "out", "feed.jsonl#1") == [
        ("date", "Since the beginning of the year", "2023-01-01", "None", "year"),
        ("money", "$1.2 billion", 1.2e9, 1.2e9, "USD", None),
        ("percent", "7-10%", 7.0, 10.0, "%", None),
    ]
    assert _rows(tmp_path / "out", "feed.jsonl#2") == []


PAGE_WITH_FURNITURE = """<html><head><title>Akim reports</title>
<meta property="article:published_time" content="2023-11-20T10:15:00+05:00">
<link rel="canonical" href="https://example.kz/akim-reports"></head>
<body class="single-post has-sidebar"><div id="content" class="site-content has-sidebar">
<article><p>This year 30 billion tenge was allocated to schools.</p>
<div class="post-share">Share: 1.2K</div>
<div class="related-news"><div><h3>Budget grew 15%</h3><div>Other story: 5 billion tenge</div></div></div>
<p>Next year the region plans to spend 35 billion tenge.</p>
<div id="comments">A reader: I paid 100 thousand tenge!</div>
<ul class="post-tags"><li>budget 2023</li></ul></article>
<div class="elementor-widget-container"><p>Teachers' salaries rose by 25%.</p></div>
</div></body></html>"""


def test_html_page_date_from_meta_and_furniture_dropped(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.html").write_text(PAGE_WITH_FURNITURE, encoding="utf-8")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    doc = pd.read_parquet(tmp_path / "out" / "documents.parquet").iloc[0]
    assert (doc.published, doc.url) == (dt.date(2023, 11, 20), "https://example.kz/akim-reports")
    assert _rows(tmp_path / "out", "p.html") == [
        ("date", "This year", "2023-01-01", "2023-12-31", "year"),
        ("money", "30 billion tenge", 30e9, 30e9, "KZT", None),
        ("date", "Next year", "2024-01-01", "2024-12-31", "year"),
        ("money", "35 billion tenge", 35e9, 35e9, "KZT", None),
        ("percent", "25%", 25.0, 25.0, "%", None),
    ]
