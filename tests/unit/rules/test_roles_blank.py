"""The roles component on hand-parsed Docs (blank pipeline, no model): links never cross."""

import pytest

from tests.helpers import CASES, blank_rule_layer, hand_parsed


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_roles_blank_links_match_hand_parse(case):
    doc = hand_parsed(case)
    found = sorted([l.person.text, l.role, l.jurisdiction, l.organization, l.qualifier] for l in doc._.role_links)
    assert found == sorted(case["links"])
    assert all(doc.text[l.start : l.end].find(l.person.text) >= 0 for l in doc._.role_links)


def test_roles_blank_rerun_replaces_links():
    case = CASES[0]
    doc = hand_parsed(case)
    first = list(doc._.role_links)
    nlp = blank_rule_layer(case["lang"])
    again = nlp.get_pipe("actorgraph_roles")(doc)
    assert again._.role_links == first
