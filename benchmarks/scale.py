"""The Dask engine on a LocalCluster over 1×, 4× and 16× copies of a corpus: figures printed, never asserted.

usage: python benchmarks/scale.py [--corpus DIR] [--workers K] [--partition-size 256KB]
                                  [--target-docs 1000000] [--price 0.10]

Prints per run: partitions, documents, wall seconds, words/s, the median CPU seconds of one partition
and per document; the scheduler's overhead per task (no-op tasks on the same cluster); and an
extrapolation: the time and worker-hours (× --price per worker-hour) for --target-docs documents on
K = 1, 8, 32, 128 workers, from the 16× run's CPU cost per document plus the per-task overhead.
"""
import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import distributed  # noqa: E402

from kzx.cluster import extract_dask  # noqa: E402
from kzx.config import Settings  # noqa: E402
from kzx.partitioned import check_partition_size, worker_engine  # noqa: E402


def corpus_copies(src: Path, dst: Path, copies: int) -> None:
    for i in range(copies):
        for f in sorted(p for p in src.rglob("*") if p.is_file()):
            target = dst / f"copy{i:03d}" / f.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)


def _build_engine(settings: Settings) -> None:
    worker_engine(settings)   # cached in the worker process; the Engine itself stays there (it does not pickle)


def overhead_per_task(client, n: int = 500) -> float:
    t = time.perf_counter()
    distributed.wait(client.map(lambda x: x, range(n), pure=False))
    return (time.perf_counter() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT / "data" / "raw")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partition-size", default="256KB")
    ap.add_argument("--target-docs", type=int, default=1_000_000)
    ap.add_argument("--price", type=float, default=0.10, help="cost of one worker-hour")
    a = ap.parse_args()
    size = check_partition_size(a.partition_size)
    cluster = distributed.LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    print(f"LocalCluster: {a.workers} workers; partitions of {a.partition_size}; corpus {a.corpus}")
    # every worker builds its Engine before the runs (a warm-up extract of one partition reached one worker only,
    # so the 1x run paid the other's build); the runs' Settings give the same cache key
    client.run(_build_engine, Settings(inputs=(a.corpus,), out=Path(tempfile.mkdtemp()) / "warm"))
    per_doc = None
    for copies in (1, 4, 16):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in"
            corpus_copies(a.corpus, src, copies)
            cpu = []
            t = time.perf_counter()
            s = extract_dask(Settings(inputs=(src,), out=Path(tmp) / "out"), scheduler=cluster.scheduler_address,
                             partition_bytes=size, on_result=lambda r: cpu.append((r.cpu_seconds, r.summary.documents)))
            wall = time.perf_counter() - t
        per_doc = sum(c for c, _ in cpu) / max(1, s.documents)
        print(f"{copies:3d}x: {len(cpu):4d} partitions, {s.documents:6d} docs, {wall:7.1f} s wall, "
              f"{s.words / wall:9,.0f} words/s, partition median {statistics.median(c for c, _ in cpu):.3f} CPU s, "
              f"{per_doc * 1000:.1f} CPU ms/doc")
    over = overhead_per_task(client)
    print(f"scheduler overhead: {over * 1000:.2f} ms per task")
    docs_per_part = max(1.0, s.documents / max(1, len(cpu)))
    tasks = a.target_docs / docs_per_part
    print(f"extrapolated to {a.target_docs:,} documents ({tasks:,.0f} partitions of ~{docs_per_part:.0f} docs):")
    for k in (1, 8, 32, 128):
        hours = (a.target_docs * per_doc + tasks * over) / k / 3600
        print(f"  K={k:4d} workers: {hours:8.2f} h wall, {hours * k:8.1f} worker-hours = {hours * k * a.price:8.2f} "
              f"at {a.price}/worker-hour")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
