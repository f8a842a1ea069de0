"""Exit status and messages of `actorgraph extract`, and what summary.json says about a run.

0: every document processed (skipped ones are not failures); 1: the run finished but some
documents failed, and the last line says so; 2: usage or configuration error, one line and no
traceback unless --debug.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.rules.ruleset import digest

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Secretary of State Antony Blinken met President Andrés Manuel López Obrador in Mexico City on Wednesday.\n"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def corpus(folder: Path, failing: bool) -> Path:
    folder.mkdir()
    (folder / "good.txt").write_text("date: 2023-12-27\n" + GOOD, encoding="utf-8")
    (folder / "cp1252.txt").write_bytes(GOOD.replace("Andrés", "André").encode("cp1252") + "’".encode("cp1252"))
    (folder / "empty.txt").write_bytes(b"")
    if failing:
        (folder / "report.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    return folder


def extract(*args: str):
    return CliRunner().invoke(app, ["extract", *args])


@pytest.mark.model
@pytest.mark.parametrize("failing, code", [(False, 0), (True, 1)], ids=["processed", "some-failed"])
def test_faults_exit_status_of_a_finished_run(tmp_path, failing, code):
    out = tmp_path / "out"
    result = extract(str(corpus(tmp_path / "in", failing)), "--out", str(out), "--no-cache")
    assert result.exit_code == code, result.output
    failed = int(failing)
    assert result.output.splitlines()[-1] == (
        f"{3 + failed} documents: 2 ok, 1 skipped, {failed} failed; graph in {out}/ (details: {out}/documents.jsonl)"
    )
    rows = {row["id"]: row for row in map(json.loads, (out / "documents.jsonl").read_text(encoding="utf-8").splitlines())}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["version"] == pipeline.__version__
    assert summary["models"]["en"].startswith(load_settings().models["en"] + "==")
    assert summary["rules_sha256"] == digest(load_settings())
    assert summary["documents"] == len(rows) == 3 + failed
    assert summary["status"] == {"ok": 2, "skipped": 1, "error": failed}
    assert summary["documents_with_warnings"] == sum(bool(row["warnings"]) for row in rows.values()) >= 1
    assert set(summary["files"]) == {"graph.graphml", "graph.gexf", "nodes.csv", "edges.csv", "mentions.jsonl",
                                     "relations.jsonl", "documents.jsonl"}


def usage_errors(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    news = str(ROOT / "data" / "news")
    (tmp_path / "a-file").write_text("not a folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    return {
        "missing-input": ([str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")], "no such file or folder"),
        "bad-lang": ([news, "--out", str(tmp_path / "out"), "--lang", "fr"], "--lang fr: expected one of en, es"),
        "out-is-a-file": ([news, "--out", str(tmp_path / "a-file")], "exists and is not a folder"),
        "out-not-writable": ([news, "--out", str(locked / "out")], "cannot write in"),
    }


@pytest.mark.parametrize("case", ["missing-input", "bad-lang", "out-is-a-file", "out-not-writable"])
def test_faults_exit_usage_error(tmp_path, case):
    if case == "out-not-writable" and AS_ROOT:
        pytest.skip("root writes into any folder")
    args, message = usage_errors(tmp_path)[case]
    result = extract(*args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    debug = extract(*args, "--debug")
    assert debug.exit_code == 2 and "Traceback" in debug.output and message in debug.output


def test_faults_exit_usage_error_process(tmp_path):
    command = [sys.executable, "-m", "pipeline", "extract", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == "" and done.stderr == f"error: {tmp_path / 'nowhere'}: no such file or folder\n"
    bad_option = subprocess.run([*command, "--workers", "-1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad_option.returncode == 2 and "Traceback" not in bad_option.stderr


def test_faults_exit_engine_is_a_choice(tmp_path):
    """--engine is a choice: --help lists it, anything else is a usage error (exit 2) before any work."""
    runner = CliRunner()
    assert "local|dask" in runner.invoke(app, ["extract", "--help"]).output
    result = runner.invoke(app, ["extract", str(ROOT / "data" / "news"), "--out", str(tmp_path / "out"), "--engine", "spark"])
    assert result.exit_code == 2 and "spark" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["eval", "train"])
def test_faults_exit_bad_settings_is_one_line_for_every_command(tmp_path, command):
    """eval and train report a broken settings.toml like extract does: one line, exit 2."""
    config = tmp_path / "configs"
    config.mkdir()
    (config / "settings.toml").write_text("[run\n", encoding="utf-8")
    result = CliRunner().invoke(app, [command, "--data", str(tmp_path), "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "malformed TOML" in result.output and "Traceback" not in result.output
