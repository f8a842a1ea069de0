"""The orchestrator: corpus -> spaCy -> rule layer -> records -> resolution -> graph -> files."""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from pathlib import Path
from typing import Iterator

from tqdm import tqdm

import pipeline
from pipeline import corpus, engines
from pipeline.config import Settings
from pipeline.export import commit as export
from pipeline.export.tables import Tables
from pipeline.graph import GraphBuilder
from pipeline.incremental import plain, reuse
from pipeline.incremental.cache import default_folder as default_cache_folder
from pipeline.incremental.cache import writable as cache_writable
from pipeline.records import DocResult, Document, MeetingMention, Mention, RoleLink, pack, unpack
from pipeline.resolve.resolution import Resolver
from pipeline.rules.ruleset import RuleSet, load_ruleset
from pipeline.spill import Spilled, reader

# tqdm's monitor thread only tunes refresh rates; with it running, the table writer would not
# fork (pipeline/export/tables.py).
tqdm.monitor_interval = 0


@dataclass
class RunReport:
    """What a finished run did: counts by status, where the files are, and the summary."""

    out_dir: Path
    counts: Counter = field(default_factory=Counter)
    files: dict[str, Path] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    other_languages: int = 0  # documents skipped because detection found another language

    @property
    def exit_code(self) -> int:
        """0 when no document failed, 1 when some did (skipped documents are not failures)."""
        return 1 if self.counts.get("error") else 0


def document_row(document: Document) -> dict:
    """Return the documents.jsonl row of a document (everything but its text)."""
    row = {k: v for k, v in document.__dict__.items() if k != "text"}
    row["chars"] = len(document.text)
    return row


def run(
    source: Path,
    out_dir: Path,
    settings: Settings,
    *,
    lang: str | None = None,
    progress: bool | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    view: bool = False,
    wait: bool = False,
) -> RunReport:
    """Process every document under `source` and write all outputs into `out_dir`.

    Rule files are validated first: a RuleError is raised before anything is written. Parses
    are cached in `cache_dir` (default `<out_dir>/.cache`) unless `use_cache` is False.
    `workers` processes share the work (default settings.run.workers, 0 = one per core);
    `engine` "dask" runs it on the cluster at `scheduler`, or on a local one. The per-document
    results are spooled to a temporary file so that the graph is built by two streaming
    passes (resolve, then aggregate) with bounded memory. `view` adds graph.html and graph.svg
    (pipeline/view) to the files committed together. Returns a RunReport.

    One run writes `out_dir` at a time: its lock is taken before the first write (OutputBusy
    when another run holds it, unless `wait`), and a commit a killed run left unfinished is
    finished first (a journal that is not ours: JournalError, before any work).
    """
    started = time.perf_counter()
    ruleset = load_ruleset(settings)
    with export.writer_lock(out_dir, wait=wait):
        export.recover(out_dir)
        return _run(source, out_dir, settings, ruleset, started, lang=lang, progress=progress, cache_dir=cache_dir,
                    use_cache=use_cache, workers=workers, engine=engine, scheduler=scheduler, view=view)


def _run(source: Path, out_dir: Path, settings: Settings, ruleset: RuleSet, started: float, *, lang, progress,
         cache_dir, use_cache, workers, engine, scheduler, view) -> RunReport:
    cache_dir = (cache_dir or default_cache_folder(out_dir)) if use_cache else None
    workers = workers if workers is not None else settings.run.workers
    tally = engines.Tally(workers=engines.capped_workers(workers))
    store = cache_writable(cache_dir) if cache_dir else False  # read-only: one warning, nothing stored
    memo = reuse.open_memo(cache_dir, settings, ruleset, lang, writable=store) if cache_dir else None
    # The rules and gazetteers live as long as the run: out of the collector's sight, its full
    # collections (several per thousand documents) stop walking them.
    gc.freeze()
    results = _results(source, settings, engine, lang=lang, cache_dir=cache_dir, scheduler=scheduler, tally=tally, memo=memo,
                       skip=(out_dir,), scratch=out_dir)
    report = RunReport(out_dir=out_dir)
    resolver = Resolver(
        gazetteer=ruleset.places, actors=ruleset.actors, organizations=ruleset.roles.organizations, words=ruleset.words
    )
    show = sys.stderr.isatty() if progress is None else progress
    with _Spool(out_dir) as spool, _Spool(out_dir) as documents:
        for result in tqdm(results, desc="documents", unit="doc", disable=not show):
            report.counts[result.document.status] += 1
            if result.document.status == "skipped" and result.document.reason.startswith("language "):
                report.other_languages += 1
            resolver.add(result)
            spool.add(_spooled(result, spool))
        parsed = time.perf_counter()
        if memo is not None and engine == "local":  # Dask workers report their own lookups
            tally.reuse.add(memo.stats)
        resolution = resolver.finish()

        def results() -> Iterator[DocResult]:
            return (_unspooled(item, spool) for item in spool.items())

        # Flushed before the fork: a child inheriting buffered bytes would write them a second time.
        spool.flush()
        with Tables(out_dir, resolution) as tables:
            tables.start(results)
            builder = GraphBuilder(resolution, settings.limits)
            for result in results():
                builder.add(result)
                documents.add(_document_values(result.document))
            graph = builder.graph()  # caps hit here add warnings to documents, hence their rows come last
            report.summary = _summary(report, graph, tally, ruleset, settings, started, parsed, engine)
            report.files = export.write_outputs(
                out_dir,
                graph,
                mentions=tables.rows("mentions"),
                relations=tables.rows("relations"),
                documents=(document_row(builder.annotate(Document(*d))) for d in documents.items()),
                summary=report.summary,
                formats=(*export.DEFAULT_FORMATS, "view") if view else export.DEFAULT_FORMATS,
            )
    return report


