"""Every engine writes the same graph for the sample corpus: in-process, local workers, Dask, cached;
and the mention and relation tables are the same whether a forked child or the run itself encodes them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import engines, pieces
from pipeline import run as orchestrator
from pipeline.config import load_settings
from pipeline.export import tables

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data/news"
COMPARED = ("graph.graphml", "graph.gexf", "nodes.csv", "edges.csv", "mentions.jsonl", "relations.jsonl", "documents.jsonl")

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    report = orchestrator.run(SAMPLE, out, load_settings(), workers=1, use_cache=False, progress=False)
    assert report.counts["ok"] == 5
    return out


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


def same_outputs(left: Path, right: Path) -> list[str]:
    return [name for name in COMPARED if (left / name).read_bytes() != (right / name).read_bytes()]


def test_engines_local_workers_equal_in_process(reference, cache_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(engines, "POOL_WINDOW", 2)
    report = orchestrator.run(SAMPLE, tmp_path, load_settings(), workers=2, cache_dir=cache_dir, progress=False)
    assert report.summary["run"]["workers"] == 2
    assert report.summary["run"]["cache"]["misses"] == 5
    assert same_outputs(reference, tmp_path) == []


def test_engines_cached_run_equals_fresh(reference, cache_dir, tmp_path):
    report = orchestrator.run(SAMPLE, tmp_path, load_settings(), workers=1, cache_dir=cache_dir, progress=False)
    assert report.summary["run"]["reuse"] == {"reused": 5, "rerun": 0, "new": 0}
    assert report.summary["run"]["cache"] == {"hits": 0, "misses": 0, "rebuilt": 0}  # no Doc was even loaded
    assert same_outputs(reference, tmp_path) == []


def test_engines_parse_cache_alone_equals_fresh(reference, cache_dir, tmp_path):
    for entry in (cache_dir / "results").rglob("*"):
        if entry.is_file():
            entry.unlink()
    report = orchestrator.run(SAMPLE, tmp_path, load_settings(), workers=1, cache_dir=cache_dir, progress=False)
    assert report.summary["run"]["reuse"] == {"reused": 0, "rerun": 0, "new": 5}
    assert report.summary["run"]["cache"] == {"hits": 5, "misses": 0, "rebuilt": 0}
    assert same_outputs(reference, tmp_path) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_engines_long_documents_in_pieces_equal_whole(tmp_path, monkeypatch, workers):
    settings = load_settings()
    settings.run.batch_chars = 1_000  # several chunks a document, so pieces of several chunks
    orchestrator.run(SAMPLE, tmp_path / "whole", settings, workers=1, use_cache=False, progress=False)
    cut = []
    monkeypatch.setattr(pieces, "PIECE_CHARS", 2_500)
    monkeypatch.setattr(pieces, "cut", lambda *args: cut.append(list(pieces_cut(*args))) or iter(cut[-1]))
    monkeypatch.setattr(engines, "PARALLEL_MIN_CHARS", 0)
    report = orchestrator.run(SAMPLE, tmp_path / "pieces", settings, workers=workers, use_cache=False, progress=False)
    assert report.summary["run"]["workers"] == workers
    assert len(cut) >= 4 and max(len(found) for found in cut) >= 2
    assert same_outputs(tmp_path / "whole", tmp_path / "pieces") == []


pieces_cut = pieces.cut


def _fail_in_child(parent: int):
    real = tables.encode_rows

    def encode(rows):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return real(rows)

    return encode


# Before the Dask test: Dask leaves threads behind, and a process with threads never forks.
@pytest.mark.parametrize("mode", ["forked", "no fork", "child fails"])
def test_engines_tables_forked_or_here_write_the_same(reference, cache_dir, tmp_path, monkeypatch, mode):
    forks = []
    start = tables.Tables.start

    def counted(self, results):
        start(self, results)
        forks.append(self.child is not None)

    monkeypatch.setattr(tables.Tables, "start", counted)
    if mode == "no fork":
        monkeypatch.setattr(tables.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    if mode == "child fails":
        monkeypatch.setattr(tables, "encode_rows", _fail_in_child(os.getpid()))
    orchestrator.run(SAMPLE, tmp_path, load_settings(), workers=1, cache_dir=cache_dir, progress=False)
    assert forks == [mode != "no fork"]
    assert same_outputs(reference, tmp_path) == []


def test_engines_dask_equals_local(reference, cache_dir, tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(engines, "SHARD_FILES", 2)  # three shards, finished in any order
    report = orchestrator.run(SAMPLE, tmp_path, load_settings(), workers=2, engine="dask", cache_dir=cache_dir, progress=False)
    assert report.summary["run"]["engine"] == "dask"
    assert report.summary["run"]["reuse"]["reused"] == 5
    assert same_outputs(reference, tmp_path) == []

