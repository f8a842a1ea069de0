"""The per-window analysis: documents -> spaCy (or the parse cache) -> rule layer -> DocResults.

Every engine (pipeline/engines.py) runs windows of documents through `work`.
"""

from __future__ import annotations

import gc
from typing import Iterable, Iterator

import pipeline.nlp.extensions  # noqa: F401  the Doc extensions this module reads and sets
from pipeline import corpus
from pipeline.config import Settings
from pipeline.incremental import reuse, rulediff
from pipeline.incremental.cache import ParseCache
from pipeline.nlp import models as nlp_mod
from pipeline.pieces import shift
from pipeline.records import DocResult, Document, Piece

# Documents are grouped by language within a window of this many, so mixed corpora still
# reach nlp.pipe in full batches while memory stays bounded.
WINDOW = 512


class Pipelines:
    """Loads one spaCy pipeline per language on first use, so unused languages cost nothing."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._loaded: dict = {}

    def __call__(self, lang: str):
        if lang not in self._loaded:
            # load_pipeline moves the models out of the collector's sight (gc.freeze), so the
            # per-window full collection in `analyse` stays a few milliseconds.
            self._loaded[lang] = nlp_mod.load_pipeline(lang, self.settings)
        return self._loaded[lang]

    def models(self) -> dict[str, str]:
        """Return {lang: model name==version} for the pipelines loaded so far."""
        return {lang: nlp_mod.model_id(nlp) for lang, nlp in sorted(self._loaded.items())}


def result_from_doc(document: Document, doc, offset: int = 0) -> DocResult:
    """Turn a Doc that went through the rule layer into a DocResult; shift offsets by `offset`."""
    from pipeline.rules.entities import mentions_from_doc
    from pipeline.rules.meetings.component import meetings_from_doc
    from pipeline.rules.roles.component import role_links_from_doc

    result = DocResult(
        document=document,
        mentions=mentions_from_doc(doc),
        role_links=role_links_from_doc(doc),
        meetings=meetings_from_doc(doc),
        ref_date=doc._.ref_date,
        ref_date_source=doc._.ref_date_source,
    )
    # Caps the rule layer hit (pipeline/rules/caps.py); chunks of one document share its warnings.
    document.warnings += [w for w in doc._.warnings or [] if w not in document.warnings]
    shift(result, offset)
    _share_sentences(result)
    return result


def _share_sentences(result: DocResult) -> None:
    """Make the records quoting one sentence hold one string: a long document's records are
    most of what its processes keep, and most of their bytes are the sentences."""
    seen: dict[str, str] = {}
    for record in (*result.mentions, *result.role_links, *result.meetings):
        record.sentence = seen.setdefault(record.sentence, record.sentence)


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
    # A Piece's results are part of a document's: only whole documents are stored for reuse.
    keys = [store.key(d) if store and d.status == "ok" and not isinstance(d, Piece) else "" for d in documents]
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
    When `words` is given it receives each document's words (pipeline/incremental/rulediff.py).
    """
    by_lang: dict[str, list[int]] = {}
    for index, document in enumerate(documents):
        if document.status == "ok":
            by_lang.setdefault(document.lang, []).append(index)
    parts: dict[int, list[tuple[int, DocResult]]] = {}
    run = settings.run
    for lang, indexes in by_lang.items():
        nlp = pipelines(lang)
        # Lazily: a long text is cut as its chunks are parsed, never held as a second copy.
        tasks = (
            (chunk, (index, offset))
            for index in indexes
            for offset, chunk in _chunks(documents[index], run.chunk_chars)
        )
        collected = 0
        with nlp.memory_zone():
            for doc, (index, offset) in parse(nlp, tasks, run.batch_size, cache, run.batch_chars):
                document = documents[index]
                doc._.doc_id = document.id
                doc._.pub_date = document.date
                nlp_mod.run_rule_layer(nlp, doc)
                if words is not None:
                    words.setdefault(index, set()).update(rulediff.doc_words(doc))
                parts.setdefault(index, []).append((offset, result_from_doc(document, doc, offset)))
                collected += len(doc.text)
                del doc
                if collected >= run.batch_chars:
                    # Parsed chunks point back at themselves through rule-layer values: without a
                    # collection per budget of text, a long document's chunks would all stay.
                    gc.collect()
                    collected = 0
    # Rule-layer values stored on a Doc point back to it; only a full collection frees such
    # cycles, and without one per window the heap grows for thousands of documents first.
    gc.collect()
    return [_merge(parts[i]) if i in parts else DocResult(document=d) for i, d in enumerate(documents)]


def _chunks(document: Document, size: int) -> Iterator[tuple[int, str]]:
    """Yield the (offset, text) chunks of a document; a Piece keeps the cuts of its whole document."""
    if not isinstance(document, Piece):
        yield from corpus.iter_split(document.text, size)
        return
    ends = [*document.cuts[1:], len(document.text)]
    for start, end in zip(document.cuts, ends):
        yield start, document.text[start:end]


def parse(
    nlp,
    tasks: Iterable[tuple[str, object]],
    batch_size: int,
    cache: ParseCache | None = None,
    batch_chars: int | None = None,
) -> Iterator[tuple[object, object]]:
    """Yield (Doc, context) for (text, context) pairs: statistical pipes only, rule layer disabled.

    The rule layer needs each Doc's publication date before it runs, so it is applied by the
    caller; this split is what lets the cache skip the expensive part. Texts go to spaCy in
    batches of at most `batch_size` texts and `batch_chars` characters (settings.run): the
    characters, not the count of texts, decide what spaCy holds at once, so memory does not
    grow with a document's length. Within a batch, texts found in the cache come first, then
    the others as nlp.pipe parses them (and the cache stores them).
    """
    disabled = list(nlp_mod.RULE_PIPES)
    for batch in batches(tasks, batch_size, batch_chars):
        missing = batch
        if cache is not None:
            missing = []
            for text, context in batch:
                doc = cache.get(nlp, text)
                if doc is None:
                    missing.append((text, context))
                else:
                    yield doc, context
        parsed = nlp.pipe(missing, as_tuples=True, batch_size=max(len(missing), 1), disable=disabled)
        for (text, _), (doc, context) in zip(missing, parsed):
            if cache is not None:
                cache.put(nlp, text, doc)
            yield doc, context


def batches(tasks: Iterable[tuple[str, object]], size: int, chars: int | None) -> Iterator[list[tuple[str, object]]]:
    """Group (text, context) pairs in order: at most `size` texts and, unless a text is longer on
    its own, at most `chars` characters per group."""
    batch: list[tuple[str, object]] = []
    total = 0
    for task in tasks:
        length = len(task[0])
        if batch and (len(batch) >= size or (chars is not None and total + length > chars)):
            yield batch
            batch, total = [], 0
        batch.append(task)
        total += length
    if batch:
        yield batch
