"""The quick forms of ingest's checks give what the plain forms give: the mojibake pair searches
(a lead class first, or a continuation class first, the alternatives in a lookbehind) find the
first pair where the bare alternation does, guess_language's counts of runs equal counts of single characters, and its
counts in UTF-8 bytes the regex counts."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kzx import ingest

# Characters the patterns are about, mixed with plain ones: leads, continuations, Cyrillic and
# Kazakh letters, Latin Kazakh, curly quotes, no-break spaces, digits and underscores.
ALPHABET = st.sampled_from(list("aZ Â Ã é Ð ð Ñ ñ ô õ ÿ € ™ œ « » “ ” ’ – — … \xa0 ° ½ ² µ ¿ ▒ ╨ Γ √ † • ﬁ")
                           + list("ВГРСвгрсЂђЁёіІәғқңөұүһ ǵńýıÝ 0 9 _ . , \n\ufffd")
                           # the Cyrillic block's non-letters, a D2-led letter that is not Kazakh, a lone surrogate
                           + list("҂҃҉Ґґ\ud800"))
TEXT = st.text(alphabet=ALPHABET, max_size=60)

PLAIN = ingest._mojibake_pairs(plain=True)


def first_pair(pattern, text):
    m = pattern.search(text)
    return m and m.start()


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_the_pair_search_finds_the_first_pair_the_alternation_finds(text):
    assert ingest.mojibake_pair(text) == ingest.mojibake_pair(text, True) == first_pair(PLAIN, text)


def test_the_pair_search_on_mojibake_and_on_clean_text():
    for clean in ("«5 млрд тенге», № 3", "Биыл облыста 5 млрд теңге бөлінді", "Café São Paulo’s naïve résumé"):
        bad = clean.encode("utf-8").decode("cp1251" if "м" in clean or "б" in clean else "cp1252", "replace")
        for text in (clean, bad, "x " + bad, bad + " tail"):
            assert ingest.mojibake_pair(text) == ingest.mojibake_pair(text, True) == first_pair(PLAIN, text), text
    for by_continuation in (False, True):
        assert ingest.mojibake_pair("CafÃ© and Ã la", by_continuation) == 3
        assert ingest.mojibake_pair("say Ã la", by_continuation) == 4          # "[ÂÃ] ", the no-break space lost
        assert ingest.mojibake_pair("Ã la, Ã©", by_continuation) == 0
        assert ingest.mojibake_pair("Сумма 5 млрд тенге, № 3", by_continuation) is None
        assert ingest.mojibake_pair("«5 млрд тенге», № 3", by_continuation) == 12      # "е»", as in cp1251


@settings(max_examples=2000, deadline=None)
@given(TEXT)
def test_language_counts_of_runs_equal_counts_of_characters(text):
    for runs in (ingest._LETTER, ingest._CYRILLIC, ingest._KAZAKH, ingest._KAZAKH_LATIN):
        single = re.compile(runs.pattern[:-1])            # the class without its +
        assert ingest._count(runs, text) == len(single.findall(text))


def test_language_counts_on_a_mixed_sample():
    text = "Биыл 5 млрд теңге_x ǵń, it cost 2 billion."
    assert ingest._count(ingest._LETTER, text) == 29     # Биыл млрд теңге x ǵń it cost billion
    assert ingest._count(ingest._CYRILLIC, text) == 13
    assert ingest._count(ingest._KAZAKH, text) == 1      # ң
    assert ingest._count(ingest._KAZAKH_LATIN, text) == 2


@settings(max_examples=2000, deadline=None)
@given(TEXT)
def test_the_byte_counts_are_the_regex_counts(text):
    data = text.encode("utf-8", "surrogatepass")
    leads = [data.count(b) for b in ingest._CYRILLIC_LEADS]
    cyr = ingest._count(ingest._CYRILLIC, text)
    assert sum(leads) == cyr
    assert ingest._letters(text, data, cyr, leads) == ingest._count(ingest._LETTER, text)
    kazakh = ingest._count(ingest._KAZAKH, text)
    assert ingest._kazakh(data, leads) == kazakh
    for above in (0, 0.5, 1, 2.5, 10):      # guess_language's early answer: more than `above` or not
        assert (ingest._kazakh(data, leads, above) > above) == (kazakh > above)


@settings(max_examples=2000, deadline=None)
@given(TEXT)
def test_guess_language_with_its_early_return_gives_what_the_ratios_give(text):
    sample = text[:5000]
    letters = ingest._count(ingest._LETTER, sample) or 1
    cyr = ingest._count(ingest._CYRILLIC, sample)
    if cyr / letters < 0.3:
        want = "kk" if ingest._count(ingest._KAZAKH_LATIN, sample) > letters * 0.005 else "en"
    else:
        want = "kk" if ingest._count(ingest._KAZAKH, sample) > cyr * 0.02 else "ru"
    assert ingest.guess_language(text) == want
