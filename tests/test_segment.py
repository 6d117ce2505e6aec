"""Sentence boundaries on real web text, with offsets into the document text."""
import pytest

from kzx.segment import blocks, hard_wrapped, make_nlp, segment


@pytest.fixture(scope="module")
def nlp(rules):
    return make_nlp(rules.lexicon_aliases["abbreviation"], rules.lexicon_aliases["scale_abbreviation"])


@pytest.mark.parametrize("text,expected", [
    ("Industrial production grew.Growth was 5%.", ["Industrial production grew.", "Growth was 5%."]),
    ("We will finish it next year.I also said so.", ["We will finish it next year.", "I also said so."]),
    ("Headline without a stop\nFirst sentence here.", ["Headline without a stop", "First sentence here."]),
    ("- item one\n- item two", ["- item one", "- item two"]),
    ("It cost 5 bln. tenge in total.", ["It cost 5 bln. tenge in total."]),
    ("It cost 1 bln. 200 mln. tenge.", ["It cost 1 bln. 200 mln. tenge."]),
    ("It is estimated at KZT 62 bn. Its first stage opened.", ["It is estimated at KZT 62 bn.", "Its first stage opened."]),
    ("Flats of 50 sq.m. were built.", ["Flats of 50 sq.m. were built."]),
    ("School No. 5 opened. It has 300 seats.", ["School No. 5 opened.", "It has 300 seats."]),
    ("Growth was 2.5 percent. Next came 3.", ["Growth was 2.5 percent.", "Next came 3."]),
    ("Trade with the U.S. grew by 5%.", ["Trade with the U.S. grew by 5%."]),
    ("President K. Tokayev arrived. He spoke.", ["President K. Tokayev arrived.", "He spoke."]),
    ('"It is done," he said. "Next year more."', ['"It is done," he said.', '"Next year more."']),
    ("Is it so? Yes! It is.", ["Is it so?", "Yes!", "It is."]),
    # Russian and Kazakh abbreviations go on; a real full stop still ends the sentence
    ("Школа построена в 2021 г. Тогда же открыли сад.", ["Школа построена в 2021 г. Тогда же открыли сад."]),
    ("В 2021-2023 гг. Акимат выделил 5 млрд. тенге.", ["В 2021-2023 гг. Акимат выделил 5 млрд. тенге."]),
    ("Выделено 2 млрд. 417 млн. тенге. Работы идут.", ["Выделено 2 млрд. 417 млн. тенге.", "Работы идут."]),
    ("Это 5 млрд. В 2024 году больше.", ["Это 5 млрд.", "В 2024 году больше."]),
    ("Школа им. Абая на ул. Кабанбай батыра открыта. Т.е. она работает.",
     ["Школа им. Абая на ул. Кабанбай батыра открыта.", "Т.е. она работает."]),
    ("В Сарыаркинский р-н. Карагандинской обл. Пришли инвесторы.",
     ["В Сарыаркинский р-н. Карагандинской обл. Пришли инвесторы."]),
    ("Мектеп 2021 ж. Абай көш. салынды. Ол ашылды.", ["Мектеп 2021 ж. Абай көш. салынды.", "Ол ашылды."]),
])
def test_segment_boundaries(nlp, text, expected):
    assert [s.text for s in segment(text, nlp)] == expected


WRAPPED = ("The akim said that in 2023 the region received 5 billion\n"
           "tenge of investments, which is 12% more than in\n"
           "2022. New schools were built for 3.5 billion tenge.\n"
           "- roads were repaired in the north of the region,\n"
           "- bridges were built in the south of the region.\n\n"
           "A second paragraph starts here and goes on and on\n"
           "to the next line.")


def test_segment_hard_wrapped_text_joins_lines(nlp, rules):
    from kzx.match import find_mentions

    assert hard_wrapped(WRAPPED) and not hard_wrapped("Title\nFirst line.\nSecond line.\nThird line.")
    sents = list(segment(WRAPPED, nlp))
    assert [s.text.replace("\n", " ") for s in sents] == [
        "The akim said that in 2023 the region received 5 billion tenge of investments, which is 12% more than in 2022.",
        "New schools were built for 3.5 billion tenge.",
        "- roads were repaired in the north of the region,",
        "- bridges were built in the south of the region.",
        "A second paragraph starts here and goes on and on to the next line."]
    money = [m for m in find_mentions(sents[0].text, rules) if m.kind == "money"]
    assert [(m.text, m.get("value_min")) for m in money] == [("5 billion\ntenge", 5e9)]


def test_segment_offsets_index_the_text(nlp):
    text = "  Title\n\nFirst one. Second one.\r\nThird\u00a0one!  "
    sents = list(segment(text, nlp))
    assert [s.sentence_id for s in sents] == [0, 1, 2, 3]
    for s in sents:
        assert text[s.start_char:s.end_char] == s.text
    assert [s.text for s in sents] == ["Title", "First one.", "Second one.", "Third\u00a0one!"]


def test_segment_long_text_is_cut_into_blocks_without_losing_text(nlp):
    text = ("Line of text number one. " * 40 + "\n") * 200
    pieces = list(blocks(text, size=5000))
    assert "".join(p for _, p in pieces) == text.rstrip()
    assert all(text[off:off + len(p)] == p for off, p in pieces)
    assert all(len(p) <= 5000 for _, p in pieces)
    sents = list(segment(text, nlp))
    assert len(sents) == 40 * 200
    assert all(text[s.start_char:s.end_char] == s.text for s in sents)


def test_segment_one_huge_line_without_newline(nlp):
    text = "word " * 50_000
    assert "".join(p for _, p in blocks(text, size=10_000)) == text.rstrip()


def test_segment_long_whitespace_runs_split_blocks(nlp):
    text = "First 5%." + "\n" * 5000 + " " * 300 + "Second 6%." + " " * 1000
    pieces = list(blocks(text))
    assert [(off, p) for off, p in pieces] == [(0, "First 5%."), (5309, "Second 6%.")]
    assert [s.text for s in segment(text, nlp)] == ["First 5%.", "Second 6%."]
