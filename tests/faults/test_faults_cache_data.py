"""A cache folder is data, never code: whatever is planted where an entry belongs (a pickle whose
__reduce__ would create a marker file, a FIFO, a symlink to /dev/zero, a directory) is a bad entry,
counted and rebuilt: the marker is never created, the run neither hangs nor fails, and its outputs
are those of a clean run.

Generated: every kind of entry (parse, stored result, rules snapshot) gets each kind of plant.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.incremental import cache, reuse, rulediff

ROOT = Path(__file__).resolve().parents[2]
TEXT = "date: 2023-12-27\nSecretary of State Antony Blinken met President Andrés Manuel López Obrador in Mexico City.\n"
OUTPUTS = ("graph.graphml", "nodes.csv", "edges.csv", "mentions.jsonl", "relations.jsonl", "documents.jsonl")
SECONDS = 120


class _Marker:
    """Unpickling this creates the file at `path` (what a hostile entry would do, harmlessly)."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _framed(magic: bytes, version: int, payload: bytes) -> bytes:
    return cache.HEADER.pack(magic, version, len(payload), hashlib.sha256(payload).digest()) + payload


def _entries(folder: Path) -> dict[str, list[Path]]:
    """The entries of a cache folder by kind, and the (magic, formats) each kind was ever framed with."""
    kinds: dict[str, list[Path]] = {"parse": [], "result": [], "snapshot": []}
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        top = path.relative_to(folder).parts[0]
        kinds["result" if top == "results" else "snapshot" if top == "rules" else "parse"].append(path)
    return kinds


FRAMES = {  # the current framing and the pickle-era one: a payload must fail either way
    "parse": [(cache.MAGIC, cache.FORMAT), (cache.MAGIC, 1)],
    "result": [(reuse.MAGIC, reuse.FORMAT), (reuse.MAGIC, 2)],
    "snapshot": [(reuse.SNAPSHOT_MAGIC, reuse.SNAPSHOT_FORMAT), (reuse.SNAPSHOT_MAGIC, rulediff.FORMAT)],
}


def _plant(path: Path, kind: str, how: str, marker: Path, index: int) -> None:
    path.unlink()
    if how == "pickle":
        magic, version = FRAMES[kind][index % 2]
        path.write_bytes(_framed(magic, version, pickle.dumps(_Marker(str(marker)))))
    elif how == "bare-pickle":
        path.write_bytes(pickle.dumps(_Marker(str(marker))))
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "dev-zero":
        path.symlink_to("/dev/zero")
    elif how == "symlink-pickle":
        target = path.parent / f".planted-{index}"
        target.write_bytes(_framed(*FRAMES[kind][0], pickle.dumps(_Marker(str(marker)))))
        path.symlink_to(target)
    elif how == "directory":
        path.mkdir()
        (path / "inside").write_text("x")


def _extract(corpus: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--workers", "1", *extra]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=SECONDS)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """One clean run: its corpus, output folder (with its cache) and output bytes."""
    folder = tmp_path_factory.mktemp("first")
    corpus = folder / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "b.txt").write_text(TEXT.replace("Mexico City", "Washington"), encoding="utf-8")
    out = folder / "out"
    done = _extract(corpus, out)
    assert done.returncode == 0, done.stderr
    return corpus, out, {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.mark.model
@pytest.mark.parametrize("how", ["pickle", "bare-pickle", "fifo", "dev-zero", "symlink-pickle", "directory"])
def test_faults_cache_entries_are_data(first, tmp_path, how):
    corpus, clean, outputs = first
    out = tmp_path / "out"
    shutil.copytree(clean, out, symlinks=True)
    marker = tmp_path / "MARKER"
    kinds = _entries(out / ".cache")
    assert all(kinds.values()), {k: len(v) for k, v in kinds.items()}
    for kind, paths in kinds.items():
        for index, path in enumerate(paths):
            _plant(path, kind, how, marker, index)
    done = _extract(corpus, out)  # a hang fails here (timeout), not forever
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == outputs
    run = json.loads((out / "summary.json").read_text())["run"]
    assert run["reuse"]["reused"] == 0 and run["reuse"]["new"] == 2  # every result entry was rebuilt
    assert run["cache"]["hits"] == 0
    for kind, paths in _entries(out / ".cache").items():  # rebuilt as plain entries
        assert paths and all(not p.is_symlink() for p in paths), kind
    again = _extract(corpus, out)
    assert again.returncode == 0 and not marker.exists()
    assert json.loads((out / "summary.json").read_text())["run"]["reuse"]["reused"] == 2


@pytest.mark.model
def test_faults_cache_read_only_runs_without_storing(first, tmp_path):
    corpus, clean, outputs = first
    shared = tmp_path / "shared"
    shutil.copytree(clean / ".cache", shared)
    before = sorted(p.relative_to(shared) for p in shared.rglob("*"))
    if os.geteuid() == 0:  # root writes anywhere: a read-only mount is what stops it
        pytest.skip("root ignores file modes")
    for path in [shared, *shared.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)
    try:
        done = _extract(corpus, tmp_path / "out", "--cache", str(shared))
    finally:
        for path in [shared, *shared.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert sum("not writable" in line for line in done.stderr.splitlines()) == 1
    assert sorted(p.relative_to(shared) for p in shared.rglob("*")) == before
