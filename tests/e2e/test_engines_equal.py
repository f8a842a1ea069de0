"""Every engine writes the same graph for the sample corpus: in-process, local workers, Dask, cached;
and the mention and relation tables are the same whether a forked child or the run itself encodes them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import engines
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


# In a child process: a run in this one would leave its models in pytest's heap (gc.freeze),
# and later tests that measure their children's peak memory inherit this process's.
PIECES_RUN = """
import sys
from pathlib import Path
from pipeline import engines, pieces, run
from pipeline.config import load_settings

out, size, workers = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
settings = load_settings()
settings.run.batch_chars = 1_000  # several chunks a document, so pieces of several chunks
cuts = []
if size:
    whole_cut = pieces.cut
    def cut(*args):
        cuts.append(list(whole_cut(*args)))
        return iter(cuts[-1])
    pieces.cut, pieces.PIECE_CHARS, engines.PARALLEL_MIN_CHARS = cut, size, 0
report = run.run(Path(sys.argv[4]), out, settings, workers=workers, use_cache=False, progress=False)
print(report.summary["run"]["workers"], len(cuts), max((len(c) for c in cuts), default=0))
"""


def pieces_run(out: Path, size: int, workers: int) -> list[int]:
    """Run extract with pieces of `size` characters (0: none) in a child; return [workers, documents cut, most pieces]."""
    done = subprocess.run([sys.executable, "-c", PIECES_RUN, str(out), str(size), str(workers), str(SAMPLE)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return [int(n) for n in done.stdout.split()]


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    assert pieces_run(out, 0, 1) == [1, 0, 0]
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_engines_long_documents_in_pieces_equal_whole(whole, tmp_path, workers):
    ran, cut, most = pieces_run(tmp_path, 2_500, workers)
    assert ran == workers and cut >= 4 and most >= 2
    assert same_outputs(whole, tmp_path) == []


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

