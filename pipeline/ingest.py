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
import os
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Iterator

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
    """One input file and the root its doc_id is relative to; `fs`: the fsspec filesystem of a URL input."""
    path: Path | str
    doc_id: str
    fs: object = None


# ---------------------------------------------------------------- discovery
def discover(inputs) -> Iterator[Source | InputError]:
    """Yield every file under the inputs in sorted order; loops and unreadable dirs as errors."""
    for inp in inputs:
        inp = Path(inp)
        if inp.is_file():
            yield Source(inp, inp.name)
        elif inp.is_dir():
            yield from _walk(inp, inp, set())
        else:
            yield InputError(inp, "discover", "NotFound", "no such file or folder")


def _walk(root: Path, folder: Path, seen: set) -> Iterator[Source | InputError]:
    try:
        real = folder.resolve(strict=True)
    except (OSError, RuntimeError) as e:
        yield InputError(folder, "discover", "SymlinkLoop", f"cannot resolve folder: {e}")
        return
    if real in seen:
        yield InputError(folder, "discover", "SymlinkLoop", "symlink loop: folder already visited")
        return
    seen = seen | {real}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        yield InputError(folder, "discover", type(e).__name__, f"cannot list folder: {e.strerror or e}")
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        p = Path(e.path)
        try:
            is_dir = e.is_dir()  # follows symlinks
        except OSError as err:
            yield InputError(p, "discover", "SymlinkLoop", f"cannot follow link: {err.strerror or err}")
            continue
        if is_dir:
            yield from _walk(root, p, seen)
        elif e.is_file() or e.is_symlink():
            yield Source(p, p.relative_to(root).as_posix())


# ---------------------------------------------------------------- decoding
def decode(raw: bytes, path) -> tuple[str, str, list[tuple[str, str]]]:
    """bytes → (text, encoding, warnings). UTF-8 (BOM or not), UTF-16 with BOM, cp1251 fallback."""
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
        if nul > len(raw) // 100:
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
    legacy = raw.decode("cp1251", errors="replace")
    if _plausible(legacy):
        return legacy, "cp1251", warnings
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(3, len(raw) // 1000) and _plausible(text):
        warnings.append(("UndecodableBytes", f"{bad} bytes not valid UTF-8 replaced with U+FFFD "
                                             f"(first at byte {first_bad.start})"))
        return text, "utf-8", warnings
    raise InputError(path, "decode", "UndecodableBytes",
                     f"not UTF-8 (invalid byte 0x{raw[first_bad.start]:02x} at offset {first_bad.start}) "
                     "and not cp1251 text")


def _plausible(text: str) -> bool:
    """Mostly letters, digits, spaces and common punctuation: real text, not random bytes."""
    sample = text[:20000]
    good = sum(1 for c in sample if c.isalnum() or c.isspace() or c in ".,;:!?-–—()\"'«»%/№$₸")
    return good >= 0.9 * len(sample)


# ---------------------------------------------------------------- formats
def read_source(src: Source, max_bytes: int) -> list[Document]:
    """One file → its documents. Raises InputError for a file that yields nothing usable."""
    path = src.path
    try:
        size = path.stat().st_size if src.fs is None else src.fs.size(path)
        if size > max_bytes:
            raise InputError(path, "read", "FileTooLarge", f"{size} bytes is over the {max_bytes}-byte limit")
        raw = path.read_bytes() if src.fs is None else src.fs.cat_file(path)
    except InputError:
        raise
    except OSError as e:
        raise InputError(path, "read", type(e).__name__, e.strerror or str(e))
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
        docs = [Document(src.doc_id, "", "markdown" if ext in (".md", ".markdown") else "text", text)]
    for d in docs:
        d.path, d.encoding, d.sha256 = str(path), enc, sha
        d.language = guess_language(d.text)
        d.warnings = warnings + d.warnings
    return docs


def _read_json(src: Source, text: str, ext: str) -> list[Document]:
    path = src.path
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if ext in (".jsonl", ".ndjson") or (len(lines) > 1 and _is_json(lines[0])):
            return _read_jsonl(src, text)
        raise InputError(path, "parse", "InvalidJSON", f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}")
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
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _read_jsonl(src: Source, text: str) -> list[Document]:
    docs, warnings = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            warnings.append(("InvalidJSON", f"line {n}: {e.msg}"))
            continue
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


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KAZAKH = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_LETTER = re.compile(r"[^\W\d_]")


def guess_language(text: str) -> str:
    """'en', 'ru' or 'kk' from the script of a sample (Kazakh has letters Russian lacks)."""
    sample = text[:5000]
    letters = len(_LETTER.findall(sample)) or 1
    cyr = len(_CYRILLIC.findall(sample))
    if cyr / letters < 0.3:
        return "en"
    return "kk" if len(_KAZAKH.findall(sample)) > cyr * 0.02 else "ru"
