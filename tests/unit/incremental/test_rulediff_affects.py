"""rulediff: which documents a rule edit can change, on small hand-written rule folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.incremental import rulediff

ROLES = """\
roles:
  - {id: role.minister, label: Foreign Minister}
  - {id: role.secretary, label: Secretary of State, counterpart: role.minister}
aliases:
  - {id: alias.en.minister, role: role.minister, lang: en, terms: [foreign minister]}
  - {id: alias.es.minister, role: role.minister, lang: es, terms: [canciller]}
  - {id: alias.en.secretary, role: role.secretary, lang: en, terms: [secretary of state]}
max_gap: 3
"""
PLACES = """\
countries:
  - {name: Mexico, es: México, demonyms: {en: [Mexican], es: [mexicano]}}
  - {name: Peru, es: Perú, demonyms: {en: [Peruvian], es: [peruano]}}
cities:
  - {name: Lima, country: Peru}
"""
PATTERNS = [
    {"id": "en.trim", "action": "trim"},
    {"id": "en.so_called", "label": "EXCLUDE", "pattern": [{"LOWER": "so"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "called"}],
     "examples": [{"text": "the so-called caravan"}]},
    {"id": "en.call_for", "label": "EXCLUDE", "pattern": [{"LEMMA": "call"}, {"LOWER": {"IN": ["for", "on"]}}]},
]
SETTINGS = '[run]\nlanguages = ["en", "es"]\n'

# Documents as their folded words: what doc_words gives the memo.
DOCS = {
    "blinken_en": ("en", "the secretary of state met the mexican foreign minister in mexico city"),
    "barcena_es": ("es", "la canciller mexicana alicia barcena recibio al secretario"),
    "peru_es": ("es", "el gobierno peruano anuncio elecciones"),
    "caravan_en": ("en", "critics mocked the so called caravan"),
    "call_en": ("en", "the president called for calm and calls on congress"),
    "weather_en": ("en", "rain is expected across the region on tuesday"),
    "lima_es": ("es", "el alcalde de lima anuncio obras"),
}


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


EDITS = {
    # a comment changes the rules digest but no record
    "comment": ("roles.yml", lambda t: t + "# a note\n"),
    "new alias term": ("roles.yml", lambda t: _edit(t, "terms: [foreign minister]", "terms: [foreign minister, foreign secretary]")),
    "new role nowhere": ("roles.yml", lambda t: _edit(t, "aliases:\n", "  - {id: role.emir, label: Emir}\naliases:\n")),
    # a relabelled role reaches the documents of every alias that names it, and of roles naming it
    "relabelled role": ("roles.yml", lambda t: _edit(t, "label: Foreign Minister", "label: Minister of Foreign Affairs")),
    "spanish demonym": ("places.yml", lambda t: _edit(t, "es: [mexicano]", "es: [mexicano, mejicano]")),
    "top-level value": ("roles.yml", lambda t: _edit(t, "max_gap: 3", "max_gap: 4")),
    "moved record": ("places.yml", lambda t: _edit(t, "  - {name: Mexico", "  - {name: Peru, es: Perú, demonyms: {en: [Peruvian], es: [peruano]}}\n  - {name: Mexico").replace("  - {name: Peru, es: Perú, demonyms: {en: [Peruvian], es: [peruano]}}\ncities", "cities")),
    # a city names its country: renaming the country reaches documents naming only the city
    "renamed country": ("places.yml", lambda t: _edit(t, "{name: Peru, es: Perú", "{name: Republic of Peru, es: Perú")),
    "settings": ("settings.toml", lambda t: t + "batch_size = 8\n"),
    "pattern example only": ("patterns/en/entities.jsonl", lambda t: _edit(t, "the so-called caravan", "a so-called plan")),
    "lemma pattern": ("patterns/en/entities.jsonl", lambda t: _edit(t, '["for", "on"]', '["for", "on", "off"]')),
    "pattern without words": ("patterns/en/entities.jsonl", lambda t: _edit(t, '"action": "trim"', '"action": "trim", "label": "X"')),
}

CASES = [
    ("comment", set()),
    ("new alias term", {"blinken_en"}),  # the Spanish alias record did not change
    ("new role nowhere", set()),
    ("relabelled role", {"blinken_en", "barcena_es"}),
    ("spanish demonym", {"blinken_en", "barcena_es"}),  # "mexicana" is a form of "mexicano"
    ("top-level value", set(DOCS)),
    ("moved record", set(DOCS)),
    ("renamed country", {"peru_es", "lima_es"}),
    ("settings", set(DOCS)),
    ("pattern example only", {"caravan_en"}),
    ("lemma pattern", {"call_en"}),
    ("pattern without words", {"blinken_en", "caravan_en", "call_en", "weather_en"}),  # English only
]


def _write(folder: Path) -> Path:
    (folder / "patterns" / "en").mkdir(parents=True)
    (folder / "roles.yml").write_text(ROLES, encoding="utf-8")
    (folder / "places.yml").write_text(PLACES, encoding="utf-8")
    (folder / "settings.toml").write_text(SETTINGS, encoding="utf-8")
    lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PATTERNS)
    (folder / "patterns" / "en" / "entities.jsonl").write_text(lines, encoding="utf-8")
    return folder


def _snapshot(folder: Path) -> rulediff.Snapshot:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return rulediff.snapshot(folder, files)


@pytest.mark.parametrize("edit, affected", CASES, ids=[case[0] for case in CASES])
def test_rulediff_affects_only_documents_with_the_edited_words(tmp_path: Path, edit: str, affected: set[str]):
    folder = _write(tmp_path)
    before = _snapshot(folder)
    name, change = EDITS[edit]
    path = folder / name
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    probe = rulediff.diff(before, _snapshot(folder))
    found = {doc for doc, (lang, text) in DOCS.items() if probe.affects(lang, sorted(set(text.split())))}
    assert found == affected


def test_rulediff_same_rules_affect_nothing(tmp_path: Path):
    folder = _write(tmp_path)
    probe = rulediff.diff(_snapshot(folder), _snapshot(folder))
    assert not any(probe.affects(lang, sorted(set(text.split()))) for lang, text in DOCS.values())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ciudad de México", ["ciudad", "de", "mexico"]),
        ("EE.UU.", ["ee", "uu"]),
        ("López-Obrador's", ["lopez", "obrador", "s"]),
    ],
)
def test_rulediff_words_fold_case_and_accents(text: str, expected: list[str]):
    assert rulediff.words(text) == expected
