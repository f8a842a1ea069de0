"""load_meetings_rules: the shipped rules load; mistakes come back as file:line problems, never raised."""

import pytest

from pipeline.config import load_settings
from pipeline.rules.meetings.loader import load_meetings_rules
from tests.helpers import insert_before_spanish


def test_meetings_loader_loads_shipped_rules():
    rules, problems, ids = load_meetings_rules(load_settings())
    assert problems == []
    assert rules is not None and rules.words("with_preps", "es")
    assert len({rule_id for rule_id, _, _ in ids}) == len(ids)


@pytest.mark.parametrize(
    "entry,message",
    [
        ("  - {id: trigger.en.bad, lang: en, lemmas: [greet], pos: [VERB], kind: party}\n", "kind"),
        ("  - {id: trigger.en.bad, lang: en, lemmas: [], pos: [VERB], kind: meeting}\n", "lemmas"),
        ("  - {id: trigger.en.bad, lang: en, lemmas: [greet], pos: [VERB], kind: meeting, colour: red}\n", "colour"),
    ],
)
def test_meetings_loader_reports_bad_trigger_at_its_line(config, entry, message):  # noqa: F811
    line = insert_before_spanish(config / "meetings.yml", entry)
    rules, problems, _ = load_meetings_rules(load_settings(config))
    assert rules is None
    assert any(p.line == line and message in p.message for p in problems), problems


@pytest.mark.parametrize(
    "line,message",
    [
        ('{"id": "m.bad", "label": "TRIGGER", "pattern": [{"LOWER": "chat"}], "examples": [{"text": "x"}]}', "needs a kind"),
        ('{"id": "m.bad", "label": "EXCLUDE", "pattern": [{"LOWER": {"WRONG": 1}}], "examples": [{"text": "x"}]}', "rejected by spaCy"),
        ('{"id": "m.bad", "label": "EXCLUDE", "pattern": [{"LOWER": "x"}]}', "examples"),
        ('{"id": "m.bad", "label": "EXCLUDE",', "malformed JSON"),
    ],
)
def test_meetings_loader_reports_bad_pattern_at_its_line(config, line, message):  # noqa: F811
    path = config / "patterns" / "es" / "meetings.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() + [line]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems, _ = load_meetings_rules(load_settings(config))
    assert [(p.file, p.line) for p in problems] == [(str(path), len(lines))]
    assert message in problems[0].message
