"""Every link pattern in patterns/<lang>/roles.jsonl handles the examples it ships with."""


import pytest

from pipeline.rules.roles.loader import load_roles_rules
from tests.helpers import SETTINGS

RULES, PROBLEMS, _ = load_roles_rules(SETTINGS)


def _cases():
    if RULES is None:
        return []
    return [
        pytest.param(lang, rule.id, example, id=f"{rule.id}-{n}")
        for lang, rules in RULES.links.items()
        for rule in rules
        for n, example in enumerate(rule.examples)
    ]


def test_role_rules_load_without_problems():
    assert RULES is not None
    assert PROBLEMS == []


@pytest.mark.model
@pytest.mark.parametrize("lang,rule_id,example", _cases())
def test_role_rules_examples(lang, rule_id, example, pipelines):
    doc = pipelines(lang)(example.text)
    found = {(link.person.text, link.role): link for link in doc._.role_links}
    for expected in example.links:
        link = found.get((expected.person, expected.role))
        assert link is not None, f"{rule_id}: missing {expected.person} -> {expected.role}; found {sorted(found)}"
        for key in ("jurisdiction", "organization", "qualifier"):
            if getattr(expected, key) is not None:
                assert getattr(link, key) == getattr(expected, key), (rule_id, key, link)
    wanted = {(e.person, e.role) for e in example.links}
    assert set(found) <= wanted, f"{rule_id}: unexpected links {set(found) - wanted}"
    assert any(rule_id in link.rules for link in doc._.role_links) == bool(example.links)
