"""Date match groups (+ publication date) → (date_start, date_end, granularity), inclusive.

The date rules name what they capture: day (day2 ends a run of days), month/nmonth, year,
rel (this/last/next year), month2/nmonth2/year2 (end of a range), quarter/quarter_ord, half/half_ord,
season, relm (this/last month), relday (yesterday), decade (the 1990s), nmonths (the first N
months of a year), edge (the beginning/end of), open (since/until/by/before). This module only
combines them; the words themselves are looked up in rules/lexicon/calendar.yaml.

e.g. {"open": "since", "year": "2015"} → (2015-01-01, None, "year")
e.g. {"rel": "this"} with published 2022-07-15 → (2022-01-01, 2022-12-31, "year")
"""
from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

D = dt.date
_PLACEHOLDER = D(2000, 7, 1)   # a leap year, so "29 February" takes a shape too


def _month_end(y: int, m: int) -> D:
    return D(y, m, calendar.monthrange(y, m)[1])


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _year(s: str | None, base: int | None = None) -> int | None:
    if not s:
        return None
    y = int(s)
    if y < 100 and base is not None:               # "2020-24": the century of the start
        y = base // 100 * 100 + y
    return y


def _digits(s: str) -> int:
    return int("".join(c for c in s if c.isdigit()))


# Lists read along with a list the groups name: a Russian month's short form (17 янв. 2022) and
# the one-word relative years (биыл, былтыр, прошлогодний) live apart from `month`/`rel_year`, whose
# macros the other rules use; `month.ru`, `rel_year.kk`, ... have joined their base list already.
_ALSO = {"month": ("month_short_ru",), "rel_year": ("rel_year_word",), "number_word": ("month_count",)}


def _looker(rs):
    def look(name: str, alias: str) -> str | None:
        for n in (name,) + _ALSO.get(name, ()):
            v = rs.lookup(n, alias)
            if v is not None:
                return v
        return None
    return look


def resolve_date(g: dict, rs, published: D | None) -> tuple[D | None, D | None, str]:
    """Combine the groups of one date match into an inclusive interval.

    A date without a written year is resolved against the publication date; without one, it is
    resolved against a placeholder only to learn its granularity, and both bounds stay null.
    """
    look = _looker(rs)
    pub = published or _PLACEHOLDER
    month = int(look("month", g["month"])) if g.get("month") else (int(g["nmonth"]) if g.get("nmonth") else None)
    month2 = int(look("month", g["month2"])) if g.get("month2") else (int(g["nmonth2"]) if g.get("nmonth2") else None)
    year = _year(g.get("year"))
    if year is None:                          # "this year", "in August", "Q3": the publication year
        year = pub.year + (int(look("rel_year", g["rel"])) if g.get("rel") else 0)
    year2 = _year(g.get("year2"), year)

    if g.get("relday"):
        start = end = pub + dt.timedelta(days=int(look("rel_day", g["relday"])))
        gran = "day"
    elif g.get("decade"):
        year = int(g["decade"])
        start, end, gran = D(year, 1, 1), D(year + 9, 12, 31), "range"
    elif g.get("relm"):
        y, m = _add_months(pub.year, pub.month, int(look("rel_year", g["relm"])))
        start, end, gran = D(y, m, 1), _month_end(y, m), "month"
    elif g.get("day") and month:
        if g.get("year") is None and year2 is not None:    # "from January 1 to October 1, 2023"
            year = year2 - 1 if (month2 or month) < month else year2
        start = end = D(year, month, _digits(g["day"]))
        gran = "day"
        if g.get("day2"):                     # "10-11 January", "1 November - 15 December": a run of days
            end = D(year2 if year2 is not None else year, month2 or month, _digits(g["day2"]))
            gran = "range"
    elif month and (month2 or g.get("year2")):
        y2 = year2 if year2 is not None else year
        start, end, gran = D(year, month, 1), _month_end(y2, month2 or month), "range"
    elif month:
        start, end, gran = D(year, month, 1), _month_end(year, month), "month"
    elif g.get("nmonths"):                    # "9 months of 2023": January to the ninth month
        n = int(float(look("number_word", g["nmonths"]) or g["nmonths"]))
        if not 1 <= n <= 12:
            raise ValueError(f"{n} months is not part of one year")
        start, end, gran = D(year, 1, 1), _month_end(year, n), "range"
    elif g.get("quarter") or g.get("quarter_ord"):
        q = int(g.get("quarter") or look("ordinal", g["quarter_ord"]))
        start, end, gran = D(year, 3 * q - 2, 1), _month_end(year, 3 * q), "quarter"
    elif g.get("half") or g.get("half_ord"):
        h = min(2, int(g.get("half") or look("ordinal", g["half_ord"])))
        start, end, gran = D(year, 6 * h - 5, 1), _month_end(year, 6 * h), "half"
    elif g.get("season"):
        first, last = (int(x) for x in look("season", g["season"]).split("-"))
        y_end = year + 1 if last < first else year
        start, end, gran = D(year, first, 1), _month_end(y_end, last), "range"
    elif year2 is not None:
        start, end, gran = D(year, 1, 1), D(year2, 12, 31), "range"
    else:
        start, end, gran = D(year, 1, 1), D(year, 12, 31), "year"

    opening = look("open", g["open"]) if g.get("open") else None
    if opening == "since":
        end = None
    elif opening in ("until", "by"):
        start = None
    elif opening == "before":
        start, end = None, start - dt.timedelta(days=1)
    if published is None and not any(g.get(k) for k in ("year", "year2", "decade")):
        return None, None, gran               # relative, no publication date: found, not resolved
    return start, end, gran




@lru_cache(maxsize=65536)
def parse_with_dateparser(text: str, published: D | None, languages: tuple[str, ...] = ("en", "ru", "kk")):
    """Fallback for irregular forms (e.g. Russian month names): dateparser, cached.

    Settings stop it from inventing parts it was not given; the result is a single day.
    """
    import dateparser  # slow to import; only the rules that need it pay for it

    settings = {"STRICT_PARSING": True, "PREFER_DATES_FROM": "current_period", "RETURN_AS_TIMEZONE_AWARE": False}
    if published:
        settings["RELATIVE_BASE"] = dt.datetime(published.year, published.month, published.day)
    parsed = dateparser.parse(text, languages=list(languages), settings=settings)
    return parsed.date() if parsed else None
