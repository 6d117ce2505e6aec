"""Lexicon alternations written as tries (pipeline/alternation.py) match exactly what the plain
alternation, one branch per alias longest first, matches: same spans, same alias preferred."""
import random

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from kzx.alternation import alternation, plain_alternation
from kzx.rules import load_rules

# What may follow the alternation in a pattern: each makes a shorter alias win where a longer one
# fits but what follows it does not ("mln5": "mln" before a digit, not "m").
TAILS = ["", r"(?=\s|$)", r"(?=\p{L})", r"(?=[aeiouаеиоуы])", r"(?![\p{L}])", r"\s*\p{L}", r"\d"]


def same(aliases, texts) -> list:
    """The (flags, tail, text) where the trie and the plain alternation differ."""
    out = []
    for flags in (0, regex.I):
        for tail in TAILS:
            plain = regex.compile(plain_alternation(aliases) + tail, flags)
            trie = regex.compile(alternation(aliases) + tail, flags)
            for t in texts:
                if [m.span() for m in plain.finditer(t)] != [m.span() for m in trie.finditer(t)]:
                    out.append((flags, tail, t))
    return out


def test_shared_beginnings_are_written_once_longest_first():
    assert alternation([]) == "(?:)"
    assert alternation(["million", "mln", "milliard", "m"]) == "(?:m(?:illi(?:ard|on)|ln|))"
    assert regex.match(alternation(["million", "mln", "milliard", "m"]) + r"\b", "mln tenge").group() == "mln"
    assert regex.match(alternation(["m", "mln"]) + r"(?=\d)", "mln5").group() == "mln"
    assert regex.match(alternation(["m", "mln"]) + r"(?=l)", "mln5").group() == "m"


def test_words_are_joined_by_any_space_or_dash_as_before():
    pat = alternation(["Auyl - El besigi", "Auyl"])
    assert pat == r"(?:Auyl(?:(?:\s*[-‐–—]\s*|\s+)El\s+besigi|))"
    assert [m.group() for m in regex.finditer(pat, "Auyl–El besigi, Auyl  El\u00a0besigi, Auyl")] == [
        "Auyl–El besigi", "Auyl  El\u00a0besigi", "Auyl"]


def test_branches_one_character_may_start_stay_in_list_order():
    # "T" and "t" are one letter under IGNORECASE: their aliases stay one plain alternation
    assert alternation(["Tenge", "tenge", "TMT", "tg"]) == "(?:(?:Tenge|tenge|TMT|tg))"
    # the regex module's IGNORECASE takes "ı" for "I": so "ıl" and "il" may both match "Il"
    assert alternation(["ıla", "il"]) == "(?:(?:ıla|il))"
    # a separator beside a dash the alias writes itself
    assert alternation(["a-", "a b"]) == r"(?:a(?:\s+b|\-))"


def test_an_alias_ending_before_a_longer_one_in_list_order_keeps_the_list_order():
    # "a    b" (6 characters) comes before "a b c" (5) in the list, though it ends earlier
    pat = alternation(["a    b", "a b c"])
    assert pat == r"(?:a\s+b(?:|\s+c))"
    assert regex.match(pat, "a b c").group() == regex.match(plain_alternation(["a    b", "a b c"]), "a b c").group() == "a b"


def test_every_shipped_lexicon_matches_as_the_plain_alternation():
    rs = load_rules()
    rnd = random.Random(7)
    seps = [" ", "  ", "-", " - ", "–", "\u00a0", "\n", ""]
    for name, aliases in rs.lexicon_aliases.items():
        pieces = sorted(set(aliases))
        words = [w for a in pieces for w in regex.split(r"[\s\-–—]+", a) if w]
        texts = []
        for _ in range(60):
            parts = []
            for _ in range(rnd.randint(1, 3)):
                w = rnd.choice(pieces if rnd.random() < .6 else words)
                if rnd.random() < .3:
                    w = w[:rnd.randint(1, len(w))]
                w = rnd.choice([w, w, w.upper(), w.capitalize()])
                parts.append(w + rnd.choice(seps))
            texts.append("".join(parts) + rnd.choice(["", ".", "x", "5"]))
        assert same(aliases, texts) == [], name


# a small alphabet full of the cases that matter: case pairs, ı/İ, ß, spaces and dashes
_ALPHABET = "aAbBıIiİßs -–"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(_ALPHABET, min_size=1, max_size=5), min_size=1, max_size=8),
       st.lists(st.text(_ALPHABET + "x5", max_size=12), min_size=1, max_size=5))
def test_any_aliases_match_as_the_plain_alternation(aliases, texts):
    assert same(aliases, texts) == []


def test_the_prefilter_reads_each_pattern_with_its_lists_plain(monkeypatch):
    # RuleSet.plain_form turns the tries back into plain lists: exactly the pattern a plain
    # expansion of the macros gives (what Hyperscan compiles several times faster)
    import kzx.rules
    from kzx.match import rule_prefilter

    rs = load_rules()
    monkeypatch.setattr(kzx.rules, "alternation", plain_alternation)
    plain = load_rules()
    assert len(rs.plain_forms) > 50
    assert sum(r.regex.pattern != p.regex.pattern for r, p in zip(rs.rules, plain.rules)) > 50
    # (`scan_as:` macros are read in their wider form by both: SCALED as SCALED_ANY_ORDER)
    assert sum(plain.plain_form(p.regex.pattern) != p.regex.pattern for p in plain.rules) >= 10
    for r, p in zip(rs.rules, plain.rules):
        assert rs.plain_form(r.regex.pattern) == plain.plain_form(p.regex.pattern), r.id
        if r.requires is not None:
            assert rs.plain_form(r.requires.pattern) == plain.plain_form(p.requires.pattern), r.id
    # so the prefilter's relaxed checks are those of the plain rule set
    assert rule_prefilter(rs, "regex").pf.relaxed == rule_prefilter(plain, "regex").pf.relaxed
