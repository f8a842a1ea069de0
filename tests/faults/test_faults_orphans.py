"""Workers die with their parent: SIGKILL of the main process of an extract (what the out-of-memory
killer does) leaves no worker alive after 5 s; `--workers` far beyond the cores is capped, with a
warning line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import engines
from pipeline.tools.bench import make_corpus

ROOT = Path(__file__).resolve().parents[2]
# extract with workers started for any corpus size (the threshold is for speed, not correctness)
DRIVER = "import sys; import pipeline.engines as e; e.PARALLEL_MIN_CHARS = 1; from pipeline.cli import app; app()"


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.model
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_faults_orphans_workers_die_with_parent(tmp_path):
    make_corpus(tmp_path / "in", 40, 200)
    command = [sys.executable, "-c", DRIVER, "extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
               "--no-cache", "--workers", "2"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2 and process.poll() is None:
            time.sleep(0.05)
            workers = _children(process.pid)
        assert len(workers) >= 2, "the workers never started"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    time.sleep(5)
    assert [pid for pid in workers if _alive(pid)] == []


def test_faults_orphans_workers_capped(capsys):
    cores = engines.default_workers()
    assert engines.capped_workers(100_000) == engines.WORKERS_PER_CORE * cores
    assert "warning: 100000 workers" in capsys.readouterr().err
    assert engines.capped_workers(0) == cores and engines.capped_workers(1) == 1
    assert capsys.readouterr().err == ""
