"""Where the per-document work runs: in this process, in a pool of local processes, or on Dask.

Every engine yields DocResults in corpus order, so the reduce in run.run (resolution, graph,
files) sees the same sequence whichever engine produced it. Each worker process loads its
spaCy pipelines once and reuses them for every window or shard it is given.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from copy import copy
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from pipeline import corpus
from pipeline.config import ConfigError, Settings
from pipeline.incremental.cache import CacheStats, ParseCache
from pipeline.incremental.reuse import Memo, ReuseStats, Store
from pipeline.lifetime import die_with_parent
from pipeline.nlp import analysis
from pipeline.pieces import Pieces
from pipeline.records import DocResult, Document, Piece, pack, unpack

# Starting worker processes and loading models in each costs a few seconds, more than
# parsing about 50 news articles takes; smaller corpora run in this process.
PARALLEL_MIN_CHARS = 300_000
POOL_WINDOW = 32  # documents per task sent to a local worker: small enough to balance load
WINDOW_CHARS = 1_000_000  # ...and at most this much text per task (unless one document is longer)
WINDOW_ITEMS = 1024  # documents per window, reused ones included: bounds what waits in memory
SHARD_FILES = 16  # input files per Dask task


@dataclass
class Tally:
    """What the workers report besides results: cache counts, reuse counts and the models loaded."""

    cache: CacheStats = field(default_factory=CacheStats)
    reuse: ReuseStats = field(default_factory=ReuseStats)
    models: dict[str, str] = field(default_factory=dict)
    workers: int = 1

    def add(self, stats: CacheStats | None, models: dict[str, str], reused: ReuseStats | None = None) -> None:
        """Merge one task's report."""
        if stats is not None:
            self.cache.add(stats)
        if reused is not None:
            self.reuse.add(reused)
        self.models.update(models)


