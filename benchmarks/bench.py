"""Speed and memory figures, printed (never asserted: machines here are shared and noisy).

usage: python benchmarks/bench.py [--copies N] [--workers N] [--compare DIR]

- pipeline: documents, words and characters per second over N copies of data/raw, peak RSS;
- dates: how many date mentions per second the date rules find and resolve, and how many of
  them needed dateparser (the fallback, cached);
- dateparser: cost of one uncached call, for comparison.
"""
import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kzx.config import Settings  # noqa: E402
from kzx.match import find_mentions  # noqa: E402
from kzx.normalize.dates import parse_with_dateparser  # noqa: E402
from kzx.rules import load_rules  # noqa: E402
from kzx.run import extract  # noqa: E402


def bench_pipeline(copies: int, workers: int, corpus: Path | None = None) -> float:
    """Words per second over `copies` copies of `corpus` (default data/raw); printed and returned."""
    corpus = corpus or ROOT / "data" / "raw"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i in range(copies):
            for f in sorted(p for p in corpus.iterdir() if p.is_file()):
                shutil.copy(f, src / f"{i:04d}_{f.name}")
        chars = sum(p.stat().st_size for p in src.iterdir())
        t = time.perf_counter()
        s = extract(Settings(inputs=(src,), out=Path(tmp) / "out", workers=workers))
        sec = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pipeline  {corpus.name} workers={workers}: {s.documents} docs in {sec:.1f} s = {s.documents / sec:.1f} docs/s, "
          f"{s.words / sec:,.0f} words/s, {chars / sec / 1e3:,.0f} kB/s; peak RSS {rss:.0f} MB")
    return s.words / sec


def bench_dates() -> None:
    rs = load_rules(ROOT / "rules")
    pub = dt.date(2022, 7, 15)
    sents = [ln for p in sorted((ROOT / "data" / "raw").glob("00[1-4]*")) for ln in p.read_text().splitlines() if ln]
    sents += ["17 января 2022 года", "5 марта 2021"] * 20
    find_mentions("1 марта 2020", rs, pub)          # import dateparser once, outside the timing
    date_rules = [r for r in rs.rules if r.kind == "date"]
    rs_dates = type(rs)(date_rules, rs.lexicon, rs.lexicon_aliases, rs.macros, rs.digest, rs.root, rs.data, rs.cache)
    t = time.perf_counter()
    dates = [m for s in sents for m in find_mentions(s, rs_dates, pub)]
    sec = time.perf_counter() - t
    via = {r.id for r in date_rules if r.normalize == "dateparser"}   # none shipped now: ours reads Russian months
    dp = sum(1 for m in dates if m.rule in via)
    info = parse_with_dateparser.cache_info()
    print(f"dates     {len(dates)} date mentions in {sec:.2f} s over {len(sents)} lines (date rules only) = "
          f"{len(dates) / sec:,.0f} dates/s; {dp} via dateparser (cache hits {info.hits}, misses {info.misses})")
    t = time.perf_counter()
    for i in range(50):
        parse_with_dateparser.__wrapped__(f"{1 + i % 28} марта 2021", pub)
    print(f"dateparser one uncached call: {(time.perf_counter() - t) / 50 * 1e3:.2f} ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--compare", type=Path, metavar="DIR",
                    help="also measure the documents in DIR (e.g. Russian/Kazakh texts) and print their "
                         "words/s as a ratio to data/raw's, measured in the same run")
    a = ap.parse_args()
    bench_dates()
    base = bench_pipeline(a.copies, a.workers)
    if a.compare:                # as many words as data/raw's copies, so start-up weighs the same
        words = lambda d: sum(len(f.read_text(errors="replace").split()) for f in d.iterdir() if f.is_file())
        copies = max(1, round(a.copies * words(ROOT / "data" / "raw") / words(a.compare)))
        other = bench_pipeline(copies, a.workers, a.compare)
        print(f"words/s {a.compare.name} / data/raw = {other / base:.2f}")
