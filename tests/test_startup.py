"""What a plain `kzx extract` process loads: not pandas (pyarrow would import it at the first
pa.array only to ask whether a value is a Series), not ftfy for English-only inputs; and the
tables it writes are the ones the Python API writes. Each check runs in a fresh process."""
import json
import os
import subprocess
import sys

import pyarrow.parquet as pq

from conftest import ROOT

EXTRACT = """
import json, sys
from kzx.cli import main
sys.argv = ["kzx", "-q", "extract", *sys.argv[1:]]
try:
    main()
except SystemExit as e:
    code = e.code
print(json.dumps({"code": code, "pandas": "pandas" in sys.modules, "ftfy": "ftfy" in sys.modules}))
"""


def _extract(*args, env=None) -> dict:
    done = subprocess.run([sys.executable, "-c", EXTRACT, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_extract_loads_neither_pandas_nor_for_english_ftfy_and_writes_the_api_tables(tmp_path):
    from kzx import run
    from kzx.config import Settings

    seen = _extract(ROOT / "data" / "raw", "-o", tmp_path / "cli")
    assert seen == {"code": 0, "pandas": False, "ftfy": False}
    run.extract(Settings(inputs=(ROOT / "data" / "raw",), out=tmp_path / "api"))
    for table in run.ALL_TABLES:
        cli, api = (pq.read_table(tmp_path / d / f"{table}.parquet") for d in ("cli", "api"))
        assert cli.schema == api.schema and cli.equals(api), table
    assert pq.read_table(tmp_path / "cli" / "figures.parquet").num_rows > 100


def test_extract_imports_ftfy_for_text_that_may_hold_mojibake(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Сумма составила 5 млрд тенге.\n" + "Ð¡ÑƒÐ¼Ð¼Ð° 5 Ð¼Ð»Ñ€Ð´ Ñ‚ÐµÐ½Ð³Ðµ.\n", encoding="utf-8")
    seen = _extract(src, "-o", tmp_path / "out")
    assert seen["ftfy"] is True and seen["pandas"] is False
    text = pq.read_table(tmp_path / "out" / "documents.parquet").column("text")[0].as_py()
    assert text == "Сумма составила 5 млрд тенге.\nСумма 5 млрд тенге.\n"


def test_clean_kazakh_text_does_not_import_ftfy_once_its_check_is_kept(tmp_path):
    # "бі" is a UTF-8 lead byte's character before a continuation byte's in cp1251: the pair check
    # lets Kazakh through to ftfy's badness check, whose quick form is derived (importing ftfy) on
    # a machine's first run and read from kzx's cache folder after it
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Биыл облыста бірінші жобаға 5 млрд теңге бөлінді.\n", encoding="utf-8")
    from kzx.prefilter import _cache_dir

    cache = tmp_path / "cache"         # this session's cache, less the badness check's (the prefilter's
    cache.mkdir()                      # databases take minutes to build from cold)
    for sub in _cache_dir().iterdir() if _cache_dir().is_dir() else ():
        if sub.name != "badness":
            (cache / sub.name).symlink_to(sub)
    env = dict(os.environ, KZX_CACHE=str(cache))
    assert _extract(src, "-o", tmp_path / "one", env=env)["ftfy"] is True
    assert len(list((cache / "badness").glob("*.json"))) == 1
    assert _extract(src, "-o", tmp_path / "two", env=env)["ftfy"] is False
    figures = pq.read_table(tmp_path / "two" / "figures.parquet")
    assert figures.select(["kind", "text"]).to_pylist() == [{"kind": "date", "text": "Биыл"},
                                                            {"kind": "money", "text": "5 млрд теңге"}]


AFTER = """
import sys
import pyarrow as pa
from kzx.write import pyarrow_without_pandas
pyarrow_without_pandas()
t = pa.Table.from_pylist([{"a": 1, "b": "x"}, {"a": None, "b": None}])
assert "pandas" not in sys.modules
df = t.to_pandas()                       # pyarrow's pandas functions still import it
assert "pandas" in sys.modules and df["b"].tolist()[0] == "x"
back = pa.table(df)                      # and know it again: a DataFrame, with its pandas metadata
assert back.column("a").to_pylist()[0] == 1 and b"pandas" in back.schema.metadata
print("ok")
"""


def test_pyarrow_without_pandas_leaves_pandas_importable_and_known_to_pyarrow_when_used():
    done = subprocess.run([sys.executable, "-c", AFTER], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
