"""Ingest: formats sniffed by content, decoding, publication dates, metadata."""
import datetime as dt
import json

import pytest

from conftest import ROOT
from kzx.errors import InputError
from kzx.ingest import Source, read_source
from kzx.metadata import MetadataIndex, find_dateline


def _read(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return read_source(Source(p, name), 10**9)


def test_ingest_plain_text_is_unchanged(tmp_path):
    raw = "Title\r\n\r\nIt cost 5 billion tenge.\r\n"
    [doc] = _read(tmp_path, "a.txt", raw.encode())
    assert (doc.text, doc.format, doc.encoding, doc.doc_id) == (raw, "text", "utf-8", "a.txt")


def test_ingest_html_visible_text_with_paragraphs(tmp_path):
    html = ("<html><head><title>Report</title><style>p{color:red}</style></head><body><nav>Home | News</nav>"
            "<h1>Akim&#39;s report</h1><p>It cost <b>5 billion</b> tenge.</p><script>var x=1;</script>"
            "<ul><li>one</li><li>two</li></ul></body></html>")
    [doc] = _read(tmp_path, "page.dat", html.encode())
    assert doc.format == "html"
    assert doc.title == "Report"
    assert doc.text == "Akim's report\n\nIt cost 5 billion tenge.\n\none\n\ntwo"


def test_ingest_wordpress_json_saved_as_txt():
    src = ROOT / "data" / "raw" / "000_6b8d52c43ba1b0c4.txt"
    [doc] = read_source(Source(src, src.name), 10**9)
    assert doc.format == "wordpress"
    assert doc.title == "East Kazakhstan"
    assert doc.published == dt.date(2021, 9, 5)
    assert doc.url == "https://www.viktorkhrapunov.com/en/activity/east-kazakhstan/"
    assert doc.text.startswith("East Kazakhstan\n\nYears as Governor of the Province of East Kazakhstan")
    assert "<div" not in doc.text and "elementor" not in doc.text


def test_ingest_json_lines_one_document_per_record(tmp_path):
    lines = [{"title": "A", "text": "5 billion tenge.", "date": "2022-03-01", "url": "http://x/a"},
             {"content": "<p>10%</p>", "published": "2021-01-02"}]
    data = "\n".join(json.dumps(r) for r in lines) + "\n{broken\n"
    docs = _read(tmp_path, "feed.jsonl", data.encode())
    assert [d.doc_id for d in docs] == ["feed.jsonl#1", "feed.jsonl#2"]
    assert docs[0].text == "A\n\n5 billion tenge." and docs[0].published == dt.date(2022, 3, 1)
    assert docs[0].url == "http://x/a"
    assert docs[1].text == "10%" and docs[1].published == dt.date(2021, 1, 2)
    assert docs[0].warnings == [("InvalidJSON", "line 3: Expecting property name enclosed in double quotes")]


def test_ingest_json_array_of_articles(tmp_path):
    data = json.dumps([{"body": "One."}, {"nothing": 1}, {"text": "Two."}])
    docs = _read(tmp_path, "arr.json", data.encode())
    assert [(d.doc_id, d.text) for d in docs] == [("arr.json#1", "One."), ("arr.json#3", "Two.")]


def test_ingest_json_field_names_in_any_case_or_separator(tmp_path):
    rec = {"Headline": "Roads", "articleBody": "<p>It cost 5 billion tenge.</p>", "pubDate": "March 14, 2024",
           "Permalink": "https://example.kz/a"}
    [doc] = _read(tmp_path, "a.json", json.dumps(rec).encode())
    assert (doc.title, doc.text, doc.published, doc.url) == (
        "Roads", "Roads\n\nIt cost 5 billion tenge.", dt.date(2024, 3, 14), "https://example.kz/a")


@pytest.mark.parametrize("encoding,data,expected_enc", [
    ("utf-8-sig", "Сумма 5 млрд тенге".encode("utf-8-sig"), "utf-8-sig"),
    ("utf-16", "Сумма 5 млрд тенге".encode("utf-16"), "utf-16"),
    ("cp1251", "Сумма 5 млрд тенге, рост на 7%".encode("cp1251"), "cp1251"),
])
def test_ingest_decodings(tmp_path, encoding, data, expected_enc):
    [doc] = _read(tmp_path, "r.txt", data)
    assert doc.encoding == expected_enc
    assert doc.text.startswith("Сумма 5 млрд тенге")


@pytest.mark.parametrize("data,error", [
    (b"", "EmptyFile"), (b"  \n\t ", "EmptyFile"), (b"%PDF-1.4 ...", "BinaryFile"),
    (b"\x89PNG\r\n\x1a\n....", "BinaryFile"), (bytes(range(128, 256)) * 20, "UndecodableBytes"),
    (b'{"title": "x", "text": "abc', "InvalidJSON"), (b'{"title": "no text"}', "NoText"),
    (b"<html><body><script>x()</script></body></html>", "NoText"),
])
def test_ingest_bad_inputs_raise_clear_errors(tmp_path, data, error):
    with pytest.raises(InputError) as e:
        _read(tmp_path, "bad.txt" if not data.startswith(b"<") else "bad.html", data)
    assert e.value.error == error
    assert "bad." in str(e.value)


@pytest.mark.parametrize("text,expected", [
    ("Address of Akim\n\n17 Jan 2022\n\nDear residents!", dt.date(2022, 1, 17)),
    ("date 2023-07-25\nText.", dt.date(2023, 7, 25)),
    ("News\nThursday, 29 July 2021\nText.", dt.date(2021, 7, 29)),
    ("Headline\nPublished: 12.03.2024 10:15\nText.", dt.date(2024, 3, 12)),
    ("On 17 Jan 2022 the akim said 5 billion tenge was spent.", None),
    ("No date here.\nJust text.", None),
    ("ASTANA, 12 November 2023 – The akim reported growth.", None),       # the date is not the line's end
    ("ASTANA, 12 November 2023\nThe akim reported growth.", dt.date(2023, 11, 12)),
    ("Ust-Kamenogorsk (Kazinform), 3 March 2022\nText.", dt.date(2022, 3, 3)),
    ("State of the Nation Address by President Kassym-Jomart Tokayev, September 1, 2023\n\nDear compatriots!",
     dt.date(2023, 9, 1)),
    ("Roads\nThe new bridge over the Irtysh river opened, September 1, 2023\nText.", None),  # not the first line
    ("The plant in Almaty opened on 5 May 2022\nText.", None),
    # Russian and Kazakh datelines, an agency's credit and the article going on after them
    ("Заголовок\nАЛМАТЫ, 5 марта 2024 – Kazinform. Аким области сообщил, что рост составил 5%.", dt.date(2024, 3, 5)),
    ("Тақырып\nАСТАНА, 2024 жылғы 12 қараша — Sputnik. Әкім жыл қорытындысын айтты.", dt.date(2024, 11, 12)),
    ("ПАВЛОДАР, 3 апреля 2023 – МИА «Казинформ». Текст новости.", dt.date(2023, 4, 3)),
    # a long line after the first is read only for a credit (here in quotes): found past 60 characters
    ("Новости\nПАВЛОДАР, 3 апреля 2023 – «Казинформ». Текст новости о росте производства в области.",
     dt.date(2023, 4, 3)),
    ("АСТАНА, 26 наурыз — Sputnik. Жылы жоқ күн.", None),        # no year: nothing to anchor on
    ("АСТАНА, 5 марта 2024 – Аким области сообщил о росте.", None),  # a sentence, no credit
])
def test_ingest_dateline(rules, text, expected):
    assert find_dateline(text, rules) == expected


def test_dateline_lines_read_are_those_a_date_could_be_taken_from(rules):
    from kzx.metadata import _candidates, dateline_texts
    text = ("A long title of the article with no comma and no dateline form in it at all, 2024 edition\n"
            "— Рост наблюдается в транспортной отрасли — 123,4%, в сфере связи — 106,4% за год\n"
            "ПАВЛОДАР, 3 апреля 2023 – «Казинформ». Текст новости о росте производства в области.\n"
            "12 марта 2024\n"
            "Another long line of the text that holds a number, 5 billion tenge, and nothing else\n")
    # the title (a ", <date>" may end it), the credit line and the short line; not the long lines
    # without a credit after the first (a dialogue's dash is none)
    assert [seen for seen, _, _, _ in _candidates(text)] == [1, 3, 4]
    assert _candidates("A long title of the article with no comma and no dateline form in it at all 2024\n") == []
    assert dateline_texts(text)[2] == "12 марта 2024"
    # a line whose end no date could be (";", "%") is not read, unless a place and a credit lead it
    assert _candidates("Заголовок\n• в 2023 году – 455 тыс. тенге;\nрост на 5%.\n5 марта 2024 г.\n") == [
        (4, "5 марта 2024 г.", "5 марта 2024 г.", 0)]
    # a long title is read from its fourth comma from the end on, a closing date's times and stops left out
    title = "A long title, with words, and more words, of the President of the Republic, Thursday, September 1, 2023, 10:15."
    assert dateline_texts(title + "\nText.") == [" of the President of the Republic, Thursday, September 1, 2023, 10:15."]
    assert find_dateline(title + "\nText.", rules) == dt.date(2023, 9, 1)


# Lines a dateline may be, or not: places, credits, titles, times (also in other digits), lists.
_LINES = ["ASTANA, 12 November 2023", "АЛМАТЫ, 5 марта 2024 – Kazinform. Аким сообщил о росте на 5%.",
          "Akim of Astana met foreign investors at the forum held on Friday, 5 May 2024",
          "State of the Nation Address by President Tokayev delivered on Thursday, September 1, 2023",
          "Итоги социально-экономического развития области за прошлый год,17.01.2022",
          "A long title of the President of the Republic of Kazakhstan, Thursday, September 1, 2023, １０:１５",
          "-" * 80 + "АСТАНА, 5 марта 2024 – Kazinform. Президент провёл совещание по вопросам.",
          "10:15 | " * 11 + "АСТАНА, 5 марта 2024 – Kazinform. Текст.", "• в 2023 году – 455 тыс. тенге;",
          "рост на 5%.", "5 марта 2024 г.", "2024 жылғы 3 наурыз", "17.01.2022, 10:15", "Published: 12.03.2024 10:15",
          "The plant opened on 5 May 2022 and hired 300 people, the akim said on Monday.", "2025-03-14",
          "Ust-Kamenogorsk (Kazinform), 3 March 2022", "Үкімет отырысы, 2024 жылғы 12 қараша",
          "Новость дня о бюджете области на этот год, Астана, 5 марта 2024 года, 10:15", "Текст без даты."]


def test_the_lines_a_dateline_is_looked_for_in_give_what_reading_every_line_gives(rules, monkeypatch):
    """_candidates leaves out lines no dateline could come from, and reads a long title from its
    fourth comma from the end: find_dateline gives what it gives reading every line with a digit
    from its start, on the lines above in any order."""
    import random

    from kzx import metadata
    texts = [a + "\n" + b + "\nText." for a in _LINES for b in _LINES]
    rnd = random.Random(7)
    texts += ["\n".join(rnd.choice(_LINES) for _ in range(rnd.randint(1, 5))) for _ in range(300)]
    gated = [find_dateline(t, rules) for t in texts]

    def every_line(text, lines=12):
        seen, out = 0, []
        for line in (ln.strip() for ln in text[:2000].splitlines()):
            if line:
                seen += 1
                if seen <= lines and metadata._DIGIT.search(line):
                    out.append((seen, line, line[metadata._PREFIX.match(line).end():], 0))
        return out
    monkeypatch.setattr(metadata, "_candidates", every_line)
    assert [find_dateline(t, rules) for t in texts] == gated
    assert sum(d is not None for d in gated) > 400


def test_every_date_the_rules_find_ends_in_a_letter_or_digit(rules):
    """_candidates skips a line without a place and credit whose end (its stops and times left
    out) is no letter or digit: no day date could end it. True of every date the rules find in
    the examples of every rule."""
    from kzx.match import find_mentions
    from kzx.metadata import _AROUND
    dates = [m for r in rules.rules for ex in r.examples if not r.table
             for m in find_mentions(ex["text"], rules, dt.date(2024, 6, 1)) if m.kind == "date"]
    assert len(dates) > 200 and sum(m.get("granularity") == "day" for m in dates) > 30
    assert [m.text for m in dates if not m.text.rstrip(_AROUND)[-1:].isalnum()] == []


def test_metadata_csv_and_jsonl(tmp_path):
    (tmp_path / "m.csv").write_text("doc_id,published,title,url\na.txt,2022-07-15,T,\n", encoding="utf-8")
    m = MetadataIndex.load(tmp_path / "m.csv")
    assert m.get("a.txt") == {"published": dt.date(2022, 7, 15), "title": "T", "url": None}
    assert m.get("sub/a.txt") == m.get("a.txt")          # bare file names match too
    (tmp_path / "m.jsonl").write_text('{"doc_id": "b.txt", "published": "2021-01-02"}\n', encoding="utf-8")
    m2 = MetadataIndex.load(tmp_path / "m.jsonl")
    assert m2.get("b.txt")["published"] == dt.date(2021, 1, 2)
    m2.mark("b.txt")
    assert m2.unmatched(m2.used) == []


@pytest.mark.parametrize("value,expected", [
    ("2021-09-05T19:24:45", dt.date(2021, 9, 5)), ("05.09.2021", dt.date(2021, 9, 5)),
    ("Sun, 05 Sep 2021 19:24:45 +0000", dt.date(2021, 9, 5)), ("yesterday", None), (None, None),
    ("2021-13-45", None), (20210905, None), ("5 September 2021", dt.date(2021, 9, 5)),
    ("September 5, 2021 10:30", dt.date(2021, 9, 5)), ("Sunday, 5 Sep. 2021", dt.date(2021, 9, 5)),
    ("2021/09/05", dt.date(2021, 9, 5)), ("05/09/2021", dt.date(2021, 9, 5)), ("5 Smarch 2021", None), ("5 Sept 2021", dt.date(2021, 9, 5)),
])
def test_ingest_date_fields(value, expected):
    from kzx.ingest import parse_iso_date

    assert parse_iso_date(value) == expected


@pytest.mark.parametrize("text,lang", [
    ("It cost 5 billion tenge.", "en"), ("Сумма составила 5 млрд тенге.", "ru"),
    ("Биыл облыста 5 млрд теңге бөлінді, құрылыс жүргізілуде.", "kk"),
    ("Bıyl oblysta 5 mlrd teńge bólindi, qurylys júrgizilýde.", "kk"),      # Kazakh in Latin script
    ("The Auyl - El besigi program: Nur-Sultan, Shymkent and Oskemen.", "en"),
    ("Аким Улытауской области Берик Абдыгалиулы сообщил о росте.", "ru"),
])
def test_ingest_language(text, lang):
    from kzx.ingest import guess_language

    assert guess_language(text) == lang


@pytest.mark.parametrize("head,published", [
    ('<meta name="pubdate" content="2022-07-15">', "2022-07-15"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-03-04T08:00"}</script>',
     "2021-03-04T08:00"),
    ('<meta property="og:title" content="x">', None),
])
def test_html_page_dates(head, published):
    from kzx.htmltext import html_to_text

    meta = {}
    text, _ = html_to_text(f"<html><head>{head}</head><body><p>Hi <time datetime='2020-01-02'>then</time></p></body></html>",
                           meta)
    assert text == "Hi then"
    assert meta.get("published") == (published or "2020-01-02")    # <time> only when nothing better


def test_html_furniture_is_only_a_closed_container():
    from kzx.htmltext import html_to_text

    text, _ = html_to_text('<body><p class="tags">budget<p>Real text.</p><div class="related"><div>x</div>y</div>'
                           '<p>More.</p></body>')
    assert text == "budget\n\nReal text.\n\nMore."


def test_every_mojibake_leaves_a_character_the_precheck_sees():
    # repair_mojibake skips ftfy on text without any of _MOJIBAKE_CHARS, or without a lead byte's
    # character right before a continuation byte's (_MOJIBAKE_PAIR): that must never skip a real
    # mojibake, so every non-ASCII BMP character, once mis-decoded, leaves both
    from kzx.ingest import _MOJIBAKE_CHARS, mojibake_pair

    missed = []
    for code in range(0x80, 0x10000):
        c = chr(code)
        if 0xD800 <= code < 0xE000:
            continue
        for enc in ("latin-1", "cp1252", "cp1251", "cp437", "mac_roman"):
            try:
                bad = c.encode("utf-8").decode(enc)
            except UnicodeDecodeError:
                continue
            if not _MOJIBAKE_CHARS.search(bad) or None in (mojibake_pair(bad), mojibake_pair(bad, True)):
                missed.append((c, enc, bad))
            twice = bad.encode("utf-8").decode("cp1252", "replace")     # read wrongly twice
            if None in (mojibake_pair(twice), mojibake_pair(twice, True)):
                missed.append((c, enc, twice))
    assert missed == []


def test_english_and_russian_with_quotes_dashes_and_accents_have_no_mojibake_pair():
    from kzx.ingest import mojibake_pair, repair_mojibake

    clean = "“Café” – the akim said — «5 млрд тенге», № 3, 12 °C, ½ of São Paulo’s… naïve résumé"
    for by_continuation in (False, True):
        assert mojibake_pair("The akim said “Café São Paulo’s” — naïve résumé, 12 °C.", by_continuation) is None
    assert repair_mojibake(clean) == (clean, 0)
    broken = "The akim said â€œ5 billion tengeâ€\x9d and CafÃ© Ã la carte"
    assert repair_mojibake(broken) == ("The akim said “5 billion tenge” and Café à la carte", 1)
