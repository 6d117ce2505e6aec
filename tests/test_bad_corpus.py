"""Issue 18's "Done when": one corpus holding every kind of bad input, mixed with 13 good documents,
run with -j 1 and -j 2 as subprocesses (a hang fails the test at the timeout, never blocks it).
Every good document comes out whole (the same figures as when it is extracted alone), every bad
input is its row in `errors` with the expected error, and every table is byte-identical across -j.
"""
import errno
import json
import os
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from kzx.config import Settings
from kzx.ingest import Source
from kzx.probes import probe
from kzx.run import Engine, process_source

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
DEEP = 100_000
TIMEOUT = 600          # seconds: far above a run's few seconds; only a hang reaches it

# Our own sentences (never from the dev sets): money, percents, dates and projects in three languages.
GOOD = {
    "g01_roads.txt": "In 2023 the Kostanay region spent 48.5 billion tenge on local roads, 14% more than in 2022.\n"
                     "The Tobol river bridge was opened in October 2023.\n",
    "g02_schools.md": "# Schools\n\nAkim Serik Bekov said that 12 new schools will open by 2025; "
                      "30 billion tenge has been allocated for them.\n",
    "g03_wind.html": "<html><head><title>Wind farm</title></head><body><article><p>The Zhanatas wind farm "
                     "cost 95 million US dollars and was commissioned on 5 March 2024.</p><p>Its output grew "
                     "by 7.5% in the first quarter of 2024.</p></article></body></html>",
    "g04_water.json": json.dumps({"title": "Water", "date": "2024-03-05",
                                  "text": "Under the Auyl - El Besigi program, 6.2 billion tenge went to water "
                                          "pipes in 40 villages this year. Coverage reached 92%."}),
    "g05_budget.txt": "The regional budget for 2024 is 512 billion tenge. Spending on health rose to 18.4%.\n",
    "g06_ru_hospital.txt": "В 2024 году на строительство областной больницы в Караганде выделено 12,5 млрд тенге. "
                           "Рост инвестиций в основной капитал составил 8,3%.\n",
    "g07_ru_roads.html": "<html><body><p>С 1 апреля по 30 июня 2024 года отремонтировано 210 км дорог на сумму "
                         "27 миллиардов тенге.</p><p>Доля дорог в хорошем состоянии выросла до 81%.</p></body></html>",
    "g08_ru_farm.json": json.dumps({"title": "Ферма", "text": "Молочно-товарная ферма «Береке» на 1200 голов "
                                    "стоимостью 3,4 млрд тенге будет введена в 2025 году. Надои выросли на 11%."},
                                   ensure_ascii=False),
    "g09_ru_gas.md": "## Газ\n\nПо словам акима области, уровень газификации в 2023 году достиг 64,5%, "
                     "а на новые сети направлено 19 млрд тенге.\n",
    "g10_kk_invest.txt": "2023 жылы облысқа 7,2 млрд теңге инвестиция тартылды, бұл өткен жылмен салыстырғанда "
                         "15% артық.\n",
    "g11_kk_school.txt": "Түркістан облысында 2024 жылы 3 мектеп салынды, оған 9 млрд теңге бөлінді. "
                         "Оқушылар саны 4%-ға өсті.\n",
    "g12_kk_latin.txt": "2024 jyly óńirge 5 mlrd teńge bólindi, ósim 6% boldy.\n",
    "g13_mixed.txt": "The Saran industrial zone received 2.1 billion tenge in 2022.\n"
                     "Өнеркәсіп аймағы 2022 жылы 2,1 млрд теңге алды.\n",
}

RU_TEXT = "В 2023 году в районе построено 5 детских садов на 4,8 млрд тенге; охват вырос на 9%.\n"
EN_LATIN1 = "The café on the naïve façade street cost 3 million tenge in 2021, 6% under the estimate.\n"
HOSTILE = (probe("capitalised_dash_chain", 3000) + " " + probe("digits_nbsp", 3000) + " "
           + probe("scale_words", 3000) + " and 4 billion tenge went to 12% of the " + probe("capitalised_words", 950))

