"""The windowed splitter (spaCy only around . ! ? … and line breaks) gives exactly the sentences
of tokenizing every block whole, on real documents and on mutated pieces of them."""
import pytest
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
          "\" ", "». ", ") ", "\n- ", "\n1. ", "\n2) ", " A. ", ".Growth", " x.  Y", "\u2028", "\r\n",
          # line breaks among other whitespace: the splitter reads those off the text (no spaCy)
          "\n\u00a0", "\u3000\n", "\x0b\n", "\x1c", "\u2029\n", "\n\t\n", " \n", "\x85", "\n\u2009 "]


def _split(text):
    return [(s.start_char, s.end_char, s.text) for s in segment(text, NLP)]


def _whole(text):
    return [(s.start_char, s.end_char, s.text) for s in segment(text, NLP, whole=True)]


def test_documents_split_the_same():
    for text in DOCS + [OWN]:
        assert _split(text) == _whole(text)


@pytest.mark.parametrize("text", [
    "It was 5 bln (approx\n.) Work went on.",      # the word before a stop is read across the line break
    "Done.\nNext one\n\n  Third\u00a0\nFourth\r\nFifth \n Sixth\n",
    "A\n\u2029\nB\x85C\n\x1cD",
])
def test_written_cases_split_the_same(text):
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


def _plain_starts(doc, wrapped, abbrevs, scales):
    """The boundary rules read token by token through spaCy's Token objects: what
    _Sentencer.starts (which looks only at tokens holding a stop or line break, through one
    array of attributes) must equal."""
    from kzx.segment import _BULLET, _WORD_BEFORE, CLOSERS, TERMINAL
    n, text, out = len(doc), doc.text, []
    for i, tok in enumerate(doc):
        nxt = None
        if tok.is_space and "\n" in tok.text:
            if not wrapped or tok.text.count("\n") > 1 or _BULLET.match(text, tok.idx + len(tok.text)):
                nxt = i + 1
        elif tok.text in TERMINAL or (len(tok.text) > 1 and tok.text[-1] in "!?" and not tok.is_alpha):
            prev = doc[i - 1].text if i > 0 and not doc[i - 1].whitespace_ else ""
            word = _WORD_BEFORE.search(text, max(0, tok.idx - 12), tok.idx)
            if tok.text == "." and (prev in abbrevs or (len(prev) == 1 and prev.isupper())
                                    or (word and word.group() in abbrevs)):
                continue
            if tok.text == "." and prev in scales and i + 1 < n and (
                    doc[i + 1].text[:1].isdigit() or (doc[i + 1].is_space and i + 2 < n and doc[i + 2].text[:1].isdigit())):
                continue
            j = i + 1
            while j < n and doc[j].text in CLOSERS and not doc[j - 1].whitespace_:
                j += 1
            if j < n and not doc[j].is_space and (doc[j].text[0].islower() or doc[j].text[0] in ",;:"):
                continue
            nxt = j
        if nxt is not None and nxt < n:
            out.append(nxt)
    return out


def _check_starts(text):
    sentencer = NLP.get_pipe("kzx_sentences")
    doc = NLP.make_doc(text)
    for wrapped in (False, True):
        want = _plain_starts(doc, wrapped, sentencer.abbrevs, sentencer.scales)
        assert list(sentencer.starts(doc, wrapped)) == want
        assert list(sentencer.starts(doc, wrapped, text)) == want
        assert sentencer.offsets(doc, wrapped, text) == [doc[i].idx for i in want]   # token by token


def test_starts_equal_the_token_by_token_rules():
    for text in DOCS + [OWN, "", "\n", "Dr.", "5 bln. 200 mln. tenge!? Yes.\n\n- a\n1) b", "a  .  B\u2028C"]:
        _check_starts(text)
    assert list(NLP.get_pipe("kzx_sentences").starts(NLP.make_doc("One. Two!\nthree"), False)) == [2, 4, 5]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_starts_equal_the_token_by_token_rules_on_mutated_text(text):
    _check_starts(text)
