"""kzx's Python API: three calls, small and stable.

- `extract_text(text)`: the figures of one text, as data (what `kzx explain` prints);
- `extract(inputs, out)`: the batch run of `kzx extract`, writing the tables to `out`;
- `read(out)`: those tables back, each a pandas DataFrame.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import tables
from .config import Settings
from .errors import UsageError
from .match import FIELDS, find_mentions
from .run import ALL_TABLES, Engine, Summary  # noqa: F401 - Summary is part of the API
from .run import extract as _run_extract
from .segment import segment


@dataclass(frozen=True)
class Figure:
    """One mention found in a text: its span (offsets into the text), kind, normalized value and rule."""
    kind: str
    text: str
    start_char: int
    end_char: int
    sentence_id: int
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    granularity: str | None = None
    name: str | None = None
    rule: str | None = None
    note: str | None = None

    def __repr__(self) -> str:      # the fields that say something; None ones are left out
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if getattr(self, f.name) is not None and f.name not in ("start_char", "end_char",
                                                                                   "sentence_id"))
        return f"Figure({shown}, span={self.start_char}:{self.end_char})"


class Figures(list):
    """A list of Figure; `.to_pandas()` gives them as a DataFrame, one row per figure."""

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(f) for f in self], columns=[f.name for f in fields(Figure)])


@lru_cache(maxsize=4)
def _engine(rules: str | None) -> Engine:
    return Engine.build(Settings(rules_dir=Path(rules) if rules else None))


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"published {value!r} is not a date", "use a datetime.date or 'YYYY-MM-DD'")


def extract_text(text: str, published=None, rules=None) -> Figures:
    """Every figure the rules find in `text` (split into sentences first, as the pipeline does).

    `published` (a date or 'YYYY-MM-DD') anchors relative dates such as "this year"; `rules` is
    another rules folder. Offsets index `text`.

    >>> import kzx
    >>> figs = kzx.extract_text("More than 2 trillion tenge was invested this year.", published="2022-07-15")
    >>> [(f.kind, f.text, f.value_min, f.unit, f.qualifier) for f in figs if f.kind == "money"]
    [('money', '2 trillion tenge', 2000000000000.0, 'KZT', 'more_than')]
    >>> [(f.text, str(f.date_start), str(f.date_end)) for f in figs if f.kind == "date"]
    [('this year', '2022-01-01', '2022-12-31')]
    >>> figs.to_pandas()[["kind", "text", "start_char", "end_char"]].values.tolist()
    [['money', '2 trillion tenge', 10, 26], ['date', 'this year', 40, 49]]
    """
    engine = _engine(str(rules) if rules else None)
    when = _date(published)
    out = Figures()
    for sent in segment(text, engine.nlp):
        for m in find_mentions(sent.text, engine.rules, when):
            out.append(Figure(m.kind, m.text, sent.start_char + m.start, sent.start_char + m.end, sent.sentence_id,
                              **{k: m.fields.get(k) for k in FIELDS}, rule=m.rule, note=m.note))
    return out


def extract(inputs, out, *, metadata=None, published=None, rules=None, workers: int = 1) -> Summary:
    """Run the whole pipeline over files or folders (`inputs`: a path or a list of paths) and write
    every table to the folder `out`, as `kzx extract` does. Options as on the command line:
    `metadata` (CSV or JSON Lines keyed by doc_id), `published` (one date for every document),
    `rules` (a rules folder), `workers` (processes). Bad inputs become rows of the `errors` table.

    >>> import kzx, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.txt").write_text("The akim said 5 billion tenge was allocated in 2023.")
    >>> summary = kzx.extract(folder / "in.txt", folder / "out")
    >>> summary.documents, summary.kinds, summary.errors
    (1, {'money': 1, 'date': 1}, 0)
    """
    paths = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"input {p} does not exist")
    if metadata is not None and not Path(metadata).is_file():
        raise UsageError(f"metadata {metadata} is not a file")
    if workers < 1:
        raise UsageError("workers must be at least 1")
    settings = Settings(inputs=tuple(Path(p) for p in paths), out=Path(out), rules_dir=Path(rules) if rules else None,
                        metadata=Path(metadata) if metadata else None, published=_date(published), workers=workers)
    return _run_extract(settings)


@dataclass
class Tables:
    """The tables of one output folder, each a pandas DataFrame (dates as datetime64, nulls NaT)."""
    documents: pd.DataFrame
    sentences: pd.DataFrame
    figures: pd.DataFrame
    links: pd.DataFrame
    claims: pd.DataFrame
    facts: pd.DataFrame
    errors: pd.DataFrame


def read(out) -> Tables:
    """The tables `extract` wrote to `out` (each a file or a folder of Parquet parts); a table the
    folder lacks is an empty DataFrame with its columns.

    >>> import kzx, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.txt").write_text("In 2021, the Saran industrial zone was built for 4.5 billion tenge.")
    >>> _ = kzx.extract(folder / "in.txt", folder / "out")
    >>> t = kzx.read(folder / "out")
    >>> t.facts[["text", "value_max", "project", "period_start"]].values.tolist()
    [['4.5 billion tenge', 4500000000.0, 'Saran industrial zone', Timestamp('2021-01-01 00:00:00')]]
    >>> len(t.documents), len(t.errors)
    (1, 0)
    """
    out = Path(out)
    if not out.is_dir():
        raise UsageError(f"{out} is not a folder", "give the output folder of kzx extract")
    return Tables(**{name: tables.read(out, name).to_pandas(date_as_object=False) for name in ALL_TABLES})
