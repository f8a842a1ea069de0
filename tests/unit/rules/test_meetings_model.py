"""Meeting mentions on invented and seed sentences with the real models (gold in data/meetings_gold.jsonl)."""

import json
from pathlib import Path

import pytest

from tests.helpers import pipeline_for

GOLD = [json.loads(line) for line in (Path(__file__).parents[1] / "data" / "meetings_gold.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.model
@pytest.mark.parametrize("case", GOLD, ids=[case["text"][:40] for case in GOLD])
def test_meetings_model_mentions_match_gold(case):
    doc = pipeline_for(case["lang"])(case["text"])
    found = doc._.meetings
    assert len(found) == len(case["meetings"]), found
    for expected, mention in zip(case["meetings"], found):
        assert mention.kind == expected["kind"]
        assert [p.text for p in mention.participants] == expected["participants"]
        for key in ("place", "date_text", "name"):
            assert getattr(mention, key) == expected.get(key, "")
        roles = {p.text: [p.role, p.jurisdiction] for p in mention.participants if p.role}
        assert roles == {text: [role, where] for text, role, where in expected.get("roles", [])}
        assert mention.rules and mention.rules[0].startswith(("trigger.", "meeting_trigger."))
