"""Speakers read titles and surnames over the whole text piece by piece (link._Pieces): only the
pieces a scan says can hold a match are searched, and the matches must be exactly those of one
search over all of the text."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kzx.link import _Pieces, _paragraphs, _patterns, _WHOLE
from kzx.prefilter import scan_form
from kzx.segment import make_nlp, segment

# words that make titles, names and their neighbours, in English, Russian and Kazakh, and the
# joints between them: stops that cut the text and those that do not
WORDS = ["the", "akim", "Akim", "President", "president", "head", "of", "state", "region", "minister",
         "Prime", "Minister", "Berik", "Uali", "Akhmetov", "Tokayev", "Kassym-Jomart", "Satkaliyev", "said",
         "аким", "Аким", "области", "Жамбылской", "Ерлан", "Сапаров", "министр", "премьер", "Касымбек",
         "әкімі", "облыс", "Сатыбалды", "Нұрлан", "Ахметова", "built", "schools", "5", "2023"]
JOINTS = [" ", " ", " ", "  ", "\n", "\n\n", ". ", ".", ", ", "; ", ": ", "! ", "? ", " - ", " – ", "-", "\u00a0",
          "\u2009", ") ", " (", '" ', ' "', "» ", " «", "… ", ".\n", "1. ", "\t"]


@pytest.fixture(scope="module")
def nlp(rules):
    return make_nlp(rules.lexicon_aliases["abbreviation"], rules.lexicon_aliases["scale_abbreviation"])


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


def _pieces(text, nlp, rules, read=None):
    """_Pieces as speakers makes them: the first `read` paragraphs (all: None) already scanned."""
    pats = _patterns(rules)
    form = scan_form(text)
    paragraphs = _paragraphs(text, list(segment(text, nlp)))
    mays = pats["may"].many([form[p[0].start_char:p[-1].end_char] for p in paragraphs[:read]])
    return _Pieces(text, form, paragraphs, mays, pats)


def _same_as_whole(text, nlp, rules, read=None):
    pats = _patterns(rules)
    pieces = _pieces(text, nlp, rules, read)
    for key in _WHOLE:
        assert _spans(pieces.finditer(key)) == _spans(pats[key].finditer(text)), key


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(JOINTS)), max_size=40),
       st.booleans(), st.integers(0, 6))
def test_pieces_find_what_one_search_over_the_text_finds(nlp, rules, parts, upper, read):
    text = "".join(w + j for w, j in parts)
    _same_as_whole(text.upper() if upper else text, nlp, rules, read)


@pytest.mark.parametrize("text", [
    "Akim Berik Uali said.Akim Akhmetov spoke",             # a cut with a word right after it
    "The akim\nBerik Uali opened it. President\n\nKassym-Jomart Tokayev said so",   # titles across lines
    "аким Жамбылской области Ерлан Сапаров. Аким Астаны Женис Касымбек",
    "",
    "   \n ",
    "Akhmetov",
])
def test_pieces_on_written_cases(nlp, rules, text):
    for read in (0, 1, None):
        _same_as_whole(text, nlp, rules, read)


def test_pieces_only_search_where_a_match_can_be(nlp, rules):
    pats = _patterns(rules)
    text = "Schools were built.\nAkim Berik Uali opened them. Roads\nwere repaired.\n\nAkim\nUali spoke."
    pieces = _pieces(text, nlp, rules, read=2)
    list(pieces.finditer("role_name"))
    # cut after the paragraphs that end in a stop ("Roads" does not, so its piece goes on), then
    # a piece that may hold a match after its sentences
    assert pieces.spans == [(0, 19), (19, 48), (48, 69), (69, len(text))]
    if pats["may_whole"].pf.active:          # (without a prefilter every piece may, and is cut again)
        assert pieces.may[0] is pieces.scanned[0]        # a paragraph of its own: its scan is the piece's
        assert ["role_name" in may for may in pieces.may] == [False, True, False, True]
