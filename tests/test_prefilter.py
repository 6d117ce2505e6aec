"""The prefilter never changes a result: relaxed patterns are supersets of the rules' patterns, and
find_mentions gives exactly the same mentions with and without it, on real sentences mutated the
ways sources differ (Unicode spaces, case, dashes, quotes, Cyrillic)."""
import dataclasses
import itertools

import pandas as pd
import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SHARED
from kzx import prefilter
from kzx.config import Settings
from kzx.match import find_mentions, holds, rule_prefilter
from kzx.prefilter import Prefilter, relax
from kzx.rules import load_rules
from kzx.run import extract

ENGINES = [e for e in prefilter.available() if e != "regex"]
needs_engine = pytest.mark.skipif(not ENGINES, reason="no multi-pattern engine installed (hyperscan, google-re2)")


# ---------------------------------------------------------------- relax
D = r"[0-9٠-٩۰-۹߀-߉\x{800}-\x{1fff}\x{2c00}-\x{10ffff}]"   # \d: exact up to U+07FF and in U+2000-2BFF


@pytest.mark.parametrize("pattern,relaxed", [
    # a lookaround at an edge is kept as text it consumes (ASCII part of the class, in every case)
    (r"(?<![\p{L}])tenge(?!\w)", r"(?:^|[^A-Za-z])tenge(?:[^0-9A-Z\x{5f}a-z]|$)"),
    (r"x(?=\d)", "x(?:" + D + ")"),
    (r"(?<=in\s)x", r"(?:in[\x{20}])x"),
    (r"x(?!y)z", "xz"),                   # inside: dropped
    # in a group at an edge, its alternatives' edges are the match's: "с 5 до 7" is in the check
    (r"(?:(?<=с\s)\d(?=\s+до)|x)", r"(?:(?:с[\x{20}])" + D + r"(?:[\x{20}]+до)|x)"),
    (r"(?P<x>(?<=a)b|c)(?=d)", "(?:(?:a)b|c)(?:d)"),
    (r"(?:b(?=c)|d)e", "(?:b|d)e"),       # a group with something after it: its ends are no edge
    (r"(?:(?<=a)b)+", "(?:b)+"),          # a repeat's later turns start inside the match
    (r"(?<=a)?b", "b"),                   # an optional lookaround says nothing
    (r"\bUSD\b", "USD"),
    (r"^(?P<year>\d{4})$", "(?:" + D + "{4})(?:\\x20?$)"),     # a final $ is kept: the end, or a last space ("\\n")
    (r"a$b|c", "ab|c"),                   # a $ that something follows goes
    (r"(?:a$|b)c", "(?:a|b)c"),
    (r"x(?=\s*(?:[.,]|$))", r"x(?:[\x{20}]*(?:[\x{2e}\x{2c}]|(?:\x20?$)))"),
    (r"a\s+b", r"a[\x{20}]+b"),
    (r"x{1,200}", "x{1,}"),
    (r"(?i:per\s*cent)", r"(?i:per[\x{20}]*cent)"),
    (r"(?i)per(?-i:C)", r"(?i)per(?-i:C)"),
    (r"\p{Lu}\d", r"[A-ZiÀ-ÞĀ-Ķ"),            # (prefix) capitals kept apart from small letters; i for İ
    (r"(?:ab){2,5}c(?:d){1}e{2,3}", "(?:ab)+c(?:d){1}e{2,3}"),   # a group's bounded repeat is not written out
    (r"(?>ab)++c", "(?:ab)+c"),
    (r"[\u00a0\u2009]", r"[\x{20}\x{20}]"),
    (r"[^abc]", "."),             # a negated class with letters: case folding would make it narrower
    (r"[^0-9]", r"[^0-9]"),
    (r"(a)\1", "(?:a)(?:.*)"),
    (r"aı", "ai"),
    (r"[ı-]", r"[i\x{2d}]"),
    (r"[\u0100-\u017f]", "[Ā-ſii]"),
])
def test_relax_exact(pattern, relaxed):
    if relaxed.endswith("Ķ"):
        assert relax(pattern).startswith(relaxed) and "a-z" not in relax(pattern) and "Ͻ-Я" in relax(pattern)
    else:
        assert relax(pattern) == relaxed


