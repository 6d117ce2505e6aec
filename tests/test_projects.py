"""Named projects, class by class (issue 11): lists handing on the type word, boundaries, type
phrases, sentence-case titles, type word before the name, acronyms, later shorter mentions and
false alarms. Every sentence is made up for these tests."""
import pandas as pd
import pytest

from kzx.config import Settings
from kzx.match import find_mentions
from kzx.run import extract


def _projects(text, rules):
    return [m.text for m in find_mentions(text, rules) if m.kind == "project"]


def _doc_projects(tmp_path, text):
    """kzx extract on one document → [(text, rule)] of its project figures, in order."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(text, encoding="utf-8")
    extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    figs = pd.read_parquet(tmp_path / "out" / "figures.parquet")
    return [(r.text, r.rule) for r in figs[figs.kind == "project"].itertuples()]


@pytest.mark.parametrize("text,names", [
    ("The akimat named 9 road projects: Shieli – Zhanakorgan, Aral – Kazaly and Kyzylorda – Zhalagash.",
     ["Shieli – Zhanakorgan", "Aral – Kazaly", "Kyzylorda – Zhalagash"]),
    ("Crews resurfaced the Taraz-Shu, Aral\ufffdKyzylorda and Atbasar- Esil highways.",
     ["Taraz-Shu", "Aral\ufffdKyzylorda", "Atbasar- Esil highways"]),
    ("Lines such as Shu-Merke, Otar-Kordai, and Taraz-Karatau are being built.", ["Shu-Merke", "Otar-Kordai", "Taraz-Karatau"]),
    ("The Zhetygen-Koktal, Usharal-Dostyk projects end next year.", ["Zhetygen-Koktal", "Usharal-Dostyk"]),
    ("Second tracks reach the Shetpe—Beineu, Beineu—Kungrad lines.", ["Shetpe—Beineu", "Beineu—Kungrad lines"]),
    ("Zhezkazgan – Beineu – 988 km (2024–2027);", ["Zhezkazgan – Beineu"]),
])
def test_lists_hand_on_the_type_word(rules, text, names):
    assert _projects(text, rules) == names


@pytest.mark.parametrize("text,names", [
    # the head's dash opens the list in every style; each member's own dash comes after it
    ("The region plans five corridors – Atyrau – Aktobe, Oral – Samara and Kostanay – Troitsk.",
     ["Atyrau – Aktobe", "Oral – Samara", "Kostanay – Troitsk"]),
    ("The region plans five corridors—Atyrau—Aktobe, Oral—Samara and Kostanay—Troitsk.",
     ["Atyrau—Aktobe", "Oral—Samara", "Kostanay—Troitsk"]),
    ("The region plans five corridors - Atyrau - Aktobe, Oral - Samara and Kostanay - Troitsk.",
     ["Atyrau - Aktobe", "Oral - Samara", "Kostanay - Troitsk"]),
    ("The region plans five corridors \ufffd Atyrau \ufffd Aktobe, Oral \ufffd Samara and Kostanay \ufffd Troitsk.",
     ["Atyrau \ufffd Aktobe", "Oral \ufffd Samara", "Kostanay \ufffd Troitsk"]),
    # no count, semicolons, a mixed join and a hyphenated place as a member's first place
    ("Work resumed on the sections – Ust-Kamenogorsk – Ridder; Semey—Kainar; and Ayagoz-Taskesken.",
     ["Ust-Kamenogorsk – Ridder", "Semey—Kainar", "Ayagoz-Taskesken"]),
    # a dash before a lower-case word closes the list
    ("Both roads – Taraz – Karatau and Shu – Merke – will be widened.", ["Taraz – Karatau", "Shu – Merke"]),
    ("Компания построит три коридора – Актобе – Атырау, Уральск – Самара и Костанай – Троицк.",
     ["Актобе – Атырау", "Уральск – Самара", "Костанай – Троицк"]),
    ("Ремонтируют участки\ufffdСемей\ufffdКайнар; Аягоз\ufffdТаскескен.", ["Семей\ufffdКайнар", "Аягоз\ufffdТаскескен"]),
    # a dash after a type word before a person or a plain place opens no list
    ("The new road – Kassym-Jomart Tokayev said – will serve farmers.", []),
    ("На трассе – Кассым-Жомарт Токаев и министры.", []),
])
def test_lists_opened_by_a_dash_after_the_type_word(rules, text, names):
    assert _projects(text, rules) == names


@pytest.mark.parametrize("text,names", [
    # guests' home towns are places, not routes: no type word in the sentence
    ("Guests came from cities such as Ust-Kamenogorsk, Nur-Sultan and Petropavlovsk.", []),
    ("Kassym-Jomart Tokayev and Alikhan Smailov met on Monday.", []),
])
def test_place_lists_without_a_type_word_are_not_projects(rules, text, names):
    assert _projects(text, rules) == names


@pytest.mark.parametrize("text,names", [
    ("the Digital Kazakhstan state program for 2018-2022 was adopted", ["Digital Kazakhstan state program for 2018-2022"]),
    ("Farms joined the Agribusiness 2020 program.", ["Agribusiness 2020 program"]),
    ("the Business Road Map-2025 program", ["Business Road Map-2025 program"]),
    ("The State program of agro-industrial development was adopted.", ["State program of agro-industrial development"]),
    ('the Order "Kurmet" plan', []),                              # a quote closes the name
    ("The government will extend the Nurly Zhol program until 2025.", ["Nurly Zhol program"]),
])
def test_boundaries(rules, text, names):
    assert _projects(text, rules) == names


@pytest.mark.parametrize("text,names", [
    ("the Kumkol oil pumping station was repaired", ["Kumkol oil pumping station"]),
    ("the Shu group water pipeline and the Kordai pass", ["Shu group water pipeline", "Kordai pass"]),
    ("the Shalkar logistics hub and the Shymkent cement factory", ["Shalkar logistics hub", "Shymkent cement factory"]),
    ("the Altynkol transit corridor", ["Altynkol transit corridor"]),
    ("power units at Ekibastuz GRES-3 and CHP-4 were modernized", ["Ekibastuz GRES-3", "CHP-4"]),
    ("the Temirtau Thermal power station No2 will be built", ["Temirtau Thermal power station No2"]),
    ("Gas reached the Shu AGRS, and the Aktau MPP and the Zhambyl TPP were built.", ["Shu AGRS", "Aktau MPP", "Zhambyl TPP"]),
    ("The MPP was built in 2023 and engineers tested the AGRS.", []),      # a bare type acronym names nothing
])
def test_type_phrases(rules, text, names):
    assert _projects(text, rules) == names


@pytest.mark.parametrize("text,names", [
    ("Villages joined under the 2020-2024 regional tourism development project.", ["2020-2024 regional tourism development project"]),
    ("Ten towns are in the utilities modernization program.", ["utilities modernization program"]),
    ("Ministers approved Zhambyl region's comprehensive development plan for 2024-2028.",
     ["Zhambyl region's comprehensive development plan for 2024-2028"]),
    ("The akimat adopted the “Plan for the development of rural tourism” last year.", ["Plan for the development of rural tourism"]),
    ("Farmers use the Digital farm program.", ["Digital farm program"]),
])
def test_sentence_case_titles(rules, text, names):
    assert _projects(text, rules) == names


@pytest.mark.parametrize("text,names", [
    ("Firms settled in the industrial zone KAZYGURT last year.", ["KAZYGURT"]),
    ("Residents joined the program – Warm Home this winter.", ["Warm Home"]),
])
def test_type_word_before_the_name(rules, text, names):
    assert _projects(text, rules) == names


def test_acronym_defined_in_parentheses_is_the_project_later(tmp_path):
    text = ("The Great Shymkent Ring Road (GSHRR) will be tolled.\n\n"
            "Traffic on the GSHRR will grow. The GSHR company is another thing.")
    assert _doc_projects(tmp_path, text) == [("Great Shymkent Ring Road", "project.name_head"),
                                             ("GSHRR", "project.doc_acronym"), ("GSHRR", "project.doc_acronym")]


def test_acronym_of_initials_is_the_project_later(tmp_path):
    text = ("The State Program of Agro-Industrial Development was adopted.\n\n"
            "Under SPAID, farms got loans. SPA is a resort.")
    assert _doc_projects(tmp_path, text) == [("State Program of Agro-Industrial Development", "project.title"),
                                             ("SPAID", "project.doc_initials")]


def test_a_short_acronym_needs_a_later_use(tmp_path):
    # KZC is neither used again nor the plant's initials: a code, not taken
    text = "Work began at the Kentau Cement Plant (KZC), then at the Zhanatas Wind Farm (ZHW). The ZHW grew."
    assert _doc_projects(tmp_path, text) == [("Kentau Cement Plant", "project.name_head"),
                                             ("Zhanatas Wind Farm", "project.name_head"),
                                             ("ZHW", "project.doc_acronym"), ("ZHW", "project.doc_acronym")]


def test_later_shorter_mentions(tmp_path):
    text = ("The Koktau cement factory will open in May.\n\n"
            "Koktau will employ 900 people. Trucks go to Koktau village from Koktau. Koktau's mayor and at Koktau, between Taraz and Koktau.\n\n"
            "The Comprehensive Plan of Zhambyl region has 50 measures. The Comprehensive Plan runs to 2025.")
    assert _doc_projects(tmp_path, text) == [
        ("Koktau cement factory", "project.name_head"), ("Koktau", "project.doc_shorter"),
        ("Comprehensive Plan of Zhambyl region", "project.title"), ("Comprehensive Plan", "project.name_head")]


def test_a_bare_type_word_is_no_shorter_name(tmp_path):
    text = ("The Program for the Development of Crop Production was adopted.\n\n"
            "Program: Monday. The Program ended.")
    assert _doc_projects(tmp_path, text) == [("Program for the Development of Crop Production", "project.title")]


def test_a_place_named_before_its_plant_stays_a_place(tmp_path):
    text = "Semey grew in 2023. The Semey airport was rebuilt. Semey welcomed guests."
    assert _doc_projects(tmp_path, text) == [("Semey airport", "project.name_head")]


def test_funds_links_reach_document_level_projects(tmp_path):
    text = ("The Great Shymkent Ring Road (GSHRR) was designed.\n\n"
            "In 2024, 40 billion tenge was allocated for the GSHRR.")
    _doc_projects(tmp_path, text)
    figs = pd.read_parquet(tmp_path / "out" / "figures.parquet").set_index("figure_id")
    links = pd.read_parquet(tmp_path / "out" / "links.parquet")
    funds = [(figs.loc[r.source_id, "text"], figs.loc[r.target_id, "text"], figs.loc[r.target_id, "rule"])
             for r in links[links.relation == "funds"].itertuples()]
    assert funds == [("40 billion tenge", "GSHRR", "project.doc_acronym")]


@pytest.mark.parametrize("text,names", [
    ("The National Plan «Clean Land» was adopted.", ["Clean Land"]),
    ("He read the Address «Digital Kazakhstan» aloud.", []),
    ("Share Print Site map", []),
    ("the longest in the region overpass was opened", []),
    ("They visited the Industrial Park.", []),
    ("Biggest bridge project opened in the region", []),
    ("Kazakhstan Temir Zholy JSC reported profits.", []),
    ("The Ministry of Industry and Infrastructure Development said so.", []),
    ("The buyer is the Uralmash Russian plant.", []),
])
def test_false_alarms(rules, text, names):
    assert _projects(text, rules) == names


# the document pass's bookkeeping is linear, and decides as the plain all-pairs / prefix search did
from hypothesis import given, settings as hsettings, strategies as hst  # noqa: E402


@hsettings(max_examples=300, deadline=None)
@given(hst.lists(hst.tuples(hst.integers(0, 2000), hst.integers(0, 40)), max_size=30),
       hst.tuples(hst.integers(0, 2000), hst.integers(1, 40)))
def test_taken_spans_answer_as_all_pairs(spans, probe):
    from kzx.projects_doc import _Spans

    taken = _Spans()
    for s, n in spans:
        taken.add(s, s + n)
    s, e = probe[0], probe[0] + probe[1]
    assert taken.free(s, e) == (not any(a < e and s < a + n for a, n in spans))


@hsettings(max_examples=300, deadline=None)
@given(hst.text(alphabet="Ab -x", max_size=40))
def test_seen_before_answers_as_a_search_of_the_text_before(text):
    import regex

    from kzx.projects_doc import _seen_before

    for short in ("Ab", "Abx", "A-b"):
        cache: dict = {}                          # shared by every end, as in one document
        for end in range(len(text) + 1):
            plain = regex.search(rf"(?<![\p{{L}}]){regex.escape(short)}(?![\p{{L}}])", text[:end]) is not None
            assert _seen_before(short, text, end, cache) == plain, (short, text, end)
