"""Stages over one document at a time, and the batch runner that streams them into tables.

analyze(Document) → rows of every table for that document. Nothing holds more than one document
in memory (per worker), or one group of small files (process_sources: at most GROUP_FILES of at
most SMALL_FILE_BYTES each, read together so that the prefilter scans them in one batch). Workers
(processes) each build the rules and spaCy once.
"""
from __future__ import annotations

import collections
import datetime as dt
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
import sys
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from typing import Iterator

from . import __version__, long_docs
from .collector import BatchCollector
from .config import Settings
from .errors import InputError, KzxError, UsageError
from .facts import facts_for
from .ingest import Document, Skip, Source, Walk, clean_document, discover, read_source, safe_str
from .link import claims_for, links_for
from .match import FIELDS, figure_id, forget_ahead, rule_prefilter, scan_ahead
from .projects_doc import more_projects
from .metadata import MetadataIndex, dateline_texts, find_dateline
from .rules import RuleSet, load_rules
from .segment import Sentence, make_nlp, segment
from .table_units import document_mentions
from .write import TableSet, crash_point

ALL_TABLES = ("documents", "sentences", "figures", "links", "claims", "facts", "errors")


@dataclass
class Engine:
    """What every stage needs, built once per process."""
    rules: RuleSet
    nlp: object
    published: dt.date | None = None

    @classmethod
    def build(cls, settings: Settings, check_time: bool = True) -> "Engine":
        rs = load_rules(settings.rules_dir, check_time=check_time)   # workers: the parent checked them
        words = rs.lexicon_aliases
        nlp = make_nlp(words.get("abbreviation", []), words.get("scale_abbreviation", []))
        rule_prefilter(rs)                   # built (or read from its disk cache) once, before any work
        return cls(rs, nlp, settings.published)


@dataclass
class DocRows:
    document: dict
    sentences: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    links: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    part: bool = False      # the rows of one part of a long document, after its documents row


def error_row(e: InputError) -> dict:
    return {"path": safe_str(e.path), "stage": e.stage, "error": e.error, "message": safe_str(e.detail)}


def failure_row(doc: Document, stage: str, e: BaseException, where: str = "") -> dict:
    """A document (or, `where`, a part of it) that a stage could not finish: recorded, and the
    batch goes on."""
    msg = str(e)[:500] or type(e).__name__
    return {"path": safe_str(doc.path), "stage": stage, "error": type(e).__name__,
            "message": safe_str(f"{doc.doc_id}: {where}{msg}")}


def document_row(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "path": doc.path, "format": doc.format, "encoding": doc.encoding,
            "title": doc.title, "published": doc.published, "url": doc.url, "language": doc.language,
            "n_chars": len(doc.text), "sha256": doc.sha256, "text": doc.text}


def resolve_published(doc: Document, engine: Engine, meta: MetadataIndex | None) -> None:
    """SPEC order: --published for the run, metadata file, the document's own date, a dateline."""
    row = meta.get(doc.doc_id) if meta else None
    if row and not doc.title and row.get("title"):
        doc.title = row["title"]
    if row and not doc.url and row.get("url"):
        doc.url = row["url"]
    given = _given_date(engine, row)
    if given:
        doc.published = given
    elif doc.published is None:
        doc.published = find_dateline(doc.text, engine.rules)


def _given_date(engine: Engine, row: dict | None) -> dt.date | None:
    """The date the run (--published) or the metadata row gives, which comes before the document's own."""
    return engine.published or (row or {}).get("published")


def wants_dateline(doc: Document, engine: Engine, meta: MetadataIndex | None) -> bool:
    """Will resolve_published read the document's dateline (no date from the run, metadata or itself)?"""
    return not _given_date(engine, meta.get(doc.doc_id) if meta else None) and doc.published is None


UNRESOLVED = "relative date not resolved: the document has no publication date (pass --metadata or --published)"


