"""Inputs that used to cost the whole batch: each is one error (or warning) row, the others whole."""
import os
import pickle

import pandas as pd
import pytest

from kzx import errors as kerrors
from kzx import run as krun
from kzx.config import Settings
from kzx.ingest import decode, repair_mojibake
from kzx.run import StageFailed, WorkerDied, extract

GOOD = {"good1.txt": "In 2021, 5 billion tenge was invested.\n",
        "good2.txt": "Growth was 12% in the region.\n"}
DEEP = 100_000


def _good(d):
    for name, text in GOOD.items():
        (d / name).write_text(text, encoding="utf-8")


def _run(tmp_path, files: dict, **kw):
    d = tmp_path / "in"
    d.mkdir(exist_ok=True)
    _good(d)
    for name, data in files.items():
        path = d / os.fsdecode(name) if isinstance(name, bytes) else d / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    out = tmp_path / "out"
    summary = extract(Settings(inputs=(d,), out=out, **kw))
    docs = pd.read_parquet(out / "documents.parquet")
    errs = pd.read_parquet(out / "errors.parquet")
    figs = pd.read_parquet(out / "figures.parquet")
    return summary, docs, errs, figs


def _assert_good_whole(docs, figs):
    by = docs.set_index("doc_id")
    for name, text in GOOD.items():
        assert by.loc[name, "text"] == text
    assert sorted(figs[figs.doc_id == "good1.txt"].text) == ["2021", "5 billion tenge"]
    assert figs[figs.doc_id == "good2.txt"].text.tolist() == ["12%"]


def _rows(errs):
    return sorted((os.path.basename(p), s, e) for p, s, e in zip(errs.path, errs.stage, errs.error))


def test_deep_json_and_huge_integers_are_rows_not_a_lost_batch(tmp_path):
    files = {
        "deep_object.json": '{"a":' * DEEP + "1" + "}" * DEEP,
        "deep_array.json": "[" * DEEP + "]" * DEEP,
        "junk_field.json": '{"text": "It cost 3 billion tenge.", "junk": ' + "[" * DEEP + "]" * DEEP + "}",
        "lines.jsonl": '{"text": "Line one grew 4%."}\n' + "[" * DEEP + "]" * DEEP + '\n{"text": "Line three 6%."}\n',
        "bigint.json": '{"text": "Exports rose 9%.", "id": ' + "7" * 5000 + "}",
    }
    summary, docs, errs, figs = _run(tmp_path, files)
    _assert_good_whole(docs, figs)
    assert _rows(errs) == [("bigint.json", "parse", "HugeNumber"), ("deep_array.json", "parse", "TooDeep"),
                           ("deep_object.json", "parse", "TooDeep"), ("junk_field.json", "parse", "TooDeep"),
                           ("lines.jsonl", "parse", "TooDeep")]
    assert "line 2" in errs[errs.path.str.endswith("lines.jsonl")].message.iloc[0]
    by = docs.set_index("doc_id")
    assert by.loc["bigint.json", "text"] == "Exports rose 9%."          # the document is kept
    assert by.loc["lines.jsonl#1", "text"] == "Line one grew 4%." and "lines.jsonl#3" in by.index
    assert summary.documents == 5


def test_file_name_that_is_not_utf8_keeps_the_document(tmp_path):
    name = "отчёт".encode("cp1251") + b".txt"            # a Cyrillic name unpacked from a Windows zip
    summary, docs, errs, figs = _run(tmp_path, {name: "Investment reached 7 billion tenge."})
    _assert_good_whole(docs, figs)
    bad = docs[~docs.doc_id.isin(list(GOOD))].iloc[0]
    assert bad.doc_id == r"\xee\xf2\xf7\xb8\xf2.txt"
    assert bad.path.endswith(r"\xee\xf2\xf7\xb8\xf2.txt")
    assert figs[figs.doc_id == bad.doc_id].text.tolist() == ["7 billion tenge"]
    assert errs[["stage", "error"]].values.tolist() == [["discover", "UndecodableName"]]
    assert errs.path.iloc[0] == bad.path and "escaped" not in errs.message.iloc[0] or "\\xNN" in errs.message.iloc[0]


def test_bare_json_scalars_are_not_documents_and_lone_surrogates_are_replaced(tmp_path):
    files = {"n.json": "42", "null.json": "null", "s.json": '"just a string"',
             "sur.json": '{"text": "Growth \\ud800 was 5%, smile \\ud83d\\ude00."}'}
    summary, docs, errs, figs = _run(tmp_path, files)
    _assert_good_whole(docs, figs)
    assert _rows(errs) == [("n.json", "parse", "NotADocument"), ("null.json", "parse", "NotADocument"),
                           ("s.json", "parse", "NotADocument"), ("sur.json", "decode", "LoneSurrogate")]
    assert docs.set_index("doc_id").loc["sur.json", "text"] == "Growth \ufffd was 5%, smile \U0001F600."
    assert figs[figs.doc_id == "sur.json"].text.tolist() == ["5%"]


