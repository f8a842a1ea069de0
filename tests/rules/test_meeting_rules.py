"""Every trigger and exclusion in patterns/<lang>/meetings.jsonl handles its examples."""

import pytest

from pipeline.rules.meetings.loader import load_meetings_rules
from tests.helpers import SETTINGS

RULES, PROBLEMS, _ = load_meetings_rules(SETTINGS)


def _cases():
    if RULES is None:
        return []
    return [
        pytest.param(lang, rule.id, rule.label, example, id=f"{rule.id}-{n}")
        for lang, rules in RULES.patterns.items()
        for rule in rules
        for n, example in enumerate(rule.examples)
    ]


def test_meeting_rules_load_without_problems():
    assert RULES is not None
    assert PROBLEMS == []


@pytest.mark.model
@pytest.mark.parametrize("lang,rule_id,label,example", _cases())
def test_meeting_rules_examples(lang, rule_id, label, example, pipelines):
    doc = pipelines(lang)(example.text)
    meetings = doc._.meetings
    assert len(meetings) == len(example.meetings), f"{rule_id}: {meetings}"
    for expected, found in zip(example.meetings, meetings):
        assert found.kind == expected.kind
        assert [p.text for p in found.participants] == expected.participants
        for key in ("place", "date_text", "name"):
            if getattr(expected, key) is not None:
                assert getattr(found, key) == getattr(expected, key), (rule_id, key, found)
        if label == "TRIGGER":
            assert rule_id in found.rules