def figure_rows(doc: Document, sent: Sentence, mentions) -> list[dict]:
    rows = []
    for m in mentions:
        start, end = sent.start_char + m.start, sent.start_char + m.end
        row = {"figure_id": figure_id(doc.doc_id, m.kind, start, end), "doc_id": doc.doc_id,
               "sentence_id": sent.sentence_id, "kind": m.kind, "text": m.text, "start_char": start,
               "end_char": end, "rule": m.rule, "note": m.note}
        row.update({k: m.fields.get(k) for k in FIELDS})
        row["name_key"] = m.fields.get("name_key")
        row["program"] = m.fields.get("program")
        if m.kind == "date" and row["date_start"] is None and not row["note"] and doc.published is None:
            row["note"] = UNRESOLVED
        rows.append(row)
    return rows


def tokenize_doc(doc: Document, engine: Engine) -> list[Sentence]:
    return list(segment(doc.text, engine.nlp))


def sentence_row(doc_id: str, s: Sentence) -> dict:
    return {"doc_id": doc_id, "sentence_id": s.sentence_id, "start_char": s.start_char, "end_char": s.end_char,
            "text": s.text}


class StageFailed(Exception):
    """A stage raised on one document: carries the stage's name to that document's error row."""

    def __init__(self, stage: str, error: BaseException):
        super().__init__(stage, error)
        self.stage, self.error = stage, error


def _stage(name: str, fn, *args):
    """Run one stage; any exception names the stage it came from."""
    try:
        return fn(*args)
    except StageFailed:
        raise
    except Exception as e:  # noqa: BLE001 - isolated per document
        raise StageFailed(name, e) from e


def _figures(doc: Document, sentences: list[Sentence], engine: Engine, timeouts: list) -> list[dict]:
    out = []
    lost = [[] for _ in sentences]
    for s, mentions, gave_up in zip(sentences, document_mentions(doc.text, sentences, engine.rules, doc.published,
                                                                  timeouts=lost), lost):
        out.extend(figure_rows(doc, s, mentions))
        timeouts.extend((rule_id, s.sentence_id, secs) for rule_id, _, secs in gave_up)
    return out


def match_doc(doc: Document, sentences: list[Sentence], engine: Engine) -> DocRows:
    return _match_rows(DocRows(_stage("write", document_row, doc)), doc, sentences, engine)


def _match_rows(out: DocRows, doc: Document, sentences: list[Sentence], engine: Engine) -> DocRows:
    """Every row of the document but its documents row, into `out`."""
    out.sentences = [sentence_row(doc.doc_id, s) for s in sentences]
    timeouts: list = []
    out.figures = _stage("match", _figures, doc, sentences, engine, timeouts)
    extra = _stage("match", more_projects, doc, sentences, out.figures, engine.rules)  # acronyms, later shorter names
    if extra:
        out.figures = sorted(out.figures + extra, key=lambda f: (f["start_char"], f["end_char"], f["kind"]))
    out.links = _stage("link", links_for, doc, sentences, out.figures, engine.rules)
    out.claims = _stage("claims", claims_for, doc, sentences, out.figures, engine.rules)
    out.facts = _stage("facts", facts_for, doc, sentences, out.figures, out.links, out.claims, engine.rules)
    out.errors = [timeout_row(doc, rule_id, sid, seconds) for rule_id, sid, seconds in timeouts]
    return out


def timeout_row(doc: Document, rule_id: str, sentence_id, seconds: float) -> dict:
    """A rule that gave up on a sentence: its matches there are lost, so it is said."""
    where = f", sentence {sentence_id}" if sentence_id is not None else ""
    return {"path": safe_str(doc.path), "stage": "match", "error": "RegexTimeout",
            "message": safe_str(f"{doc.doc_id}{where}: rule {rule_id} gave up after {seconds:g} s")}


def analyze(doc: Document, engine: Engine, sentences: list[Sentence] | None = None) -> DocRows:
    """One document → the rows of every table (the whole pipeline for one doc); `sentences`: its
    tokenize_doc, where done already."""
    if sentences is None:
        sentences = _stage("tokenize", tokenize_doc, doc, engine)
    rows = match_doc(doc, sentences, engine)
    rows.errors = _warning_rows(doc) + rows.errors
    return rows


