"""Files and folders → Document records (doc_id, path, format, text, metadata).

Content is sniffed, not trusted to the extension: plain text/Markdown, HTML, WordPress/REST
JSON pages, JSON arrays and JSON Lines of articles. Every failure is an InputError naming the
file and the reason; the caller records it and goes on with the batch.
"""
from __future__ import annotations

import calendar
import codecs
import datetime as dt
import hashlib
import json
import errno
import fnmatch
import functools
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Iterator

import charset_normalizer

from .config import MAX_FILE_BYTES
from .errors import InputError
from .htmltext import html_to_text, looks_like_html

# Field names, first found wins; matched ignoring case, "_" and "-" (pubDate = pub_date).
TEXT_FIELDS = ("text", "content", "body", "article", "full_text", "article_body", "content_html", "body_html",
               "html", "description")
TITLE_FIELDS = ("title", "headline", "name")
DATE_FIELDS = ("published", "date", "published_at", "pub_date", "date_published", "publish_date",
               "published_date", "datetime", "date_gmt", "created_at", "created")
URL_FIELDS = ("url", "link", "href", "source_url", "permalink")

MAGIC = {
    b"%PDF": "PDF", b"\x89PNG": "PNG", b"PK\x03\x04": "zip", b"GIF8": "GIF", b"\xff\xd8\xff": "JPEG",
    b"\x1f\x8b": "gzip", b"7z\xbc\xaf": "7z", b"Rar!": "RAR", b"\x7fELF": "ELF", b"\xd0\xcf\x11\xe0": "OLE (doc/xls)",
    b"PAR1": "Parquet",
}


@dataclass
class Document:
    doc_id: str
    path: str
    format: str
    text: str
    encoding: str = "utf-8"
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None
    language: str = "en"
    sha256: str = ""
    warnings: list[tuple[str, str]] = field(default_factory=list)   # (error type, message): read, not in full


@dataclass(frozen=True)
class Source:
    """One input file and its doc_id (unique in the run); `fs`: the fsspec filesystem of a URL input;
    `data`: bytes already read (stdin)."""
    path: Path | str
    doc_id: str
    fs: object = None
    data: bytes | None = None


@dataclass(frozen=True)
class Skip:
    """A file or folder discovery left out on purpose (not an error): counted in the summary."""
    path: str
    reason: str


# What discovery reads in a folder; anything else is skipped with a count (--include changes that).
KNOWN_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json", ".jsonl", ".ndjson")
STDIN = "-"
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Walk:
    """Discovery options. `avoid`: resolved paths never read (OUT, the metadata file)."""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    follow_links: bool = False
    avoid: tuple[str, ...] = ()
    max_bytes: int = MAX_FILE_BYTES


# ---------------------------------------------------------------- discovery
def discover(inputs, walk: Walk = Walk()) -> Iterator[Source | InputError | Skip]:
    """Every document file under the inputs, in input order, folders sorted; problems as errors.

    doc_id: the path relative to the inputs' common parent (one folder: relative to it; one file:
    its name), so ids are unique across inputs; a file met twice is read once (a Skip)."""
    inputs = [Path(p) for p in inputs]
    base = _id_base([p for p in inputs if str(p) != STDIN])
    seen: dict[tuple[int, int], str] = {}
    for inp in inputs:
        if str(inp) == STDIN:
            yield _stdin(walk.max_bytes)
            continue
        try:
            st = inp.stat()
        except OSError as e:
            yield InputError(inp, "discover", "NotFound" if isinstance(e, FileNotFoundError) else type(e).__name__,
                             f"cannot open input: {e.strerror or e}")
            continue
        if _avoided(inp, walk):
            yield Skip(str(inp), _avoid_reason(inp, walk))
        elif stat.S_ISDIR(st.st_mode):
            yield from _walk(inp, inp, base, walk, seen, ())
        else:
            yield from _file(inp, st, base, walk, seen, named=True)


def _id_base(inputs: list[Path]) -> str:
    paths = [os.path.abspath(p) for p in inputs]
    if not paths:
        return os.getcwd()
    common = os.path.commonpath(paths)
    return os.path.dirname(common) if common in paths and not os.path.isdir(common) else common


def _stdin(limit: int) -> Source | InputError:
    import sys

    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        return InputError(STDIN, "read", "FileTooLarge", f"standard input is over the {limit}-byte limit")
    return Source(Path(STDIN), "stdin", data=data)