def _results(
    source: Path, settings: Settings, engine: str, *, lang, cache_dir, scheduler, tally, memo, skip=(), scratch=None
) -> Iterator[DocResult]:
    """Return the DocResults of every document under `source`, in corpus order, from `engine`;
    folders in `skip` (the output folder, when inside `source`) are not read; long documents'
    mentions wait in a scratch file in `scratch`."""
    if engine == "dask":
        return engines.dask(
            source, settings, lang=lang, cache_dir=cache_dir, scheduler=scheduler, workers=tally.workers,
            tally=tally, memo=memo, skip=skip,
        )
    if engine == "local":
        documents = corpus.iter_documents(
            source, lang_override=lang, languages=tuple(settings.run.languages), detect=False, skip=skip
        )
        return engines.local(
            documents, settings, cache_dir=cache_dir, workers=tally.workers, tally=tally, memo=memo, scratch=scratch
        )
    raise ValueError(f"unknown engine {engine!r}: expected local or dask")


_document_values = attrgetter(*(f.name for f in fields(Document)))  # a Document as a tuple, in field order
_SENTENCE_AT = [[f.name for f in fields(cls)].index("sentence") for cls in (Mention, RoleLink, MeetingMention)]


def _spooled(result: DocResult, spool: "_Spool") -> list:
    """A result as plain data for the spool: its Document's values, the distinct sentences its
    records quote, and the packed records with each sentence replaced by its index (msgpack,
    unlike pickle, would otherwise store a sentence once per record that quotes it). Mentions
    on disk (a long document's) are copied to the spool's mention file: [start, end, count]."""
    table: dict[str, int] = {}
    kinds = []
    mentions = result.mentions
    spilled = isinstance(mentions, Spilled)
    for at, records in zip(_SENTENCE_AT, pack(replace(result, mentions=[]) if spilled else result)[:3]):
        rows = []
        for values in records:
            values = list(values)
            values[at] = table.setdefault(values[at], len(table))
            rows.append(values)
        kinds.append(rows)
    if spilled:
        copy = mentions.copy_to(spool.mentions)
        kinds[0] = {"start": copy.start, "end": copy.end, "count": copy.count}
    return [_document_values(result.document), list(table), *kinds, result.ref_date, result.ref_date_source]


def _unspooled(item: list, spool: "_Spool") -> DocResult:
    """The DocResult `_spooled` turned into `item`; records quoting one sentence share its string."""
    document, sentences, *kinds, ref_date, ref_date_source = item
    spilled = kinds[0] if isinstance(kinds[0], dict) else None
    if spilled:
        kinds[0] = []
    for at, records in zip(_SENTENCE_AT, kinds):
        for values in records:
            values[at] = sentences[values[at]]
    result = unpack(Document(*document), (*kinds, ref_date, ref_date_source))
    if spilled:
        result.mentions = Spilled(spool.mentions, spilled["start"], spilled["end"], spilled["count"])
    return result


class _Spool:
    """A scratch file of plain data (msgpack: tuples come back as lists), written once and read
    back in order, and one of the mentions of long documents (pipeline/spill.py). Data, not
    pickles, like every file the package reads back."""

    def __init__(self, folder: Path):
        self.file = tempfile.TemporaryFile("w+b", dir=folder, prefix=".spool-")
        self.mentions = tempfile.TemporaryFile("w+b", dir=folder, prefix=".spool-")
        self.packer = plain.packer()

    def __enter__(self) -> "_Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()
        self.mentions.close()

    def add(self, item) -> None:
        """Append one object."""
        self.file.write(self.packer.pack(item))

    def flush(self) -> None:
        """Write what is buffered to disk (before a fork: a child would write it a second time)."""
        self.file.flush()
        self.mentions.flush()

    def items(self) -> Iterator:
        """Yield every object from the start; each call reads at its own offset, so a forked
        process may read the spool at the same time."""
        self.flush()
        yield from plain.stream(reader(self.file))


def _summary(
    report: RunReport, graph, tally, ruleset: RuleSet, settings: Settings, started: float, parsed: float, engine: str
) -> dict:
    nodes = Counter(data.get("type", "") for _, data in graph.nodes(data=True))
    edges = Counter(data.get("relation", "") for _, _, data in graph.edges(data=True))
    return {
        "tool": "actorgraph",
        "version": pipeline.__version__,
        "models": dict(sorted(tally.models.items())),
        "rules_folder": str(settings.config_dir),
        "rules_sha256": ruleset.digest,
        "documents": sum(report.counts.values()),
        "status": {status: report.counts.get(status, 0) for status in ("ok", "skipped", "error")},
        "nodes": dict(sorted(nodes.items())),
        "edges": dict(sorted(edges.items())),
        "run": {"engine": engine, "workers": tally.workers, "cache": vars(tally.cache), "reuse": vars(tally.reuse)},
        "seconds": {
            "nlp_and_rules": round(parsed - started, 3),
            "total": round(time.perf_counter() - started, 3),
        },
    }