def analyze_in_parts(doc: Document, engine: Engine) -> Iterator[DocRows]:
    """analyze() for a document over LONG_CHARS (pipeline/long_docs.py): its documents row, then
    the rows of each part, so that one part's rows at most are held. A part that a stage cannot
    finish is an error row naming its characters; the other parts are kept."""
    yield DocRows(_stage("write", document_row, doc), errors=_warning_rows(doc))
    groups = long_docs.parts(doc.text, segment(doc.text, engine.nlp))
    while True:
        try:
            group = next(groups)
        except StopIteration:
            return
        except Exception as e:  # noqa: BLE001 - the rest of the document cannot be split
            yield DocRows({}, part=True, errors=[failure_row(doc, "tokenize", e)])
            return
        part, local, lo = long_docs.as_document(doc, group)
        try:
            rows = _match_rows(DocRows({}, part=True), part, local, engine)
        except StageFailed as e:
            where = f"characters {lo}-{lo + len(part.text)} not analysed: "
            yield DocRows({}, part=True, errors=[failure_row(doc, e.stage, e.error, where)])
            continue
        long_docs.shift(rows, lo, doc.doc_id)
        yield rows


def _warning_rows(doc: Document) -> list[dict]:
    """Things read, but not in full (replaced bytes, skipped JSON Lines records)."""
    return [{"path": safe_str(doc.path), "stage": WARNING_STAGE.get(w[0], "parse"),
             "error": w[0], "message": safe_str(f"{doc.doc_id}: {w[1]}")} for w in doc.warnings]


WARNING_STAGE = {"NulBytes": "decode", "UndecodableBytes": "decode", "GuessedEncoding": "decode",
                 "MixedEncoding": "decode", "Mojibake": "decode", "LoneSurrogate": "decode",
                 "UndecodableName": "discover"}


# ---------------------------------------------------------------- batch
def process_source(item, settings: Settings, engine: Engine, meta, do_match: bool = True) -> list[DocRows]:
    """One input file → DocRows per document in it (and per part of a long one); a failure
    becomes one error row."""
    return list(iter_source(item, settings, engine, meta, do_match))


def iter_source(item, settings: Settings, engine: Engine, meta, do_match: bool = True) -> Iterator[DocRows]:
    """process_source, one DocRows at a time: a long file's rows are written while it is read."""
    docs = _read(item, settings)
    if isinstance(docs, DocRows):
        yield docs
        return
    docs = collections.deque(docs)
    while docs:
        doc = docs.popleft()         # let go of each document once it is done
        try:
            _prepare(doc, engine, meta)
            if not do_match:
                yield DocRows(document_row(doc), errors=_warning_rows(doc))
            elif len(doc.text) > long_docs.LONG_CHARS:
                yield from analyze_in_parts(doc, engine)
            else:
                yield analyze(doc, engine)
        except StageFailed as e:  # one bad document must not stop the batch
            yield DocRows({}, errors=[failure_row(doc, e.stage, e.error)])


def _read(item, settings: Settings) -> list[Document] | DocRows:
    """The file's documents, or the row that says why it could not be read."""
    if isinstance(item, InputError):
        return DocRows({}, errors=[error_row(item)])
    try:
        return read_source(item, settings.max_file_bytes)
    except InputError as e:
        return DocRows({}, errors=[error_row(e)])
    except Exception as e:  # noqa: BLE001 - a reader bug costs this file only
        return DocRows({}, errors=[error_row(InputError(item.path, "read", type(e).__name__,
                                                        str(e)[:500] or type(e).__name__))])


def _prepare(doc: Document, engine: Engine, meta) -> None:
    """A document read → dated (run, metadata, itself, dateline) and cleaned; raises StageFailed."""
    _stage("metadata", resolve_published, doc, engine, meta)
    _stage("metadata", clean_document, doc)      # metadata may bring lone surrogates too
    if meta:
        meta.mark(doc.doc_id)


# Files this small are analysed a few at a time (process_sources): their documents' scans in one
# batch. A group holds at most GROUP_FILES of them, so at most GROUP_FILES * SMALL_FILE_BYTES of text.
SMALL_FILE_BYTES = 256_000
GROUP_FILES = 32