def default_workers() -> int:
    """Return the number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


WORKERS_PER_CORE = 4  # more only costs memory (each worker holds its own models)


def capped_workers(workers: int) -> int:
    """Return `workers` (0: one per core), at most WORKERS_PER_CORE per core, with one warning
    line on stderr when capped."""
    cores = default_workers()
    if not workers:
        return cores
    most = WORKERS_PER_CORE * cores
    if workers > most:
        print(f"warning: {workers} workers on {cores} core(s): using {most} ({WORKERS_PER_CORE} per core); "
              "more would only cost memory", file=sys.stderr)
        return most
    return workers


def local(
    documents: Iterable[Document],
    settings: Settings,
    *,
    cache_dir: Path | None,
    workers: int,
    tally: Tally,
    memo: Memo | None = None,
    scratch: Path | None = None,
) -> Iterator[DocResult]:
    """Yield the DocResults of `documents` in order, using up to `workers` local processes.

    Documents whose stored results still hold (`memo`) are answered here without a worker.
    The others are read ahead: when they reach PARALLEL_MIN_CHARS, workers start at once;
    otherwise they run in this process until they do, since starting workers would cost
    more than it saves. Long documents go in pieces (pipeline/pieces.py); their joined
    mentions are kept in a file in `scratch` (default: the system's temporary folder).
    """
    pieces = Pieces(settings, scratch)
    items = pieces.split(_lookup(documents, memo))
    head: list[DocResult | Document] = []
    chars = 0
    if workers > 1:
        for item in items:
            head.append(item)
            chars += len(item.text) if isinstance(item, Document) else 0
            if chars >= PARALLEL_MIN_CHARS or len(head) >= WINDOW_ITEMS:
                break
    runner = _Runner(settings, cache_dir, memo.store if memo else None, workers, tally)
    if chars >= PARALLEL_MIN_CHARS:
        runner.start_pool([item for item in head if isinstance(item, Document)])
    try:
        # Two windows queued per worker keep every core busy while memory stays bounded.
        yield from pieces.join(_in_order(_chain(head, items), runner.submit, 2 * workers))
    finally:
        runner.close()


def _lookup(documents: Iterable[Document], memo: Memo | None) -> Iterator[DocResult | Document]:
    """Yield a DocResult for every document that needs no work, the Document otherwise."""
    for document in documents:
        if document.status != "ok":
            yield DocResult(document=document)
        elif memo is not None and (result := memo.lookup(document)) is not None:
            yield result
        else:
            yield document


def _chain(head: list, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


def _here(pipelines: analysis.Pipelines, settings: Settings, cache: ParseCache | None, store: Store | None):
    """Return a `submit` for _in_order that runs each window in this process."""

    def submit(documents: list[Document]) -> Future:
        future: Future = Future()
        future.set_result(analysis.work(documents, pipelines, settings, cache, store))
        return future

    return submit


def _in_order(items: Iterable[DocResult | Document], submit, depth: int) -> Iterator[DocResult]:
    """Yield a DocResult per item, in order: Documents go to `submit` in windows of POOL_WINDOW
    documents or WINDOW_CHARS characters, whichever comes first, and each Piece ends one.

    `submit(documents)` returns a Future of their DocResults. Up to `depth` windows are in
    flight; ready results wait in their window, so memory stays bounded.
    """
    pending: deque = deque()
    window: list[DocResult | Document] = []
    documents = chars = 0
    for item in items:
        window.append(item)
        if isinstance(item, Document):
            documents += 1
            chars += len(item.text)
        # A Piece goes alone: the pieces of one long document spread over the workers.
        if documents >= POOL_WINDOW or len(window) >= WINDOW_ITEMS or chars >= WINDOW_CHARS or isinstance(item, Piece):
            pending.append(_send(window, submit))
            window, documents, chars = [], 0, 0
            while len(pending) > depth:
                yield from _merge(*pending.popleft())
    if window:
        pending.append(_send(window, submit))
    while pending:
        yield from _merge(*pending.popleft())


def _send(window: list, submit) -> tuple[Future | None, list]:
    documents = [item for item in window if isinstance(item, Document)]
    return (submit(documents) if documents else None), window


def _merge(future: Future | None, window: list) -> Iterator[DocResult]:
    results = iter(future.result() if future is not None else ())
    for item in window:
        yield next(results) if isinstance(item, Document) else item


class _Runner:
    """Runs windows of documents in this process until they add up to PARALLEL_MIN_CHARS,
    then in a pool of worker processes (from the start after `start_pool`)."""

    def __init__(self, settings: Settings, cache_dir: Path | None, store: Store | None, workers: int, tally: Tally):
        self.settings, self.cache_dir, self.store = settings, cache_dir, store
        self.workers, self.tally = workers, tally
        self.chars = 0
        self.pool = None
        self.pipelines: analysis.Pipelines | None = None
        self.cache: ParseCache | None = None
        self.here = None  # submit for windows run in this process, made on first use
        tally.workers = 1

    def start_pool(self, sample: list[Document]) -> None:
        """Start the worker processes; later windows go to them.

        Where workers are forked, this process first loads the pipelines of the languages in
        `sample` (the next documents), and the workers inherit them.
        """
        from concurrent.futures import ProcessPoolExecutor

        # fork: workers start in milliseconds and need no importable __main__; nothing here
        # has started threads. Elsewhere, spawn.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        pipelines = None
        if method == "fork":
            # Loading once here beats every worker loading at the same time: on a busy machine
            # each concurrent load takes about twice as long as one alone.
            pipelines = self._pipelines()
            for lang in _languages(sample[:POOL_WINDOW], self.settings.run.languages):
                pipelines(lang)
        self.pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(self.settings, self.cache_dir, self.store, pipelines, os.getpid()),
        )
        self.tally.workers = self.workers

    def submit(self, documents: list[Document]) -> Future:
        """Return a Future of the DocResults of `documents`."""
        self.chars += sum(len(d.text) for d in documents)
        if self.pool is None and self.workers > 1 and self.chars >= PARALLEL_MIN_CHARS:
            self.start_pool(documents)
        if self.pool is not None:
            return _tallied(self.pool.submit(_run_window, documents), self.tally)
        if self.here is None:
            self.cache = ParseCache(self.cache_dir) if self.cache_dir else None
            self.here = _here(self._pipelines(), self.settings, self.cache, self.store)
        return self.here(documents)

    def _pipelines(self) -> analysis.Pipelines:
        if self.pipelines is None:
            self.pipelines = analysis.Pipelines(self.settings)
        return self.pipelines

    def close(self) -> None:
        """Stop the workers (dropping windows not started) and report this process's counts."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.here is not None:
            self.tally.add(self.cache.stats if self.cache else None, self.pipelines.models())


def _languages(documents: list[Document], languages: Iterable[str]) -> list[str]:
    """Return the supported languages of `documents`, detected where not given."""
    languages = tuple(languages)
    found = {d.lang or corpus.detect_language(d.text, languages)[0] for d in documents if d.status == "ok"}
    return sorted(found & set(languages))


def _tallied(future: Future, tally: Tally) -> Future:
    """Return a Future of the DocResults alone, the task's counts going into `tally`."""
    results: Future = Future()

    def collect(done: Future) -> None:
        try:
            found, stats, models = done.result()
            tally.add(stats, models)
            results.set_result([unpack(document, records) for document, records in found])
        except BaseException as exc:  # re-raised where the results are read
            results.set_exception(exc)

    future.add_done_callback(collect)
    return results


_worker = threading.local()


def _start_worker(
    settings: Settings, cache_dir: Path | None, store: Store | None, pipelines: analysis.Pipelines | None,
    parent: int | None = None,
) -> None:
    # A worker dies with the run (killed by SIGKILL, SIGTERM or the out-of-memory killer),
    # never left holding its models' memory.
    die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the parent alone decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _state(settings, cache_dir, pipelines)
    _worker.store = store


def _state(
    settings: Settings, cache_dir: Path | None, pipelines: analysis.Pipelines | None = None
) -> tuple[analysis.Pipelines, ParseCache | None]:
    """Return this thread's pipelines (`pipelines` when given, else loaded on first use) and cache."""
    key = (settings.model_dump_json(), str(cache_dir))
    if getattr(_worker, "key", None) != key:
        _worker.key = key
        _worker.pipelines = pipelines if pipelines is not None else analysis.Pipelines(settings)
        _worker.cache = ParseCache(cache_dir) if cache_dir else None
    return _worker.pipelines, _worker.cache


def _run_window(documents: list[Document]):
    pipelines, cache = _worker.pipelines, _worker.cache
    stats = cache.stats if cache else None
    before = copy(stats)
    results = analysis.work(documents, pipelines, pipelines.settings, cache, _worker.store)
    # packed: the records cross to the parent as tuples, cheaper to pickle than dataclasses
    return [(r.document, pack(r)) for r in results], _delta(stats, before), pipelines.models()


def _delta(now, before):
    """Return the counts gained since `before` (see Counts.since); None stays None."""
    return None if now is None else now.since(before)


def dask(
    source: Path,
    settings: Settings,
    *,
    lang: str | None,
    cache_dir: Path | None,
    scheduler: str | None,
    workers: int,
    tally: Tally,
    memo: Memo | None = None,
    shard_files: int | None = None,
    skip: Iterable = (),
) -> Iterator[DocResult]:
    """Yield the DocResults of the corpus at `source` in order, computed on a Dask cluster.

    Without `scheduler` a LocalCluster of `workers` single-threaded processes is started on
    127.0.0.1. Tasks are shards of input files, read by the workers themselves, so the input
    and the cache folder must be reachable at the same paths on every worker; the workers
    also look up stored results (`memo`) themselves.
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
        shared = client.scatter(memo, broadcast=True) if memo is not None else None
        for shard in _batches(_sources(source, skip), shard_files or SHARD_FILES):
            pending.append(client.submit(_run_shard, shard, settings, lang, cache_dir, shared, pure=False))
            while len(pending) > 2 * max(tally.workers, 1):
                yield from _renamed(_collect(pending.popleft(), tally), seen)
        while pending:
            yield from _renamed(_collect(pending.popleft(), tally), seen)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _sources(source: Path, skip: Iterable = ()) -> Iterator[Path]:
    """Yield every input file under `source` (and every folder that cannot be listed), in order."""
    for item in corpus.walk(Path(source), skip):
        yield item[0] if isinstance(item, tuple) else item


def _batches(items: Iterator, size: int) -> Iterator[list]:
    while batch_ := list(islice(items, size)):
        yield batch_


def _collect(future, tally: Tally) -> list[DocResult]:
    results, stats, models, reused = future.result()
    tally.add(stats, models, reused)
    return results


def _run_shard(paths: list[Path], settings: Settings, lang: str | None, cache_dir: Path | None, memo: Memo | None):
    pipelines, cache = _state(settings, cache_dir)
    counts = (cache.stats if cache else None, memo.stats if memo else None)
    before = [copy(c) for c in counts]  # a scattered memo serves many shards: report this one's part
    documents = (
        document
        for path in paths
        for document in corpus.iter_documents(
            path, lang_override=lang, languages=tuple(settings.run.languages), detect=False
        )
    )
    store = memo.store if memo else None
    results = list(_in_order(_lookup(documents, memo), _here(pipelines, settings, cache, store), 1))
    return results, _delta(counts[0], before[0]), pipelines.models(), _delta(counts[1], before[1])


def _renamed(results: list[DocResult], seen: dict[str, str]) -> Iterator[DocResult]:
    """Give documents from different shards unique ids, as one corpus reader would have."""
    for result in results:
        old = result.document.id
        corpus.unique_id(result.document, seen)
        new = result.document.id
        if new != old:
            for record in (*result.mentions, *result.role_links, *result.meetings):
                record.doc = new
        yield result
