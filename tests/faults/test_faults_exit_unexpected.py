"""Honest exits: a failure nobody planned for (a bug, a killed worker) exits 3 with one line that
points to --debug, never 1 ("finished, outputs written") or a long traceback; settings out of
range and a malformed --scheduler are usage errors (2) with file:line or the option."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

import pytest
from typer.testing import CliRunner

from pipeline import run as orchestrator
from pipeline.cli import UNEXPECTED, app


def _extract(tmp_path, *args):
    corpus = tmp_path / "in"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text("Anna Smith spoke.\n")
    return CliRunner().invoke(app, ["extract", str(corpus), "--out", str(tmp_path / "out"), "--no-cache", *args])


@pytest.mark.parametrize("error", [RuntimeError("boom\nsecond line"), BrokenProcessPool("a worker was killed"),
                                   MemoryError()], ids=["bug", "killed-worker", "memory"])
def test_faults_exit_unexpected_is_one_line(tmp_path, monkeypatch, error):
    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(orchestrator, "run", failing)
    result = _extract(tmp_path)
    assert result.exit_code == UNEXPECTED not in (0, 1, 2)
    assert result.output.count("\n") == 1 and "--debug" in result.output and type(error).__name__ in result.output
    debug = _extract(tmp_path, "--debug")
    assert debug.exit_code == UNEXPECTED and "Traceback" in debug.output


@pytest.mark.parametrize("line, key", [("batch_size = 1e29", "batch_size"), ("batch_size = 100000000", "batch_size"),
                                       ("workers = 100000", "workers"), ("max_chars = 5000000", "max_chars")])
def test_faults_exit_settings_range_checked(tmp_path, config, line, key):
    path = config / "settings.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, text in enumerate(lines, 1) if text.startswith(key + " "))
    lines[number - 1] = line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _extract(tmp_path, "--config", str(config))
    assert result.exit_code == 2 and f"settings.toml:{number}: run.{key}" in result.output, result.output


def test_faults_exit_bad_scheduler(tmp_path):
    result = _extract(tmp_path, "--engine", "dask", "--scheduler", "not a url")
    assert result.exit_code == 2 and "--scheduler" in result.output and result.output.count("\n") == 1