def file_bytes(item) -> int | None:
    """The size of an input file, or None where it is not known without reading it (a URL's, or
    one that cannot be looked at: the reader reports it)."""
    if not isinstance(item, Source) or item.fs is not None and item.data is None:
        return None
    if item.data is not None:
        return len(item.data)
    try:
        return os.stat(item.path).st_size
    except OSError:
        return None


def small_file(item) -> bool:
    size = file_bytes(item)
    return size is not None and size <= SMALL_FILE_BYTES


def process_sources(items: list, settings: Settings, engine: Engine, meta, do_match: bool = True) -> list[list[DocRows]]:
    """[process_source(item, ...) for item in items], the same rows, for small files
    (`small_file`): every document read, dated, cleaned and split first, then the prefilter's scan
    of all their datelines and of all their sentences done in one batch each (match.scan_ahead),
    then each document matched, in order. A failure costs its file or document only, as there."""
    rs = engine.rules
    out: list[list[list[DocRows]]] = []          # per file, per document (or the file's error): its rows
    docs: list[tuple[list, Document]] = []
    for item in items:
        read = _read(item, settings)
        out.append([[read]] if isinstance(read, DocRows) else [[] for _ in read])
        docs += [] if isinstance(read, DocRows) else zip(out[-1], read)
    try:
        _scan_ahead(lambda: [t for _, d in docs if wants_dateline(d, engine, meta) for t in dateline_texts(d.text)], rs)
        ready = []
        for rows, doc in docs:
            try:
                _prepare(doc, engine, meta)
                if not do_match:
                    rows.append(DocRows(document_row(doc), errors=_warning_rows(doc)))
                elif len(doc.text) > long_docs.LONG_CHARS:
                    rows.extend(analyze_in_parts(doc, engine))
                else:
                    ready.append((rows, doc, _stage("tokenize", tokenize_doc, doc, engine)))
            except StageFailed as e:
                rows.append(DocRows({}, errors=[failure_row(doc, e.stage, e.error)]))
        forget_ahead(rs)
        _scan_ahead(lambda: [s.text for _, _, sents in ready for s in sents], rs)
        for rows, doc, sents in ready:
            try:
                rows.append(analyze(doc, engine, sents))
            except StageFailed as e:
                rows.append(DocRows({}, errors=[failure_row(doc, e.stage, e.error)]))
    finally:
        forget_ahead(rs)
    return [[r for per_doc in per_file for r in per_doc] for per_file in out]


def _scan_ahead(texts, rs) -> None:
    """match.scan_ahead(texts()): only a cache, so a failure here is let go, and each document's
    own stage meets it (and records it) as one file at a time would."""
    try:
        scan_ahead(texts(), rs)
    except Exception:  # noqa: BLE001 - see the docstring
        forget_ahead(rs)


def each_source(items, settings: Settings, engine: Engine, meta, do_match: bool = True) -> Iterator:
    """The rows of each item, in order (an iterable of DocRows per item): runs of small files
    through process_sources, GROUP_FILES at a time, any other file through iter_source."""
    for grouped, files in _runs(items, GROUP_FILES):
        if grouped:
            yield from process_sources(files, settings, engine, meta, do_match)
        else:
            yield iter_source(files[0], settings, engine, meta, do_match)


