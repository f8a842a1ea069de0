"""Person–role links on invented and seed sentences with the real models (gold in data/roles_gold.jsonl)."""

import json
from pathlib import Path

import pytest

from tests.helpers import pipeline_for

GOLD = [json.loads(line) for line in (Path(__file__).parents[1] / "data" / "roles_gold.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.model
@pytest.mark.parametrize("case", GOLD, ids=[case["text"][:40] for case in GOLD])
def test_roles_model_links_match_gold(case):
    doc = pipeline_for(case["lang"])(case["text"])
    found = sorted([link.person.text, link.role, link.jurisdiction, link.qualifier] for link in doc._.role_links)
    assert found == sorted(case["links"])
    for link in doc._.role_links:
        assert doc.text[link.person.start : link.person.end] == link.person.text
        # A link comes from a link pattern (or an office list) and an alias or office head, or from
        # a named counterpart of a meeting.
        assert (link.rules[0].startswith(("role_link.", "code.office.")) and link.rules[1].startswith(("alias.", "office."))) or "meeting.counterpart" in link.rules
