"""Where the per-document work runs: in this process, in a pool of local processes, or on Dask.

Every engine yields DocResults in corpus order, so the reduce in batch.run (resolution, graph,
files) sees the same sequence whichever engine produced it. Each worker process loads its
spaCy pipelines once and reuses them for every window or shard it is given.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from pipeline import batch, corpus
from pipeline.cache import CacheStats, ParseCache
from pipeline.config import ConfigError, Settings
from pipeline.records import DocResult, Document

# Starting worker processes and loading models in each costs a few seconds, more than
# parsing about 50 news articles takes; smaller corpora run in this process.
PARALLEL_MIN_CHARS = 300_000
POOL_WINDOW = 32  # documents per task sent to a local worker: small enough to balance load
SHARD_FILES = 16  # input files per Dask task


@dataclass
class Tally:
    """What the workers report besides results: cache counts and the models they loaded."""

    cache: CacheStats = field(default_factory=CacheStats)
    models: dict[str, str] = field(default_factory=dict)
    workers: int = 1

    def add(self, stats: CacheStats | None, models: dict[str, str]) -> None:
        """Merge one task's report."""
        if stats is not None:
            self.cache.add(stats)
        self.models.update(models)


def default_workers() -> int:
    """Return the number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def local(
    documents: Iterable[Document],
    settings: Settings,
    *,
    cache_dir: Path | None,
    workers: int,
    tally: Tally,
) -> Iterator[DocResult]:
    """Yield the DocResults of `documents` in order, using up to `workers` local processes.

    The first documents are read ahead: a corpus smaller than PARALLEL_MIN_CHARS runs in this
    process, since starting workers would cost more than it saves.
    """
    documents = iter(documents)
    head: list[Document] = []
    chars = 0
    if workers > 1:
        for document in documents:
            head.append(document)
            chars += len(document.text)
            if chars >= PARALLEL_MIN_CHARS:
                break
    if workers > 1 and chars >= PARALLEL_MIN_CHARS:
        tally.workers = workers
        yield from _pool(_chain(head, documents), settings, cache_dir, workers, tally)
        return
    tally.workers = 1
    pipelines = batch.Pipelines(settings)
    cache = ParseCache(cache_dir) if cache_dir else None
    try:
        yield from batch.process(_chain(head, documents), pipelines, settings, cache)
    finally:
        tally.add(cache.stats if cache else None, pipelines.models())


def _chain(head: list[Document], rest: Iterator[Document]) -> Iterator[Document]:
    yield from head
    yield from rest


def _windows(documents: Iterator[Document], size: int) -> Iterator[list[Document]]:
    while window := list(islice(documents, size)):
        yield window


def _pool(
    documents: Iterator[Document], settings: Settings, cache_dir: Path | None, workers: int, tally: Tally
) -> Iterator[DocResult]:
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers start in milliseconds and need no importable __main__; nothing here has
    # started threads yet. Elsewhere, spawn.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(settings, cache_dir),
    )
    pending: deque = deque()
    try:
        # Two windows queued per worker keep every core busy while memory stays bounded.
        for window in _windows(documents, POOL_WINDOW):
            pending.append(pool.submit(_run_window, window))
            while len(pending) > 2 * workers:
                yield from _collect(pending.popleft(), tally)
        while pending:
            yield from _collect(pending.popleft(), tally)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(future, tally: Tally) -> list[DocResult]:
    results, stats, models = future.result()
    tally.add(stats, models)
    return results


_worker = threading.local()


def _start_worker(settings: Settings, cache_dir: Path | None) -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _state(settings, cache_dir)


def _state(settings: Settings, cache_dir: Path | None) -> tuple[batch.Pipelines, ParseCache | None]:
    """Return this thread's pipelines and cache, loading them on first use."""
    key = (settings.model_dump_json(), str(cache_dir))
    if getattr(_worker, "key", None) != key:
        _worker.key = key
        _worker.pipelines = batch.Pipelines(settings)
        _worker.cache = ParseCache(cache_dir) if cache_dir else None
    return _worker.pipelines, _worker.cache


def _run_window(documents: list[Document]):
    pipelines, cache = _worker.pipelines, _worker.cache
    before = _snapshot(cache)
    results = batch.analyse(documents, pipelines, pipelines.settings, cache)
    return results, _since(cache, before), pipelines.models()


def _snapshot(cache: ParseCache | None) -> CacheStats | None:
    return CacheStats(**vars(cache.stats)) if cache else None


def _since(cache: ParseCache | None, before: CacheStats | None) -> CacheStats | None:
    if cache is None:
        return None
    now = cache.stats
    return CacheStats(now.hits - before.hits, now.misses - before.misses, now.rebuilt - before.rebuilt)


def dask(
    source: Path,
    settings: Settings,
    *,
    lang: str | None,
    cache_dir: Path | None,
    scheduler: str | None,
    workers: int,
    tally: Tally,
    shard_files: int | None = None,
) -> Iterator[DocResult]:
    """Yield the DocResults of the corpus at `source` in order, computed on a Dask cluster.

    Without `scheduler` a LocalCluster of `workers` single-threaded processes is started on
    127.0.0.1. Tasks are shards of input files, read by the workers themselves, so the input
    and the cache folder must be reachable at the same paths on every worker.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError("the Dask engine needs the dask extra: pip install 'actorgraph[dask]'") from exc
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    client = Client(scheduler or cluster)
    try:
        tally.workers = sum(client.nthreads().values())
        pending: deque = deque()
        seen: dict[str, str] = {}
        for shard in _windows(_sources(source), shard_files or SHARD_FILES):
            pending.append(client.submit(_run_shard, shard, settings, lang, cache_dir, pure=False))
            while len(pending) > 2 * max(tally.workers, 1):
                yield from _renamed(_collect(pending.popleft(), tally), seen)
        while pending:
            yield from _renamed(_collect(pending.popleft(), tally), seen)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _sources(source: Path) -> Iterator[Path]:
    """Yield every input file under `source` (and every folder that cannot be listed), in order."""
    for item in corpus._walk(Path(source)):
        yield item[0] if isinstance(item, tuple) else item


def _run_shard(paths: list[Path], settings: Settings, lang: str | None, cache_dir: Path | None):
    pipelines, cache = _state(settings, cache_dir)
    before = _snapshot(cache)
    documents = (
        document
        for path in paths
        for document in corpus.iter_documents(path, lang_override=lang, languages=tuple(settings.run.languages))
    )
    results = list(batch.process(documents, pipelines, settings, cache))
    return results, _since(cache, before), pipelines.models()


def _renamed(results: list[DocResult], seen: dict[str, str]) -> Iterator[DocResult]:
    """Give documents from different shards unique ids, as one corpus reader would have."""
    for result in results:
        old = result.document.id
        corpus._unique_id(result.document, seen)
        new = result.document.id
        if new != old:
            for record in (*result.mentions, *result.role_links, *result.meetings):
                record.doc = new
        yield result