def units(items: list, workers: int) -> list[tuple[bool, tuple]]:
    """Items as the tasks of `workers` processes, (grouped, files): runs of small files together
    (up to GROUP_FILES, fewer where there are few files, so that every worker gets some), any
    other file alone. Each file is looked at once, here: a file that changes size meanwhile is
    read as it is then, in the task it was given to."""
    size = max(1, min(GROUP_FILES, len(items) // (workers * 4)))
    return [(grouped, tuple(files)) for grouped, files in _runs(items, size)]


def _runs(items, size: int) -> Iterator[tuple[bool, list]]:
    """(True, files) for each run of consecutive small files, `size` at most; (False, [file]) for
    any other file; in input order, each file's size looked at once."""
    group: list = []
    for item in items:
        small = small_file(item)
        if small:
            group.append(item)
        if group and (not small or len(group) == size):
            yield True, group
            group = []
        if not small:
            yield False, [item]
    if group:
        yield True, group


_WORKER: dict = {}   # per worker process: settings, engine, metadata, do_match
_INHERITED: dict = {}  # the parent's Engine, for workers started by fork


def _init_worker(settings: Settings, meta, do_match: bool) -> None:
    engine = _INHERITED.get("engine") or Engine.build(settings, check_time=False)
    _WORKER.update(settings=settings, engine=engine, meta=meta, do_match=do_match)


def _start_method() -> str:
    """fork on Linux, where workers then share the parent's built Engine (rules, spaCy, prefilter)
    instead of building their own; spawn elsewhere (macOS's system libraries are not fork-safe)."""
    return "fork" if sys.platform.startswith("linux") and "fork" in get_all_start_methods() else "spawn"


def _work(unit: tuple[bool, tuple]):
    """A task of units(): the rows of each of its files, and the metadata rows used so far."""
    crash_point("worker")            # tests: a worker that dies must fail the run, not hang it
    w = _WORKER
    args = (w["settings"], w["engine"], w["meta"], w["do_match"])
    grouped, files = unit
    rows = process_sources(list(files), *args) if grouped else [process_source(files[0], *args)]
    return rows, (w["meta"].used if w["meta"] else set())


@dataclass
class Summary:
    documents: int = 0
    words: int = 0
    kinds: dict = field(default_factory=dict)
    errors: int = 0
    input_errors: int = 0
    timeouts: int = 0       # RegexTimeout rows: a rule gave up on a sentence
    seconds: float = 0.0
    skipped: dict = field(default_factory=dict)       # reason → number of files or folders left out
    skipped_paths: list = field(default_factory=list)  # the first few, for the manifest
    undated: int = 0                                   # documents without a publication date
    unresolved: int = 0                                # relative dates left without bounds for that
    rules: str = ""                                    # rules folder and digest in use
    doc_ids: set = field(default_factory=set, repr=False)

    def count_figures(self, figures) -> None:
        for f in figures:
            self.kinds[f["kind"]] = self.kinds.get(f["kind"], 0) + 1
            self.unresolved += f.get("note") == UNRESOLVED

    def skip(self, s: Skip) -> None:
        reason = "duplicate input" if s.reason.startswith("same file as") else s.reason
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if len(self.skipped_paths) < 100:
            self.skipped_paths.append([s.path, s.reason])

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())) or "no figures"
        wps = self.words / self.seconds if self.seconds else 0.0
        parts = [f"{self.documents} documents, figures: {kinds}", f"{self.errors} errors" + (f" ({self.timeouts} rule timeouts)" if self.timeouts else "")]
        if self.skipped:
            why = ", ".join(f"{n} {r}" for r, n in sorted(self.skipped.items()))
            parts.append(f"skipped {sum(self.skipped.values())} ({why})")
        if self.undated:
            dates = f": {self.unresolved} relative dates left unresolved" if self.kinds else ""
            parts.append(f"{self.undated} of {self.documents} documents undated{dates}; pass --metadata")
        parts.append(f"{self.seconds:.1f} s, {wps:,.0f} words/s")
        if self.rules:
            parts.append(f"rules {self.rules}")
        return "; ".join(parts)


def check_output_folder(out, inputs=()) -> None:
    """OUT must be a folder (or not exist yet), and not one of the inputs."""
    out = os.path.realpath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"output folder is a file ({out})", "give -o a folder name")
    for p in inputs:
        if str(p) != "-" and os.path.isdir(p) and os.path.realpath(p) == out:
            raise UsageError(f"output folder is an input folder ({p})",
                             "write the tables elsewhere, e.g. -o out/ (a folder inside the input is skipped)")


def discovery_walk(settings: Settings) -> Walk:
    """The discovery options of a run; OUT and the metadata file are never read back in."""
    avoid = tuple(os.path.realpath(p) for p in (settings.out, settings.metadata) if p and not _is_url(p))
    return Walk(settings.include, settings.exclude, settings.follow_links, avoid, settings.max_file_bytes)


def _is_url(p) -> bool:
    return "://" in str(p)


