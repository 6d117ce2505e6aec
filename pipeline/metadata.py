"""Publication dates from outside the text (a metadata file) and from inside it (a dateline).

Metadata file: CSV or JSON Lines keyed by doc_id with `published` and optionally `title`,
`url` — the form users export from their scrapers (other common column names are read too,
see ID_COLUMNS/DATE_COLUMNS). A key may also be a bare file name when that names exactly one
input. Rows that match no input, or whose date cannot be read, are reported by the runner.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .errors import UsageError
from .ingest import parse_iso_date, record_field


# Column names as scrapers export them, matched ignoring case, "_" and "-"; first found wins.
ID_COLUMNS = ("doc_id", "file", "filename", "path", "id")
DATE_COLUMNS = ("published", "date", "pub_date", "published_at", "publication_date", "date_published")


def _column(r: dict, names) -> str | None:
    v = record_field(r, names)
    return str(v).strip() if v is not None else None


@dataclass
class MetadataIndex:
    path: str
    rows: dict[str, dict]
    used: set = field(default_factory=set)
    problems: list[str] = field(default_factory=list)   # rows read with a part left out, for `errors`
    shared_names: set = field(default_factory=set)      # file names several inputs share: not a key alone

    @classmethod
    def load(cls, path) -> "MetadataIndex":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            why = "not UTF-8" if isinstance(e, UnicodeDecodeError) else (e.strerror or str(e))
            raise UsageError(f"cannot read the metadata file: {why} ({path})", "pass a UTF-8 CSV or JSON Lines file")
        recs = []
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json") or text.lstrip().startswith("{"):
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        recs.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        raise UsageError(f"metadata line {n} is not valid JSON: {e.msg} ({path})",
                                         "one JSON object per line, or a CSV with a header")
        else:
            recs = list(csv.DictReader(text.splitlines()))
        rows, problems = {}, []
        for n, r in enumerate(recs, 1):
            key = _column(r, ID_COLUMNS) if isinstance(r, dict) else None
            if not key:
                raise UsageError(f"metadata row {n} has no doc_id ({path})",
                                 f"the file needs a column naming the document ({', '.join(ID_COLUMNS)})")
            pub = _column(r, DATE_COLUMNS)
            date = parse_iso_date(pub)
            if pub and date is None:      # one bad row must not stop the batch: its document goes undated
                problems.append(f"row {n} ({key!r}): published {pub!r} is not a date; left out")
            rows[key] = {"published": date, "title": _column(r, ("title",)), "url": _column(r, ("url", "link"))}
        return cls(str(path), rows, problems=problems)

    def _key(self, doc_id: str) -> str | None:
        """The row for a doc_id: itself, its file ("feed.jsonl" for "feed.jsonl#3"), its file name."""
        base = doc_id.split("#")[0]
        name = Path(base).name
        keys = (doc_id, base) if name in self.shared_names else (doc_id, base, name)
        return next((k for k in keys if k in self.rows), None)

    def know_inputs(self, doc_ids) -> None:
        """A bare file name names a document only when one input has that name (2022/a.txt, 2023/a.txt)."""
        seen: dict[str, str] = {}
        for d in doc_ids:
            name = Path(d).name
            if seen.setdefault(name, d) != d:
                self.shared_names.add(name)

    def get(self, doc_id: str) -> dict | None:
        key = self._key(doc_id)
        return self.rows[key] if key else None

    def mark(self, doc_id: str) -> None:
        key = self._key(doc_id)
        if key:
            self.used.add(key)

    def unmatched(self, used: set) -> list[str]:
        return sorted(k for k in self.rows if k not in used)


_TIME = regex.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:am|pm|AM|PM))?\b")
_AROUND = " ,.|-–—()"        # what find_dateline strips around a date, with times
_PREFIX = regex.compile(r"^\s*(?:(?:date|published|posted|updated|dated)\s*:?\s*)?", regex.I)


_PLACE = regex.compile(r"^(?:\p{Lu}[\p{L}-]*\s*){1,3}(?:\(\p{Lu}[\p{L} ]*\))?$")   # "ASTANA", "Ust-Kamenogorsk"
# A news agency's credit after a place and date, the article going on after it on the same line:
# "АЛМАТЫ, 5 наурыз 2024 – Kazinform. ...", "АСТАНА, 12 ноября 2023 — Sputnik. ...".
_AGENCY = regex.compile(r"^\s*[-–—]\s*(?:\p{Lu}[\p{L}\p{N}-]*|«[^»]{1,25}»)(?:\s+(?:\p{Lu}[\p{L}\p{N}-]*|«[^»]{1,25}»)){0,2}\.(?:\s|$)")


_DIGIT = regex.compile(r"\d")
_CREDIT = regex.compile(_AGENCY.pattern.replace(r"^\s*", "", 1))     # an _AGENCY credit anywhere in a line
_DATES = frozenset({"date"})
_PLACE_FIRST = regex.compile(r"\p{Lu}")        # how a _PLACE starts


def _candidates(text: str, lines: int = 12) -> list[tuple[int, str, str, int]]:
    """(line number among the non-blank, line, line without a "date:" prefix, where in it the date
    rules start reading) of the first lines that may be a dateline."""
    todo, seen = [], 0
    for line in text[:2000].splitlines():
        line = line.strip()
        if not line:
            continue
        seen += 1
        if seen > lines:
            break
        if not _DIGIT.search(line):
            continue             # a day to the calendar needs a number (a day, a year); most lines have none
        body = line[_PREFIX.match(line).end():]
        start = 0
        if not (_CREDIT.search(body) and _PLACE_FIRST.match(_TIME.sub("", body).lstrip(_AROUND))):
            # no place and credit that a date could stand between: the date must end the line, and
            # a date's span ends in a letter or digit, as a time does (tests/test_ingest.py checks
            # every date the rules find in their examples)
            if not body.rstrip(_AROUND)[-1:].isalnum():
                continue
            if len(line) > 60:
                # too long to be a date line: only a title that a ", <date>" ends can give one
                # (find_dateline takes no other date of it)
                start = _closing_date(body) if seen == 1 else None
                if start is None:
                    continue
        todo.append((seen, line, body, start))
    return todo


LINE_CHARS = 300          # of a candidate line, what the date rules read
_TIME_AT_END = regex.compile(r"(?r)" + _TIME.pattern + "$")


def _after_date(body: str) -> int:
    """Where the tail that find_dateline strips after a date (_AROUND and times: "..., 1 May
    2024, 10:15.") starts; a time it cannot tell from the date's end stays in (reading more)."""
    end = len(body)
    while True:
        end = len(body[:end].rstrip(_AROUND))
        last = body[end - 1:end]
        if not (last.isdigit() or last in ("m", "M")):
            return end                    # no _TIME ends so (a search from the end tries every start)
        m = _TIME_AT_END.search(body, 0, end)
        if m is None:
            return end
        end = m.start()


def _closing_date(body: str) -> int | None:
    """Where in a title the ", <date>" that may end it starts, at the earliest: after the fourth
    comma from its end (a date holds two at most: "Thursday, September 1, 2023"), the end being
    where only _after_date's tail follows; None: no comma, or none the date rules read."""
    end = _after_date(body)
    head = body[:end]
    commas = head.count(",")
    if end > LINE_CHARS or not commas:
        return None
    if commas < 4:
        return 0                          # (from a comma on, "Friday, 5 May 2024" would lose its "Friday,")
    at = end
    for _ in range(4):
        at = head.rfind(",", 0, at)
    return at + 1


def dateline_texts(text: str) -> list[str]:
    """The texts find_dateline(text, ...) has the date rules read (for match.scan_ahead)."""
    return [body[start:LINE_CHARS] for _, _, body, start in _candidates(text)]


def find_dateline(text: str, rs, lines: int = 12) -> dt.date | None:
    """A line near the top that is a date ("17 Jan 2022", "date 2023-07-25", "Thursday, 29 July
    2021"), a place and a date ("ASTANA, 12 November 2023", also followed by an agency's credit:
    "АЛМАТЫ, 5 наурыз 2024 – Kazinform. Text..."), or the first line ending in ", <date>"
    (a title: "State of the Nation Address ..., September 1, 2023") gives the publication date."""
    from .match import find_mentions, prescan  # the date rules read the line

    todo = _candidates(text, lines)
    scanned = prescan([body[start:LINE_CHARS] for _, _, body, start in todo], rs)   # the prefilter, in one batch
    for (seen, line, body, start), hits in zip(todo, scanned):
        for m in find_mentions(body[start:LINE_CHARS], rs, None, kinds=_DATES, scanned=hits):
            if m.kind != "date" or m.get("granularity") != "day" or not m.get("date_start"):
                continue
            a, b = start + m.start, start + m.end
            before = _TIME.sub("", body[:a]).strip(_AROUND)
            after = _TIME.sub("", body[b:]).strip(_AROUND)
            titled = seen == 1 and not after and body[:a].rstrip().endswith(",")
            if before and _PLACE.match(before) and _AGENCY.match(body[b:]):
                return m.get("date_start")
            if not after and (not before or _PLACE.match(before) or titled) and (len(line) <= 60 or titled):
                return m.get("date_start")
    return None
