"""Hostile inputs, measured (printed, never asserted: the machines here are shared and noisy).

usage: python benchmarks/adversarial.py [--chars N] [--top K] [--big-mb MB]

- rules: the worst time of every rule over the adversarial probes (pipeline/probes.py) of N
  characters, slowest first, with the probe that drives it;
- stages: each probe as one document (a single N-character sentence) through tokenize, match,
  link, claims and facts, the worst time per stage;
- memory (--big-mb): peak RSS of `kzx extract` over one text file of that many MB, in a child
  process, and the ratio of peak memory to input size.
"""
import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kzx.config import Settings  # noqa: E402
from kzx.facts import facts_for  # noqa: E402
from kzx.ingest import Document  # noqa: E402
from kzx.link import claims_for, links_for  # noqa: E402
from kzx.probes import probes  # noqa: E402
from kzx.run import Engine, _figures, tokenize_doc  # noqa: E402


def bench_rules(engine: Engine, chars: int, top: int) -> None:
    texts = probes(chars)
    worst: dict[str, tuple[float, str]] = {}
    for rule in engine.rules.rules:
        for name, text in texts.items():
            t = time.perf_counter()
            try:
                for _ in rule.regex.finditer(text, timeout=30):
                    pass
                sec = time.perf_counter() - t
            except TimeoutError:
                sec = float("inf")
            if sec > worst.get(rule.id, (-1.0, ""))[0]:
                worst[rule.id] = (sec, name)
    print(f"rules: worst time per rule on {len(texts)} probes of {chars:,} characters ({len(worst)} rules)")
    for rid, (sec, name) in sorted(worst.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"  {sec:8.3f} s  {rid:45s} {name}")
    print(f"  all rules under {max(s for s, _ in worst.values()):.3f} s")


def bench_stages(engine: Engine, chars: int) -> None:
    worst: dict[str, tuple[float, str]] = {}

    def timed(stage, name, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        sec = time.perf_counter() - t
        if sec > worst.get(stage, (-1.0, ""))[0]:
            worst[stage] = (sec, name)
        return out

    for name, text in probes(chars).items():
        doc = Document(f"{name}.txt", f"{name}.txt", "text", text)
        sents = timed("tokenize", name, tokenize_doc, doc, engine)
        figs = timed("match", name, _figures, doc, sents, engine, [])
        links = timed("link", name, links_for, doc, sents, figs, engine.rules)
        claims = timed("claims", name, claims_for, doc, sents, figs, engine.rules)
        timed("facts", name, facts_for, doc, sents, figs, links, claims)
    # a sentence dense with figures: links, claims and facts must not look at all pairs
    dense = "In 2021, 5% and 7 billion tenge for the Saryarka gas pipeline project, " * (chars // 70)
    doc = Document("dense.txt", "dense.txt", "text", dense)
    sents = timed("tokenize", "dense figures", tokenize_doc, doc, engine)
    figs = timed("match", "dense figures", _figures, doc, sents, engine, [])
    links = timed("link", "dense figures", links_for, doc, sents, figs, engine.rules)
    claims = timed("claims", "dense figures", claims_for, doc, sents, figs, engine.rules)
    timed("facts", "dense figures", facts_for, doc, sents, figs, links, claims)
    print(f"stages: worst time per stage, each probe one {chars:,}-character document")
    for stage, (sec, name) in worst.items():
        print(f"  {sec:8.3f} s  {stage:10s} {name}")


PARAGRAPH = ("In 2023 the region invested 150 billion tenge in roads, 12% more than a year before. "
             "The Aral-Sarybulak road and the Saran industrial zone were completed; 5,000 jobs were created.\n")


def bench_memory(mb: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.txt"
        unit = PARAGRAPH * 100
        with open(big, "w", encoding="utf-8") as f:
            for _ in range(mb * 1024 * 1024 // len(unit)):
                f.write(unit)
        size = big.stat().st_size
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "kzx", "extract", str(big), "-o", str(Path(tmp) / "out")],
                           cwd=ROOT, capture_output=True, text=True)
        sec = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"memory: one {size / 1e6:,.0f} MB text file: peak RSS {rss:,.0f} MB "
          f"({rss * 1024 * 1024 / size:.1f} bytes per input byte), {sec:,.0f} s, "
          f"exit {r.returncode}: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chars", type=int, default=10_000)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--big-mb", type=int, default=0, help="also measure peak memory on a text file this large")
    a = ap.parse_args()
    engine = Engine.build(Settings())
    bench_rules(engine, a.chars, a.top)
    bench_stages(engine, a.chars)
    if a.big_mb:
        bench_memory(a.big_mb)


if __name__ == "__main__":
    main()
