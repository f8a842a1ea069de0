"""The orchestrator: corpus -> spaCy -> rule layer -> records -> resolution -> graph -> files."""

from __future__ import annotations

import gc
import pickle
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from tqdm import tqdm

# tqdm's monitor thread only tunes refresh rates; with it running, the table writer would not
# fork (pipeline/tables.py).
tqdm.monitor_interval = 0

import pipeline
from pipeline import corpus, export, nlp as nlp_mod, reuse, rulediff
from pipeline.cache import ParseCache, default_folder as default_cache_folder
from pipeline.config import Settings
from pipeline.graph import GraphBuilder
from pipeline.records import DocResult, Document, pack, unpack
from pipeline.resolve import Resolver, role_label
from pipeline.ruleset import RuleSet, load_ruleset
from pipeline.tables import Tables, reader

# Documents are grouped by language within a window of this many, so mixed corpora still
# reach nlp.pipe in full batches while memory stays bounded.
WINDOW = 512


@dataclass
class RunReport:
    """What a finished run did: counts by status, where the files are, and the summary."""

    out_dir: Path
    counts: Counter = field(default_factory=Counter)
    files: dict[str, Path] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when no document failed, 1 when some did (skipped documents are not failures)."""
        return 1 if self.counts.get("error") else 0


class Pipelines:
    """Loads one spaCy pipeline per language on first use, so unused languages cost nothing."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._loaded: dict = {}

    def __call__(self, lang: str):
        if lang not in self._loaded:
            self._loaded[lang] = nlp_mod.load_pipeline(lang, self.settings)
            # The models live as long as the process: moved out of the collector's sight,
            # the per-window full collection in `analyse` stays a few milliseconds.
            gc.freeze()
        return self._loaded[lang]

    def models(self) -> dict[str, str]:
        """Return {lang: model name==version} for the pipelines loaded so far."""
        return {lang: nlp_mod.model_id(nlp) for lang, nlp in sorted(self._loaded.items())}


def result_from_doc(document: Document, doc, offset: int = 0) -> DocResult:
    """Turn a Doc that went through the rule layer into a DocResult; shift offsets by `offset`."""
    from pipeline.components.entities import mentions_from_doc
    from pipeline.components.meetings import meetings_from_doc
    from pipeline.components.roles import role_links_from_doc

    result = DocResult(
        document=document,
        mentions=mentions_from_doc(doc),
        role_links=role_links_from_doc(doc),
        meetings=meetings_from_doc(doc),
        ref_date=doc._.ref_date,
        ref_date_source=doc._.ref_date_source,
    )
    # Caps the rule layer hit (pipeline/limits.py); chunks of one document share its warnings.
    document.warnings += [w for w in doc._.warnings or [] if w not in document.warnings]
    if offset:
        _shift(result, offset)
    return result


def _shift(result: DocResult, offset: int) -> None:
    for item in (*result.mentions, *result.role_links, *result.meetings):
        item.start += offset
        item.end += offset
        if hasattr(item, "sent_start"):
            item.sent_start += offset
    for link in result.role_links:
        link.person.start += offset
        link.person.end += offset
    for meeting in result.meetings:
        for person in meeting.participants:
            person.start += offset
            person.end += offset


def _merge(parts: list[tuple[int, DocResult]]) -> DocResult:
    parts = sorted(parts, key=lambda part: part[0])
    first = parts[0][1]
    for _, part in parts[1:]:
        first.mentions += part.mentions
        first.role_links += part.role_links
        first.meetings += part.meetings
    return first


def process(
    documents: Iterable[Document],
    pipelines: Pipelines,
    settings: Settings,
    cache: ParseCache | None = None,
    store: reuse.Store | None = None,
    window: int = WINDOW,
) -> Iterator[DocResult]:
    """Run the NLP and the rule layer over documents; yield one DocResult per input document.

    Documents that are not ok pass through with no records; those read without a language
    get one first. Long texts are split at paragraph breaks (settings.run.max_chars) and their
    chunks' records are merged back with true offsets. With a cache, texts parsed by an
    earlier run are read from it and new parses are added; with a store, every result is
    kept for later runs to reuse.
    """
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= window:
            yield from work(batch, pipelines, settings, cache, store)
            batch = []
    if batch:
        yield from work(batch, pipelines, settings, cache, store)


def work(
    documents: list[Document],
    pipelines: Pipelines,
    settings: Settings,
    cache: ParseCache | None = None,
    store: reuse.Store | None = None,
) -> list[DocResult]:
    """Detect missing languages, analyse a window of documents and store the results; return them."""
    keys = [store.key(d) if store and d.status == "ok" else "" for d in documents]
    known = [len(d.warnings) for d in documents]
    for document in documents:
        corpus.detect(document, settings.run.languages)
    words: dict[int, set[str]] | None = {} if store else None
    results = analyse(documents, pipelines, settings, cache, words)
    for index, (key, result) in enumerate(zip(keys, results)):
        if key:
            store.put(key, result, sorted(words.get(index, ())), known[index])
    return results


