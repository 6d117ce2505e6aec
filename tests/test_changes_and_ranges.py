"""SPEC "ranges and changes": a range is one mention, a change two, a change's first bound taking
the scale or currency it lacks from the second. English "from X to Y" is a change after a verb of
change and a range without one; Russian "между X и Y" and Kazakh "X мен Y ... аралығында" are
ranges. Our own sentences."""
import pytest

from kzx.match import find_mentions


def figures(text, rules, kind):
    return [(m.text, m.get("value_min"), m.get("value_max"), m.get("unit")) for m in find_mentions(text, rules)
            if m.kind == kind]


@pytest.mark.parametrize("text,expected", [
    ("Wages increased from 70 to 85 thousand tenge.",              # SPEC's own example
     [("70", 7e4, 7e4, "KZT"), ("85 thousand tenge", 8.5e4, 8.5e4, "KZT")]),
    ("Exports rose from $1.2 to $2.5 billion.", [("$1.2", 1.2e9, 1.2e9, "USD"), ("$2.5 billion", 2.5e9, 2.5e9, "USD")]),
    ("Industry grew from KZT 1.8 to 2.8 tln.",
     [("KZT 1.8", 1.8e12, 1.8e12, "KZT"), ("2.8 tln", 2.8e12, 2.8e12, "KZT")]),
    ("Spending was cut from 4.5 billion to 3.9 billion tenge.",
     [("4.5 billion", 4.5e9, 4.5e9, "KZT"), ("3.9 billion tenge", 3.9e9, 3.9e9, "KZT")]),
    ("The flat costs from 18 to 25 million tenge.", [("from 18 to 25 million tenge", 1.8e7, 2.5e7, "KZT")]),
    ("It grew by 2 to 3 billion tenge.", [("2 to 3 billion tenge", 2e9, 3e9, "KZT")]),
    ("Проект оценивается между 2 и 3 млрд тенге.", [("между 2 и 3 млрд тенге", 2e9, 3e9, "KZT")]),
    ("Жалақы 500 мың бен 1 млн теңге аралығында болады.", [("500 мың бен 1 млн теңге", 5e5, 1e6, "KZT")]),
    ("Облыс 2 мен 3 млрд теңге бөлді.", [("3 млрд теңге", 3e9, 3e9, "KZT")]),     # no аралығында: no range
])
def test_money_changes_and_ranges(rules, text, expected):
    assert figures(text, rules, "money") == expected


@pytest.mark.parametrize("text,expected", [
    ("Unemployment rose from 4 to 5 percent.", [("4", 4, 4, "%"), ("5 percent", 5, 5, "%")]),
    ("Unemployment fell from 5 to 4 percent.", [("5", 5, 5, "%"), ("4 percent", 4, 4, "%")]),
    ("Exports increased from 42.7% to 88.7%.", [("42.7%", 42.7, 42.7, "%"), ("88.7%", 88.7, 88.7, "%")]),
    ("Growth will be from 6 to 8 percent.", [("from 6 to 8 percent", 6, 8, "%")]),
    ("Рост составит между 6% и 8% в год.", [("между 6% и 8%", 6, 8, "%")]),
    ("Өсім 5 пен 7 пайыз аралығында болады.", [("5 пен 7 пайыз", 5, 7, "%")]),
])
def test_percent_changes_and_ranges(rules, text, expected):
    assert figures(text, rules, "percent") == expected


def test_a_count_changed_is_not_money(rules):
    assert figures("The number of schools increased from 70 to 85, and 5 billion tenge was spent.", rules,
                   "money") == [("5 billion tenge", 5e9, 5e9, "KZT")]
