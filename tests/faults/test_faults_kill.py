"""A run killed with SIGKILL leaves the previous complete output or the new one, never a mix.

The writer is killed at each step of its commit (while writing temporary files, writing the
journal, renaming) by a child process that patches its own I/O calls; a whole `extract` is
killed at several moments. After any kill, the folder either holds a complete set or a commit
journal, and `export.recover` (which every later run calls) leaves exactly one complete set.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import run as orchestrator
from pipeline.config import load_settings
from pipeline.export import commit as export
from pipeline.tools.bench import make_corpus

ROOT = Path(__file__).resolve().parents[2]
# Writes graph, tables and summary.json for a version; with a step and a count, kills itself
# with SIGKILL just before call number <count> of that step (_write_file, or os.replace).
CHILD = """
import os, signal, sys
from pathlib import Path
import networkx as nx
from pipeline.export import commit as export

out, version, step, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def dying(real):
    calls = [0]
    def call(*args, **kwargs):
        if calls[0] == count:
            os.kill(os.getpid(), signal.SIGKILL)
        calls[0] += 1
        return real(*args, **kwargs)
    return call

if step == "write":
    export._write_file = dying(export._write_file)
elif step == "rename":
    export.os.replace = dying(os.replace)
graph = nx.MultiDiGraph()
graph.add_edge("person:a-" + version, "person:b", relation="met_with", weight=len(version))
rows = [{"doc": version, "text": "row %d" % i} for i in range(50)]
export.write_outputs(
    Path(out), graph, mentions=rows, relations=rows[:3],
    documents=[{"id": version, "status": "ok", "warnings": []}], summary={"version": version},
)
"""
WRITES = 9  # eight files and the journal
RENAMES = 9  # the journal, then eight files, summary.json last


def write(out: Path, version: str, step: str = "", count: int = 0) -> int:
    done = subprocess.run([sys.executable, "-c", CHILD, str(out), version, step, str(count)], cwd=ROOT, timeout=60)
    return done.returncode


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def assert_complete(folder: Path) -> None:
    """Every file is the one summary.json describes, and no temporary file or journal is left."""
    files = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["files"]
    assert {name: export.file_sha256(folder / name) for name in files} == files
    assert [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != export.LOCK] == []


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    sets = {}
    for version in ("old", "new"):
        folder = tmp_path_factory.mktemp(version)
        assert write(folder, version) == 0
        sets[version] = visible(folder)
    return sets


@pytest.mark.parametrize(
    "step, count",
    [("write", n) for n in (0, 3, WRITES - 1)] + [("rename", n) for n in (0, 1, 4, RENAMES - 1)],
)
def test_faults_kill_during_commit(tmp_path, versions, step, count):
    assert write(tmp_path, "old") == 0
    assert write(tmp_path, "new", step, count) == -signal.SIGKILL
    journal = (tmp_path / export.JOURNAL).exists()
    if not journal:
        assert visible(tmp_path) == versions["old"]
    assert export.recover(tmp_path) == journal
    assert visible(tmp_path) == versions["new" if journal else "old"]
    assert_complete(tmp_path)
    # The journal exists from the moment the journal file is renamed into place.
    assert journal == (step == "rename" and count > 0)


COMPARED = ("graph.graphml", "graph.gexf", "nodes.csv", "edges.csv", "mentions.jsonl", "relations.jsonl", "documents.jsonl")


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    found = {}
    for name, seed, count in (("old", 1, 4), ("new", 2, 6)):
        folder = tmp_path_factory.mktemp(f"corpus-{name}")
        make_corpus(folder, count, 60, seed=seed)
        out = tmp_path_factory.mktemp(f"out-{name}")
        orchestrator.run(folder, out, load_settings(), workers=1, use_cache=False, progress=False)
        found[name] = (folder, out)
    return found


def stop(process: subprocess.Popen, out: Path, delay: float | None) -> None:
    """SIGKILL `process` after `delay` seconds, or (None) as soon as it has begun writing OUT."""
    deadline = time.monotonic() + (delay if delay is not None else 120)
    while time.monotonic() < deadline and process.poll() is None:
        if delay is None and any(p.name.endswith(f".tmp-{process.pid}") for p in out.iterdir()):
            break
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


@pytest.mark.model
@pytest.mark.parametrize("delay", [0.5, 2.0, 3.5, None], ids=["loading", "early", "late", "writing"])
def test_faults_kill_extract(tmp_path, corpora, delay):
    (_, old), (source, new) = corpora["old"], corpora["new"]
    out = tmp_path / "out"
    shutil.copytree(old, out)
    command = [sys.executable, "-m", "pipeline", "extract", str(source), "--out", str(out), "--no-cache", "--workers", "1"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop(process, out, delay)
    export.recover(out)
    assert_complete(out)
    now = {name: (out / name).read_bytes() for name in COMPARED}
    same_as = [name for name, ref in (("old", old), ("new", new)) if now == {n: (ref / n).read_bytes() for n in COMPARED}]
    assert len(same_as) == 1