def test_relax_drops_a_final_dollar_that_marks_a_lines_end():
    assert relax(r"ab$", multiline=True) == "ab" and relax(r"(?m)ab$") == "ab" and relax(r"(?m:ab$)") == "(?:ab)"
    # WORD: "$" also before a final "\r\n", two spaces once scanned
    assert relax(r"(?w)ab$") == "ab"
    assert prefilter._relax_check(r"ab$", regex.WORD)[0] == "ab"
    assert regex.search(r"(?w)ab$", "ab\r\n")


def test_the_relaxed_forms_cache_key_holds_the_code_that_reads_patterns():
    from kzx import branches
    from pathlib import Path
    prefilter._relaxer_key.cache_clear()
    key = prefilter._relaxer_key()
    real = Path.read_bytes
    try:
        Path.read_bytes = lambda self: real(self) + (b"#" if self == Path(branches.__file__) else b"")
        prefilter._relaxer_key.cache_clear()
        assert prefilter._relaxer_key() != key               # branches.py changed: another key
    finally:
        Path.read_bytes = real
        prefilter._relaxer_key.cache_clear()


# Pieces of patterns with "$" where nothing, something, or another alternative follows it, and
# texts that end or not, in a space, a point or a newline: wherever the `regex` module matches,
# the scan must say "may".
DOLLAR_PIECES = ["a", r"\s*", "$", "(?:a|$)", "(?:$|b)", "(?:a$)?", r"\n", "(?=b|$)", r"(?=\s*(?:[.]|$))", "b+", "(?:b$|a)+",
                 "(?<=a$)", "(?<=$)b"]
DOLLAR_TEXTS = ["".join(t) for n in range(4) for t in itertools.product(["a", "b", " ", "\n", ".", "\r\n"], repeat=n)]


@needs_engine
@pytest.mark.parametrize("engine", ENGINES)
def test_a_kept_dollar_still_matches_wherever_the_pattern_does(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))
    patterns = sorted({"".join(ps) for n in (1, 2, 3) for ps in itertools.product(DOLLAR_PIECES, repeat=n)})
    compiled = [regex.compile(q) for q in patterns]
    pf = Prefilter(compiled, engine)
    kept = [q for q, r in zip(patterns, pf.relaxed) if r is not None and "$" in r]
    assert len(kept) > 300                       # most of them keep their $
    for text, hits in zip(DOLLAR_TEXTS, pf.hits_many(DOLLAR_TEXTS)):
        for k, rx in enumerate(compiled):
            if rx.search(text):
                assert k in hits, (patterns[k], text)
    # what it buys: a scaled amount followed by its currency is no bare amount
    bare = Prefilter([regex.compile(r"5 млрд(?=\s*(?:[)\].,;:!?]|$)|\s(?:на|в)(?![\p{L}]))")], engine)
    assert [bare.hits(t) for t in ("5 млрд тенге", "5 млрд.", "5 млрд\n", "5 млрд на дороги")] == [set(), {0}, {0}, {0}]


# Lookarounds at the edges of nested groups, repeated or not, with something before or after:
# wherever the `regex` module matches, the scan must say "may".
LOOK_ATOMS = ["a", "b", "(?<=a)", "(?<=ab)", "(?<!a)", "(?=b)", "(?=ba)", "(?!b)", "(?<=a)b", "a(?=b)"]
LOOK_SHAPES = ["(?:{0}|{1}){2}", "{0}(?:{1}|{2})", "(?:{0}{1})+{2}", "(?:{0}{1})?{2}", "(?:(?:{0}|{1}))", "(?P<g>{0}(?:{1}){2})",
               "(?i:{0}{1})|{2}"]
LOOK_TEXTS = ["".join(t) for n in range(5) for t in itertools.product("abc", repeat=n)]


