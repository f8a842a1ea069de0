"""The meetings component on hand-parsed Docs (blank pipeline, no model)."""

import pytest

from tests.helpers import CASES, hand_parsed


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_meetings_blank_mentions_match_hand_parse(case):
    doc = hand_parsed(case)
    found = doc._.meetings
    assert len(found) == len(case["meetings"]), found
    for expected, mention in zip(case["meetings"], found):
        assert mention.kind == expected["kind"]
        assert [p.text for p in mention.participants] == expected["participants"]
        assert mention.date_text == expected.get("date_text", "")
        roles = sorted([p.text, p.role, p.jurisdiction] for p in mention.participants if p.role)
        assert roles == sorted(expected.get("roles", []))
        for person in mention.participants:
            assert doc.text[person.start : person.end] == person.text