# Inputs kept with a warning row: file name → (what is on disk, the text kzx must read from it)
KEPT = {
    "koi8.txt": (RU_TEXT.encode("koi8_r"), RU_TEXT),
    "mixed.txt": (GOOD["g06_ru_hospital.txt"].encode("utf-8") + RU_TEXT.encode("cp1251")
                  + GOOD["g09_ru_gas.md"].encode("utf-8"), GOOD["g06_ru_hospital.txt"] + RU_TEXT + GOOD["g09_ru_gas.md"]),
    "latin1.txt": (EN_LATIN1.encode("latin_1"), EN_LATIN1),
    "nul.txt": (b"Exports grew by 5% in 2022.\x00 Imports fell by 2%.\x00" + b" More trade is planned." * 20,
                "Exports grew by 5% in 2022. Imports fell by 2%." + " More trade is planned." * 20),
    "sur.json": (b'{"text": "Tourism \\ud800 brought 8 billion tenge, up 10%."}',
                 "Tourism \ufffd brought 8 billion tenge, up 10%."),
    "bigint.json": (('{"text": "Exports rose 9% in 2023.", "id": ' + "7" * 5000 + "}").encode(),
                    "Exports rose 9% in 2023."),
    "hostile.txt": (HOSTILE.encode("utf-8"), HOSTILE),
}
BAD_NAME = "отчёт".encode("cp1251") + b".txt"      # a Cyrillic name from a Windows zip: not UTF-8
BAD_NAME_ID = r"\xee\xf2\xf7\xb8\xf2.txt"
BAD_NAME_TEXT = "Investment in the Shymkent refinery reached 7 billion tenge in 2022.\n"

# Inputs that give no document: file name → (bytes, stage, error)
REFUSED = {
    "deep_object.json": ('{"a":' * DEEP + "1" + "}" * DEEP, "parse", "TooDeep"),
    "deep_array.json": ("[" * DEEP + "]" * DEEP, "parse", "TooDeep"),
    "junk_field.json": ('{"text": "It cost 3 billion tenge.", "junk": ' + "[" * DEEP + "]" * DEEP + "}",
                        "parse", "TooDeep"),
    "n.json": ("42", "parse", "NotADocument"),
    "null.json": ("null", "parse", "NotADocument"),
    "s.json": ('"just a string"', "parse", "NotADocument"),
    "empty.txt": ("", "decode", "EmptyFile"),
    "broken.json": ('{"title": "cut", "text": "It cost 4 bil', "parse", "InvalidJSON"),
}

EXPECTED_ERRORS = sorted(
    [(name, stage, error) for name, (_, stage, error) in REFUSED.items()]
    + [("koi8.txt", "decode", "GuessedEncoding"), ("mixed.txt", "decode", "MixedEncoding"),
       ("latin1.txt", "decode", "GuessedEncoding"), ("nul.txt", "decode", "NulBytes"),
       ("sur.json", "decode", "LoneSurrogate"), ("bigint.json", "parse", "HugeNumber"),
       (BAD_NAME_ID, "discover", "UndecodableName"),
       ("zero.txt", "discover", "NotRegularFile"), ("to_pipe.txt", "discover", "NotRegularFile"),
       ("pipe.txt", "discover", "NotRegularFile"), ("loop", "discover", "SymlinkLoop"),
       ("locked", "discover", "PermissionError"), ("secret.txt", "discover", "LinkOutsideInput")])

# Runs kzx's CLI. The folder `locked` is chmod 0, which only stops a non-root reader: as root
# (this project's machines) nothing can make a folder unreadable, so there the listing of that
# folder is made to fail with the very error a non-root reader gets (EACCES from os.scandir).
RUNNER = """
import errno, os, sys
locked = os.environ.get("KZX_TEST_LOCKED")
if locked and os.geteuid() == 0:
    real_scandir = os.scandir
    def scandir(path="."):
        if os.path.realpath(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)
    os.scandir = scandir
from kzx.cli import main
sys.argv = ["kzx"] + sys.argv[1:]
main()
"""


def _corpus(root):
    d = root / "in"
    d.mkdir()
    for name, text in GOOD.items():
        (d / name).write_text(text, encoding="utf-8")
    for name, (data, _) in KEPT.items():
        (d / name).write_bytes(data)
    (d / os.fsdecode(BAD_NAME)).write_bytes(BAD_NAME_TEXT.encode("utf-8"))
    for name, (data, _, _) in REFUSED.items():
        (d / name).write_text(data, encoding="utf-8")
    os.symlink("/dev/zero", d / "zero.txt")
    os.mkfifo(d / "pipe.txt")                         # met directly
    os.symlink(d / "pipe.txt", d / "to_pipe.txt")
    os.symlink(d, d / "loop")                         # a folder holding itself
    (d / "locked").mkdir()
    (d / "locked" / "hidden.txt").write_text("Hidden 3%.", encoding="utf-8")
    os.chmod(d / "locked", 0)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret budget of 77 billion tenge.", encoding="utf-8")
    os.symlink(outside / "secret.txt", d / "secret.txt")     # leaves the input: not followed
    return d


