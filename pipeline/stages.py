"""The staged commands: ingest → documents; tokenize → sentences; match → figures, links, claims, facts.

Each reads the tables the previous stage wrote to OUT, streams them one document at a time,
and replaces only its own tables (the manifest records which stage wrote what).
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Iterator

import pyarrow.parquet as pq

from .errors import UsageError
from .ingest import Document
from .run import (Engine, StageFailed, Summary, WorkerDied, _start_method, count_words, extract, in_order, match_doc,
                  rules_label, safe_str, sentence_row)
from .segment import Sentence, segment
from .write import TableSet, crash_point, verify


def ingest_stage(settings) -> Summary:
    return extract(settings, tables=("documents", "errors"), do_match=False)


def _require(out, name):
    verify(out)
    path = out / f"{name}.parquet"
    if not path.exists():
        raise UsageError(f"{path} does not exist", f"run the stage that writes `{name}` first")
    return pq.ParquetFile(path)


def _documents(out) -> Iterator[Document]:
    for batch in _require(out, "documents").iter_batches(batch_size=32):
        for r in batch.to_pylist():
            yield Document(r["doc_id"], r["path"], r["format"], r["text"], r["encoding"], r["title"],
                           r["published"], r["url"], r["language"] or "en", r["sha256"])


def _sentences(out) -> Iterator[tuple[str, list[Sentence]]]:
    """(doc_id, sentences) in table order; the table is written grouped by document."""
    cur, group = None, []
    for batch in _require(out, "sentences").iter_batches(batch_size=10_000):
        for r in batch.to_pylist():
            if r["doc_id"] != cur:
                if cur is not None:
                    yield cur, group
                cur, group = r["doc_id"], []
            group.append(Sentence(r["sentence_id"], r["start_char"], r["end_char"], r["text"]))
    if cur is not None:
        yield cur, group


def _stage(settings, tables, fn, stale=()) -> Summary:
    """Run one stage over OUT's documents; `errors` keeps the rows it had and gains this stage's."""
    t0 = time.time()
    engine = Engine.build(settings)
    ts = TableSet(settings.out, tables + ("errors",))
    summary = Summary(rules=rules_label(engine))
    try:
        verify(settings.out)
        old_errors = settings.out / "errors.parquet"
        if old_errors.exists():
            ts.add("errors", pq.read_table(old_errors).to_pylist())
        fn(engine, ts, summary)
        summary.seconds = time.time() - t0
        ts.commit({"stage": tables, "rules_dir": engine.rules.root, "rules_digest": engine.rules.digest,
                   "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}, merge=True, stale=stale)
    except BaseException:
        ts.abort()
        raise
    return summary


def _failed(ts, summary, doc, stage: str, err: tuple[str, str]) -> None:
    """One document failing a stage is recorded; the others go on."""
    ts.add("errors", [{"path": safe_str(doc.path), "stage": stage, "error": err[0],
                       "message": safe_str(f"{doc.doc_id}: {err[1]}")}])
    summary.errors += 1
    summary.input_errors += 1


_ENGINE: dict = {}   # per worker process of -j: the Engine built once (or the parent's, when forked)


def _init_worker(settings) -> None:
    if "engine" not in _ENGINE:
        _ENGINE["engine"] = Engine.build(settings, check_time=False)


def _tokenize_one(doc: Document, engine) -> list[dict]:
    return [sentence_row(doc.doc_id, s) for s in segment(doc.text, engine.nlp)]


def _match_one(item, engine):
    doc, sentences = item
    return match_doc(doc, sentences, engine)


def _guarded(fn, item, engine):
    """(item, result, None) or (item, None, (error, message)): one document's failure is its own
    (as plain strings, which cross a process boundary whatever the exception was)."""
    try:
        return item, fn(item, engine), None
    except StageFailed as e:    # the stage's own exception, not its wrapper
        return item, None, (type(e.error).__name__, str(e.error))
    except Exception as e:  # noqa: BLE001 - one bad document must not stop the stage
        return item, None, (type(e).__name__, str(e))


def _in_worker(args):
    crash_point("worker")            # tests: a worker that dies must fail the stage, not hang it
    fn, item = args
    return _guarded(fn, item, _ENGINE["engine"])


def _each(settings, engine, fn, items):
    """fn over items, in order: in this process, or in -j worker processes (run.in_order: a dead
    worker stops the stage with WorkerDied instead of waiting for ever)."""
    if settings.workers <= 1:
        for item in items:
            yield _guarded(fn, item, engine)
        return
    if _start_method() == "fork":            # run.py's choice: fork on Linux, sharing the parent's Engine
        _ENGINE["engine"] = engine

    def died(args):
        item = args[1]
        doc = item[0] if isinstance(item, tuple) else item
        return WorkerDied(f"a worker process died while working on {doc.doc_id}; no output was written",
                          "run again with -j 1 to find the document at fault")
    try:
        yield from in_order(_in_worker, ((fn, item) for item in items), settings.workers, _init_worker,
                            (settings,), died)
    finally:
        _ENGINE.clear()


def tokenize_stage(settings) -> Summary:
    def run(engine, ts, summary):
        for doc, rows, err in _each(settings, engine, _tokenize_one, _documents(settings.out)):
            if err is not None:
                _failed(ts, summary, doc, "tokenize", err)
                continue
            summary.documents += 1
            summary.words += count_words(doc.text)
            ts.add("sentences", rows)
    return _stage(settings, ("sentences",), run, stale=("figures", "links", "claims", "facts"))


def _with_sentences(out) -> Iterator[tuple[Document, list[Sentence]]]:
    sents = _sentences(out)
    pending = next(sents, None)
    for doc in _documents(out):
        mine = []
        if pending is not None and pending[0] == doc.doc_id:
            mine = pending[1]
            pending = next(sents, None)
        yield doc, mine


def match_stage(settings) -> Summary:
    def run(engine, ts, summary):
        for (doc, _), rows, err in _each(settings, engine, _match_one, _with_sentences(settings.out)):
            if err is not None:
                _failed(ts, summary, doc, "match", err)
                continue
            summary.documents += 1
            summary.words += count_words(doc.text)
            for name in ("figures", "links", "claims", "facts"):
                ts.add(name, getattr(rows, name))
            summary.count_figures(rows.figures)
            ts.add("errors", rows.errors)            # rules that gave up on a sentence
            summary.errors += len(rows.errors)
            summary.timeouts += len(rows.errors)
    return _stage(settings, ("figures", "links", "claims", "facts"), run)