@needs_engine
@pytest.mark.parametrize("engine", ENGINES)
def test_lookarounds_kept_at_nested_edges_still_match_wherever_the_pattern_does(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("KZX_CACHE", str(tmp_path))
    patterns = sorted({s.format(*xs) for s in LOOK_SHAPES for xs in itertools.product(LOOK_ATOMS, repeat=3)})
    compiled = [regex.compile(q) for q in patterns]
    pf = Prefilter(compiled, engine)
    # lookarounds kept as text: 3,632 of the 6,100 patterns hold "(?:a)" or "(?:b)"; at the top level alone, 2,368
    assert sum("(?:a)" in (r or "") or "(?:b)" in (r or "") for r in pf.relaxed) > 3000
    for text, hits in zip(LOOK_TEXTS, pf.hits_many(LOOK_TEXTS)):
        for k, rx in enumerate(compiled):
            if rx.search(text):
                assert k in hits, (patterns[k], text)


@pytest.mark.parametrize("pattern", [r"(?x:a b)", r"(?(1)a|b)", r"(?:ab){e<=1}"])
def test_relax_refuses_what_it_cannot_widen(pattern):
    with pytest.raises(prefilter.Unrelaxable):
        relax(pattern)


def test_unrelaxable_check_always_may_match():
    pf = Prefilter([r"(?(1)a|b)", r"tenge"], "regex")
    assert pf.relaxed[0] is None and 0 in pf.hits("nothing here")


@needs_engine
@pytest.mark.parametrize("engine", ENGINES)
def test_engines_fold_case_as_the_regex_module_does(engine):
    # Kazakh Latin "ı" is "I" in capitals and Turkish "İ" is "i" for `regex`'s IGNORECASE, not
    # for the engines' simple case folding: both are scanned and written as "i".
    pf = Prefilter([regex.compile(p, regex.I) for p in (r"aı", r"[ıa]y", r"kit", r"айда", r"\p{Ll}x")], engine)
    assert pf.hits("ALTAI MAI") == {0}
    assert pf.hits("IY") == {1}
    assert pf.hits("KİT") == {2}
    assert pf.hits("АЙДА") == {3}
    assert pf.hits("İX") == {4}


def test_only_the_odd_case_pairs_need_folding_by_hand():
    # every BMP character whose IGNORECASE partners (as `regex` sees them) are not all its simple
    # case folds is in ODD_CASE or is the ASCII letter such a character folds to
    odd = set()
    for c in map(chr, range(0x10000)):
        near = {v for v in (c.lower()[:1], c.upper()[:1], c.casefold()[:1]) if v}
        rx = regex.compile(regex.escape(c), regex.I)
        if any(rx.fullmatch(v) and v.casefold() != c.casefold() for v in near):
            odd.add(c)
    assert odd - set(prefilter.ODD_CASE) <= {"I", "i"}
    assert set(prefilter.ODD_CASE) <= odd


@needs_engine
@pytest.mark.parametrize("engine", ENGINES)
def test_engine_answers_exactly_its_patterns(engine):
    pf = Prefilter([regex.compile(r"(?<![\p{L}])тенге", regex.I), r"\bUSD\b", r"\d+\s*%", r"(?i:per\s*cent)",
                    r"(?(1)a|b)", r"(?<![\p{L}])Тенге"], engine)
    assert pf.hits("5 млрд ТЕНГЕ") == {0, 4}
    assert pf.hits("5 млрд Тенге") == {0, 4, 5}
    assert pf.hits("US$ 5 USD") == {1, 4}
    assert pf.hits("US$ 5 usd") == {4}
    assert pf.hits("rose 5\u202f% and 3 Per\u00a0Cent") == {2, 3, 4}
    assert pf.hits("nothing") == {4}
    # a batch gives each text's own answer, a lone surrogate (not UTF-8) letting every check run
    texts = ["5 млрд ТЕНГЕ", "nothing", "x\ud800 USD", "US$ 5 USD"]
    many = pf.hits_many(texts)
    assert many[:2] == [{0, 4}, {4}] and many[3] == {1, 4}
    assert all(k in many[2] for k in range(6))


# ---------------------------------------------------------------- mutated sentences
RS = load_rules(ROOT / "rules")
PLAIN = dataclasses.replace(RS, cache={})
rule_prefilter(PLAIN, "regex")

OWN = [   # our own sentences, Russian and Kazakh as official sources write them
    "В 2023 году на реализацию программы «Ауыл – Ел бесігі» выделено 12,5 млрд тенге, что на 15% больше.",
    "С 1 января 2024 года по 30 сентября 2024 года построено 865 км дорог стоимостью 45 млн долларов США.",
    "Облыс бойынша 2022 жылы 3,2 трлн теңге инвестиция тартылды, бұл өткен жылмен салыстырғанда 7,5 пайызға артық.",
    "Аким области Сапарбаев отметил, что до 2030 года планируется ввести 1,5 млн кв. м жилья.",
    "Алматы облысында 150 мың теңгеге дейін гранттар берілді — 2021 жылдың қазан айында.",
]


def _raw_sentences():
    out = []
    for p in sorted((ROOT / "data" / "raw").iterdir()):
        out += [ln.strip() for ln in p.read_text(encoding="utf-8").splitlines() if len(ln.strip()) > 20]
    return out + OWN


SENTENCES = _raw_sentences()
SPACES = [" ", "\u00a0", "\u202f", "\u2009", "\u2007", "\t", "\u3000", "\u2028", "  "]
DASHES = ["-", "–", "—", "‐", "−"]
QUOTES = ['"', "«", "»", "“", "”", "'", "’", "„"]
LOOKALIKE = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")   # Latin → Cyrillic look-alikes


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SENTENCES))
    for _ in range(draw(st.integers(0, 4))):
        how = draw(st.sampled_from(["space", "case", "dash", "quote", "cyrillic", "cut", "digit"]))
        if how == "space":
            text = regex.sub(r" ", lambda m: draw(st.sampled_from(SPACES)), text, count=draw(st.integers(1, 5)))
        elif how == "case":
            text = draw(st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))(text)
        elif how == "dash":
            text = regex.sub(r"[-–—]| ", lambda m: draw(st.sampled_from(DASHES)) if m.group() != " " or
                             draw(st.booleans()) is False else m.group(), text, count=3)
        elif how == "quote":
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.sampled_from(QUOTES)) + text[i:]
        elif how == "cyrillic":
            text = text.translate(LOOKALIKE)
        elif how == "cut":
            i, j = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=2)))
            text = text[i:j] or text
        else:
            text = regex.sub(r"\d", lambda m: draw(st.sampled_from("0123456789٣")), text, count=2)
    return text


