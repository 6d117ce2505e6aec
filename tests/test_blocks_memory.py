"""A huge document is cut into blocks with no memory of its own (the old island regex kept ~37 bytes
of backtracking state per input byte: 8 GB for a 200 MB file)."""
import tracemalloc

from kzx.segment import blocks

LINE = "In 2023 the region invested 150 billion tenge in roads, 12% more than a year before.\n"


def test_blocks_of_a_20_mb_text_need_no_memory_of_their_own():
    text = LINE * (20_000_000 // len(LINE))
    tracemalloc.start()
    try:
        pieces = 0
        for off, block in blocks(text):
            assert text[off:off + len(block)] == block
            pieces += len(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pieces == len(text) - 1                 # all but the final line break
    assert peak < 5_000_000                        # one block at a time (the island regex: ~750 MB)


def test_blocks_drop_long_whitespace_runs_only():
    text = "  A b.\n" + " " * 300 + "C d." + "\t" * 199 + "e f." + "\n" * 250
    assert list(blocks(text)) == [(2, "A b."), (307, "C d." + "\t" * 199 + "e f.")]


# ---------------------------------------------------------------- long documents in parts
import json  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kzx import long_docs, run  # noqa: E402
from kzx.config import Settings  # noqa: E402
from kzx.ingest import Document, Source  # noqa: E402
from kzx.segment import Sentence  # noqa: E402


FIRST = ["Kok", "Ak", "Kara", "Sary", "Zhana", "Ust"]
LAST = ["tal", "su", "tas", "bulak", "kol", "ozek", "tobe", "zhar", "kum", "bel"]


def _paragraph(i: int) -> str:
    """Our own sentences, each paragraph with its own figures (no name, acronym or figure repeats, so
    the passes that read a whole document find nothing across parts)."""
    return (f"In {1990 + i % 30} the akimat spent {i + 1}.5 billion tenge on roads, {i % 90 + 1}% of its "
            f"budget. The {FIRST[i % 6]}{LAST[i // 6]}-Saran road was opened in March {2000 + i % 20}.\n")


LONG_TEXT = "".join(_paragraph(i) for i in range(60))


@pytest.fixture(scope="module")
def engine():
    return run.Engine.build(Settings())


def test_parts_end_at_a_line_break_after_the_part_size_or_at_the_hard_cut(monkeypatch):
    monkeypatch.setattr(long_docs, "PART_CHARS", 20)
    monkeypatch.setattr(long_docs, "HARD_CUT", 50)
    text = "Aaaa bbb ccc. Dd ee ff gg.\nHh ii.\n" + "Jj kk ll mm nn. " * 5
    sents = [Sentence(i, m.start(), m.end(), m.group()) for i, m in
             enumerate(__import__("re").finditer(r"[^.\n]+\.", text))]
    got = [[s.sentence_id for s in g] for g in long_docs.parts(text, sents)]
    # 0 and 1 reach 20 characters and a line break follows; 2 is short, so 3 joins it across its
    # line break; the run with no line break is then cut once it holds 50 characters (2-5)
    assert got == [[0, 1], [2, 3, 4, 5], [6, 7]]


def test_a_long_document_in_parts_gives_the_rows_of_the_whole(engine, monkeypatch):
    doc = Document("long.txt", "long.txt", "txt", LONG_TEXT)
    whole = run.analyze(doc, engine)
    monkeypatch.setattr(long_docs, "LONG_CHARS", 1_000)
    monkeypatch.setattr(long_docs, "PART_CHARS", 1_500)
    got = list(run.iter_source(Source("long.txt", "long.txt", data=LONG_TEXT.encode()), Settings(), engine, None))
    assert len(got) == 1 + len(LONG_TEXT) // 1_500 + 1 and got[0].document["n_chars"] == len(LONG_TEXT)
    assert [r.part for r in got] == [False] + [True] * (len(got) - 1)
    assert [f["kind"] for f in whole.figures[:5]] == ["date", "money", "percent", "project", "date"]
    assert len(whole.figures) == 60 * 5 and len(whole.links) == 60 * 2
    for table in ("sentences", "figures", "links", "claims", "facts"):
        parts = [row for r in got for row in getattr(r, table)]
        assert parts == getattr(whole, table), table


def test_a_part_that_fails_is_an_error_row_and_the_other_parts_are_kept(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(long_docs, "LONG_CHARS", 1_000)
    monkeypatch.setattr(long_docs, "PART_CHARS", 1_500)
    real = run.links_for

    def flaky(doc, sentences, figures, rs):
        if "Karatas-Saran" in doc.text:          # paragraph 14
            raise ValueError("a bug")
        return real(doc, sentences, figures, rs)
    monkeypatch.setattr(run, "links_for", flaky)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.txt").write_text(LONG_TEXT, encoding="utf-8")
    summary = run.extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors[["stage", "error"]].values.tolist() == [["link", "ValueError"]]
    starts = [LONG_TEXT.index(_paragraph(i)) for i in range(60)] + [len(LONG_TEXT)]
    first = next(i for i in range(60) if starts[i + 1] - starts[0] > 1_500)      # parts of 1,500 characters
    second = next(i for i in range(first + 1, 60) if starts[i + 1] - starts[first + 1] > 1_500)
    assert first < 14 <= second                  # the failing paragraph is in the second part
    lo, hi = starts[first + 1], starts[second + 1] - 1
    assert errors.message[0] == f"long.txt: characters {lo}-{hi} not analysed: a bug"
    figures = pd.read_parquet(tmp_path / "out" / "figures.parquet")
    assert summary.documents == 1 and len(figures) == 60 * 5 - (second - first) * 5
    assert not ((figures.start_char >= lo) & (figures.start_char < hi)).any()


def test_long_files_give_the_same_tables_with_any_j_and_a_repeated_id_drops_every_part(monkeypatch, tmp_path):
    monkeypatch.setattr(long_docs, "LONG_CHARS", 1_000)
    monkeypatch.setattr(long_docs, "PART_CHARS", 1_500)
    monkeypatch.setattr(run, "LONG_FILE_BYTES", 5_000)      # long.txt and twice.jsonl go to the parent
    src = tmp_path / "in"
    src.mkdir()
    (src / "long.txt").write_text(LONG_TEXT, encoding="utf-8")
    (src / "short.txt").write_text(_paragraph(7), encoding="utf-8")
    records = [json.dumps({"text": _paragraph(8)}), json.dumps({"text": LONG_TEXT})]
    (src / "twice.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    (src / "twice.jsonl#2").write_text(LONG_TEXT, encoding="utf-8")      # named like the record: refused
    outs = {}
    for j in (1, 2):
        run.extract(Settings(inputs=(src,), out=tmp_path / f"out{j}", workers=j, include=("*",)))
        outs[j] = {t: (tmp_path / f"out{j}" / f"{t}.parquet").read_bytes()
                   for t in ("documents", "sentences", "figures", "links", "claims", "facts", "errors")}
    assert outs[1] == outs[2]
    docs = pd.read_parquet(tmp_path / "out1" / "documents.parquet")
    figures = pd.read_parquet(tmp_path / "out1" / "figures.parquet")
    errors = pd.read_parquet(tmp_path / "out1" / "errors.parquet")
    assert sorted(docs.doc_id) == ["long.txt", "short.txt", "twice.jsonl#1", "twice.jsonl#2"]
    assert figures.doc_id.value_counts().to_dict() == {"long.txt": 300, "twice.jsonl#2": 300, "short.txt": 5,
                                                       "twice.jsonl#1": 5}
    assert errors.error.tolist() == ["DuplicateId"]


@pytest.mark.parametrize("text", ["", "  ", "a", "one two  three\n", " x" * 700, "ab" * 600 + " c d", "é\u2003ж\tq " * 300])
def test_count_words_by_chunks_is_len_of_split(monkeypatch, text):
    monkeypatch.setattr(run, "WORD_CHUNK", 7)      # chunk edges inside words, on spaces, at the end
    assert run.count_words(text) == len(text.split())
