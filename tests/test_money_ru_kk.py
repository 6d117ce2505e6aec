"""Russian and Kazakh money across mentions: changes give two mentions, a budget line's minus sign,
quantities that are not money, qualifiers read around the span. Our own sentences."""
import pytest

from kzx.match import find_mentions


def money(text, rules):
    return [(m.text, m.get("value_min"), m.get("value_max"), m.get("unit"), m.get("qualifier"))
            for m in find_mentions(text, rules) if m.kind == "money"]


def test_change_is_two_mentions_and_first_bound_borrows(rules):
    assert money("Объем инвестиций увеличился с 40,5 до 61,2 миллиарда тенге.", rules) == [
        ("40,5", 4.05e10, 4.05e10, "KZT", None), ("61,2 миллиарда тенге", 6.12e10, 6.12e10, "KZT", None)]


def test_range_from_to_is_one_mention(rules):
    assert money("Гранты составят от 3 до 5 млн тенге.", rules) == [("от 3 до 5 млн тенге", 3e6, 5e6, "KZT", None)]


def test_budget_lines_minus_sign_outside_span(rules):
    assert money("3) таза бюджеттік кредит беру – - 1 204,5 мың теңге:", rules) == [
        ("1 204,5 мың теңге", -1204500.0, -1204500.0, "KZT", None)]
    assert money("бюджеттік кредиттер –81 300,0 мың теңге;", rules) == [
        ("81 300,0 мың теңге", 81300000.0, 81300000.0, "KZT", None)]
    assert money("The balance was -2.5 billion tenge.", rules) == [("2.5 billion tenge", -2.5e9, -2.5e9, "KZT", None)]
    assert money("(2015 - 844.6 billion tenge)", rules)[0][1] == 8.446e11


def test_zero_line_is_not_money(rules):
    assert money("қаржы активтерін сатып алу – 0;", rules) == []


def test_quantities_beside_money_are_not_money(rules):
    assert money("Введено 159 тыс. кв. метров жилья, и выделено 5 млрд тенге.", rules) == [
        ("5 млрд тенге", 5e9, 5e9, "KZT", None)]
    assert money("Население составило 2 млн человек, бюджет — 80 млрд тенге.", rules) == [
        ("80 млрд тенге", 8e10, 8e10, "KZT", None)]


def test_scale_alone_does_not_split_a_worded_amount(rules):
    assert money("Потрачено два миллиарда тенге и три миллиона долларов.", rules) == [
        ("два миллиарда тенге", 2e9, 2e9, "KZT", None), ("три миллиона долларов", 3e6, 3e6, "USD", None)]


@pytest.mark.parametrize("text,span,value,qualifier", [
    ("Зарплата выросла до 380 500 тенге.", "380 500 тенге", 380500, None),          # a change's target
    ("Субсидии составят до 2 млн тенге.", "2 млн тенге", 2e6, "up_to"),             # a bound
    ("Выделено порядка 40 млрд тенге.", "40 млрд тенге", 4e10, "about"),
    ("Вложено не менее 5 млрд тенге.", "5 млрд тенге", 5e9, "at_least"),
    ("Вложено свыше трёхсот миллионов рублей.", "трёхсот миллионов рублей", 3e8, "more_than"),
    ("Около двух с половиной миллиардов тенге ушло на дороги.", "двух с половиной миллиардов тенге", 2.5e9, "about"),
    ("Бюджетке 300 млн теңгеден астам түсті.", "300 млн теңге", 3e8, "more_than"),
    ("Жобаға шамамен 4,5 млрд теңге жұмсалады.", "4,5 млрд теңге", 4.5e9, "about"),
    ("Ғимаратқа 90 млн теңгедей кетті.", "90 млн теңге", 9e7, "about"),
    ("Жалақы 350 мың теңгеге дейін өсті.", "350 мың теңге", 3.5e5, None),        # a change's target
    ("Грант 3 млн теңгеге дейін беріледі.", "3 млн теңге", 3e6, "up_to"),          # a bound
    ("Гранты по 100 тыс. тенге и более получат 40 фермеров.", "100 тыс. тенге", 1e5, "at_least"),
])
def test_qualifiers_ru_kk(rules, text, span, value, qualifier):
    got = [m for m in money(text, rules) if m[0] == span]
    assert got and got[0][1] == pytest.approx(value) and got[0][4] == qualifier


@pytest.mark.parametrize("text,value", [
    ("два триллиона 300 миллиардов тенге", 2.3e12),
    ("2 млрд 417 млн 95 тыс. тенге", 2417095000),
    ("5,2млрд тенге", 5.2e9),
    ("5,2 млрд.тенге", 5.2e9),
    ("1,250 млрд тенге", 1.25e9),                     # a decimal comma in Russian, whatever follows
    ("3 504 468,5 тыс. тенге", 3504468500),
    ("семьсот пятьдесят миллионов тенге", 7.5e8),
    ("полтора миллиарда тенге", 1.5e9),
    ("екі жүз елу миллион теңге", 2.5e8),
    ("бір жарым миллиард теңге", 1.5e9),
    ("12,3 млрд ₸", 1.23e10),
])
def test_values_ru_kk(rules, text, value):
    got = money(text, rules)
    assert [g[0] for g in got] == [text] and got[0][1] == pytest.approx(value)