def _avoided(p: Path, walk: Walk) -> bool:
    return os.path.realpath(p) in walk.avoid or _is_kzx_output(p)


def _avoid_reason(p: Path, walk: Walk) -> str:
    return "kzx output" if os.path.isdir(p) else "metadata or baseline file"


def _is_kzx_output(p: Path) -> bool:
    """A folder holding a kzx manifest, or a kzx baseline file: never read as documents."""
    target = p / "manifest.json" if p.is_dir() else p
    if p.is_dir() and not target.is_file():
        return False
    if target.suffix.lower() != ".json":
        return False
    try:
        with open(target, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b'"kzx_version"' in head or b'"rules_digest"' in head or head.lstrip().startswith(b'{"kzx_baseline"')


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _walk(root: Path, folder: Path, base: str, walk: Walk, seen: dict, parents: tuple) -> Iterator:
    real = os.path.realpath(folder)
    if real in parents:
        yield InputError(folder, "discover", "SymlinkLoop", "symlink loop: folder already visited")
        return
    parents = parents + (real,)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        yield InputError(folder, "discover", type(e).__name__, f"cannot list folder: {e.strerror or e}")
        return
    root_real = os.path.realpath(root)
    for e in entries:
        if e.name.startswith("."):          # .git, .DS_Store, kzx's staging folders
            continue
        p = Path(e.path)
        try:
            st = os.stat(p)                 # follows links: what the entry really is
        except OSError as err:
            if err.errno == errno.ELOOP:
                yield InputError(p, "discover", "SymlinkLoop", f"cannot follow link: {err.strerror or err}")
            else:
                yield InputError(p, "read", type(err).__name__, f"cannot open: {err.strerror or err}")
            continue
        special = not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode))     # a FIFO, a device: never read
        if e.is_symlink() and not special and not walk.follow_links and not _inside(os.path.realpath(p), root_real):
            yield InputError(p, "discover", "LinkOutsideInput",
                             f"symlink to {os.path.realpath(p)} leaves the input folder {root}; not followed "
                             "(pass --follow-links to read it)")
        elif _avoided(p, walk):
            yield Skip(str(p), _avoid_reason(p, walk))
        elif stat.S_ISDIR(st.st_mode):
            yield from _walk(root, p, base, walk, seen, parents)
        else:
            yield from _file(p, st, base, walk, seen, named=False)


def _file(p: Path, st, base: str, walk: Walk, seen: dict, named: bool) -> Iterator:
    """One file met by discovery: a Source, a Skip (format, glob, duplicate) or an error (FIFO, device)."""
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or
                stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        yield InputError(p, "discover", "NotRegularFile", f"{kind}, not a regular file; skipped")
        return
    doc_id = Path(os.path.relpath(os.path.abspath(p), base)).as_posix()
    if not named:
        reason = _unwanted(p, doc_id, walk)
        if reason:
            yield Skip(str(p), reason)
            return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        yield Skip(str(p), f"same file as {seen[key]}")
        return
    seen[key] = doc_id
    yield Source(p, doc_id)


def _unwanted(p: Path, doc_id: str, walk: Walk) -> str | None:
    """Why a file met in a folder is not read, or None: --exclude, --include, else known formats."""
    match = lambda globs: any(fnmatch.fnmatchcase(doc_id, g) or fnmatch.fnmatchcase(p.name, g) for g in globs)
    if match(walk.exclude):
        return "excluded by --exclude"
    if walk.include:
        return None if match(walk.include) else "not matched by --include"
    suffix = p.suffix.lower()
    if suffix in KNOWN_SUFFIXES:
        return None
    if suffix:
        return "not a known format"
    return None if _sniff_text(p) else "not text (no extension, sniffed)"


