"""pipeline/badness.py: the pivoted form of ftfy's BADNESS_RE answers as ftfy.is_bad does, on
texts made of the characters its alternatives are about, on mojibake and on clean text."""
import re

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from hypothesis import given, settings
from hypothesis import strategies as st

from kzx.badness import _alternatives, is_bad_function, quick_form


def _category_chars() -> list[str]:
    out = set()
    for chars in MOJIBAKE_CATEGORIES.values():
        out |= {c for c in map(chr, range(0x20, 0x2600)) if re.fullmatch(f"[{chars}]", c)}
    return sorted(out)


# every character ftfy's categories name, the letters and literals of its sequences, Cyrillic
# and Latin letters, spaces and line breaks: mixed at random, they hit its alternatives often
ALPHABET = st.sampled_from(_category_chars() + list("ВГРСвгрсЂђўГЎÃÂÎÐØÙàβΒΓΞΟā€√≈‚Ä×²³°")
                           + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі") + list("abcxyzABCXYZ .,?!") + ["\n", " "])
QUICK = quick_form(BADNESS_RE)
IS_BAD = is_bad_function()


def test_ftfys_pattern_has_a_quick_form_here():
    assert QUICK is not None                 # else ftfy.is_bad is used as it is: still right, not quick
    assert len(_alternatives(BADNESS_RE.pattern)) > 30


@settings(max_examples=4000, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=12))
def test_quick_form_answers_as_is_bad_on_random_texts(text):
    assert IS_BAD(text) == ftfy.is_bad(text)


def test_quick_form_on_mojibake_and_clean_text():
    clean = ["Сумма составила 5 млрд тенге, «Нұрлы жол» № 3 — 12 °C", "Café São Paulo’s naïve résumé – 5 m²",
             "Биыл облыста 5 млрд теңге бөлінді.", "x"]
    for text in clean:
        assert IS_BAD(text) is ftfy.is_bad(text) is False, text
        for enc in ("cp1251", "cp1252", "latin-1", "mac_roman", "cp437"):
            bad = text.encode("utf-8").decode(enc, "replace")
            for t in (bad, "a " + bad, bad + "\n" + text):
                assert IS_BAD(t) == ftfy.is_bad(t), (enc, t)
    assert IS_BAD("Ã la carte") and IS_BAD("CafÃ©") and IS_BAD("вЂ”")     # ^[ÃÂ] , Ã©, cp1251 of U+2014


def test_alternatives_split_at_top_level_bars_only():
    assert _alternatives("a[|]b|(c|d)|\\||[^]|]x # a | comment\n|e") == ["a[|]b", "(c|d)", "\\|", "[^]|]x \n", "e"]
    assert quick_form(re.compile("a|b*")) is None            # b*: no one-character item, no quick form
    assert quick_form(re.compile("ab|c")).pattern.startswith("[ac]")   # a and b tie: the first