STAGES = [("tokenize", "tokenize_doc"), ("match", "figure_rows"), ("link", "links_for"), ("claims", "claims_for"),
          ("metadata", "resolve_published"), ("write", "document_row")]


@pytest.mark.parametrize("stage,func", STAGES)
def test_a_failure_in_any_stage_costs_that_document_only(tmp_path, monkeypatch, stage, func):
    real = getattr(krun, func)

    def flaky(*args, **kw):
        doc = args[0]
        if getattr(doc, "doc_id", "") == "victim.txt":
            raise RuntimeError(f"injected into {stage}")
        return real(*args, **kw)

    monkeypatch.setattr(krun, func, flaky)
    summary, docs, errs, figs = _run(tmp_path, {"victim.txt": "It cost 9 billion tenge in 2020."})
    _assert_good_whole(docs, figs)
    assert "victim.txt" not in set(docs.doc_id) and "victim.txt" not in set(figs.doc_id)
    assert errs[["stage", "error"]].values.tolist() == [[stage, "RuntimeError"]]
    assert errs.message.iloc[0] == f"victim.txt: injected into {stage}"


def test_a_reader_bug_costs_that_file_only(tmp_path, monkeypatch):
    real = krun.read_source

    def flaky(src, max_bytes):
        if src.doc_id == "victim.txt":
            raise RecursionError("maximum recursion depth exceeded")
        return real(src, max_bytes)

    monkeypatch.setattr(krun, "read_source", flaky)
    summary, docs, errs, figs = _run(tmp_path, {"victim.txt": "5%"})
    _assert_good_whole(docs, figs)
    assert _rows(errs) == [("victim.txt", "read", "RecursionError")]


def _error_classes():
    return [cls for cls in vars(kerrors).values() if isinstance(cls, type) and issubclass(cls, Exception)]


def test_every_error_class_pickles():
    samples = {kerrors.KzxError: ("m", "h"), kerrors.UsageError: ("bad option", "use -o"),
               kerrors.RuleError: ("rules/x.yaml", "money.x", "bad"), kerrors.InputError: ("a\udcff.txt", "discover",
                                                                                            "SymlinkLoop", "loop"),
               kerrors.OutputError: ("disk full", "free space"), kerrors.OutputBusy: ("out", 1234),
               WorkerDied: ("died", "use -j 1")}
    assert set(_error_classes()) <= set(samples), "a new error class needs a pickling test"
    for cls, args in samples.items():
        e = cls(*args)
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is cls and str(back) == str(e) and vars(back) == vars(e)
    sf = pickle.loads(pickle.dumps(StageFailed("match", ValueError("x"))))
    assert sf.stage == "match" and str(sf.error) == "x"


# ---------------------------------------------------------------- decoding
RU = ("В 2023 году в области построено 12 школ. Объём инвестиций составил 150 миллиардов тенге, "
      "что на 12% больше, чем годом ранее.\n")
EN = "The café in Zhanatas was renovated for 5 million tenge; the façade is naïve. Growth was 12%.\n"


KK = "Облыста 2023 жылы 12 мектеп салынды, инвестиция көлемі 150 миллиард теңге болды, өсім 12%.\n"


@pytest.mark.parametrize("enc,text,expect", [("koi8_r", RU, "koi8_r"), ("cp1251", RU, "cp1251"),
                                             ("latin_1", EN, "cp1252"),     # the superset, same letters here
                                             ("kz1048", KK, "kz1048")])
def test_legacy_encodings_are_detected_and_the_guess_is_said(enc, text, expect):
    got, used, warnings = decode(text.encode(enc), "x.txt")
    assert got == text and used == expect
    assert [w[0] for w in warnings] == ["GuessedEncoding"] and expect in warnings[0][1]


def test_mixed_utf8_and_cp1251_lines_are_decoded_line_by_line():
    a, b = "Аким области сообщил о росте на 7%.\n", "Бюджет составил 40 миллиардов тенге.\n"
    raw = a.encode("utf-8") + b.encode("cp1251") + a.encode("utf-8")
    got, used, warnings = decode(raw, "x.txt")
    assert got == a + b + a and used == "utf-8+cp1251"
    assert warnings == [("MixedEncoding", "UTF-8 mixed with other bytes: 1 lines decoded as cp1251 (a guess), "
                                          "the rest as UTF-8")]


@pytest.mark.parametrize("line", ["В 2023 году в районе построено 5 детских садов; охват вырос на 9%.",
                                  "Вырос на 5%."])
