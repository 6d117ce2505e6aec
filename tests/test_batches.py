"""Small files are analysed a few at a time (run.process_sources): their scans in one batch
(match.scan_ahead). The rows must be exactly those of one file at a time, in the same order,
failures included; the kept scans must be those of a fresh scan, and go when the batch is done."""
import json

import pytest

from kzx import match, run
from kzx.config import Settings
from kzx.errors import InputError
from kzx.ingest import Source

# Our own sentences (never from the dev sets).
FILES = {
    "a_roads.txt": "ASTANA, 12 November 2023\nThe region spent 48.5 billion tenge on roads in 2023, 14% more "
                   "than last year.\n",
    "b_ru.txt": "АЛМАТЫ, 5 марта 2024 – Kazinform. В этом году на ремонт школ выделено 2,4 млрд тенге.\n"
                "Охват вырос на 9%.\n",
    "c_kk.txt": "Биыл облысқа 7,2 млрд теңге инвестиция тартылды, бұл 15% артық.\n",
    "d_feed.jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "1", "date": "2022-05-01", "text": "Last year 3 new schools cost 9 billion tenge."},
        {"id": "2", "text": "17 January 2022\nThe Nurly Zhol program received 120 billion tenge in 2021."},
        {"id": "3", "text": "No figures here at all."}]),
    "e_broken.json": '{"text": "The plant cost 5 million dollars", ',
    "f_undated.txt": "Spending on health rose to 18.4% in the first quarter.\n",
    "g_empty.txt": "",
    "h_latin1.txt": "The café cost 3 million tenge in 2021.\n",
}
BYTES = {name: text.encode("utf-8") for name, text in FILES.items()}
BYTES["h_latin1.txt"] = FILES["h_latin1.txt"].encode("latin-1")


@pytest.fixture(scope="module")
def engine():
    return run.Engine.build(Settings())


def items():
    out = [Source(name, name, data=data) for name, data in BYTES.items()]
    out.insert(3, InputError("gone.txt", "read", "FileNotFoundError", "no such file"))
    return out


def one_at_a_time(engine, its):
    return [run.process_source(i, Settings(), engine, None) for i in its]


def test_a_batch_gives_the_rows_of_one_file_at_a_time(engine):
    its = items()
    alone = one_at_a_time(engine, its)
    batch = run.process_sources(items(), Settings(), engine, None)
    assert batch == alone
    assert [len(rows) for rows in batch] == [1, 1, 1, 1, 3, 1, 1, 1, 1]
    published = {r.document["doc_id"]: r.document["published"] for rows in batch for r in rows if r.document}
    assert str(published["a_roads.txt"]) == "2023-11-12"            # its dateline, read in the batch
    assert str(published["b_ru.txt"]) == "2024-03-05"
    assert published["c_kk.txt"] is None
    assert "ahead" not in engine.rules.cache                        # the kept scans go with the batch


def test_without_matching_a_batch_gives_the_documents_rows_alone(engine):
    alone = [run.process_source(i, Settings(), engine, None, do_match=False) for i in items()]
    assert run.process_sources(items(), Settings(), engine, None, do_match=False) == alone
    assert all(not r.figures and not r.sentences for rows in alone for r in rows)


def test_a_document_that_fails_costs_itself_only_and_keeps_its_place(engine, monkeypatch):
    real = run.tokenize_doc

    def tokenize(doc, eng):
        if doc.doc_id == "d_feed.jsonl#2":
            raise RuntimeError("tokenizer broke")
        return real(doc, eng)
    monkeypatch.setattr(run, "tokenize_doc", tokenize)
    batch = run.process_sources(items(), Settings(), engine, None)
    assert batch == one_at_a_time(engine, items())
    feed = batch[4]
    assert [r.document.get("doc_id") for r in feed] == ["d_feed.jsonl#1", None, "d_feed.jsonl#3"]
    assert feed[1].errors == [{"path": "d_feed.jsonl", "stage": "tokenize", "error": "RuntimeError",
                               "message": "d_feed.jsonl#2: tokenizer broke"}]


