"""The garbage collector's settings for a run, and the caller's own afterwards."""
import gc

from kzx.collector import YOUNG_THRESHOLD, BatchCollector
from kzx.config import Settings
from kzx.run import extract


def test_a_run_freezes_what_exists_and_collects_young_objects_less_often_then_puts_back():
    before = gc.get_threshold()
    c = BatchCollector()
    try:
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
        assert gc.get_freeze_count() > 1000          # the modules and objects loaded so far
    finally:
        c.restore()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_extract_leaves_the_callers_collector_as_it_was(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("In 2023, 5 billion tenge was spent.", encoding="utf-8")
    gc.set_threshold(500, 11, 12)
    try:
        s = extract(Settings(inputs=(tmp_path / "in",), out=tmp_path / "out"))
        assert s.kinds.get("money") == 1 and s.documents == 1
        assert gc.get_threshold() == (500, 11, 12) and gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(700, 10, 10)
