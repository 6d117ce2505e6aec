"""The Python API: kzx.extract_text, kzx.extract, kzx.read; their docstring examples run as doctests."""
import datetime as dt
import doctest
import json
import subprocess
import sys

import pandas as pd
import pytest

import kzx
import kzx.api
from conftest import ROOT
from kzx.errors import OutputError, UsageError


def test_api_docstring_examples_run():
    result = doctest.testmod(kzx.api, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 10
    for fn in (kzx.extract_text, kzx.extract, kzx.read):
        assert ">>> " in fn.__doc__, fn.__name__


def test_api_extract_text_gives_figures_with_offsets_into_the_text():
    text = "Over 2 trillion tenge or 53% was invested since 2015.\nThe plant will open next year."
    figs = kzx.extract_text(text, published=dt.date(2022, 7, 15))
    assert [(f.kind, f.text) for f in figs] == [("money", "2 trillion tenge"), ("percent", "53%"),
                                                ("date", "since 2015"), ("date", "next year")]
    assert all(text[f.start_char:f.end_char] == f.text for f in figs)
    assert [f.sentence_id for f in figs] == [0, 0, 0, 1]
    assert (figs[0].value_min, figs[0].unit, figs[0].qualifier, figs[0].rule) == (
        2e12, "KZT", "more_than", "money.amount_currency_after")
    assert (figs[3].date_start, figs[3].date_end, figs[3].granularity) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31), "year")
    df = figs.to_pandas()
    assert list(df.columns[:5]) == ["kind", "text", "start_char", "end_char", "sentence_id"]
    assert df.text.tolist() == ["2 trillion tenge", "53%", "since 2015", "next year"]
    assert kzx.extract_text("") == [] and kzx.extract_text("").to_pandas().empty


def test_api_extract_text_without_published_leaves_relative_dates_open():
    [fig] = kzx.extract_text("next year")
    assert (fig.kind, fig.date_start, fig.date_end) == ("date", None, None)
    with pytest.raises(UsageError, match="not a date"):
        kzx.extract_text("next year", published="someday")


def test_api_extract_and_read_round_trip_on_the_seeds(tmp_path):
    summary = kzx.extract([ROOT / "data" / "raw"], tmp_path / "out", metadata=ROOT / "data" / "raw.metadata.csv")
    assert (summary.documents, summary.errors, summary.kinds["money"], summary.kinds["percent"]) == (5, 0, 69, 58)
    t = kzx.read(tmp_path / "out")
    assert [len(getattr(t, n)) for n in ("documents", "facts", "errors")] == [5, 127, 0]
    assert len(t.figures) == sum(summary.kinds.values())
    assert t.documents.published.dtype.kind == "M"           # dates as dates, not datetime.date objects
    assert t.facts.period_start.dtype.kind == "M"
    assert str(t.documents.set_index("doc_id").published["002_b375e10d30cad7e7.txt"].date()) == "2022-07-15"


def test_api_read_a_partial_folder_and_bad_arguments(tmp_path):
    kzx.extract(ROOT / "data" / "raw" / "001_2ca8d319622e1d63.txt", tmp_path / "out")
    (tmp_path / "out" / "facts.parquet").unlink()
    with pytest.raises(OutputError, match="facts.parquet is missing"):     # the manifest records it
        kzx.read(tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    del manifest["tables"]["facts"]                      # an older kzx's output, written without facts
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(manifest))
    t = kzx.read(tmp_path / "out")
    assert t.facts.empty and "repeat_of" in t.facts.columns and len(t.documents) == 1
    with pytest.raises(UsageError, match="does not exist"):
        kzx.extract(tmp_path / "missing", tmp_path / "o")
    with pytest.raises(UsageError, match="is not a folder"):
        kzx.read(tmp_path / "missing")


def test_api_import_kzx_is_the_package_and_pipeline_is_not_needed():
    code = ("import sys, kzx; print(kzx.__version__); print('pipeline' in sys.modules); "
            "print(kzx.extract_text('5 млрд тенге и 12% в 2024 году'))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "tests", capture_output=True, text=True, check=True)
    version, pipeline_loaded, figs = r.stdout.splitlines()
    assert (version, pipeline_loaded) == (kzx.__version__, "False")
    assert "text='5 млрд тенге'" in figs and "value_min=5000000000.0" in figs and "text='12%'" in figs
    assert not [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts
                and any(line.startswith(("import pipeline", "from pipeline"))
                        for line in p.read_text(encoding="utf-8").splitlines())]
    with pytest.raises(AttributeError):
        kzx.no_such_thing   # noqa: B018
    assert isinstance(kzx.read, type(pd.read_parquet))