def extract(settings: Settings, tables=ALL_TABLES, progress=None, do_match: bool = True) -> Summary:
    """The whole pipeline over every input, streaming into the tables of settings.out."""
    t0 = time.time()
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    check_output_folder(settings.out, settings.inputs)
    engine = Engine.build(settings)          # validates rules before any work
    meta = MetadataIndex.load(settings.metadata) if settings.metadata else None
    found = list(discover(settings.inputs, discovery_walk(settings)))
    items = [i for i in found if isinstance(i, Source)]
    if meta:
        meta.know_inputs(i.doc_id for i in items)
    ts = TableSet(settings.out, tables)        # takes OUT's lock, finishes or undoes a killed run's commit
    summary = Summary(rules=rules_label(engine))
    used: set = set()
    collector = BatchCollector()             # after Engine.build: its objects are frozen for the run
    try:
        for i in found:                      # discovery's findings first: the same order with any -j
            if isinstance(i, InputError):
                _add(ts, [DocRows({}, errors=[error_row(i)])], summary, tables)
            elif isinstance(i, Skip):
                summary.skip(i)
        if settings.workers > 1 and len(items) > 1:
            used = _run_parallel(ts, items, settings, meta, do_match, engine, summary, tables, progress)
        else:
            for rows in _progress(each_source(items, settings, engine, meta, do_match), len(items), progress):
                _add(ts, rows, summary, tables)
            used = meta.used if meta else set()
        rows = metadata_error_rows(settings, meta, used)
        ts.add("errors", rows)
        summary.errors += len(rows)
        summary.seconds = time.time() - t0
        downstream = [t for t in ALL_TABLES if t not in tables]     # e.g. `kzx ingest`: old sentences are stale
        ts.commit(_manifest(settings, engine, started, summary), stale=downstream)
    except BaseException:
        ts.abort()
        raise
    finally:
        collector.restore()
    return summary


LONG_FILE_BYTES = 4_000_000     # files this large are read by the parent, which writes their rows as it goes


def _long_file(item) -> bool:
    size = file_bytes(item)
    return size is not None and size > LONG_FILE_BYTES


def _run_parallel(ts, items, settings, meta, do_match, engine, summary, tables, progress) -> set:
    """extract -j N: files in worker processes, in input order; a long file is read by the parent
    meanwhile (a worker would send all of its rows back at once). The metadata rows used."""
    used: set = set()
    long = {id(i) for i in items if _long_file(i)}
    results = _parallel([i for i in items if id(i) not in long], settings, meta, do_match, engine)
    try:
        for item in _progress(items, len(items), progress):
            if id(item) in long:
                _add(ts, iter_source(item, settings, engine, meta, do_match), summary, tables)
            else:
                rows_list, u = next(results)
                used |= u
                _add(ts, rows_list, summary, tables)
    finally:
        results.close()
    return used | (meta.used if meta else set())


def metadata_error_rows(settings: Settings, meta, used: set) -> list[dict]:
    """Metadata rows that matched no document, or were read with a part left out (known at the end)."""
    if not meta:
        return []
    found = [("UnmatchedMetadata", f"metadata row for {doc_id!r} matches no input document" + (
              "; several inputs have that file name: key the row by doc_id" if doc_id in meta.shared_names else ""))
             for doc_id in meta.unmatched(used)] + [("BadMetadata", p) for p in meta.problems]
    return [{"path": str(settings.metadata), "stage": "metadata", "error": e, "message": m} for e, m in found]


class WorkerDied(KzxError):
    """A worker process ended without an answer (killed, out of memory): the run stops, loudly."""


def _parallel(items, settings: Settings, meta, do_match: bool, engine: Engine | None = None):
    """(process_source(item), metadata rows used) for each item, in input order, from worker
    processes (given the files as units()). `engine`: the parent's, handed to workers started by fork."""
    _INHERITED.clear()
    if engine is not None and _start_method() == "fork":
        _INHERITED["engine"] = engine

    def died(unit):
        _, items = unit
        files = ", ".join(str(getattr(i, "path", i)) for i in items[:3]) + (" ..." if len(items) > 3 else "")
        return WorkerDied(f"a worker process died while reading {files}; "
                          "no output was written", "run again with -j 1 to find the input at fault")
    try:
        for per_file, used in in_order(_work, units(items, settings.workers), settings.workers, _init_worker,
                                       (settings, meta, do_match), died):
            for rows in per_file:
                yield rows, used
    finally:
        _INHERITED.clear()


