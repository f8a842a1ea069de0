"""Rule files that are wrong stop `extract` and `rules check` before anything is written.

Each case breaks a copy of configs/ in one way (or several at once) and expects exit status 2,
one message listing every problem as file:line, and the previous output left byte for byte.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "data" / "news"
PREVIOUS = {  # a previous run's output, hidden files included
    "graph.graphml": b"<graphml>previous</graphml>\n",
    "documents.jsonl": b'{"id": "000", "status": "ok"}\n',
    "summary.json": b'{"tool": "actorgraph"}\n',
    ".cache/ab/entry": b"cached parse",
}


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first line containing `old` by `new` (text of the whole line); return its number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if old in line)
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def append(path: Path, line: str) -> int:
    """Append one line to a file; return its number."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n" + line + "\n", encoding="utf-8")
    return text.count("\n") + 2


def toml_syntax(cfg: Path):
    return [("settings.toml", edit(cfg / "settings.toml", "workers = ", "workers = = 1"), "malformed TOML")]


def toml_unknown_key(cfg: Path):
    line = edit(cfg / "settings.toml", "batch_size = ", "batch_size = 32\ncolour = 'red'") + 1
    return [("settings.toml", line, "run.colour: Extra inputs are not permitted")]


def yaml_syntax(cfg: Path):
    return [("actors.yml", append(cfg / "actors.yml", "\t- {id: actor.tab}"), "malformed YAML")]


def yaml_unknown_key(cfg: Path):
    line = edit(cfg / "roles.yml", "{id: role.president,", "  - {id: role.president, label: President, colour: red}")
    return [("roles.yml", line, "colour: Extra inputs are not permitted")]


def jsonl_syntax(cfg: Path):
    line = append(cfg / "patterns" / "es" / "roles.jsonl", '{"id": "role_link.es.cut", "label": "LINK", ')
    return [("patterns/es/roles.jsonl", line, "malformed JSON")]


def jsonl_unknown_key(cfg: Path):
    rule = {"id": "meeting_exclude.en.extra", "label": "EXCLUDE", "pattern": [{"LOWER": "x"}], "examples": [{"text": "x"}],
            "colour": "red"}
    return [("patterns/en/meetings.jsonl", append(cfg / "patterns/en/meetings.jsonl", json.dumps(rule)), "colour")]


def spacy_rejects(cfg: Path):
    rule = {"id": "en.bad_op", "action": "add", "label": "DATE", "pattern": [{"LOWER": "today", "OP": "!!"}]}
    return [("patterns/en/entities.jsonl", append(cfg / "patterns/en/entities.jsonl", json.dumps(rule)), "en.bad_op")]


def wildcards(cfg: Path):
    rule = {"id": "role_link.en.anything", "label": "LINK", "pattern": [{"OP": "*"}, {"OP": "+"}],
            "examples": [{"text": "x"}]}
    line = append(cfg / "patterns/en/roles.jsonl", json.dumps(rule))
    return [("patterns/en/roles.jsonl", line, "match any run of tokens")]


def duplicate_id(cfg: Path):
    # The same id in meetings.yml and in a pattern file: the second one is reported.
    first = next(i for i, l in enumerate((cfg / "meetings.yml").read_text().split("\n")) if "{id: trigger.es.reunion," in l) + 1
    rule = {"id": "trigger.es.reunion", "label": "EXCLUDE", "pattern": [{"LOWER": "x"}], "examples": [{"text": "x"}]}
    line = append(cfg / "patterns/es/meetings.jsonl", json.dumps(rule))
    return [("patterns/es/meetings.jsonl", line, f"duplicate rule id 'trigger.es.reunion' (first at {cfg / 'meetings.yml'}:{first})")]


def alias_to_nowhere(cfg: Path):
    line = edit(
        cfg / "roles.yml", "{id: alias.es.vice_president,",
        "  - {id: alias.es.vice_president, role: role.vice_presidnet, lang: es, terms: [vicepresidente]}",
    )
    return [("roles.yml", line, "role 'role.vice_presidnet' is not a role id")]


def reserved_id(cfg: Path):
    line = edit(cfg / "roles.yml", "{id: alias.en.mayor,", "  - {id: code.alias.mayor, role: role.mayor, lang: en, terms: [mayor]}")
    return [("roles.yml", line, "code.alias.mayor: ids 'model' and 'code.*' are kept for the code's own decisions")]


ONE_EACH = [toml_syntax, toml_unknown_key, yaml_syntax, yaml_unknown_key, jsonl_syntax, jsonl_unknown_key,
            spacy_rejects, wildcards, duplicate_id, alias_to_nowhere, reserved_id]
# Settings are read first (they say where the rules are), so TOML faults are reported alone.
ALL_RULES = [yaml_syntax, jsonl_syntax, jsonl_unknown_key, spacy_rejects, wildcards, duplicate_id, alias_to_nowhere]


def broken_config(tmp_path: Path, breakers) -> tuple[Path, list[tuple[str, int, str]]]:
    cfg = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", cfg)
    return cfg, [problem for breaker in breakers for problem in breaker(cfg)]


def previous_output(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    for name, content in PREVIOUS.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_reported(output: str, cfg: Path, expected) -> None:
    assert "Traceback" not in output
    for file, line, fragment in expected:
        lines = [l for l in output.splitlines() if f"{cfg / file}:{line}: " in l]
        assert lines and any(fragment in l for l in lines), f"{file}:{line} {fragment!r} not in:\n{output}"


@pytest.mark.parametrize(
    "breakers", [[b] for b in ONE_EACH] + [ALL_RULES], ids=[b.__name__ for b in ONE_EACH] + ["all_at_once"]
)
def test_faults_rules_stop_before_writing(tmp_path, breakers):
    cfg, expected = broken_config(tmp_path, breakers)
    out = previous_output(tmp_path)
    before = snapshot(out)
    runner = CliRunner()
    check = runner.invoke(app, ["rules", "check", "--config", str(cfg)])
    run = runner.invoke(app, ["extract", str(NEWS), "--out", str(out), "--config", str(cfg)])
    for result in (check, run):
        assert result.exit_code == 2, result.output
        assert_reported(result.output, cfg, expected)
    if len(breakers) > 1:
        assert f"{len(expected)} problem(s) in the rule files" in run.output
    assert snapshot(out) == before


def test_faults_rules_process_exit_status(tmp_path):
    cfg, expected = broken_config(tmp_path, ALL_RULES)
    out = previous_output(tmp_path)
    before = snapshot(out)
    command = [sys.executable, "-m", "pipeline", "extract", str(NEWS), "--out", str(out), "--config", str(cfg)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert_reported(done.stderr, cfg, expected)
    assert snapshot(out) == before
