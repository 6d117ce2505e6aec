"""Normalization tables: numbers, money, percent, dates — values, not just counts."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from kzx.match import find_mentions
from kzx.normalize.dates import resolve_date
from kzx.normalize.money import normalize_money
from kzx.normalize.numbers import parse_number, words_to_number
from kzx.normalize.percent import normalize_percent


@pytest.mark.parametrize("text,value", [
    ("7,300,000", 7300000), ("12 345 678", 12345678), ("12\u00a0345\u00a0678", 12345678),
    ("12\u202f345", 12345), ("1.234.567", 1234567), ("3,7", 3.7), ("1,250", 1250), ("1,25", 1.25),
    ("2.5", 2.5), ("1,234.5", 1234.5), ("1.234,5", 1234.5), ("0,250", 0.25), ("-2", -2), ("+4.3", 4.3),
    ("−7", -7), ("844.6", 844.6), ("2015", 2015),
])
def test_numbers_parse_separators(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text,value", [("5.500", 5500), ("1.250", 1250), ("0.250", 0.25), ("2.5", 2.5), ("12.34", 12.34)])
def test_numbers_dot_thousands_when_asked(text, value):
    assert parse_number(text, dot_thousands=True) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "1,23,4", ".5"])
def test_numbers_reject_non_numbers(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


WORDS = {"one": 1, "a": 1, "an": 1, "two": 2, "five": 5, "twenty": 20, "half": 0.5, "hundred": 100, "three": 3,
         "двух": 2, "половиной": 0.5, "двести": 200, "пятьдесят": 50, "трёх": 3, "екі": 2, "жүз": 100, "елу": 50,
         "бір": 1, "жарым": 0.5}
ROLES = {"hundred": "multiplies", "жүз": "multiplies", "half": "adds", "половиной": "adds", "жарым": "adds",
         "a": "article", "an": "article"}


@pytest.mark.parametrize("text,value", [
    ("one", 1), ("a", 1), ("twenty-five", 25), ("two hundred", 200), ("half a", 0.5), ("one and a half", 1.5),
    ("three hundred twenty", 320), ("a hundred", 100), ("a five", 5),
    ("двух с половиной", 2.5), ("двести пятьдесят", 250), ("трёх", 3), ("екі жүз елу", 250), ("жүз", 100),
    ("бір жарым", 1.5),
])
def test_numbers_words(text, value):
    assert words_to_number(text, WORDS, ROLES, joiners={"and", "с"}) == value


@pytest.mark.parametrize("text,lo,hi,unit", [
    ("2 trillion tenge", 2e12, 2e12, "KZT"), ("KZT 840 million", 8.4e8, 8.4e8, "KZT"),
    ("KZT215bln", 2.15e11, 2.15e11, "KZT"), ("₸5 bn", 5e9, 5e9, "KZT"), ("$1.2 billion", 1.2e9, 1.2e9, "USD"),
    ("4 billion 318 million tenge", 4.318e9, 4.318e9, "KZT"), ("One million tenge", 1e6, 1e6, "KZT"),
    ("7.5-9.5 billion tenge", 7.5e9, 9.5e9, "KZT"), ("USD34.6 million", 3.46e7, 3.46e7, "USD"),
    ("844.6 billion", 8.446e11, 8.446e11, None), ("half a billion euros", 5e8, 5e8, "EUR"),
    ("between 10 and 12 million dollars", 1e7, 1.2e7, "USD"), ("5 млн тенге", 5e6, 5e6, "KZT"),
    ("5.500 tenge", 5500, 5500, "KZT"), ("1.250 billion tenge", 1.25e9, 1.25e9, "KZT"), ("2.5 tenge", 2.5, 2.5, "KZT"),
])
def test_money_values(rules, text, lo, hi, unit):
    got = normalize_money(text, rules)
    assert (got["value_min"], got["value_max"], got["unit"]) == (pytest.approx(lo), pytest.approx(hi), unit)


@pytest.mark.parametrize("text,lo,hi,unit", [
    ("53%", 53, 53, "%"), ("101,4%", 101.4, 101.4, "%"), ("101, 4%", 101.4, 101.4, "%"), ("-2%", -2, -2, "%"),
    ("+4.3%", 4.3, 4.3, "%"), ("7-10%", 7, 10, "%"), ("from 6 to 8 percent", 6, 8, "%"),
    ("2.5 percentage points", 2.5, 2.5, "pp"), ("sixty percent", 60, 60, "%"),
])
def test_percent_values(rules, text, lo, hi, unit):
    assert normalize_percent(text, rules) == {"value_min": lo, "value_max": hi, "unit": unit}


PUB = dt.date(2022, 7, 15)
D = dt.date


@pytest.mark.parametrize("groups,expected", [
    ({"year": "2021"}, (D(2021, 1, 1), D(2021, 12, 31), "year")),
    ({"open": "since", "year": "2015"}, (D(2015, 1, 1), None, "year")),
    ({"open": "by", "year": "2026"}, (None, D(2026, 12, 31), "year")),
    ({"open": "before", "year": "2030"}, (None, D(2029, 12, 31), "year")),
    ({"rel": "this"}, (D(2022, 1, 1), D(2022, 12, 31), "year")),
    ({"rel": "last"}, (D(2021, 1, 1), D(2021, 12, 31), "year")),
    ({"month": "August", "rel": "this"}, (D(2022, 8, 1), D(2022, 8, 31), "month")),
    ({"month": "Feb", "year": "2024"}, (D(2024, 2, 1), D(2024, 2, 29), "month")),
    ({"quarter": "3", "year": "2024"}, (D(2024, 7, 1), D(2024, 9, 30), "quarter")),
    ({"half_ord": "second"}, (D(2022, 7, 1), D(2022, 12, 31), "half")),
    ({"season": "winter", "year": "2021"}, (D(2021, 12, 1), D(2022, 2, 28), "range")),
    ({"year": "2020", "year2": "24"}, (D(2020, 1, 1), D(2024, 12, 31), "range")),
    ({"month": "December", "year": "2004", "month2": "January", "year2": "2007"}, (D(2004, 12, 1), D(2007, 1, 31), "range")),
    ({"relm": "last"}, (D(2022, 6, 1), D(2022, 6, 30), "month")),
    ({"relday": "yesterday"}, (D(2022, 7, 14), D(2022, 7, 14), "day")),
    ({"decade": "1990"}, (D(1990, 1, 1), D(1999, 12, 31), "range")),
    ({"day": "1", "month": "December", "day2": "31", "month2": "January", "year2": "2024"},
     (D(2023, 12, 1), D(2024, 1, 31), "range")),
])
def test_dates_resolve(rules, groups, expected):
    assert resolve_date(groups, rules, PUB) == expected


def test_dates_relative_without_publication_date_keep_null_bounds(rules):
    assert resolve_date({"rel": "next"}, rules, None) == (None, None, "year")
    assert resolve_date({"relday": "yesterday"}, rules, None) == (None, None, "day")
    # a year written only at the end of a range makes it absolute
    assert resolve_date({"day": "1", "month": "Jan", "day2": "1", "month2": "Oct", "year2": "2023"}, rules, None) == (
        D(2023, 1, 1), D(2023, 10, 1), "range")
    assert resolve_date({"decade": "1990"}, rules, None) == (D(1990, 1, 1), D(1999, 12, 31), "range")
    found = [m for m in find_mentions("This year 5 schools opened.", rules, None) if m.kind == "date"]
    assert [(m.text, m.get("date_start"), m.get("date_end")) for m in found] == [("This year", None, None)]


# ---- property: a formatted amount parses back to itself, across separators, scales, positions
SEPS = [",", " ", "\u00a0", "\u202f"]
SCALES = [("", 1), ("thousand", 1e3), ("million", 1e6), ("mln", 1e6), ("billion", 1e9), ("bln", 1e9),
          ("bn", 1e9), ("trillion", 1e12)]
CURRENCIES = [("tenge", "KZT", "after"), ("KZT", "KZT", "before"), ("KZT", "KZT", "after"), ("₸", "KZT", "before"),
              ("$", "USD", "before"), ("dollars", "USD", "after"), ("euros", "EUR", "after"), ("rubles", "RUB", "after")]


def _group(n: int, sep: str) -> str:
    s = f"{n:,}"
    return s.replace(",", sep)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 999_999_999), st.sampled_from(SEPS), st.sampled_from(SCALES), st.sampled_from(CURRENCIES),
       st.sampled_from(["", ".5", ".25", ",7"]), st.sampled_from(["", " "]))
def test_money_formatted_amount_parses_back(rules, n, sep, scale, cur, frac, gap):
    scale_word, mult = scale
    alias, code, where = cur
    if frac and n >= 1000:
        frac = ""                     # "1,234,5" is not a way amounts are written
    number = _group(n, sep) + frac
    amount = f"{number} {scale_word}".strip()
    text = f"{alias}{gap}{amount}" if where == "before" else f"{amount} {alias}"
    sentence = f"The budget was {text} last year."
    money = [m for m in find_mentions(sentence, rules, PUB) if m.kind == "money"]
    assert [m.text for m in money] == [text]
    expected = parse_number(number) * mult
    assert money[0].get("value_min") == pytest.approx(expected, rel=1e-12)
    assert money[0].get("unit") == code


@pytest.mark.parametrize("text, dates, turned_down", [
    # a span of years backwards is no date: the shorter year inside it wins its place
    ("Growth went from 2021 to 15 percent of the total.", [("2021", None)], ["from 2021 to 15 percent"]),
    ("In 2023-2019 nothing happened.", [("2023", None)], ["2023-2019"]),
    # a date that cannot be read is kept with a note, whether or not a trace is asked for
    ("On 31 February 2023 and in 2024-2020 it was done in Q3 2023.",
     [("31 February 2023", "not normalized: day is out of range for month"), ("2024", None), ("Q3 2023", None)],
     ["2024-2020"]),
    ("В 2023 году и 30 февраля 2024 года построено 5 школ.",
     [("2023 году", None), ("30 февраля 2024 года", "not normalized: day is out of range for month")], []),
])
def test_dates_read_only_where_they_win_give_what_reading_every_candidate_gives(rules, text, dates, turned_down):
    # a date candidate's fields are worked out only when it can win its place; with a trace, all
    # are read, so the trace lists those the normalizer turned down
    pub = dt.date(2023, 5, 1)
    trace = []
    found = find_mentions(text, rules, pub, trace=trace)
    assert found == find_mentions(text, rules, pub)
    assert [(m.text, m.note) for m in found if m.kind == "date"] == dates
    assert all(isinstance(m.fields, dict) for m in found)
    assert [m.text for m, why in trace if why == "normalizer says it is not one"] == turned_down


@pytest.mark.parametrize("text,unit,rest", [
    ("2,4 млрд тенге", "KZT", "2,4 млрд  "),
    ("514,3 млрд теңгеге", "KZT", "514,3 млрд  "),
    ("$3.6 billion", "USD", " 3.6 billion"),
    ("KZT3.2bn", "KZT", " 3.2bn"),
    ("5 млн долларов США и 2 млн рублей", "USD", "5 млн   и 2 млн  "),
    ("300 million", None, "300 million"),
    ("5 mln IÝAN, 3 mln dollar", None, "5 mln  , 3 mln  "),      # the first currency word's code, though none
])
def test_the_currency_scan_between_numbers_equals_one_scan_of_the_text(rules, text, unit, rest):
    from kzx.normalize.money import amounts
    a = amounts(rules)
    assert a.unit_and_rest(text) == (unit, rest) == a._unit_and_rest(text)
    assert a.unit_and_rest(text) == (unit, rest)           # the second time from the pieces read


@given(st.text(alphabet="0123456789 ,.$₸тенгеңдollarsUSDKZTмлрдbilionIÝAN\u0485", max_size=30))
@settings(max_examples=300, deadline=None)
def test_the_currency_scan_by_pieces_is_the_scan_of_the_whole(rules, text):
    from kzx.normalize.money import _cyrillic, _CYRILLIC, amounts
    assert _cyrillic(text) == (_CYRILLIC.search(text) is not None)
    a = amounts(rules)
    assert a.unit_and_rest(text) == a._unit_and_rest(text)