def in_order(fn, items, workers: int, initializer, initargs, died):
    """fn(item) for each item in a process pool, yielded in input order, at most a few items in
    flight per worker. A worker that dies (killed, out of memory) breaks the pool, and the
    exception died(item) is raised, instead of waiting for ever."""
    window = workers * 4
    pending: collections.deque = collections.deque()
    pool = ProcessPoolExecutor(workers, mp_context=get_context(_start_method()), initializer=initializer,
                               initargs=initargs)
    try:
        it = iter(items)
        for item in it:
            pending.append((item, pool.submit(fn, item)))
            if len(pending) >= window:
                break
        while pending:
            item, fut = pending.popleft()
            try:
                result = fut.result()
            except BrokenProcessPool as e:
                raise died(item) from e
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(fn, nxt)))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


WORD_CHUNK = 1 << 20


def count_words(text: str) -> int:
    """len(text.split()) without the list: a 200 MB text would need 1.7 GB for its words' objects.
    Counted a chunk at a time; a word cut by a chunk's edge is counted once."""
    if len(text) <= WORD_CHUNK:
        return len(text.split())
    n = 0
    for i in range(0, len(text), WORD_CHUNK):
        n += len(text[i:i + WORD_CHUNK].split())
        if i and not text[i - 1].isspace() and not text[i].isspace():
            n -= 1
    return n


def _add(ts: TableSet, rows_list, summary: Summary, tables) -> None:
    dropping = False                  # the parts of a document refused for its id go with it
    for r in rows_list:
        if r.part and dropping:
            continue
        if r.document and r.document["doc_id"] in summary.doc_ids:     # never two documents with one id
            r = DocRows({}, errors=[{"path": r.document["path"], "stage": "write", "error": "DuplicateId",
                                     "message": f"doc_id {r.document['doc_id']!r} is already taken; not written"}])
            summary.input_errors += 1
            dropping = True
        elif not r.part:
            dropping = False
        if r.document:
            summary.doc_ids.add(r.document["doc_id"])
            summary.undated += r.document["published"] is None
            summary.documents += 1
            summary.words += count_words(r.document["text"])
            ts.add("documents", [r.document])
        for name in ("sentences", "figures", "links", "claims", "facts"):
            if name in tables:
                ts.add(name, getattr(r, name))
        summary.count_figures(r.figures)
        ts.add("errors", r.errors)
        summary.errors += len(r.errors)
        summary.input_errors += sum(1 for e in r.errors if e["stage"] in INPUT_STAGES)
        summary.timeouts += sum(1 for e in r.errors if e["error"] == "RegexTimeout")


# stages whose error rows mean an input was not read in full (exit code 1)
INPUT_STAGES = ("discover", "read", "decode", "parse", "tokenize", "match", "link", "claims", "facts", "write")


def _progress(it, total: int, progress):
    if progress is None:
        return it
    return progress(it, total)


def _manifest(settings: Settings, engine: Engine, started: str, summary: Summary) -> dict:
    return {"kzx_version": __version__, "rules_dir": engine.rules.root, "rules_digest": engine.rules.digest,
            "inputs": [str(p) for p in settings.inputs], "metadata": str(settings.metadata) if settings.metadata else None,
            "published": settings.published, "started": started,
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "documents": summary.documents, "figures": summary.kinds, "errors": summary.errors,
            "skipped": summary.skipped, "skipped_paths": summary.skipped_paths, "undated": summary.undated,
            "unresolved_relative_dates": summary.unresolved}


def rules_label(engine: Engine) -> str:
    """'/path/to/rules (packaged, digest 1a2b3c4d)': which rules a run used, for the summary line."""
    from .rules import default_rules_dir

    root = engine.rules.root
    where = "packaged" if os.path.realpath(root) == os.path.realpath(default_rules_dir()) else "--rules"
    return f"{root} ({where}, digest {engine.rules.digest})"
