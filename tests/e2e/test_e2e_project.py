"""A project made by `actorgraph init`: extract run inside it uses its configs/ and corpus/.

extract runs in a child process (the pytest process stays small: tests/faults measure the peak
memory of their children, which starts at the size of the process that forks them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.project import init_project

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.model


def test_project_extract_inside_finds_configs_and_corpus(tmp_path):
    proj = tmp_path / "proj"
    init_project(proj)
    for path in sorted((ROOT / "data" / "news").glob("00[01]_*.txt")):
        shutil.copy(path, proj / "corpus")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--out", "out", "--no-cache"],
                            cwd=proj, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads((proj / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["rules_folder"] == str((proj / "configs").resolve())
    assert summary["documents"] == 2 and summary["nodes"].get("person", 0) > 0