def _sniff_text(p: Path) -> bool:
    """An extension-less file is read when its first bytes look like text: no NULs, no magic, few controls."""
    try:
        with open(p, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return True                         # reading it will record the error
    if not head.strip():
        return True                         # read, and recorded as an empty file
    if b"\x00" in head or any(head.startswith(m) for m in MAGIC):
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(head) // 100


# ---------------------------------------------------------------- decoding
# Legacy encodings the detector may choose from: the ones texts about Kazakhstan come in
# (Windows and DOS Cyrillic, KOI8-R, Kazakh KZ-1048, ISO/Mac Cyrillic) and Western European for
# English. Left to itself charset-normalizer also tries Baltic and CJK code pages, and then
# Latin-1 English can come out as cp775 and short KOI8-R as Big5.
LEGACY = ("cp1251", "koi8_r", "kz1048", "cp866", "iso8859_5", "mac_cyrillic", "cp1252", "latin_1")
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def decode(raw: bytes, path) -> tuple[str, str, list[tuple[str, str]]]:
    """bytes → (text, encoding, warnings). UTF-8 (BOM or not), UTF-16 with BOM; otherwise the
    detector's guess among LEGACY (a warning says it is a guess), line by line for a file that
    mixes UTF-8 lines with legacy ones. Sporadic NULs are removed (with a warning)."""
    if not raw.strip():
        raise InputError(path, "decode", "EmptyFile", "file is empty" if not raw else "file holds only whitespace")
    for magic, name in MAGIC.items():
        if raw.startswith(magic):
            raise InputError(path, "decode", "BinaryFile", f"binary {name} file, not text")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as e:
            raise InputError(path, "decode", "UndecodableBytes", f"UTF-16 BOM but invalid UTF-16: {e.reason}")
    warnings = []
    nul = raw.count(b"\x00")
    if nul:
        if nul > len(raw) // 100:           # frequent NULs: binary, not a few stray bytes
            raise InputError(path, "decode", "BinaryFile", f"{nul} NUL bytes: binary data, or UTF-16 without a BOM")
        raw = raw.replace(b"\x00", b"")
        warnings.append(("NulBytes", f"removed {nul} NUL bytes"))
    if raw.startswith(codecs.BOM_UTF8):
        raw, enc = raw[3:], "utf-8-sig"
    else:
        enc = "utf-8"
    try:
        return raw.decode("utf-8"), enc, warnings
    except UnicodeDecodeError as e:
        first_bad = e
    mixed = _decode_mixed(raw)
    if mixed is not None:
        text, legacy, n_legacy = mixed
        warnings.append(("MixedEncoding", f"UTF-8 mixed with other bytes: {n_legacy} lines decoded as {legacy} "
                                          "(a guess), the rest as UTF-8"))
        return text, f"utf-8+{legacy}", warnings
    guess = _guess(raw)
    if guess is not None:
        legacy, text = guess
        warnings.append(("GuessedEncoding", f"not UTF-8; decoded as {legacy} (the detector's guess)"))
        return text, legacy, warnings
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(3, len(raw) // 1000) and _plausible(text):
        warnings.append(("UndecodableBytes", f"{bad} bytes not valid UTF-8 replaced with U+FFFD "
                                             f"(first at byte {first_bad.start})"))
        return text, "utf-8", warnings
    raise InputError(path, "decode", "UndecodableBytes",
                     f"not UTF-8 (invalid byte 0x{raw[first_bad.start]:02x} at offset {first_bad.start}) "
                     "and not text in a known legacy encoding")


def _guess(raw: bytes) -> tuple[str, str] | None:
    """(encoding, text) of non-UTF-8 bytes by charset-normalizer among LEGACY, if it reads as text.
    A few stray invalid bytes in otherwise UTF-8 text are not a legacy file (left to the caller)."""
    utf8_bad = raw.decode("utf-8", errors="replace").count("\ufffd")
    if utf8_bad <= 3 and len(_NON_ASCII.findall(raw[:200_000])) > 3 * utf8_bad:
        return None
    found = list(charset_normalizer.from_bytes(raw, cp_isolation=list(LEGACY)))
    if not found:
        return None
    name = found[0].encoding
    # A code page that reads every byte the detector's choice reads as a letter as a letter too,
    # and more of them, is the better reading: a short cp1251 line whose one capital is В comes
    # out as mac_cyrillic (¬ 2023 году) with the very same lowercase letters.
    high = sorted(set(raw[:200_000]) - set(range(128)))
    letters = {m.encoding: {b for b in high if bytes([b]).decode(m.encoding, errors="replace").isalpha()}
               for m in found}
    better = [m.encoding for m in found if letters[m.encoding] > letters[name]]
    if better:
        name = max(better, key=lambda e: len(letters[e]))
    text = raw.decode(name, errors="replace")
    return (name, text) if _plausible(text) else None


def _decode_mixed(raw: bytes) -> tuple[str, str, int] | None:
    """A file whose lines are partly UTF-8 and partly a legacy encoding (pages pasted together):
    (text, legacy encoding, number of legacy lines), or None if it is not such a file."""
    lines = raw.split(b"\n")
    utf8_lines, bad = 0, []
    for i, line in enumerate(lines):
        if not _NON_ASCII.search(line):
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad.append(i)
    if not utf8_lines or not bad:
        return None
    guess = _guess(b"\n".join(lines[i] for i in bad))
    if guess is None:
        return None
    legacy, bad_set = guess[0], set(bad)
    out = [ln.decode(legacy, errors="replace") if i in bad_set else ln.decode("utf-8") for i, ln in enumerate(lines)]
    return "\n".join(out), legacy, len(bad)


def _plausible(text: str) -> bool:
    """Mostly letters, digits, spaces and common punctuation: real text, not random bytes."""
    sample = text[:20000]
    good = sum(1 for c in sample if c.isalnum() or c.isspace() or c in ".,;:!?-–—()\"'«»%/№$₸")
    return good >= 0.9 * len(sample)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """A regular file's bytes, never more than max_bytes: a link swapped for /dev/zero or a FIFO
    after discovery neither blocks (O_NONBLOCK) nor fills memory (the size is checked on the open file)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InputError(path, "discover", "NotRegularFile", "not a regular file; skipped")
            if st.st_size > max_bytes:
                raise InputError(path, "read", "FileTooLarge", f"{st.st_size} bytes is over the {max_bytes}-byte limit")
            raw = f.read(max_bytes + 1)
    except InputError:
        raise
    except OSError as e:
        raise InputError(path, "read", type(e).__name__, e.strerror or str(e))
    if len(raw) > max_bytes:
        raise InputError(path, "read", "FileTooLarge", f"grew over the {max_bytes}-byte limit while read")
    return raw


def _read_url(src: Source, max_bytes: int) -> bytes:
    try:
        size = src.fs.size(src.path)
        if size > max_bytes:
            raise InputError(src.path, "read", "FileTooLarge", f"{size} bytes is over the {max_bytes}-byte limit")
        return src.fs.cat_file(src.path)
    except InputError:
        raise
    except OSError as e:
        raise InputError(src.path, "read", type(e).__name__, e.strerror or str(e))


# ---------------------------------------------------------------- formats
def read_source(src: Source, max_bytes: int) -> list[Document]:
    """One file → its documents. Raises InputError for a file that yields nothing usable."""
    path = src.path
    if src.data is not None:
        raw = src.data
    elif src.fs is not None:
        raw = _read_url(src, max_bytes)
    else:
        raw = read_bytes(path, max_bytes)
    text, enc, warnings = decode(raw, path)
    sha = hashlib.sha256(raw).hexdigest()
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise InputError(path, "decode", "EmptyFile", "file holds only a byte-order mark and whitespace")
    ext = Path(str(path)).suffix.lower()
    docs: list[Document]
    json_ext = ext in (".json", ".jsonl", ".ndjson")
    if stripped.startswith("{") or (stripped.startswith("[") and (json_ext or re.match(r"\[\s*[{\]]", stripped))):
        docs = _read_json(src, stripped, ext)
    elif ext in (".html", ".htm", ".xhtml") or looks_like_html(text):
        page: dict = {}
        body, title = html_to_text(text, page)
        if not body:
            raise InputError(path, "parse", "NoText", "HTML has no visible body text")
        docs = [Document(src.doc_id, "", "html", body, title=title or None,
                         published=parse_iso_date(page.get("published")), url=page.get("url"))]
    else:
        _refuse_scalar(path, stripped, json_ext)
        docs = [Document(src.doc_id, "", "markdown" if ext in (".md", ".markdown") else "text", text)]
    for d in docs:
        d.path, d.encoding, d.sha256 = str(path), enc, sha
        d.language = guess_language(d.text)
        d.warnings = warnings + d.warnings
    return docs


_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def _refuse_scalar(path, text: str, json_ext: bool) -> None:
    """A bare JSON value (42, null, "x") is not a document; nor is a file holding just a number."""
    body = text.strip()
    is_string = json_ext and body.startswith('"') and body.endswith('"') and len(body) > 1
    if _SCALAR.fullmatch(body) or is_string:
        if is_string:
            try:
                json.loads(body)
            except ValueError:
                return
        raise InputError(path, "parse", "NotADocument", f"a bare JSON value ({body[:20]!r}), not a document")


MAX_INT_DIGITS = 4000     # below Python's int-string limit (4300); longer integers stay strings


class _Loader:
    """json.loads that keeps integers too long for int() as strings and counts them."""

    def __init__(self):
        self.huge = 0

    def _int(self, digits: str):
        if len(digits) > MAX_INT_DIGITS:
            self.huge += 1
            return digits
        return int(digits)

    def loads(self, text: str):
        return json.loads(text, parse_int=self._int)


def _huge_warning(loader: _Loader, where: str = "") -> list[tuple[str, str]]:
    return [("HugeNumber", f"{where}{loader.huge} integer(s) of over {MAX_INT_DIGITS} digits kept as text")] if loader.huge else []


def _read_json(src: Source, text: str, ext: str) -> list[Document]:
    path = src.path
    loader = _Loader()
    lines_like = ext in (".jsonl", ".ndjson")
    try:
        data = loader.loads(text)
    except RecursionError:
        if lines_like or "\n" in text.strip():
            return _read_jsonl(src, text)
        raise InputError(path, "parse", "TooDeep", "JSON nested deeper than the parser allows "
                                                   f"(over {sys.getrecursionlimit()} levels)") from None
    except json.JSONDecodeError as e:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if lines_like or (len(lines) > 1 and _is_json(lines[0])):
            return _read_jsonl(src, text)
        raise InputError(path, "parse", "InvalidJSON", f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}")
    docs = _json_docs(src, data)
    docs[0].warnings.extend(_huge_warning(loader))
    return docs


def _json_docs(src: Source, data) -> list[Document]:
    path = src.path
    if isinstance(data, dict):
        for key in ("articles", "items", "data", "posts", "results"):
            if isinstance(data.get(key), list) and not _text_of(data):
                data = data[key]
                break
    if isinstance(data, list):
        docs, bad = [], []
        for i, rec in enumerate(data, 1):
            doc = _record(src, rec, f"{src.doc_id}#{i}") if isinstance(rec, dict) else None
            (docs if doc else bad).append(doc or i)
        if not docs:
            raise InputError(path, "parse", "NoText", "JSON array holds no record with a text field "
                                                      f"({', '.join(TEXT_FIELDS)})")
        if bad:
            docs[0].warnings.append(("NoText", f"records {bad[:10]} have no text field"))
        return docs
    doc = _record(src, data, src.doc_id) if isinstance(data, dict) else None
    if doc is None:
        raise InputError(path, "parse", "NoText", f"JSON has no text field ({', '.join(TEXT_FIELDS)}) "
                                                  "or WordPress content.rendered")
    return [doc]


def _is_json(line: str) -> bool:
    try:
        return isinstance(_Loader().loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _read_jsonl(src: Source, text: str) -> list[Document]:
    docs, warnings = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        loader = _Loader()
        try:
            rec = loader.loads(line)
        except json.JSONDecodeError as e:
            warnings.append(("InvalidJSON", f"line {n}: {e.msg}"))
            continue
        except RecursionError:
            warnings.append(("TooDeep", f"line {n}: JSON nested deeper than the parser allows"))
            continue
        warnings.extend(_huge_warning(loader, f"line {n}: "))
        doc = _record(src, rec, f"{src.doc_id}#{n}") if isinstance(rec, dict) else None
        if doc is None:
            warnings.append(("NoText", f"line {n}: no text field"))
        else:
            docs.append(doc)
    if not docs:
        raise InputError(src.path, "parse", "InvalidJSON", "no valid JSON Lines record with text: "
                         + "; ".join(m for _, m in warnings[:3]))
    docs[0].warnings.extend(warnings)
    return docs


def _key(name) -> str:
    return str(name).lower().replace("_", "").replace("-", "")


def record_field(rec: dict, names) -> object:
    """The first of `names` the record has with a non-empty value, matched ignoring case, "_", "-"."""
    keys = {_key(k): k for k in reversed(list(rec))}      # the first spelling in the record wins
    for n in names:
        v = rec.get(keys.get(_key(n)))
        if isinstance(v, dict) and isinstance(v.get("rendered"), str):   # WordPress REST
            v = v["rendered"]
        if isinstance(v, (str, int, float)) and str(v).strip():
            return v
    return None


def _text_of(rec: dict) -> str | None:
    v = record_field(rec, TEXT_FIELDS)
    return v if isinstance(v, str) else None


def _record(src: Source, rec: dict, doc_id: str) -> Document | None:
    body = _text_of(rec)
    if body is None:
        return None
    is_wp = isinstance(rec.get("content"), dict)
    fmt = "wordpress" if is_wp else "json"
    if looks_like_html(body) or is_wp:
        body, _ = html_to_text(body)
    title = record_field(rec, TITLE_FIELDS)
    if isinstance(title, str) and ("<" in title or "&" in title):
        title = html_to_text(title)[0]
    title = str(title).strip() if title else None
    text = f"{title}\n\n{body}" if title and body and not body.startswith(title) else body
    if not text.strip():
        return None
    url = record_field(rec, URL_FIELDS)
    return Document(doc_id, "", fmt, text, title=title, published=parse_iso_date(record_field(rec, DATE_FIELDS)),
                    url=str(url) if url else None)


# ---------------------------------------------------------------- clean-up
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


@functools.cache
def _is_bad():
    """ftfy's is_bad (pipeline/badness.py: the same answers, faster, without importing ftfy once
    this machine has derived it), made for the first text that may hold mojibake."""
    from .badness import is_bad_function

    return is_bad_function()


@functools.cache
def _ftfy():
    """ftfy and kzx's settings of it, imported for the first text that holds mojibake (45 ms of
    start-up that runs over clean text never need). Only mojibake is repaired: quotes, widths,
    ligatures and line breaks stay as the source wrote them."""
    import ftfy

    config = ftfy.TextFixerConfig(unescape_html=False, remove_terminal_escapes=False, fix_latin_ligatures=False,
                                  fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
                                  remove_control_chars=False, normalization=None, explain=False)
    return ftfy, config


def safe_str(s):
    """A string pyarrow can write: bytes a file name could not decode (surrogate escapes) become
    `\\xNN`, any other lone surrogate U+FFFD."""
    if s is None or not isinstance(s, str) or not _SURROGATE.search(s):
        return s
    s = _ESCAPED_BYTE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", s)
    return _SURROGATE.sub("\ufffd", s)


def _join_surrogates(s: str) -> tuple[str, int]:
    """Surrogate pairs (JSON writes astral characters as "\\ud83d\\ude00") → the character; a lone
    surrogate → U+FFFD. Returns the text and the number of lone surrogates replaced."""
    fixed = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return fixed, fixed.count("\ufffd") - s.count("\ufffd")


# Every UTF-8 sequence read as Latin-1, cp1252, cp1251, cp437 or MacRoman leaves at least one
# of these characters (its lead byte or a continuation byte: Â-ô, Р/С, Γ ╨ ⌐ ₧, √ † • ™ Ω ◊ ﬁ;
# tests/test_ingest.py checks every BMP character); text with none of them (English with curly
# quotes and dashes) skips ftfy's slower look.
_MOJIBAKE_CHARS = re.compile("[\x80-\u04ff\u2020-\u2022\u2044\u20a7\u2122\u2126\u2200-\u22ff\u2310"
                             "\u2500-\u259f\u25ca\ufb01\ufb02]")


def _mojibake_pairs(plain: bool = False, by_continuation: bool = False) -> re.Pattern:
    """A UTF-8 sequence read in a single-byte code page leaves its lead byte's character right before
    its first continuation byte's: for each code page, a class of the characters of bytes C2-F4
    followed by one of bytes 80-BF (a byte the page leaves undefined read as Latin-1 or U+FFFD).
    Real text rarely holds such a pair (English with curly quotes, dashes and accents, never), so
    ftfy's whole-text look is skipped there; Russian holds some ("а»"), and keeps it.
    `plain`: the bare alternation (tests: the same matches as the pattern used); `by_continuation`:
    see mojibake_pair."""
    def chars(enc: str, lo: int, hi: int) -> set[str]:
        out = {"\ufffd"}
        for b in range(lo, hi + 1):
            try:
                out.add(bytes([b]).decode(enc))
            except UnicodeDecodeError:
                out.add(chr(b))
        return out

    def cls(cs: set[str]) -> str:
        return "[" + "".join(re.escape(c) for c in sorted(cs)) + "]"
    leads = [chars(enc, 0xC2, 0xF4) for enc in MOJIBAKE_PAGES]
    alts = [cls(lead) + cls(chars(enc, 0x80, 0xBF)) for lead, enc in zip(leads, MOJIBAKE_PAGES)]
    if plain:
        return re.compile("|".join(alts + [_LOST_NBSP.pattern]))
    if by_continuation:             # (less "[ÂÃ] ": every space would be a continuation)
        conts = [chars(enc, 0x80, 0xBF) for enc in MOJIBAKE_PAGES]
        return re.compile(cls(set().union(*conts)) + "(?<=" + "|".join(alts) + ")")
    # The same matches, found 8x faster: `re` skips at C speed to the next character that can
    # lead a pair (one class first), and only there tries the alternatives (from that character,
    # in a lookbehind); a bare alternation tries every one of them at every position.
    return re.compile(cls(set().union(*leads, "ÂÃ")) + "(?<=(?=(?:" + "|".join(alts + [_LOST_NBSP.pattern]) + ")).)")


MOJIBAKE_PAGES = ("latin-1", "cp1252", "cp1251", "cp437", "mac_roman")
_LOST_NBSP = re.compile("[ÂÃ] ")   # "Â\xa0", "Ã\xa0" (à) whose no-break space became a space
_MOJIBAKE_PAIR = _mojibake_pairs()
_pair_by_continuation = functools.cache(lambda: _mojibake_pairs(by_continuation=True))   # (for Cyrillic text only)


def mojibake_pair(text: str, by_continuation: bool = False) -> int | None:
    """Where the first pair of _mojibake_pairs starts in text, or None. Two searches find it:
    from the lead characters (few in English, where the continuations ’ “ ” – — stand often), or,
    `by_continuation`, from the continuations (few in Cyrillic text, all of whose letters but
    А Б х-я lead a pair in cp1251: 5x faster there)."""
    if not by_continuation:
        m = _MOJIBAKE_PAIR.search(text)
        return m and m.start()
    pair, lost = _pair_by_continuation().search(text), _LOST_NBSP.search(text)
    starts = ([pair.start() - 1] if pair else []) + ([lost.start()] if lost else [])
    return min(starts, default=None)


def repair_mojibake(text: str) -> tuple[str, int]:
    """UTF-8 that was read as cp1251, cp1252 or Latin-1 (once or twice: "â€“", "Ã©", "РњРёРЅ")
    repaired line by line with ftfy; returns the text and the number of lines changed."""
    if text.isascii():
        return text, 0
    first = _MOJIBAKE_CHARS.search(text)
    if first is None or mojibake_pair(text, "\u0400" <= first.group() <= "\u04ff") is None:
        return text, 0
    is_bad = _is_bad()
    if not is_bad(text):
        return text, 0
    ftfy, config = _ftfy()
    lines = text.split("\n")
    changed = 0
    for i, line in enumerate(lines):
        if not line.isascii() and is_bad(line):
            fixed = ftfy.fix_text(line, config)
            if fixed != line:
                lines[i] = fixed
                changed += 1
    return ("\n".join(lines), changed) if changed else (text, 0)


def clean_document(doc: Document) -> None:
    """Make a document safe to store and fit to read, saying what was changed: file names that are
    not UTF-8 escaped, lone surrogates replaced, mojibake repaired (before any offset is taken)."""
    if _SURROGATE.search(doc.path or "") or _SURROGATE.search(doc.doc_id):
        doc.path, doc.doc_id = safe_str(doc.path), safe_str(doc.doc_id)
        doc.warnings.append(("UndecodableName", "file name is not valid UTF-8: stored with its undecodable "
                                                "bytes written as \\xNN"))
    lone = 0
    for name in ("text", "title", "url"):
        value = getattr(doc, name)
        if isinstance(value, str) and _SURROGATE.search(value):
            value, n = _join_surrogates(value)
            setattr(doc, name, value)
            lone += n
    if lone:
        doc.warnings.append(("LoneSurrogate", f"{lone} lone surrogate code point(s) replaced with U+FFFD"))
    doc.text, changed = repair_mojibake(doc.text)
    if doc.title:
        doc.title = repair_mojibake(doc.title)[0]
    if changed:
        doc.language = guess_language(doc.text)
        doc.warnings.append(("Mojibake", f"{changed} line(s) read as mojibake (UTF-8 decoded as a "
                                         "single-byte code page) repaired with ftfy"))


_ISO = re.compile(r"^\s*(\d{4})[-/](\d{2})[-/](\d{2})")
_DMY = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_DAY_MONTH = re.compile(r"^\s*(?:[A-Za-z]+,?\s+)??(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})\b")
_MONTH_DAY = re.compile(r"^\s*(?:[A-Za-z]+,?\s+)??([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b")


def parse_iso_date(v) -> dt.date | None:
    """A date field as scrapers and feeds write it → date, else None: '2021-09-05T19:24:45',
    '05.09.2021' (day first), 'Sun, 05 Sep 2021 19:24:45 +0000' (RSS), '5 September 2021',
    'September 5, 2021'."""
    if v is None or isinstance(v, bool):
        return None
    text = str(v)
    try:
        m = _ISO.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(text)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _DAY_MONTH.match(text)
        if m and m[2].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        m = _MONTH_DAY.match(text)
        if m and m[1].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        return parsedate_to_datetime(text).date() if re.search(r"[A-Za-z]{3}", text) else None
    except (ValueError, TypeError, IndexError):
        return None


# Runs, not single characters, summed: one match per word instead of one per letter (2.4x faster,
# the same counts).
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")
_KAZAKH = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]+")
_LETTER = re.compile(r"[^\W\d_]+")


# Letters of the 2021 Latin Kazakh alphabet that English never writes (teńge, jylǵy, ýaqyt, bıyl).
_KAZAKH_LATIN = re.compile(r"[ǵńýıǴŃÝ]+")


def _count(pattern: re.Pattern, text: str) -> int:
    """The number of characters of text that pattern (a class and +) matches."""
    return sum(map(len, pattern.findall(text)))


def guess_language(text: str) -> str:
    """'en', 'ru' or 'kk' from the script of a sample (Kazakh has letters Russian lacks, and its
    Latin script letters English lacks)."""
    sample = text[:5000]
    data = sample.encode("utf-8", "surrogatepass")
    leads = [data.count(b) for b in _CYRILLIC_LEADS]
    cyr = sum(leads)
    if not cyr and not _KAZAKH_LATIN.search(sample):
        return "en"                  # what the ratios below give then, whatever the letters
    letters = _letters(sample, data, cyr, leads) or 1
    if cyr / letters < 0.3:
        return "kk" if _count(_KAZAKH_LATIN, sample) > letters * 0.005 else "en"
    return "kk" if _kazakh(data, leads, cyr * 0.02) > cyr * 0.02 else "ru"


# The counts of _CYRILLIC, _LETTER and _KAZAKH, taken in the UTF-8 bytes where byte counts run at C
# speed: a regex over the text tests every character (0.1 ms a document, 3% of a Russian run of
# short documents). U+0400-U+04FF are the two-byte sequences led by D0-D3, one lead byte each;
# Russian letters are all led by D0 and D1, so D2 and D3 (most Kazakh letters, and the block's few
# non-letters) are looked into only where they stand.
_CYRILLIC_LEADS = (b"\xd0", b"\xd1", b"\xd2", b"\xd3")
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_CYRILLIC_NOT_LETTERS = re.compile(b"\xd2[\x82-\x89]")          # U+0482-U+0489: "҂" and combining marks
_KAZAKH_D2_D3 = re.compile(b"|".join(re.escape(c.encode()) for c in "әғқңөұүһӘҒҚҢӨҰҮҺ"))
_OTHER_LETTER = re.compile(r"[^\W\d_\x00-\x7f\u0400-\u04ff]")     # _LETTER beyond ASCII and Cyrillic
_I = ("і".encode(), "І".encode())


def _letters(sample: str, data: bytes, cyr: int, leads: list) -> int:
    """_count(_LETTER, sample): the ASCII letters, the Cyrillic letters, and the letters among the
    few other characters (quotes, dashes, accented Latin), each tested by _LETTER; where each
    character beyond ASCII is Cyrillic (each adds one byte to the UTF-8), there are none."""
    other = 0 if len(data) - len(sample) == cyr else len(_OTHER_LETTER.findall(sample))
    not_letters = len(_CYRILLIC_NOT_LETTERS.findall(data)) if leads[2] else 0
    return len(data) - len(data.translate(None, _ASCII_LETTERS)) + cyr - not_letters + other


def _kazakh(data: bytes, leads: list, above: float | None = None) -> int:
    """_count(_KAZAKH, text) of the text whose UTF-8 is data: і and І (led by D1, D0), the rest;
    with `above`, і and І alone where they are more than it (all guess_language asks: most Kazakh
    text, whose commonest letter of its own is і, is not looked through for the rest)."""
    n = data.count(_I[0]) + data.count(_I[1])
    if above is not None and n > above:
        return n
    return n + (len(_KAZAKH_D2_D3.findall(data)) if leads[2] or leads[3] else 0)
