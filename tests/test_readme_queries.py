"""README's answers to the analyst's three questions, taken from README.md as written and run on
data/raw's tables, in pandas and in DuckDB; README names no path outside the repository."""
import os
import re

import duckdb
import pandas as pd
import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### The analyst's table: `facts`"):README.index("### Python API")]
FIGURE = "002_b375e10d30cad7e7.txt:money:3556-3574"
PROJECT_YEARS = [
    ("auyl-el besigi", 2022, 5.2e9),
    ("eco-hotel muztau", 2022, 1.5e9),
    ("entrepreneurship support map until 2025", 2022, 481e9),      # the 62 billion "including" is a part
    ("program for the development of the former district centers of the region for 2021 2024", 2021, 43e9),
    ("semey airport", 2018, 10.7e9),
]


def _block(lang: str) -> str:
    [code] = re.findall(rf"```{lang}\n(.+?)```", SECTION, re.S)
    return code


def _parts(code: str, marker: str) -> tuple[str, list[str]]:
    """(the lines before question 1, the statement of each question), split at `<marker> N.` lines."""
    chunks = re.split(rf"^{re.escape(marker)} \d\. .*\n", code, flags=re.M)
    return chunks[0], [c.strip() for c in chunks[1:]]


@pytest.fixture()
def in_seeds_checkout(seeds_out, tmp_path):
    """A folder where data/out is the seeds' output, as after README's first command."""
    out, _ = seeds_out
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "out").symlink_to(out)
    old = os.getcwd()
    os.chdir(tmp_path)
    yield
    os.chdir(old)


def test_readme_pandas_answers(in_seeds_checkout):
    setup, statements = _parts(_block("python"), "#")
    assert len(statements) == 3
    env: dict = {}
    exec(setup, env)
    q1, q2, q3 = (eval(s, env) for s in statements)
    assert [(k, y, v) for (k, y), v in q1.items()] == PROJECT_YEARS
    assert str(env["facts"].period_start.dtype) == "date32[day][pyarrow]"
    assert len(q2) == 20 and set(q2.doc_id) == {"002_b375e10d30cad7e7.txt"}
    assert q2.text.tolist()[:8] == ["53%", "36%", "51%", "41%", "108%", "103%", "112%", "110%"]
    [row] = q3.to_dict("records")
    assert (row["text"], row["doc_id"], str(row["published"])) == ("10.7 billion tenge", "002_b375e10d30cad7e7.txt",
                                                                    "2022-07-15")
    assert row["sentence"].startswith("In 2018, the reconstruction of the runway")
    assert row["title"].startswith("Region has solid economic foundation")


def test_readme_duckdb_answers(in_seeds_checkout):
    _, statements = _parts(_block("sql"), "--")
    assert len(statements) == 3
    q1, q2, q3 = (duckdb.sql(s).fetchall() for s in statements)
    assert q1 == PROJECT_YEARS
    assert len(q2) == 20 and [r[0] for r in q2][:8] == ["53%", "36%", "51%", "41%", "108%", "103%", "112%", "110%"]
    [row] = q3
    assert row[0] == "10.7 billion tenge" and row[2] == "002_b375e10d30cad7e7.txt" and str(row[5]) == "2022-07-15"


def test_readme_pandas_and_duckdb_agree_and_skip_the_repeated_lead(in_seeds_checkout):
    facts = pd.read_parquet("data/out/facts.parquet")
    money = facts[facts.unit == "KZT"]
    once = duckdb.sql("SELECT sum(value_max) FROM 'data/out/facts.parquet' WHERE unit = 'KZT' AND repeat_of IS NULL"
                      ).fetchall()[0][0]
    assert money.value_max.sum() - once == pytest.approx(2e12)      # the lead's "more than 2 trillion tenge"
    assert once == pytest.approx(money[money.repeat_of.isna()].value_max.sum())


def test_readme_links_only_inside_the_repository():
    assert "../" not in README and "shared/" not in README
    for target in re.findall(r"\]\(([^)#]+)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    assert "(docs/spec.md)" in README


def test_spec_names_every_table_column_kind_qualifier_and_granularity():
    """docs/spec.md is the contract: every column of every schema, and every value kzx writes."""
    from kzx.write import SCHEMAS

    spec = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", spec, re.M)}
    assert set(rows) == set(SCHEMAS)
    for table, schema in SCHEMAS.items():
        listed = [c.split(" (")[0].strip() for c in rows[table].split(",")]
        assert listed == schema.names, table
    for word in ("money", "percent", "date", "project", "quantity", "count", "multiplier", "duration",
                 "about", "more_than", "less_than", "up_to", "at_least",
                 "day", "month", "quarter", "half", "year", "range", "funds", "dated",
                 "instructed", "planned", "achieved", "Russian and Kazakh"):
        assert f"`{word}`" in spec or f"## {word}" in spec, word


def test_readme_python_api_lines_run(tmp_path, monkeypatch):
    api = README[README.index("### Python API"):]
    [code] = re.findall(r"```python\n(.+?)```", api, re.S)[:1]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    (tmp_path / "data" / "raw.metadata.csv").symlink_to(ROOT / "data" / "raw.metadata.csv")
    monkeypatch.chdir(tmp_path)
    env: dict = {}
    exec(code, env)
    assert (env["summary"].documents, env["summary"].errors) == (5, 0)
    assert len(env["tables"].facts) == 127 and env["tables"].facts.repeat_of.notna().sum() == 4
