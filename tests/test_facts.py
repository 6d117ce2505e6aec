"""The facts table: one row per money or percent figure with its project, period, speaker and repeats."""
import datetime as dt

import pandas as pd

from kzx.config import Settings
from kzx.ingest import Document
from kzx.run import Engine, analyze

D2 = "002_b375e10d30cad7e7.txt"


def _facts(text, published=dt.date(2022, 7, 15)):
    engine = Engine.build(Settings())
    doc = Document("t.txt", "t.txt", "text", text, title="A title", published=published, url="http://x/1")
    return analyze(doc, engine).facts


def test_facts_hold_every_money_and_percent_figure_once(seeds_out):
    out, _ = seeds_out
    figs = pd.read_parquet(out / "figures.parquet")
    facts = pd.read_parquet(out / "facts.parquet")
    mp = figs[figs.kind.isin(["money", "percent"])]
    assert facts.figure_id.is_unique
    assert list(facts.figure_id) == list(mp.figure_id)
    assert (len(facts[facts.kind == "money"]), len(facts[facts.kind == "percent"])) == (69, 58)
    cols = ["text", "start_char", "end_char", "value_min", "value_max", "unit", "qualifier"]
    pd.testing.assert_frame_equal(facts[cols].reset_index(drop=True), mp[cols].reset_index(drop=True))


def test_facts_carry_the_links_claims_and_document(seeds_out):
    out, _ = seeds_out
    facts = pd.read_parquet(out / "facts.parquet").set_index("figure_id")
    links = pd.read_parquet(out / "links.parquet")
    figs = pd.read_parquet(out / "figures.parquet").set_index("figure_id")
    funds = links[links.relation == "funds"]
    money_funds = funds[funds.source_id.isin(facts.index)]
    assert len(money_funds) == facts.project_id.notna().sum() == 9
    for r in money_funds.itertuples():
        assert facts.loc[r.source_id, "project_id"] == r.target_id
        assert facts.loc[r.source_id, "project"] == figs.loc[r.target_id, "name"]
        assert facts.loc[r.source_id, "project_key"] == figs.loc[r.target_id, "name_key"]
    dated = links[links.relation == "dated"]
    assert facts.period_granularity.notna().sum() == len(dated)
    for r in dated.itertuples():
        assert facts.loc[r.source_id, "period_start"] == figs.loc[r.target_id, "date_start"]
        assert facts.loc[r.source_id, "period_end"] == figs.loc[r.target_id, "date_end"]
    row = facts.loc[f"{D2}:money:3556-3574"]      # "... Semey airport was completed (10.7 billion tenge)"
    assert (row.text, row.project, row.project_key) == ("10.7 billion tenge", "Semey airport", "semey airport")
    assert (str(row.period_start), str(row.period_end), row.period_granularity) == ("2018-01-01", "2018-12-31", "year")
    assert (str(row.published), row.language) == ("2022-07-15", "en")
    assert row.sentence.endswith("(10.7 billion tenge).")
    claims = pd.read_parquet(out / "claims.parquet")
    for who, n in claims.groupby("speaker").n_figures.sum().items():
        assert (facts.speaker == who).sum() == n, who
    assert facts[facts.speaker == "Akhmetov"].kind.value_counts().to_dict() == {"money": 30, "percent": 20}


def test_facts_repeat_of_marks_a_lead_repeated_by_the_body(seeds_out):
    out, _ = seeds_out
    facts = pd.read_parquet(out / "facts.parquet")
    repeats = facts[facts.repeat_of.notna()]
    assert dict(zip(repeats.figure_id, repeats.repeat_of)) == {
        f"{D2}:money:1284-1300": f"{D2}:money:773-789",          # 2 trillion tenge: lead, then body
        f"{D2}:percent:1304-1307": f"{D2}:percent:793-796",      # 53%, same sentences
        f"{D2}:percent:6530-6534": f"{D2}:percent:6065-6069",    # 108%: headline, then body
        f"{D2}:percent:24157-24162": f"{D2}:percent:23560-23565",  # 98.3%: headline, then body
    }


