"""`kzx extract --engine dask`: the partition tasks of pipeline/partitioned.py on a Dask cluster.

With `scheduler` (tcp://host:8786) the run uses that cluster; without it, a LocalCluster of
`workers` processes. Every worker builds its Engine once (partitioned.worker_engine caches it per
process); a partition lost with its worker is re-run by Dask, and since a partition's parts are
renamed into place only when complete, each document lands exactly once.
"""
from __future__ import annotations

import uuid

from .config import Settings
from .errors import UsageError
from .partitioned import DEFAULT_PARTITION_BYTES, extract_partitioned, run_partition


def _distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError("--engine dask needs Dask's distributed scheduler", "pip install 'kzx[dask]'")
    return distributed


def extract_dask(settings: Settings, scheduler: str | None = None, workers: int = 2,
                 partition_bytes: int = DEFAULT_PARTITION_BYTES, progress=None, retries: int = 1, on_result=None):
    """Like run.extract, over a cluster, into OUT/<table>/part-NNNNN.parquet; returns the run's Summary."""
    distributed = _distributed()
    cluster = None
    if scheduler:
        client = distributed.Client(scheduler)
    else:
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=":0")
        client = distributed.Client(cluster)
    token = uuid.uuid4().hex[:8]

    def submit(pids, parts, settings, meta, stage):
        meta_ref = client.scatter(meta, broadcast=True) if meta is not None else None
        futures = [client.submit(run_partition, pid, part, settings, meta_ref, stage, retries=retries,
                                 key=f"kzx-partition-{token}-{pid:05d}") for pid, part in zip(pids, parts)]
        for fut in distributed.as_completed(futures):
            yield fut.result()
    try:
        return extract_partitioned(settings, partition_bytes, submit, engine_name="dask", progress=progress,
                                   on_result=on_result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
