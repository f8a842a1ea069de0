"""After a rule edit, a run that reuses stored results writes what a fresh run with the edited rules writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import run as orchestrator
from pipeline.config import PROJECT_ROOT, load_settings

SAMPLE = PROJECT_ROOT / "data/news"
COMPARED = ("graph.graphml", "graph.gexf", "nodes.csv", "edges.csv", "mentions.jsonl", "relations.jsonl", "documents.jsonl")

pytestmark = pytest.mark.model

# (file, text in it, replacement, documents whose results must be reused at least)
EDITS = {
    "comment": ("roles.yml", "roles:\n", "# edited\nroles:\n", 5),
    "alias term": ("roles.yml", "terms: [foreign minister,", "terms: [foreign minister, top diplomat,", 0),
    "role label": ("roles.yml", "label: Foreign Minister}", "label: Minister of Foreign Affairs}", 0),
    "demonym removed": ("places.yml", "demonyms: {en: [Mexican], es: [mexicano]}", "demonyms: {en: [Mexican]}", 0),
    # cities name their country: the change reaches documents naming only a Mexican city
    "country's Spanish name": ("places.yml", "{name: Mexico, es: México,", "{name: Mexico, es: Méjico,", 0),
    "trigger removed": ("meetings.yml", "lemmas: [talks], pos", "lemmas: [negotiation], pos", 0),
    "pattern edited": ("patterns/en/meetings.jsonl", '["for", "on", "off",', '["for", "off",', 0),
    "limit": ("settings.toml", "max_cooccurring = 50", "max_cooccurring = 2", 0),
}


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    report = orchestrator.run(SAMPLE, tmp_path_factory.mktemp("first"), load_settings(), workers=1, cache_dir=cache, progress=False)
    assert report.summary["run"]["reuse"]["new"] == 5
    return cache


def _edited_config(folder: Path, name: str) -> Path:
    shutil.copytree(load_settings().config_dir, folder)
    file, old, new, _ = EDITS[name]
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{file} no longer contains {old!r}: update this test's edit"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", list(EDITS))
def test_reuse_edited_rules_give_the_fresh_output(cache_dir, tmp_path, name):
    settings = load_settings(_edited_config(tmp_path / "configs", name))
    fresh = orchestrator.run(SAMPLE, tmp_path / "fresh", settings, workers=1, use_cache=False, progress=False)
    reused = orchestrator.run(SAMPLE, tmp_path / "reused", settings, workers=1, cache_dir=cache_dir, progress=False)
    counts = reused.summary["run"]["reuse"]
    assert counts["reused"] + counts["rerun"] == 5 and counts["reused"] >= EDITS[name][3]
    differ = [f for f in COMPARED if (tmp_path / "fresh" / f).read_bytes() != (tmp_path / "reused" / f).read_bytes()]
    assert differ == []
    assert fresh.summary["edges"] == reused.summary["edges"]


def test_reuse_edit_that_changes_output_reruns_documents(cache_dir, tmp_path):
    settings = load_settings(_edited_config(tmp_path / "configs", "demonym removed"))
    report = orchestrator.run(SAMPLE, tmp_path / "out", settings, workers=1, cache_dir=cache_dir, progress=False)
    assert report.summary["run"]["reuse"]["rerun"] >= 2  # both Spanish articles say "mexicano/a"
