"""actorgraph init: an editable copy of the default rules, a corpus folder and a README."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import DEFAULT_CONFIG_DIR, DEFAULTS_ROOT, load_settings
from pipeline.project import init_project

runner = CliRunner()


def test_init_copies_every_rule_file_with_its_comments(tmp_path):
    written = init_project(tmp_path / "proj")
    proj = tmp_path / "proj"
    for name in ("settings.toml", "roles.yml", "meetings.yml", "places.yml", "actors.yml",
                 "patterns/en/entities.jsonl", "patterns/es/roles.jsonl"):
        assert (proj / "configs" / name).read_bytes() == (DEFAULT_CONFIG_DIR / name).read_bytes(), name
    assert not (proj / "configs" / "train").exists()
    assert (proj / "corpus").is_dir() and not any((proj / "corpus").iterdir())
    readme = (proj / "README.md").read_text(encoding="utf-8")
    assert "actorgraph extract corpus" in readme and "actorgraph view out" in readme
    assert set(written) == {p for p in proj.rglob("*") if p.is_file()}


def test_init_settings_models_resolve_to_the_installed_models(tmp_path):
    init_project(tmp_path / "proj")
    settings = load_settings(tmp_path / "proj" / "configs")
    assert settings.config_dir == (tmp_path / "proj" / "configs").resolve()
    es = Path(settings.model_ref("es"))
    assert es == (DEFAULTS_ROOT / "models" / "es_actorgraph_ner").resolve() and (es / "meta.json").is_file()


def test_init_refuses_to_overwrite_without_force(tmp_path):
    proj = tmp_path / "proj"
    assert runner.invoke(app, ["init", str(proj)]).exit_code == 0
    (proj / "configs" / "roles.yml").write_text("# mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["init", str(proj)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (proj / "configs" / "roles.yml").read_text(encoding="utf-8") == "# mine\n"
    assert runner.invoke(app, ["init", str(proj), "--force"]).exit_code == 0
    assert (proj / "configs" / "roles.yml").read_bytes() == (DEFAULT_CONFIG_DIR / "roles.yml").read_bytes()


def test_init_into_a_folder_with_other_files_keeps_them(tmp_path):
    (tmp_path / "proj" / "corpus").mkdir(parents=True)
    (tmp_path / "proj" / "corpus" / "a.txt").write_text("text", encoding="utf-8")
    init_project(tmp_path / "proj")
    assert (tmp_path / "proj" / "corpus" / "a.txt").exists()


@pytest.mark.parametrize("command", [["rules", "check"], ["explain", "Ana López se reunió con Juan Pérez."]])
def test_init_project_config_works_with_option_and_inside(tmp_path, monkeypatch, command):
    init_project(tmp_path / "proj")
    with open(tmp_path / "proj" / "configs" / "roles.yml", "a", encoding="utf-8") as fh:
        fh.write("broken: [\n")
    with_option = runner.invoke(app, [*command, "--config", str(tmp_path / "proj" / "configs")])
    monkeypatch.chdir(tmp_path / "proj")
    inside = runner.invoke(app, command)
    for result in (with_option, inside):  # both read the project's (broken) roles.yml
        assert result.exit_code == 2 and "roles.yml" in result.output, result.output
