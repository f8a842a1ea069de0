"""The per-window analysis and the engines without a model: chunk merging, shard windows, ids across shards."""

from __future__ import annotations

import multiprocessing
import os

import pytest
import spacy

from pipeline import engines
from pipeline.nlp import analysis
from pipeline.nlp import models as nlp_mod
from pipeline.records import DocResult, Document, MeetingMention, Mention, PersonRef, RoleLink


def mention(doc: str, text: str, start: int) -> Mention:
    return Mention(doc=doc, lang="en", label="PERSON", text=text, start=start, end=start + len(text), sentence="", sent_start=0)


def result(doc: str, *names: str) -> DocResult:
    person = PersonRef(text="Blinken", start=0, end=7)
    return DocResult(
        document=Document(id=doc, text="x", lang="en"),
        mentions=[mention(doc, name, i * 10) for i, name in enumerate(names)],
        role_links=[RoleLink(doc=doc, lang="en", person=person, role="Secretary of State", role_id="r1")],
        meetings=[MeetingMention(doc=doc, lang="en", kind="meeting", trigger="met", start=0, end=3)],
    )


def test_batch_merge_orders_chunks_by_offset():
    parts = [(500, result("a", "second")), (0, result("a", "first"))]
    merged = analysis._merge(parts)
    assert [m.text for m in merged.mentions] == ["first", "second"]


@pytest.mark.parametrize("ids,expected", [
    (["a", "b"], ["a", "b"]),
    (["a", "a", "a"], ["a", "a#2", "a#3"]),
    (["a", "a#2", "a"], ["a", "a#2", "a#3"]),
])
def test_batch_ids_unique_across_shards(ids, expected):
    seen: dict[str, str] = {}
    shards = [[result(ident, "Blinken")] for ident in ids]
    out = [r for shard in shards for r in engines._renamed(shard, seen)]
    assert [r.document.id for r in out] == expected
    for r in out:
        assert {m.doc for m in (*r.mentions, *r.role_links, *r.meetings)} == {r.document.id}


@pytest.mark.parametrize("count,size,lengths", [(0, 3, []), (5, 2, [2, 2, 1]), (4, 4, [4])])
def test_batch_windows_cover_input_in_order(count, size, lengths):
    items = [Document(id=str(i)) for i in range(count)]
    windows = list(engines._batches(iter(items), size))
    assert [len(w) for w in windows] == lengths
    assert [d.id for w in windows for d in w] == [str(i) for i in range(count)]


@pytest.mark.parametrize(
    "pattern, window, depth",
    [
        ("dddrrdrdd", 2, 1),  # d: a document to analyse, r: a result reused from an earlier run
        ("rrrr", 2, 1),
        ("dddddddd", 3, 2),
        ("drdrdrdrdr", 4, 3),
        ("", 2, 1),
    ],
)
def test_engines_in_order_keeps_corpus_order(monkeypatch, pattern, window, depth):
    from concurrent.futures import Future

    monkeypatch.setattr(engines, "POOL_WINDOW", window)
    items = [Document(id=str(i)) if kind == "d" else DocResult(Document(id=str(i))) for i, kind in enumerate(pattern)]
    sent: list[list[str]] = []

    def submit(documents):
        assert all(isinstance(d, Document) for d in documents) and 0 < len(documents) <= window
        sent.append([d.id for d in documents])
        future = Future()
        future.set_result([DocResult(d) for d in documents])
        return future

    out = list(engines._in_order(iter(items), submit, depth))
    assert [r.document.id for r in out] == [str(i) for i in range(len(pattern))]
    assert [i for ids in sent for i in ids] == [str(i) for i, kind in enumerate(pattern) if kind == "d"]


def _fake_window(documents):
    from pipeline.records import pack

    return [(d, pack(DocResult(d))) for d in documents], None, {"en": "fake==0"}


def test_engines_runner_moves_to_workers_past_the_threshold(monkeypatch):
    from pipeline.config import load_settings

    monkeypatch.setattr(engines, "PARALLEL_MIN_CHARS", 10)
    monkeypatch.setattr(engines, "_run_window", _fake_window)  # inherited by the forked workers
    monkeypatch.setattr(analysis, "work", lambda documents, *args: [DocResult(d) for d in documents])
    tally = engines.Tally()
    runner = engines._Runner(load_settings(), None, None, 2, tally)
    try:
        here = runner.submit([Document(id="a", text="1234")]).result()
        assert runner.pool is None and tally.workers == 1
        there = runner.submit([Document(id="b", text="123456789")]).result()
        assert runner.pool is not None and tally.workers == 2
    finally:
        runner.close()
    assert [r.document.id for r in here + there] == ["a", "b"]
    assert tally.models == {"en": "fake==0"}


def _languages_loaded() -> list[str]:
    return sorted(engines._worker.pipelines._loaded)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="workers are forked only where fork exists")
def test_engines_forked_workers_inherit_the_pipelines_loaded_here(monkeypatch):
    from pipeline.config import load_settings

    loads = []

    def load(lang, settings):
        loads.append((os.getpid(), lang))
        return spacy.blank(lang)

    monkeypatch.setattr(nlp_mod, "load_pipeline", load)
    runner = engines._Runner(load_settings(), None, None, 2, engines.Tally())
    sample = [
        Document(id="a", text="The foreign minister met her counterpart in Madrid on Tuesday to talk about trade."),
        Document(id="b", text="El canciller se reunió con su homóloga en Madrid.", lang="es"),
        Document(id="c", text="Der Außenminister traf seinen Amtskollegen in Berlin zu Gesprächen über den Handel."),
    ]
    try:
        runner.start_pool(sample)
        found = runner.pool.submit(_languages_loaded).result()
    finally:
        runner.close()
    assert found == ["en", "es"]  # German is not a run language: nothing loaded for it
    assert loads == [(os.getpid(), "en"), (os.getpid(), "es")]  # here, once, before any window