def test_scan_ahead_keeps_the_scans_a_fresh_scan_gives(engine, monkeypatch):
    rs = engine.rules
    texts = ["The region spent 48.5 billion tenge on roads.", "В 2024 году выделено 2,4 млрд тенге.",
             "x " * 3000 + "5 billion tenge"]           # a sentence of several windows
    fresh = match.prescan(texts, rs)
    match.scan_ahead(texts, rs)
    try:
        pf = match.rule_prefilter(rs).pf
        asked = []
        real = pf.hits_many
        monkeypatch.setattr(pf, "hits_many", lambda ts: asked.append(list(ts)) or real(ts))
        assert match.prescan(texts, rs) == fresh
        assert asked == []                                # nothing scanned again
        assert match.prescan(texts + ["Spending rose to 18.4%."], rs)[:3] == fresh
        assert asked == [["Spending rose to 18.4%."]]     # only the text not kept
        assert len(fresh[2]) == 2 and fresh[2][1] != fresh[2][0]
    finally:
        match.forget_ahead(rs)
    assert "ahead" not in rs.cache


def test_each_source_groups_runs_of_small_files_in_order(engine, monkeypatch):
    its = items()
    big = Source("big.txt", "big.txt", data=b"The plant cost 5 million dollars in 2020. " * 20)
    its.insert(6, big)
    monkeypatch.setattr(run, "SMALL_FILE_BYTES", 500)
    monkeypatch.setattr(run, "GROUP_FILES", 3)
    groups = []
    real = run.process_sources
    monkeypatch.setattr(run, "process_sources", lambda g, *a, **k: groups.append([getattr(i, "path", "error")
                                                                                    for i in g]) or real(g, *a, **k))
    got = [list(rows) for rows in run.each_source(its, Settings(), engine, None)]
    assert got == one_at_a_time(engine, its)
    assert groups == [["a_roads.txt", "b_ru.txt", "c_kk.txt"], ["d_feed.jsonl", "e_broken.json"],
                      ["f_undated.txt", "g_empty.txt", "h_latin1.txt"]]


def test_units_keep_the_order_and_give_every_worker_some():
    small = [Source(f"s{k}.txt", f"s{k}.txt", data=b"x") for k in range(100)]
    big = Source("big.txt", "big.txt", data=b"x" * (run.SMALL_FILE_BYTES + 1))
    assert run.units(small[:10], 2) == [(True, (s,)) for s in small[:10]]    # 10 files, 2 workers: one a task
    us = run.units(small[:50] + [big] + small[50:], 2)                     # 101 // 8: 12 a task
    assert [len(files) for _, files in us] == [12, 12, 12, 12, 2, 1, 12, 12, 12, 12, 2]
    assert [grouped for grouped, _ in us] == [True] * 5 + [False] + [True] * 5
    assert [i for _, files in us for i in files] == small[:50] + [big] + small[50:]
    assert us[5] == (False, (big,))
    assert [len(files) for _, files in run.units(small, 1)] == [25] * 4     # 100 // 4
    assert len(run.units(small * 4, 2)[0][1]) == run.GROUP_FILES


def test_a_failed_batch_scan_is_let_go_and_the_documents_scan_themselves(engine, monkeypatch):
    calls = []

    def broken(texts, rs):
        calls.append(len(texts))
        raise RuntimeError("scan broke")
    monkeypatch.setattr(run, "scan_ahead", broken)
    assert run.process_sources(items(), Settings(), engine, None) == one_at_a_time(engine, items())
    assert len(calls) == 2 and all(calls)              # the datelines' scan and the sentences'
    assert "ahead" not in engine.rules.cache


def tables(out):
    import pyarrow.parquet as pq
    return {t: pq.read_table(out / f"{t}.parquet").to_pylist() for t in run.ALL_TABLES}


def test_extract_gives_the_tables_of_one_file_at_a_time_with_any_j(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    for name, data in BYTES.items():
        (src / name).write_bytes(data)
    meta = tmp_path / "meta.csv"                       # one date and one title from metadata
    meta.write_text("doc_id,published,title\nc_kk.txt,2024-06-01,\nf_undated.txt,,Health\n", encoding="utf-8")
    got = {}
    for name, small, j in (("batched", run.SMALL_FILE_BYTES, 1), ("alone", -1, 1), ("batched_j2", run.SMALL_FILE_BYTES, 2)):
        monkeypatch.setattr(run, "SMALL_FILE_BYTES", small)
        run.extract(Settings(inputs=(src,), out=tmp_path / name, metadata=meta, workers=j))
        got[name] = tables(tmp_path / name)
    assert got["batched"] == got["alone"] == got["batched_j2"]
    docs = {d["doc_id"]: d for d in got["alone"]["documents"]}
    assert str(docs["c_kk.txt"]["published"]) == "2024-06-01" and docs["f_undated.txt"]["title"] == "Health"
    assert str(docs["a_roads.txt"]["published"]) == "2023-11-12"
    assert len(got["alone"]["figures"]) >= 10 and len(got["alone"]["errors"]) >= 2
