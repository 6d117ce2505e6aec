"""A "sentence" longer than match.WINDOW is matched window by window: the same mentions, at the
same offsets, as its parts would give, none lost or doubled where the windows overlap."""
from kzx import match
from kzx.match import find_mentions, windows

# ours; its length (151) puts mentions across window edges and own-part boundaries when repeated
S = ("In 2023 the akimat spent 150 billion tenge on the Saran industrial zone, 12% more than planned, "
     "while the Aral – Sarybulak highway opened in May 2024. ")
REPEAT = 60


def _rows(mentions, shift=0):
    return [(m.kind, m.start + shift, m.end + shift, m.text, m.rule, m.fields) for m in mentions]


def test_a_long_sentence_gives_the_short_ones_mentions_repeated(rules):
    short = find_mentions(S, rules)
    assert [m.text for m in short] == ["2023", "150 billion tenge", "Saran industrial zone", "12%",
                                      "Aral – Sarybulak highway", "May 2024"]
    text = S * REPEAT
    assert len(text) > 2 * match.WINDOW
    want = [row for i in range(REPEAT) for row in _rows(short, i * len(S))]
    assert _rows(find_mentions(text, rules)) == want


def test_the_repeated_sentence_does_put_mentions_across_the_cuts(rules):
    text = S * REPEAT
    spans = [(m.start + i * len(S), m.end + i * len(S)) for i in range(REPEAT) for m in find_mentions(S, rules)]
    ws = windows(text)

    def inside(points):
        return [p for p in points if any(a < p < b for a, b in spans)]
    assert inside([w[1] for w in ws[:-1]]) == [3746]           # a window ends inside "150 billion tenge"
    assert inside([w[0] for w in ws[1:]]) == [6755]            # the next starts inside a mention
    assert inside([w[3] for w in ws[:-1]]) == [3500, 7000]     # own parts meet inside mentions
    assert text[3746] == " " and text[6754] == " "             # windows are cut at spaces


def test_windows_tile_the_text_with_bounded_windows():
    text = ("word " * 5000)[:-1]
    ws = windows(text)
    assert ws[0][2] == 0 and ws[-1][3] == len(text)
    assert all(a[3] == b[2] for a, b in zip(ws, ws[1:]))                # own parts meet end to start
    assert all(s <= o_s and o_e <= e and e - s <= match.WINDOW for s, e, o_s, o_e in ws)
    assert all(o_s - s >= match.OVERLAP // 2 - 5 for s, e, o_s, o_e in ws[1:])      # context on the left
    assert all(e - o_e >= match.OVERLAP // 2 - 5 for s, e, o_s, o_e in ws[:-1])     # and on the right
    assert windows("x" * match.WINDOW) == [(0, match.WINDOW, 0, match.WINDOW)]


def test_a_text_without_spaces_is_cut_hard():
    text = "A" * 9000
    assert windows(text) == [(0, 3750, 0, 3500), (3250, 7250, 3500, 7000), (6750, 9000, 7000, 9000)]