def analyse(
    documents: list[Document],
    pipelines: Pipelines,
    settings: Settings,
    cache: ParseCache | None = None,
    words: dict[int, set[str]] | None = None,
) -> list[DocResult]:
    """Return the DocResults of a window of documents, in order (see `process`).

    Each language's part runs inside spaCy's memory zone, so strings seen only in these
    texts are dropped afterwards: the records keep plain copies, no Doc leaves the zone.
    When `words` is given it receives each document's words (pipeline/rulediff.py).
    """
    by_lang: dict[str, list[int]] = {}
    for index, document in enumerate(documents):
        if document.status == "ok":
            by_lang.setdefault(document.lang, []).append(index)
    parts: dict[int, list[tuple[int, DocResult]]] = {}
    for lang, indexes in by_lang.items():
        nlp = pipelines(lang)
        tasks = [
            (chunk, (index, offset))
            for index in indexes
            for offset, chunk in corpus.split_text(documents[index].text, settings.run.max_chars)
        ]
        with nlp.memory_zone():
            for doc, (index, offset) in parse(nlp, tasks, settings.run.batch_size, cache):
                document = documents[index]
                doc._.doc_id = document.id
                doc._.pub_date = document.date
                nlp_mod.run_rule_layer(nlp, doc)
                if words is not None:
                    words.setdefault(index, set()).update(rulediff.doc_words(doc))
                parts.setdefault(index, []).append((offset, result_from_doc(document, doc, offset)))
    # Rule-layer values stored on a Doc point back to it; only a full collection frees such
    # cycles, and without one per window the heap grows for thousands of documents first.
    gc.collect()
    return [_merge(parts[i]) if i in parts else DocResult(document=d) for i, d in enumerate(documents)]


