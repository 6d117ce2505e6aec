"""Score kzx on the development sets, with `kzx evaluate` and with the shared scorer side by side.

usage: python benchmarks/devsets.py --shared DIR [--sets seeds,en2,ru] [--keep OUTDIR]

DIR is the folder holding corpus/<set>/, corpus/<set>.metadata.csv, the gold folders and
tools/score.py. The dev texts are read in place and their output goes to a temporary folder (or
--keep): nothing of them is copied into the repository. Prints each set's table and whether the
two scorers agree on every kind and metric (exit 1 when they do not). The suite checks the same
agreement without DIR, on a spoiled copy of the seeds' gold (tests/test_evaluate.py).
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kzx  # noqa: E402
from kzx.evaluate import evaluate, render  # noqa: E402

GOLD = {"seeds": "gold", "en2": "gold_en2", "ru": "gold_ru"}
KINDS = ["money", "percent", "date", "project", "quantity", "count"]


def disagreements(ours: dict, theirs: dict) -> list[str]:
    """Every (kind, metric) whose figures differ at the third decimal."""
    bad = [f"kinds: ours {sorted(ours)} theirs {sorted(theirs)}"] if set(ours) != set(theirs) else []
    for kind, row in theirs.items():
        for metric, value in row.items():
            mine = ours.get(kind, {}).get(metric)
            if mine is None or round(mine, 3) != round(value, 3):
                bad.append(f"{kind} {metric}: ours {mine} theirs {value}")
    return bad


def score_set(shared: Path, name: str, out: Path) -> bool:
    corpus, gold = shared / "corpus" / name, shared / GOLD[name]
    metadata = shared / "corpus" / f"{name}.metadata.csv"
    kzx.extract(corpus, out, metadata=metadata if metadata.exists() else None)
    theirs_json = out.parent / f"{name}.score.json"
    subprocess.run([sys.executable, str(shared / "tools" / "score.py"), str(gold), str(out), "--json",
                    str(theirs_json), "--kinds", ",".join(KINDS)], check=True, capture_output=True)
    bad = disagreements(evaluate(gold, out, KINDS).report(), json.loads(theirs_json.read_text()))
    print(f"== {name}")
    print(render(evaluate(gold, out)))
    print("the shared scorer agrees" if not bad else "DISAGREES: " + "; ".join(bad))
    return not bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, required=True, help="the folder with corpus/, the gold folders, tools/")
    ap.add_argument("--sets", default="seeds,en2,ru")
    ap.add_argument("--keep", type=Path, help="write each set's output to KEEP/<set> instead of a temporary folder")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = a.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        ok = [score_set(a.shared.resolve(), s, base / s) for s in a.sets.split(",")]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
