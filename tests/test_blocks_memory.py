"""A huge document is cut into blocks with no memory of its own (the old island regex kept ~37 bytes
of backtracking state per input byte: 8 GB for a 200 MB file)."""
import tracemalloc

from kzx.segment import blocks

LINE = "In 2023 the region invested 150 billion tenge in roads, 12% more than a year before.\n"


def test_blocks_of_a_20_mb_text_need_no_memory_of_their_own():
    text = LINE * (20_000_000 // len(LINE))
    tracemalloc.start()
    try:
        pieces = 0
        for off, block in blocks(text):
            assert text[off:off + len(block)] == block
            pieces += len(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pieces == len(text) - 1                 # all but the final line break
    assert peak < 5_000_000                        # one block at a time (the island regex: ~750 MB)


def test_blocks_drop_long_whitespace_runs_only():
    text = "  A b.\n" + " " * 300 + "C d." + "\t" * 199 + "e f." + "\n" * 250
    assert list(blocks(text)) == [(2, "A b."), (307, "C d." + "\t" * 199 + "e f.")]