def parse(
    nlp, tasks: list[tuple[str, object]], batch_size: int, cache: ParseCache | None = None
) -> Iterator[tuple[object, object]]:
    """Yield (Doc, context) for (text, context) pairs: statistical pipes only, rule layer disabled.

    The rule layer needs each Doc's publication date before it runs, so it is applied by the
    caller; this split is what lets the cache skip the expensive part. Texts found in the
    cache come first, then the others as nlp.pipe parses them (and the cache stores them).
    """
    if cache is None:
        yield from nlp.pipe(tasks, as_tuples=True, batch_size=batch_size, disable=list(nlp_mod.RULE_PIPES))
        return
    missing = []
    for text, context in tasks:
        doc = cache.get(nlp, text)
        if doc is None:
            missing.append((text, context))
        else:
            yield doc, context
    parsed = nlp.pipe(missing, as_tuples=True, batch_size=batch_size, disable=list(nlp_mod.RULE_PIPES))
    for (text, _), (doc, context) in zip(missing, parsed):
        cache.put(nlp, text, doc)
        yield doc, context


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
) -> RunReport:
    """Process every document under `source` and write all outputs into `out_dir`.

    Rule files are validated first: a RuleError is raised before anything is written. Parses
    are cached in `cache_dir` (default `<out_dir>/.cache`) unless `use_cache` is False.
    `workers` processes share the work (default settings.run.workers, 0 = one per core);
    `engine` "dask" runs it on the cluster at `scheduler`, or on a local one. The per-document
    results are spooled to a temporary file so that the graph is built by two streaming
    passes (resolve, then aggregate) with bounded memory. Returns a RunReport.
    """
    from pipeline import engines  # engines builds on this module's per-window work

    started = time.perf_counter()
    ruleset = load_ruleset(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = (cache_dir or default_cache_folder(out_dir)) if use_cache else None
    workers = workers if workers is not None else settings.run.workers
    tally = engines.Tally(workers=workers or engines.default_workers())
    memo = reuse.open_memo(cache_dir, settings, ruleset, lang) if cache_dir else None
    # The rules and gazetteers live as long as the run: out of the collector's sight, its full
    # collections (several per thousand documents) stop walking them.
    gc.freeze()
    if engine == "dask":
        results = engines.dask(
            source, settings, lang=lang, cache_dir=cache_dir, scheduler=scheduler, workers=tally.workers,
            tally=tally, memo=memo,
        )
    elif engine == "local":
        documents = corpus.iter_documents(
            source, lang_override=lang, languages=tuple(settings.run.languages), detect=False
        )
        results = engines.local(documents, settings, cache_dir=cache_dir, workers=tally.workers, tally=tally, memo=memo)
    else:
        raise ValueError(f"unknown engine {engine!r}: expected local or dask")
    report = RunReport(out_dir=out_dir)
    resolver = Resolver(gazetteer=ruleset.places, actors=ruleset.actors, organizations=ruleset.roles.organizations)
    show = sys.stderr.isatty() if progress is None else progress
    with _Spool(out_dir) as spool, _Spool(out_dir) as documents:
        for result in tqdm(results, desc="documents", unit="doc", disable=not show):
            report.counts[result.document.status] += 1
            resolver.add(result)
            spool.add((result.document, pack(result)))
        parsed = time.perf_counter()
        if memo is not None and engine == "local":  # Dask workers report their own lookups
            tally.reuse.add(memo.stats)
        resolution = resolver.finish()

        def results() -> Iterator[DocResult]:
            return (unpack(document, records) for document, records in spool.items())

        # Flushed before the fork: a child inheriting buffered bytes would write them a second time.
        spool.file.flush()
        with Tables(out_dir, resolution) as tables:
            tables.start(results)
            builder = GraphBuilder(resolution, settings.limits)
            for result in results():
                builder.add(result)
                documents.add(result.document)
            graph = builder.graph()  # caps hit here add warnings to documents, hence their rows come last
            report.summary = _summary(report, graph, tally, ruleset, started, parsed, engine)
            report.files = export.write_outputs(
                out_dir,
                graph,
                mentions=tables.rows("mentions"),
                relations=tables.rows("relations"),
                documents=(document_row(builder.annotate(d)) for d in documents.items()),
                summary=report.summary,
            )
    return report


class _Spool:
    """A scratch file of pickled objects, written once and read back in order.

    pickle: the spool is this run's own scratch file, deleted when the run ends.
    """

    def __init__(self, folder: Path):
        self.file = tempfile.TemporaryFile("w+b", dir=folder, prefix=".spool-")

    def __enter__(self) -> "_Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def add(self, item) -> None:
        """Append one object."""
        pickle.dump(item, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def items(self) -> Iterator:
        """Yield every object from the start; each call reads at its own offset, so a forked
        process may read the spool at the same time."""
        self.file.flush()
        source = reader(self.file)
        while True:
            try:
                yield pickle.load(source)
            except EOFError:
                return


def _summary(report: RunReport, graph, tally, ruleset: RuleSet, started: float, parsed: float, engine: str) -> dict:
    nodes = Counter(data.get("type", "") for _, data in graph.nodes(data=True))
    edges = Counter(data.get("relation", "") for _, _, data in graph.edges(data=True))
    return {
        "tool": "actorgraph",
        "version": pipeline.__version__,
        "models": dict(sorted(tally.models.items())),
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


def explain(text: str, settings: Settings, *, lang: str | None = None, date: str = "") -> DocResult:
    """Run the whole per-document path over one text and return its DocResult.

    The language is detected unless given; rule files are validated first (RuleError).
    """
    load_ruleset(settings)
    document = corpus.document_from_text(text, doc_id="explain", lang=lang, date=date)
    if document.status != "ok":
        raise ValueError(f"cannot explain this text: {document.reason}")
    return next(process([document], Pipelines(settings), settings))


def format_explanation(result: DocResult) -> str:
    """Return a readable report of a DocResult: entities, role links and meetings with rule ids."""
    lines = [f"language: {result.document.lang}   reference date: {result.ref_date or '-'} ({result.ref_date_source or 'none'})", "", "ENTITIES"]
    for m in result.mentions:
        extra = " ".join(
            part for part in (
                f"value={m.value:g}" if m.value is not None else "",
                f"qualifier={m.qualifier!r}" if m.qualifier else "",
                f"norm={m.norm!r}" if m.norm else "",
            ) if part
        )
        lines.append(f"  {m.label:<7} {m.text!r} [{m.start}:{m.end}] {extra}  rules: {', '.join(m.rules)}")
    lines += ["", "ROLES"]
    for r in result.role_links:
        qual = f"{r.qualifier} " if r.qualifier else ""
        office = role_label(r.role, r.jurisdiction, r.organization)
        lines.append(f"  {r.person.text!r} -> {qual}{office}  from {r.text!r}  rules: {', '.join(r.rules)}")
    lines += ["", "MEETINGS"]
    for m in result.meetings:
        people = ", ".join(p.text + (f" (= {p.role} of {p.jurisdiction})" if p.role else "") for p in m.participants)
        lines.append(
            f"  {m.kind} via {m.trigger!r}: participants [{people}] place={m.place or '-'} "
            f"date={m.date or '-'} ({m.date_text or '-'}){' name=' + repr(m.name) if m.name else ''}  rules: {', '.join(m.rules)}"
        )
    return "\n".join(lines)
