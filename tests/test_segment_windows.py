"""The windowed splitter (spaCy only around . ! ? … and line breaks) gives exactly the sentences
of tokenizing every block whole, on real documents and on mutated pieces of them."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kzx.rules import load_rules
from kzx.segment import make_nlp, segment, windows

RS = load_rules(ROOT / "rules")
NLP = make_nlp(RS.lexicon_aliases.get("abbreviation", []), RS.lexicon_aliases.get("scale_abbreviation", []))
DOCS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").iterdir())]
OWN = ("Аким области Б. Сапарбаев отметил: «До 2030 г. построят 15 школ». Далее — итоги…\n"
       "1. Облыс бойынша 3,2 трлн теңге тартылды!\n- 2. пункт?! Да.\n\n"
       "ASTANA. 5 bln. 200 mln. tenge (approx.) were spent, i.e. 12% more. U.S. dollars.\" Next one.")
PIECES = ["\n", "\n\n", " \n ", ". ", "... ", "!", "?! ", "…", "\u00a0", "  ", "\t", "Mr. ", "e.g. ", "bln. 5",
          "\" ", "». ", ") ", "\n- ", "\n1. ", "\n2) ", " A. ", ".Growth", " x.  Y", "\u2028", "\r\n"]


def _split(text):
    return [(s.start_char, s.end_char, s.text) for s in segment(text, NLP)]


def _whole(text):
    return [(s.start_char, s.end_char, s.text) for s in segment(text, NLP, whole=True)]


def test_documents_split_the_same():
    for text in DOCS + [OWN]:
        assert _split(text) == _whole(text)


def test_windows_start_at_chunk_starts_and_cover_every_stop():
    text = "One. Two  three!\nFour"
    spans = list(windows(text))
    assert spans == [(0, 9), (10, 21)]      # 'One. Two ', 'three!\nFour'
    for lo, _ in spans:
        assert lo == 0 or text[lo - 1].isspace()


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(DOCS + [OWN]))
    i = draw(st.integers(0, max(0, len(text) - 400)))
    text = text[i:i + draw(st.integers(1, 400))]
    for _ in range(draw(st.integers(0, 8))):
        k = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "case", "wrap"]))
        if how == "insert":
            text = text[:k] + draw(st.sampled_from(PIECES)) + text[k:]
        elif how == "case":
            text = text[:k] + draw(st.sampled_from([str.upper, str.lower, str.swapcase]))(text[k:k + 30]) + text[k + 30:]
        else:                                   # hard-wrap at a width, as e-mails and PDF exports do
            w = draw(st.integers(30, 80))
            text = "\n".join(text[j:j + w] for j in range(0, len(text), w))
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_windowed_splitter_equals_whole_tokenization(text):
    assert _split(text) == _whole(text)
