"""load_roles_rules: the shipped rules load; mistakes come back as file:line problems, never raised."""


import pytest

from pipeline.config import load_settings
from pipeline.rules.roles.loader import load_roles_rules
from tests.helpers import insert_before_spanish


def test_roles_loader_loads_shipped_rules():
    rules, problems, ids = load_roles_rules(load_settings())
    assert problems == []
    assert rules is not None and "role.president" in rules.roles
    assert len({rule_id for rule_id, _, _ in ids}) == len(ids)
    assert all(rule.examples for rules_of_lang in rules.links.values() for rule in rules_of_lang)


@pytest.mark.parametrize(
    "entry,message",
    [
        ("  - {id: alias.en.bogus, role: role.nope, lang: en, terms: [bogus]}\n", "role.nope"),
        ("  - {id: alias.en.bogus, role: role.president, lang: en, terms: [bogus], with_org: role.nope}\n", "with_org"),
        ("  - {id: alias.en.bogus, role: role.president, lang: en, terms: [mayor]}\n", "already belongs"),
        ("  - {id: alias.en.bogus, role: role.president, lang: fr, terms: [bogus]}\n", "lang"),
    ],
)
def test_roles_loader_reports_bad_alias_at_its_line(config, entry, message):
    path = config / "roles.yml"
    line = insert_before_spanish(path, entry)
    rules, problems, _ = load_roles_rules(load_settings(config))
    assert any(p.line == line and message in p.message and p.file == str(path) for p in problems), problems


def test_roles_loader_reports_pattern_spacy_rejects(config):
    path = config / "patterns" / "en" / "roles.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append('{"id": "role_link.en.bad", "label": "LINK", "pattern": [{"NOPE": 1}, {"ORTH": ","}], "examples": [{"text": "x"}]}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems, _ = load_roles_rules(load_settings(config))
    assert [(p.file, p.line) for p in problems] == [(str(path), len(lines))]
    assert "role_link.en.bad" in problems[0].message


@pytest.mark.parametrize("text", ["roles: [\n  - {id: x", "", "roles: 3\n"])
def test_roles_loader_never_raises_on_broken_file(config, text):
    (config / "roles.yml").write_text(text, encoding="utf-8")
    rules, problems, _ = load_roles_rules(load_settings(config))
    assert rules is None and problems


def test_roles_loader_reports_missing_file(config):
    (config / "roles.yml").unlink()
    rules, problems, ids = load_roles_rules(load_settings(config))
    assert rules is None and ids == [] and "cannot read" in problems[0].message