def test_facts_repeat_needs_the_same_words_project_and_period():
    rows = _facts("The akim said that 5 billion tenge was spent on new roads in the villages.\n"
                  "Separately, 5 billion tenge went to school repairs.\n"
                  "According to him, 5 billion tenge was spent on new roads in the region.\n"
                  "Exports grew by 12% annually.\n"
                  "Exports grew by 12% in 2021.\n")
    by_text = [(r["text"], r["repeat_of"]) for r in rows]
    first = rows[0]["figure_id"]
    assert by_text == [("5 billion tenge", None), ("5 billion tenge", None), ("5 billion tenge", first),
                       ("12%", None), ("12%", None)]      # 12% annually and 12% in 2021: two periods
    assert (rows[4]["period_start"], rows[4]["period_granularity"]) == (dt.date(2021, 1, 1), "year")
    assert {(r["title"], r["url"], r["published"]) for r in rows} == {("A title", "http://x/1", dt.date(2022, 7, 15))}


def test_facts_of_a_document_without_money_or_percent_are_empty():
    assert _facts("The plant opened in 2021 with 300 jobs.") == []


def test_facts_repeat_in_russian_text():
    rows = _facts("Аким сообщил, что на ремонт сельских дорог выделено 5 млрд тенге.\n"
                  "На строительство школы направлено 5 млрд тенге.\n"
                  "По его словам, на ремонт сельских дорог выделено 5 млрд тенге.\n")
    assert [(r["text"], r["repeat_of"]) for r in rows] == [
        ("5 млрд тенге", None), ("5 млрд тенге", None), ("5 млрд тенге", rows[0]["figure_id"])]


def _letters(n: int) -> str:
    return "".join(chr(97 + n // 26 ** k % 26) for k in range(3))


def test_a_repeat_is_found_past_many_first_statements_of_its_claim():
    from kzx.facts import MAX_FIRSTS
    # our own sentences: each names two words of its own (5+ letters), the rest too short to count
    lines = [f"The {_letters(n)}ovka area got 5 billion tenge for {_letters(n)}arium work." for n in range(MAX_FIRSTS + 50)]
    rows = _facts("\n".join(lines + [lines[0], lines[MAX_FIRSTS + 10]]) + "\n")
    assert len(rows) == MAX_FIRSTS + 52
    assert all(r["repeat_of"] is None for r in rows[:MAX_FIRSTS + 50])
    assert rows[-2]["repeat_of"] == rows[0]["figure_id"]      # the first statement is still compared with
    assert rows[-1]["repeat_of"] is None       # past MAX_FIRSTS statements of one claim, new ones are not kept


def test_part_of_marks_an_amount_stated_as_part_of_an_earlier_one():
    text = ("The region spent 40 billion tenge on roads, including 12 billion on bridges and 8 billion on lighting. "
            "Of the new schools, 5 billion tenge went to Taraz and 7 billion tenge to Shu. "
            "На жильё направят 1,1 трлн тенге, в том числе 300 млрд на аренду, из них 90 млрд тенге на кредиты. "
            "The fund got 2 billion tenge, including $3 million from donors and 3 billion tenge more. "
            "Growth was 5%, including 7% in industry. "
            "The district got 9 billion tenge, including 4 billion tenge for the Koktal-Saran road.")
    rows = _facts(text)
    text_of = {r["figure_id"]: r["text"] for r in rows}
    part_of = {r["text"]: text_of.get(r["part_of"]) for r in rows}
    assert part_of == {
        "40 billion tenge": None, "12 billion": "40 billion tenge", "8 billion": "40 billion tenge",
        "5 billion tenge": None, "7 billion tenge": None,        # "Of the ..." opens the sentence: no whole before it
        "1,1 трлн тенге": None, "300 млрд": "1,1 трлн тенге", "90 млрд тенге": "1,1 трлн тенге",   # a part's part
        "2 billion tenge": None, "$3 million": None,              # another unit
        "3 billion tenge": None,                                  # larger than the amount before the cue
        "5%": None, "7%": None,                                   # percents are shares, not summands
        "9 billion tenge": None, "4 billion tenge": None}         # the part funds a project the whole does not
    assert [r["project"] for r in rows if r["text"] == "4 billion tenge"] == ["Koktal-Saran road"]