def _run(d, out, workers):
    env = dict(os.environ, KZX_TEST_LOCKED=os.path.realpath(d / "locked"))
    r = subprocess.run([sys.executable, "-c", RUNNER, "extract", str(d), "-o", str(out), "-j", str(workers)],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=TIMEOUT)
    assert r.returncode == 1, r.stderr                 # inputs failed: recorded, the batch done
    assert "Traceback" not in r.stderr
    return r


def _alone(tmp_path):
    """Text and figures of every document that must come out whole, each extracted on its own
    (the kept inputs from a clean UTF-8 copy)."""
    d = tmp_path / "alone"
    d.mkdir()
    files = dict(GOOD)
    for name, (_, text) in KEPT.items():       # the same text, in good UTF-8 (a JSON record for .json)
        files[name] = json.dumps({"text": text}) if name.endswith(".json") else text
    files[BAD_NAME_ID] = BAD_NAME_TEXT
    settings = Settings(inputs=(d,), out=tmp_path / "unused")
    engine = Engine.build(settings)
    alone = {}
    for name, content in files.items():
        path = d / ("badname.txt" if name == BAD_NAME_ID else name)
        path.write_text(content, encoding="utf-8")
        rows = process_source(Source(path, name), settings, engine, None)
        assert len(rows) == 1 and rows[0].document, rows[0].errors
        alone[name] = (rows[0].document["text"], sorted(_key(f) for f in rows[0].figures))
    return alone


def _key(f) -> tuple:
    return tuple(str(f[k]) for k in ("kind", "start_char", "end_char", "text", "value_min", "value_max", "unit",
                                     "date_start", "date_end", "name"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad_corpus")
    d = _corpus(tmp)
    try:
        outs = {}
        for workers in (1, 2):
            outs[workers] = tmp / f"out{workers}"
            _run(d, outs[workers], workers)
    finally:
        os.chmod(d / "locked", 0o755)
    return _alone(tmp), outs


@pytest.mark.parametrize("workers", [1, 2])
def test_every_good_document_is_whole_and_every_bad_input_a_row(runs, workers):
    alone, outs = runs
    out = outs[workers]
    errors = pd.read_parquet(out / "errors.parquet")
    got = sorted((os.path.basename(p), s, e) for p, s, e in zip(errors.path, errors.stage, errors.error))
    assert got == EXPECTED_ERRORS
    assert all(len(m) > 10 for m in errors.message)
    assert not errors.message.str.contains("RegexTimeout").any()

    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert sorted(docs.index) == sorted(alone)          # 13 good + 8 kept with a warning; nothing else
    assert len(GOOD) == 13
    for name, (_, text) in KEPT.items():
        assert docs.loc[name, "text"] == text, name
    rows = pq.read_table(out / "figures.parquet").to_pylist()
    for name, (text, figures) in alone.items():
        assert docs.loc[name, "text"] == text, name
        assert sorted(_key(f) for f in rows if f["doc_id"] == name) == figures, name
    figs = pd.read_parquet(out / "figures.parquet")
    for name in GOOD:                                   # what we wrote in is found: the comparison is not empty
        kinds = set(figs[figs.doc_id == name].kind)
        assert {"money", "date"} <= kinds or {"percent", "date"} <= kinds, (name, kinds)
    assert {"money", "percent"} <= set(figs[figs.doc_id == "hostile.txt"].kind)
    assert "Secret" not in " ".join(docs.text) and "Hidden" not in " ".join(docs.text)
    assert not list(out.glob(".kzx-staging-*")) and not (out / ".kzx-commit.json").exists()


def test_tables_are_byte_identical_across_workers(runs):
    _, outs = runs
    names = sorted(p.name for p in outs[1].glob("*.parquet"))
    assert names == sorted(f"{t}.parquet" for t in ("documents", "sentences", "figures", "links", "claims",
                                                    "facts", "errors"))
    assert names == sorted(p.name for p in outs[2].glob("*.parquet"))
    for name in names:
        assert (outs[1] / name).read_bytes() == (outs[2] / name).read_bytes(), name
    m1, m2 = (json.loads((outs[w] / "manifest.json").read_text(encoding="utf-8")) for w in (1, 2))
    assert m1["tables"] == m2["tables"] and m1["documents"] == m2["documents"] == 21