def percents(text, rules):
    return [(m.text, m.get("value_min"), m.get("value_max"), m.get("unit"), m.get("qualifier"))
            for m in find_mentions(text, rules) if m.kind == "percent"]


def test_percent_change_is_two_mentions(rules):
    assert percents("Доля выросла с 42,5 до 48,1 процента.", rules) == [
        ("42,5", 42.5, 42.5, "%", None), ("48,1 процента", 48.1, 48.1, "%", None)]


def test_percent_sign_stays_outside_the_span(rules):
    assert percents("Рост: Алматы (+12,4%), Шымкент (-3,1%).", rules) == [
        ("12,4%", 12.4, 12.4, "%", None), ("3,1%", -3.1, -3.1, "%", None)]


def test_percent_kazakh_endings_and_qualifiers(rules):
    assert percents("Өнім 15%-ға артып, экспорт 20%-дан астам өсті, баға 3 пайыздай қымбаттады.", rules) == [
        ("15%", 15, 15, "%", None), ("20%", 20, 20, "%", "more_than"), ("3 пайыз", 3, 3, "%", "about")]


def test_percentage_points_ru_kk(rules):
    assert percents("Доля выросла на 1,5 п.п., а в Алматы — на 2 процентных пункта.", rules) == [
        ("1,5 п.п.", 1.5, 1.5, "pp", None), ("2 процентных пункта", 2, 2, "pp", None)]


def test_kazakh_postposed_qualifier_needs_its_case(rules):
    # "X-тен астам" (ablative) is more than X; "X-ке көп" (dative) is more by X: no qualifier
    assert percents("Бұл өткен жылдан 12 пайызға көп, ал жоспардан 5 пайыздан асты.", rules)[0] == (
        "12 пайыз", 12, 12, "%", None)
    assert money("Жобаға 8 млрд теңгеден көп қаржы бөлінді.", rules) == [("8 млрд теңге", 8e9, 8e9, "KZT", "more_than")]


def test_table_unit_through_the_pipeline(tmp_path):
    from kzx.api import extract_text  # noqa: F401  (the library path must agree with the CLI's)
    from kzx.config import Settings
    from kzx.run import extract
    import pandas as pd

    src = tmp_path / "in"
    src.mkdir()
    (src / "budget.txt").write_text(
        "Отчёт об исполнении бюджета.\n\nРасходы бюджета, тыс. тенге\nОбразование 1 204 567,3\nЗдравоохранение 80 100,0\n"
        "Дефицит – - 2 500,0\n\nВ 2023 году построено 15 школ на 4 500 мест.\n", encoding="utf-8")
    extract(Settings(inputs=(src,), out=tmp_path / "out"))
    f = pd.read_parquet(tmp_path / "out" / "figures.parquet")
    money = f[f.kind == "money"][["text", "value_min", "unit", "rule"]].values.tolist()
    assert money == [["1 204 567,3", 1204567300.0, "KZT", "money.table_unit"],
                     ["80 100,0", 80100000.0, "KZT", "money.table_unit"],
                     ["2 500,0", -2500000.0, "KZT", "money.table_unit"]]


def test_table_headers_read_from_the_rules_scan_as_from_their_own(rules):
    # document_mentions tells table_money which header rules may match each line from the rules'
    # own prefilter scan; table_money scanning the lines itself must give the same rows
    from kzx.match import find_mentions_many
    from kzx.run import make_nlp
    from kzx.segment import segment
    from kzx.table_units import document_mentions, table_money

    text = ("Расходы бюджета, тыс. тенге\nОбразование 1 204 567,3\nЗдравоохранение 80 100,0\n\n"
            "Доходы (млн тенге)\nНалоги 12,5\nИтого 40\n\nBudget (KZT million)\nRoads 310.5\n\nВ 2023 году 15 школ.\n")
    nlp = make_nlp(rules.lexicon_aliases.get("abbreviation", []), rules.lexicon_aliases.get("scale_abbreviation", []))
    sentences = list(segment(text, nlp))
    lines = [(s.text, text[sentences[i - 1].end_char:s.start_char] if i else "") for i, s in enumerate(sentences)]
    own = table_money(lines, find_mentions_many([s.text for s in sentences], rules), rules)
    assert {i: [(m.text, m.get("value_min"), m.get("unit")) for m in ms] for i, ms in own.items()} == {
        1: [("1 204 567,3", 1204567300.0, "KZT")], 2: [("80 100,0", 80100000.0, "KZT")],
        4: [("12,5", 12500000.0, "KZT")], 5: [("40", 40000000.0, "KZT")], 7: [("310.5", 310500000.0, "KZT")]}
    found = document_mentions(text, sentences, rules)
    for i, ms in own.items():
        assert [m for m in found[i] if m.rule == ms[0].rule] == ms
