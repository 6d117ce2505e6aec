"""Command line (typer): parse options, build Settings, call the stages. Thin by design.

Exit codes (README): 0 success; 1 some inputs failed (rows in `errors`); 2 usage or rule-file
error; 3 `kzx check` found drift; 4 an internal error (a bug: rerun with --debug and report it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperGroup

from .config import Settings
from .errors import KzxError, UsageError

INTERNAL = 4
GLOBAL_FLAGS = ("--debug", "-q", "--quiet")


class _Group(TyperGroup):
    """--debug and -q/--quiet work before or after the subcommand: moved to the front."""

    def parse_args(self, ctx, args):
        if "--" in args:
            head, tail = args[:args.index("--")], args[args.index("--"):]
        else:
            head, tail = args, []
        flags = [a for a in head if a in GLOBAL_FLAGS]
        return super().parse_args(ctx, flags + [a for a in head if a not in GLOBAL_FLAGS] + tail)


CONTEXT = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings=CONTEXT,
                  help="kzx: money, percent, date and project figures from texts about Kazakhstan's regions, "
                       "as Parquet tables. Exit codes: 0 ok, 1 some inputs failed, 2 usage or rule-file error, "
                       "3 kzx check found drift, 4 internal error.")

FLAGS = {"debug": False, "quiet": False}   # set once per process by the global options; read by _run
OWN_PROCESS = {"main": False}              # main(): the command runs alone in its process (not under CliRunner)


def _date(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--published {value!r} is not a date", "use YYYY-MM-DD")


def _out_folder(out: Path, must_exist: bool = False) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"output folder is a file ({out})", "give -o a folder name")
    if must_exist and not out.is_dir():
        raise UsageError(f"no such output folder ({out})", "run kzx extract IN -o OUT first")
    return out


def _settings(inputs=(), out=Path("data/out"), rules=None, metadata=None, published=None, workers=1,
              include=(), exclude=(), follow_links=False, out_exists=False) -> Settings:
    for p in inputs:
        if str(p) != "-" and not os.path.lexists(p):
            raise UsageError(f"input does not exist ({p})", "give files or folders that exist, or - for stdin")
    if rules is not None and not Path(rules).is_dir():
        raise UsageError(f"--rules is not a folder ({rules})", "kzx rules init DIR makes one from the packaged rules")
    if metadata is not None and not Path(metadata).is_file():
        raise UsageError(f"--metadata is not a file ({metadata})", "give a CSV or JSON Lines file")
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    return Settings(inputs=tuple(Path(p) for p in inputs), out=_out_folder(Path(out), out_exists),
                    rules_dir=Path(rules) if rules else None, metadata=Path(metadata) if metadata else None,
                    published=_date(published), workers=workers, progress=_show_progress(),
                    include=tuple(include or ()), exclude=tuple(exclude or ()), follow_links=follow_links)


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI") and not FLAGS["quiet"]


def _bar(items, total):
    with typer.progressbar(items, length=total, label="kzx", file=sys.stderr) as bar:
        yield from bar


def _run(fn):
    """Errors → `Error: <what> (<path>)`, a hint and an exit code; a traceback only with --debug."""
    try:
        return fn()
    except KzxError as e:
        if FLAGS["debug"]:
            raise
        typer.echo(f"Error: {e.message}" + (f"\nHint: {e.hint}" if e.hint else ""), err=True)
        raise typer.Exit(e.code)
    except OSError as e:          # the system refused (disk full, permission): the inputs are intact
        if FLAGS["debug"]:
            raise
        where = f" ({e.filename})" if e.filename else ""
        typer.echo(f"Error: {e.strerror or e}{where}\nHint: check the disk space and permissions of OUT", err=True)
        raise typer.Exit(1)
    except Exception as e:  # noqa: BLE001 - anything else is a bug: say so, and how to report it
        if FLAGS["debug"]:
            raise
        typer.echo(f"Error: internal error: {type(e).__name__}: {e}\nHint: rerun with --debug and report the "
                   "traceback", err=True)
        raise typer.Exit(INTERNAL)


def _out(positional: Optional[Path], option: Optional[Path]) -> Path:
    """OUT as `kzx stats OUT` or `kzx stats -o OUT` (the same for every command reading OUT)."""
    if positional is not None and option is not None and positional != option:
        raise UsageError(f"two output folders given ({positional}, {option})", "give OUT once")
    return positional or option or Path("data/out")


OUT = typer.Option(None, "-o", "--out", help="Output folder of the Parquet tables (default data/out).")
OUT_ARG = typer.Argument(None, help="Output folder (the same as -o).", show_default=False)
INPUTS = typer.Argument(..., help="Files or folders (recursive); - reads one document from stdin.")
RULES = typer.Option(None, "--rules", help="Rules folder (default: the rules shipped with kzx; see kzx rules).")
META = typer.Option(None, "--metadata", help="CSV or JSON Lines keyed by doc_id: published, title, url.")
PUB = typer.Option(None, "--published", help="One publication date (YYYY-MM-DD) for every document of the run.")
WORKERS = typer.Option(1, "--workers", "-j", help="Worker processes.")
INCLUDE = typer.Option(None, "--include", help="Read only files matching GLOB (name or path in the folder); repeatable.",
                       metavar="GLOB")
EXCLUDE = typer.Option(None, "--exclude", help="Never read files matching GLOB; repeatable.", metavar="GLOB")
FOLLOW = typer.Option(False, "--follow-links", help="Follow symlinks that lead out of the input folder.")


def _version(value: bool):
    if value:
        from . import __version__

        typer.echo(f"kzx {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks (before or after the command)."),
          quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or summary line; errors only."),
          version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")):
    FLAGS.update(debug=debug, quiet=quiet)


def _finish(summary) -> None:
    if not FLAGS["quiet"]:
        typer.echo(summary.line(), err=True)
    if summary.input_errors:
        raise typer.Exit(1)


@app.command()
def extract(inputs: List[str] = typer.Argument(..., help="Files or folders (recursive), fsspec URLs, or - (stdin)."),
            out: str = typer.Option("data/out", "-o", "--out", help="Output folder (or fsspec URL) for the tables."),
            rules: Optional[Path] = RULES, metadata: Optional[Path] = META, published: Optional[str] = PUB,
            workers: int = WORKERS,
            engine: str = typer.Option("local", "--engine", help="local (this machine) or dask (a Dask cluster)."),
            scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                    help="Dask scheduler address (tcp://host:8786); "
                                                         "without it --engine dask starts a LocalCluster of -j workers."),
            partition_size: Optional[str] = typer.Option(None, "--partition-size",
                                                         help="Input bytes per partition (64MB, 512KB, ...); writes "
                                                              "OUT/<table>/part-NNNNN.parquet. Default with dask: 64MB."),
            include: Optional[List[str]] = INCLUDE, exclude: Optional[List[str]] = EXCLUDE,
            follow_links: bool = FOLLOW):
    """All stages in one go: ingest, tokenize, match, link; writes every table.

    Example: kzx extract data/raw -o data/out --metadata data/raw.metadata.csv
    """
    from .partitioned import DEFAULT_PARTITION_BYTES, check_partition_size, extract_partitioned, is_url
    from .run import extract as run_extract

    def settings():
        if engine not in ("local", "dask"):
            raise UsageError(f"--engine {engine!r} is not local or dask")
        local = _settings([i for i in inputs if not is_url(i)], "data/out" if is_url(out) else out,
                          rules, metadata, published, workers, include, exclude,
                          follow_links)   # URLs are checked when discovered
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
        if OWN_PROCESS["main"]:
            from .write import pyarrow_without_pandas
            pyarrow_without_pandas()        # nothing of a local extract uses pandas: not imported
        _finish(_run(lambda: run_extract(s, progress=bar)))


@app.command()
def ingest(inputs: List[Path] = INPUTS, out: Optional[Path] = OUT,
           rules: Optional[Path] = RULES, metadata: Optional[Path] = META, published: Optional[str] = PUB,
           workers: int = WORKERS, include: Optional[List[str]] = INCLUDE, exclude: Optional[List[str]] = EXCLUDE,
           follow_links: bool = FOLLOW):
    """Read files into the `documents` table (and `errors`).

    Example: kzx ingest data/raw -o data/out --metadata data/raw.metadata.csv
    """
    from .stages import ingest_stage

    s = _run(lambda: _settings(inputs, _out(None, out), rules, metadata, published, workers, include, exclude,
                               follow_links))
    _finish(_run(lambda: ingest_stage(s)))


@app.command()
def tokenize(out_arg: Optional[Path] = OUT_ARG, out: Optional[Path] = OUT, rules: Optional[Path] = RULES,
             workers: int = WORKERS):
    """Split the documents of OUT into sentences (`sentences` table).

    Example: kzx tokenize -o data/out
    """
    from .stages import tokenize_stage

    s = _run(lambda: _settings((), _out(out_arg, out), rules, workers=workers))
    _finish(_run(lambda: tokenize_stage(s)))


@app.command()
def match(out_arg: Optional[Path] = OUT_ARG, out: Optional[Path] = OUT, rules: Optional[Path] = RULES,
          workers: int = WORKERS):
    """Apply the rules to every sentence of OUT (`figures`, `links`, `claims`).

    Example: kzx match -o data/out --rules rules/
    """
    from .stages import match_stage

    s = _run(lambda: _settings((), _out(out_arg, out), rules, workers=workers))
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
def stats(out_arg: Optional[Path] = OUT_ARG, out: Optional[Path] = OUT,
          format: str = typer.Option("table", "--format", help="table, csv or json.")):
    """Counts of figures per document and kind, with totals.

    Example: kzx stats data/out --format csv
    """
    from .stats import count_table, render

    typer.echo(_run(lambda: render(count_table(_out_folder(_out(out_arg, out), True)), format)))


@app.command()
def check(out_arg: Optional[Path] = OUT_ARG, out: Optional[Path] = OUT,
          baseline: Path = typer.Option(..., "--baseline", help="The committed baseline (README: the format)."),
          tolerance: str = typer.Option("0", "--tolerance", help="Allowed drift of each count: 3 (absolute) or 5% "
                                                                 "(relative); also the default of the three below."),
          sum_tolerance: Optional[str] = typer.Option(None, "--sum-tolerance",
                                                      help="Allowed drift of each sum of value_max per kind and unit."),
          figure_tolerance: Optional[str] = typer.Option(None, "--figure-tolerance",
                                                         help="Allowed number (or % of the baseline's figures) of "
                                                              "figures appeared, disappeared or changed."),
          link_tolerance: Optional[str] = typer.Option(None, "--link-tolerance",
                                                       help="Allowed drift of the numbers of linked projects, dated "
                                                            "figures and resolved dates."),
          show: int = typer.Option(20, "--show", help="List the first N figure changes."),
          format: str = typer.Option("text", "--format", help="text or json."),
          update: bool = typer.Option(False, "--update", help="Rewrite the baseline from OUT (atomically).")):
    """Compare OUT with a baseline: counts per document and kind, sums of value_max per kind and unit,
    linked projects, dated figures and the set of figures. Exit 3 on drift, with what changed.

    Example: kzx check data/out --baseline data/baseline_counts.csv
    """
    from .stats import check_counts

    folder = _run(lambda: _out_folder(_out(out_arg, out), True))
    code, message = _run(lambda: check_counts(folder, baseline, tolerance, update, format, sum_tolerance,
                                              figure_tolerance, show, link_tolerance))
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
             out_arg: Optional[Path] = typer.Argument(None, help="An output folder of kzx extract (the same as -o).",
                                                      show_default=False),
             out: Optional[Path] = OUT,
             errors: int = typer.Option(0, "--errors", help="Also list up to N misses, false alarms and wrong values per kind."),
             format: str = typer.Option("table", "--format", help="table or json."),
             kinds: str = typer.Option("money,percent,date,project", "--kinds", help="Kinds to score, comma-separated.")):
    """Score OUT against hand annotations: precision, recall, F1, exact span, value, sentence, vF1 per kind.

    Example: kzx evaluate data/gold data/out --errors 5
    """
    from .evaluate import evaluate as run_evaluate, render

    kind_list = [k.strip() for k in kinds.split(",") if k.strip()]
    typer.echo(_run(lambda: render(run_evaluate(gold, _out(out_arg, out), kind_list), format, errors)))


rules_app = typer.Typer(cls=TyperGroup, context_settings=CONTEXT, invoke_without_command=True,
                        help="Show the rules folder in use, its digest and size; `kzx rules init DIR` copies the "
                             "packaged rules.\n\nExample: kzx rules")
app.add_typer(rules_app, name="rules")


@rules_app.callback()
def rules_show(ctx: typer.Context, rules: Optional[Path] = RULES):
    """Print the rules folder kzx reads, its digest and what it holds.

    Example: kzx rules
    """
    if ctx.invoked_subcommand:
        return
    from .run import Engine

    s = _run(lambda: _settings((), Path("."), rules))
    engine = _run(lambda: Engine.build(s))
    rs = engine.rules
    typer.echo(f"rules folder: {rs.root}" + ("" if rules else " (packaged; --rules DIR reads another)"))
    typer.echo(f"digest: {rs.digest}")
    typer.echo(f"{len(rs.rules)} rules in {len({r.source for r in rs.rules})} files, {len(rs.macros)} macros, "
               f"{len(rs.lexicon)} lexicon lists")


@rules_app.command("init")
def rules_init(folder: Path = typer.Argument(..., help="A new (or empty) folder for the copy.")):
    """Copy the packaged rules to FOLDER to customise them; then pass --rules FOLDER.

    Example: kzx rules init my_rules
    """
    from .rules import default_rules_dir

    typer.echo(_run(lambda: _copy_rules(default_rules_dir(), folder)))


def _copy_rules(src: Path, dst: Path) -> str:
    import shutil

    if dst.exists() and (not dst.is_dir() or any(dst.iterdir())):
        raise UsageError(f"folder exists and is not empty ({dst})", "give a new folder; nothing was overwritten")
    if not dst.parent.is_dir():
        raise UsageError(f"the folder's parent does not exist ({dst.parent})", "create it first")
    tmp = dst.with_name(f".{dst.name}.kzx-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
    if dst.exists():
        dst.rmdir()
    os.replace(tmp, dst)
    return f"copied the packaged rules ({src}) to {dst}; use them with --rules {dst}"


def main():
    OWN_PROCESS["main"] = True
    app()
