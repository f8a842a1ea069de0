"""Bounded rules: only the files settings.toml names are read, each a regular file under a size
limit; a YAML alias bomb is refused quickly; a REGEX that nests quantifiers is refused at load
with file:line. A stray file in the rules folder gives `rules check` and `extract` the same outcome.

`rules check` runs in-process (typer's runner); one extract checks the stray files end to end.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.rules.files import read_yaml
from pipeline.rules.matcher import explosive_regex
from pipeline.rules.ruleset import digest, rule_files

ROOT = Path(__file__).resolve().parents[2]
LAUGHS = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(8)
)
STRAYS = {  # files nobody configured: notes, backups, a language the settings do not name
    "notes.yml": "this: [is: not, valid\n",
    "roles.yml.bak.yml": LAUGHS,
    "patterns/fr/entities.jsonl": "{not json\n",
    "patterns/en/old.jsonl": '{"id": "x", "pattern": [{"TEXT": {"REGEX": "(a+)+$"}}]}\n',
}


def _check(config: Path):
    return CliRunner().invoke(app, ["rules", "check", "--config", str(config)])


def test_faults_rules_strays_not_read(config):
    before = digest(load_settings(config))
    for name, text in STRAYS.items():
        (config / name).parent.mkdir(parents=True, exist_ok=True)
        (config / name).write_text(text, encoding="utf-8")
    settings = load_settings(config)
    assert not {p.relative_to(config).as_posix() for p in rule_files(settings)} & set(STRAYS)
    assert digest(settings) == before
    result = _check(config)
    assert result.exit_code == 0, result.output
    assert all(f"{name}: not read" in result.output for name in STRAYS)


@pytest.mark.model
def test_faults_rules_strays_same_outcome_in_extract(config, tmp_path):
    for name, text in STRAYS.items():
        (config / name).parent.mkdir(parents=True, exist_ok=True)
        (config / name).write_text(text, encoding="utf-8")
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Secretary of State Antony Blinken met President Tomas Berg in Mexico City.\n")
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(tmp_path / "out"),
                           "--config", str(config), "--workers", "1"], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == _check(config).exit_code == 0, done.stderr


def test_faults_rules_alias_bomb_refused_quickly(config):
    (config / "roles.yml").write_text(LAUGHS, encoding="utf-8")
    started = time.monotonic()
    data, problems = read_yaml(config / "roles.yml")
    assert data is None and "aliases" in problems[0].message
    result = _check(config)
    assert result.exit_code == 2 and "roles.yml" in result.output and "aliases" in result.output
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "huge"])
def test_faults_rules_file_not_regular(config, kind):
    path = config / "roles.yml"
    path.unlink()
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        with open(path, "wb") as fh:
            fh.truncate(17 * 1024 * 1024)  # sparse: over the limit without writing it
    started = time.monotonic()
    result = _check(config)
    assert result.exit_code == 2 and "roles.yml:0: cannot" in result.output, result.output
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("regex", ["(a+)+$", "(\\w+\\s?)+x", "([a-z]*)*!", "(a|aa)+$"])
def test_faults_rules_nested_quantifier_refused(config, regex):
    path = config / "patterns" / "en" / "entities.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    rule = {"id": "en.add.evil", "action": "add", "label": "MISC", "pattern": [{"TEXT": {"REGEX": regex}}]}
    lines.append(json.dumps(rule))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _check(config)
    assert result.exit_code == 2
    assert re.search(rf"entities\.jsonl:{len(lines)}: .*REGEX", result.output), result.output
    assert explosive_regex(regex)


@pytest.mark.parametrize("regex", ["^(1[89]|20)\\d\\d$", "^[A-Z][a-z]+$", "^(Mr|Mrs|Dr)\\.?$", "x{2,}y+", "(ab?){2}"])
def test_faults_rules_plain_regex_allowed(regex):
    assert explosive_regex(regex) == ""