def test_a_cp1251_line_whose_one_capital_reads_as_a_symbol_elsewhere_is_cp1251(line):
    # mac_cyrillic has cp1251's lowercase letters but ¬ where cp1251 has В: the detector alone picked it
    a = "Аким области сообщил о росте на 7%.\n"
    got, used, _ = decode(a.encode("utf-8") + line.encode("cp1251") + b"\n" + a.encode("utf-8"), "x.txt")
    assert (got, used) == (a + line + "\n" + a, "utf-8+cp1251")
    assert decode(line.encode("cp1251"), "x.txt")[:2] == (line, "cp1251")


def test_sporadic_nuls_are_stripped_frequent_ones_are_binary():
    text, _, warnings = decode(("Рост составил 5%. " * 50).encode() + b"\x00\x00", "x.txt")
    assert "\x00" not in text and warnings == [("NulBytes", "removed 2 NUL bytes")]
    with pytest.raises(kerrors.InputError, match="NUL bytes"):
        decode("Growth 5%".encode("utf-16-le"), "x.txt")


def _mojibake(s, enc):
    """UTF-8 bytes read as a single-byte code page, as a browser does (undefined bytes kept as C1)."""
    import ftfy.bad_codecs  # noqa: F401 - registers the browsers' "sloppy" code pages
    return s.encode("utf-8").decode({"cp1251": "sloppy-windows-1251", "cp1252": "sloppy-windows-1252"}.get(enc, enc))


@pytest.mark.parametrize("good", [
    "The road cost 5 billion tenge – a record for the café.",
    "Министр заявил, что выделено 5 млрд тенге.",
    "Облыста 2023 жылы 12 мектеп салынды — «өсім» 5%.",
])
@pytest.mark.parametrize("how", ["cp1251", "cp1252", "latin-1", "twice"])
def test_mojibake_is_repaired(good, how):
    bad = _mojibake(_mojibake(good, "cp1251"), "cp1251") if how == "twice" else _mojibake(good, how)
    assert bad != good
    fixed, n = repair_mojibake("Title line\n" + bad + "\nAnother line.")
    assert fixed == "Title line\n" + good + "\nAnother line." and n == 1


@pytest.mark.parametrize("text", [RU, EN, "Қазақстан — «Нұрлы жол» бағдарламасы 5%.", "Цена – 5 $ за баррель."])
def test_good_text_is_not_touched_by_the_mojibake_repair(text):
    assert repair_mojibake(text) == (text, 0)


def test_mojibake_repair_is_a_warning_row_and_offsets_index_the_repaired_text(tmp_path):
    good = "Investments – 5 billion tenge – went to the café in Taraz."
    summary, docs, errs, figs = _run(tmp_path, {"moj.txt": _mojibake(good, "cp1252") + "\n"})
    _assert_good_whole(docs, figs)
    text = docs.set_index("doc_id").loc["moj.txt", "text"]
    assert text == good + "\n"
    f = figs[figs.doc_id == "moj.txt"].iloc[0]
    assert f.text == "5 billion tenge" and text[f.start_char:f.end_char] == f.text
    assert errs[["stage", "error"]].values.tolist() == [["decode", "Mojibake"]]


class _GivesUp:
    """A compiled pattern that runs out of time on every text, as a catastrophic one would."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)

    def finditer(self, text, *a, **kw):
        raise TimeoutError("regex timed out")


def test_a_rule_that_times_out_is_an_error_row_counted_in_the_summary_never_a_silent_drop():
    from kzx.ingest import Document
    from kzx.run import Engine, Summary, _add, analyze

    engine = Engine.build(Settings())
    doc = Document("t.txt", "in/t.txt", "text", "Intro line.\nIt cost 5 billion tenge in 2021, up 12%.\n")
    before = analyze(doc, engine)
    percent = [f for f in before.figures if f["kind"] == "percent"]
    assert [f["text"] for f in percent] == ["12%"] and before.errors == []
    # a rule that runs as it is: one pattern, no gates (pipeline/gates.py), no alternatives apart
    rule = next(r for r in engine.rules.rules if r.id == percent[0]["rule"])
    assert "|" not in rule.pattern and not any(t in rule.regex.pattern for t in engine.rules.gates.values())
    real = rule.regex
    object.__setattr__(rule, "regex", _GivesUp(real))       # after the prefilter was built from the real one
    try:
        after = analyze(doc, engine)
    finally:
        object.__setattr__(rule, "regex", real)
    assert after.errors == [{"path": "in/t.txt", "stage": "match", "error": "RegexTimeout",
                             "message": f"t.txt, sentence 1: rule {rule.id} gave up after 5 s"}]
    assert sorted(f["text"] for f in after.figures) == sorted(f["text"] for f in before.figures
                                                              if f["rule"] != rule.id)   # the others stay

    class Sink:
        def add(self, table, rows):
            pass

    summary = Summary()
    _add(Sink(), [after], summary, krun.ALL_TABLES)
    assert (summary.errors, summary.timeouts) == (1, 1) and "(1 rule timeouts)" in summary.line()
