"""Python's cyclic garbage collector, set for a batch run and put back after it."""
from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000      # allocations between young collections (Python's default: 700)


class BatchCollector:
    """From here to `restore()`: the objects that exist now (the Engine's rules, lexicons, compiled
    patterns and spaCy vocabulary, used by every document for the whole run) are frozen out of the
    collector's generations, and young collections come every YOUNG_THRESHOLD allocations. A
    document's rows hold no reference cycles, so reference counting frees them; the collector
    walking them and the Engine over and over took ~10% of a run (data/raw × 80: 1.12 s in 1,792
    collections of 11.4 CPU-s; 0.52 s in 399 this way; peak RSS the same). Forked workers inherit
    both settings. `restore` puts the caller's own back (a notebook calling kzx.extract)."""

    def __init__(self):
        self.threshold = gc.get_threshold()
        self.frozen = gc.get_freeze_count()
        gc.collect()                  # what is garbage already is freed, not frozen
        gc.freeze()
        gc.set_threshold(max(YOUNG_THRESHOLD, self.threshold[0]), *self.threshold[1:])

    def restore(self) -> None:
        gc.set_threshold(*self.threshold)
        if self.frozen == 0:          # frozen by the caller before: left frozen
            gc.unfreeze()