def _key(m):
    return (m.kind, m.start, m.end, m.text, m.rule, m.note, tuple(sorted((k, str(v)) for k, v in m.fields.items())))


@needs_engine
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_relaxed_patterns_are_supersets(text):
    pre = rule_prefilter(RS)
    flat = text.replace("\n", " ")
    hits = pre.pf.hits(flat)
    for i, rule in enumerate(RS.rules):
        if rule.regex.search(flat):
            assert pre.pat[i] in hits, (rule.id, text)
        if rule.requires is not None and rule.requires.search(flat):
            assert pre.req[i] in hits, (rule.id, "requires", text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_prefiltered_matcher_equals_plain(text):
    assert [_key(m) for m in find_mentions(text, RS)] == [_key(m) for m in find_mentions(text, PLAIN)]


# ---------------------------------------------------------------- whole tables
def _tables(src, out, metadata, monkeypatch, mode):
    monkeypatch.setenv("KZX_PREFILTER", mode)
    extract(Settings(inputs=(src,), out=out, metadata=metadata))
    return {t: pd.read_parquet(out / f"{t}.parquet") for t in ("documents", "sentences", "figures", "links", "claims", "errors")}


CORPORA = [("raw", ROOT / "data" / "raw", ROOT / "data" / "raw.metadata.csv")] + [
    (name, SHARED / "corpus" / name, SHARED / "corpus" / f"{name}.metadata.csv")
    for name in ("seeds", "en2", "ru") if (SHARED / "corpus" / name).is_dir()]


@needs_engine
@pytest.mark.parametrize("name,src,metadata", CORPORA, ids=[c[0] for c in CORPORA])
def test_every_table_identical_with_prefilter_on_and_off(name, src, metadata, tmp_path, monkeypatch):
    meta = metadata if metadata.exists() else None
    off = _tables(src, tmp_path / "off", meta, monkeypatch, "off")
    on = _tables(src, tmp_path / "on", meta, monkeypatch, ENGINES[0])
    assert len(off["figures"]) > 0
    for t in off:
        pd.testing.assert_frame_equal(on[t], off[t], obj=t)


def test_long_patterns_are_cut_into_pieces_that_cover_them():
    assert prefilter.shrink("x(?:aaaa|bbbb|cccc|dddd)y", 14) == ["x(?:aaaa)y", "x(?:bbbb)y", "x(?:cccc)y", "x(?:dddd)y"]
    assert prefilter.shrink("x(?:aaaa|bbbb)+y", 10) == ["x(?:.*)+y"]      # repeated: not split, widened
    assert prefilter.shrink("abc", 2) == ["(?:.*)"]                    # nothing to cut: anything


def test_verbose_patterns_lose_their_layout():
    assert relax("(?x) 5 \\  bln  # a comment\n [ ]tenge") == r"5\x{20}bln[\x{20}]tenge"
    assert relax(" 5 \\  bln  # a comment", verbose=True) == r"5\x{20}bln"
    pf = Prefilter([regex.compile(r" 5 \  bln  # a comment", regex.X)], "regex")
    assert pf.relaxed == [r"5\x{20}bln"]


@pytest.mark.parametrize("pattern,verbose,is_exact", [
    (r"(?i:mining\s+and|plant)", False, True),
    (r"(?i)foo\.bar", False, True),
    ("(?x) a b  # layout", False, True),
    (" a b ", True, True),
    (r"(ab)?c", False, True),
    (r"\btenge", False, False),              # an anchor is dropped
    (r"(?<!a)b", False, False),              # so is a lookaround
    (r"(?=x)y", False, False),
    (r"(?s)a", False, False),                # other flag groups are not read as exact
    (r"a{2}", False, False),
    (r"\d+", False, False),                  # widened above U+07FF
    (r"[^a]", False, False),
    ("a b", False, False),                   # a literal space: the scan reads every space as one
    ("[à-ſ]x", False, False),                # a range over ı gets an "i" added
])
def test_exact_checks(pattern, verbose, is_exact):
    assert prefilter.exact(pattern, verbose) is is_exact


@pytest.mark.parametrize("pattern,part,held", [
    (r"a(?:x|y)+b", r"(?:x|y)", True),
    (r"\((?:x|y)", r"(?:x|y)", True),          # an escaped bracket opens no group
    (r"a(?:x|y)?b", r"(?:x|y)", False),         # optional
    (r"[(](?:x|y){0,2}", r"(?:x|y)", False),
    (r"a|(?:x|y)b", r"(?:x|y)", False),         # in one alternative only
    (r"a(?=(?:x|y))", r"(?:x|y)", False),       # inside a group (here a lookahead): not read
    (r"a(?:x|y)b", r"x|y", False),              # the part is not one group
])
def test_a_pattern_holds_its_part(pattern, part, held):
    assert holds(regex.compile(pattern), regex.compile(part)) is held
    assert not holds(regex.compile(pattern, regex.I), regex.compile(part))     # other flags: other language


def test_rules_whose_pattern_holds_their_requires_skip_its_search():
    pre = rule_prefilter(RS)
    implied = {r.id for r, yes in zip(RS.rules, pre.implied) if yes}
    assert "money.amount_currency_after" in implied and "count.number_noun" not in implied


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=prefilter.WHITESPACE + "".join(prefilter.ODD_CASE) + "aЖi1 ,", max_size=40))
def test_the_scan_form_is_the_translation_of_every_space_and_odd_case(text):
    assert prefilter.scan_form(text) == text.translate(prefilter.SPACES)
    assert prefilter._scanned(text) == text.translate(prefilter.SPACES).encode("utf-8")
