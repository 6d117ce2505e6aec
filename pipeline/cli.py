"""Command line (typer): parse options, build Settings, call the stages. Thin by design."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .config import Settings
from .errors import KzxError, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="kzx: money, percent, date and project figures from texts about Kazakhstan's regions, "
                       "as Parquet tables.")

DEBUG = {"on": False}   # set once per process by the --debug option; read by _run


def _date(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--published {value!r} is not a date", "use YYYY-MM-DD")


def _settings(inputs=(), out=Path("data/out"), rules=None, metadata=None, published=None, workers=1) -> Settings:
    for p in inputs:
        if not Path(p).exists():
            raise UsageError(f"input {p} does not exist")
    if rules is not None and not Path(rules).is_dir():
        raise UsageError(f"--rules {rules} is not a folder")
    if metadata is not None and not Path(metadata).is_file():
        raise UsageError(f"--metadata {metadata} is not a file")
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    return Settings(inputs=tuple(Path(p) for p in inputs), out=Path(out), rules_dir=Path(rules) if rules else None,
                    metadata=Path(metadata) if metadata else None, published=_date(published), workers=workers,
                    progress=_show_progress())


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _bar(items, total):
    with typer.progressbar(items, length=total, label="kzx", file=sys.stderr) as bar:
        yield from bar


def _run(fn):
    """Library errors → one clear line and an exit code; traceback only with --debug."""
    try:
        return fn()
    except KzxError as e:
        if DEBUG["on"]:
            raise
        typer.echo(f"Error: {e.message}" + (f"\nHint: {e.hint}" if e.hint else ""), err=True)
        raise typer.Exit(e.code)


OUT = typer.Option(Path("data/out"), "-o", "--out", help="Output folder for the Parquet tables.")
RULES = typer.Option(None, "--rules", help="Rules folder (default: the rules shipped with kzx).")
META = typer.Option(None, "--metadata", help="CSV or JSON Lines keyed by doc_id: published, title, url.")
PUB = typer.Option(None, "--published", help="One publication date (YYYY-MM-DD) for every document of the run.")
WORKERS = typer.Option(1, "--workers", "-j", help="Worker processes.")


def _version(value: bool):
    if value:
        from . import __version__

        typer.echo(f"kzx {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
          version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")):
    DEBUG["on"] = debug


def _finish(summary) -> None:
    typer.echo(summary.line(), err=True)
    if summary.input_errors:
        raise typer.Exit(1)


@app.command()
def extract(inputs: List[str] = typer.Argument(..., help="Files or folders (recursive), or fsspec URLs."),
            out: str = typer.Option("data/out", "-o", "--out", help="Output folder (or fsspec URL) for the tables."),
            rules: Optional[Path] = RULES, metadata: Optional[Path] = META, published: Optional[str] = PUB,
            workers: int = WORKERS,
            engine: str = typer.Option("local", "--engine", help="local (this machine) or dask (a Dask cluster)."),
            scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                    help="Dask scheduler address (tcp://host:8786); "
                                                         "without it --engine dask starts a LocalCluster of -j workers."),
            partition_size: Optional[str] = typer.Option(None, "--partition-size",
                                                         help="Input bytes per partition (64MB, 512KB, ...); writes "
                                                              "OUT/<table>/part-NNNNN.parquet. Default with dask: 64MB.")):
    """All stages in one go: ingest, tokenize, match, link; writes every table.

    Example: kzx extract data/raw -o data/out --metadata data/raw.metadata.csv
    """
    from .partitioned import DEFAULT_PARTITION_BYTES, check_partition_size, extract_partitioned, is_url
    from .run import extract as run_extract

    def settings():
        if engine not in ("local", "dask"):
            raise UsageError(f"--engine {engine!r} is not local or dask")
        local = _settings([i for i in inputs if not is_url(i)], "data/out" if is_url(out) else out,
                          rules, metadata, published, workers)   # URLs are checked when discovered
        return replace(local, inputs=tuple(i if is_url(i) else Path(i) for i in inputs),
                       out=out if is_url(out) else Path(out)), check_partition_size(partition_size)

    s, size = _run(settings)
    urls = is_url(out) or any(is_url(i) for i in inputs)
    bar = _bar if s.progress else None
    if engine == "dask":
        from .cluster import extract_dask

        _finish(_run(lambda: extract_dask(s, scheduler, workers, size or DEFAULT_PARTITION_BYTES, progress=bar)))
    elif size or urls:
        _finish(_run(lambda: extract_partitioned(s, size or DEFAULT_PARTITION_BYTES, progress=bar)))
    else:
        _finish(_run(lambda: run_extract(s, progress=bar)))


@app.command()
def ingest(inputs: List[Path] = typer.Argument(..., help="Files or folders (recursive)."), out: Path = OUT,
           rules: Optional[Path] = RULES, metadata: Optional[Path] = META, published: Optional[str] = PUB):
    """Read files into the `documents` table (and `errors`).

    Example: kzx ingest data/raw -o data/out --metadata data/raw.metadata.csv
    """
    from .stages import ingest_stage

    s = _run(lambda: _settings(inputs, out, rules, metadata, published))
    _finish(_run(lambda: ingest_stage(s)))


@app.command()
def tokenize(out: Path = OUT, rules: Optional[Path] = RULES):
    """Split the documents of OUT into sentences (`sentences` table).

    Example: kzx tokenize -o data/out
    """
    from .stages import tokenize_stage

    s = _run(lambda: _settings((), out, rules))
    _finish(_run(lambda: tokenize_stage(s)))


@app.command()
def match(out: Path = OUT, rules: Optional[Path] = RULES):
    """Apply the rules to every sentence of OUT (`figures`, `links`, `claims`).

    Example: kzx match -o data/out --rules rules/
    """
    from .stages import match_stage

    s = _run(lambda: _settings((), out, rules))
    _finish(_run(lambda: match_stage(s)))


@app.command()
def explain(text: str = typer.Argument(..., help="The text to run the rules on."),
            published: Optional[str] = PUB, rules: Optional[Path] = RULES):
    """Run the rules on one text and print each match: span, kind, rule id, normalized fields.

    Example: kzx explain "more than 2 trillion tenge or 53% this year" --published 2022-07-15
    """
    from .explain import explain_text

    s = _run(lambda: _settings((), Path("."), rules, None, published))
    typer.echo(_run(lambda: explain_text(text, s)))


@app.command()
def stats(out: Path = typer.Argument(..., help="An output folder of kzx extract."),
          format: str = typer.Option("table", "--format", help="table, csv or json.")):
    """Counts of figures per document and kind, with totals.

    Example: kzx stats data/out --format csv
    """
    from .stats import count_table, render

    typer.echo(_run(lambda: render(count_table(out), format)))


@app.command()
def check(out: Path = typer.Argument(..., help="An output folder of kzx extract."),
          baseline: Path = typer.Option(..., "--baseline", help="Committed counts (CSV or JSON)."),
          tolerance: str = typer.Option("0", "--tolerance", help="Allowed drift per count: 3 (absolute) or 5% (relative)."),
          update: bool = typer.Option(False, "--update", help="Rewrite the baseline with the current counts.")):
    """Compare the counts of OUT with a baseline; exit 1 with a table of every change.

    Example: kzx check data/out --baseline tests/baseline_counts.csv
    """
    from .stats import check_counts

    code, message = _run(lambda: check_counts(out, baseline, tolerance, update))
    typer.echo(message)
    raise typer.Exit(code)


@app.command()
def report(out: Path = typer.Argument(..., help="An output folder of kzx extract (tables as files or folders of parts)."),
           html: Path = typer.Option(Path("report.html"), "-o", "--output", help="The HTML file to write."),
           max_docs: int = typer.Option(200, "--max-docs", help="Documents shown in full (the index lists all)."),
           sample: bool = typer.Option(False, "--sample", help="Show a stable sample of documents, not those with most figures.")):
    """One self-contained HTML file: overview, charts, every figure marked in its text.

    Example: kzx report data/out -o report.html
    """
    from .report import write_report

    typer.echo(_run(lambda: write_report(out, html, max_docs, sample)), err=True)


@app.command()
def evaluate(gold: Path = typer.Argument(..., help="Gold JSONL: a folder of <doc>.jsonl files or one file (docs/spec.md)."),
             out: Path = typer.Argument(..., help="An output folder of kzx extract."),
             errors: int = typer.Option(0, "--errors", help="Also list up to N misses, false alarms and wrong values per kind."),
             format: str = typer.Option("table", "--format", help="table or json."),
             kinds: str = typer.Option("money,percent,date,project", "--kinds", help="Kinds to score, comma-separated.")):
    """Score OUT against hand annotations: precision, recall, F1, exact span, value, sentence, vF1 per kind.

    Example: kzx evaluate data/gold data/out --errors 5
    """
    from .evaluate import evaluate as run_evaluate, render

    kind_list = [k.strip() for k in kinds.split(",") if k.strip()]
    typer.echo(_run(lambda: render(run_evaluate(gold, out, kind_list), format, errors)))


def main():
    app()
