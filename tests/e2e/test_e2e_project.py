"""A project made by `actorgraph init`: extract run inside it uses its configs/ and corpus/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.project import init_project

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.model


def test_project_extract_inside_finds_configs_and_corpus(tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    init_project(proj)
    for path in sorted((ROOT / "data" / "news").glob("00[01]_*.txt")):
        shutil.copy(path, proj / "corpus")
    monkeypatch.chdir(proj)
    result = CliRunner().invoke(app, ["extract", "--out", "out", "--no-cache"])
    assert result.exit_code == 0, result.output
    summary = json.loads((proj / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["rules_folder"] == str((proj / "configs").resolve())
    assert summary["documents"] == 2 and summary["nodes"].get("person", 0) > 0
