"""An extract stopped by Ctrl-C or a kill resumes from the cache and writes the same graph."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import run as orchestrator
from pipeline.config import load_settings
from pipeline.tools.bench import make_corpus

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ("graph.graphml", "nodes.csv", "edges.csv", "mentions.jsonl", "relations.jsonl", "documents.jsonl")
DOCS = 80  # more than one nlp.pipe batch, so the run can be stopped between two of them

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def corpus_and_reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus(folder, DOCS, 60)
    out = tmp_path_factory.mktemp("reference")
    orchestrator.run(folder, out, load_settings(), workers=1, use_cache=False, progress=False)
    return folder, out


def extract(corpus: Path, out: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--workers", "1"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def results_stored(cache: Path) -> int:
    return sum(1 for p in (cache / "results").rglob("*") if p.is_file() and not p.name.startswith("."))


def stop_after_first_entries(process: subprocess.Popen, cache: Path, sig: int) -> None:
    deadline = time.monotonic() + 120
    while not results_stored(cache):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "no cache entry written"
        time.sleep(0.02)
    process.send_signal(sig)
    process.communicate(timeout=60)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_faults_interrupted_run_resumes(corpus_and_reference, tmp_path, sig):
    corpus, reference = corpus_and_reference
    first = extract(corpus, tmp_path)
    stop_after_first_entries(first, tmp_path / ".cache", sig)
    assert first.returncode != 0
    assert not (tmp_path / "graph.graphml").exists()
    done = results_stored(tmp_path / ".cache")
    assert 0 < done < DOCS

    second = extract(corpus, tmp_path)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    run = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["run"]
    assert run["reuse"]["reused"] == done and run["reuse"]["new"] == DOCS - done
    assert run["cache"]["hits"] + run["cache"]["misses"] == DOCS - done
    assert [n for n in COMPARED if (tmp_path / n).read_bytes() != (reference / n).read_bytes()] == []
