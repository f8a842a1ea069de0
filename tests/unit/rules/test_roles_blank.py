"""The roles component on hand-parsed Docs (blank pipeline, no model): links never cross."""

import pytest
import spacy
from spacy.tokens import Span

from pipeline.rules.roles.component import sync_entities
from pipeline.rules.roles.phrases import Analysis
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


def test_roles_overlapping_person_spans_keep_the_longest():
    doc = spacy.blank("en")("Curr Wk Yr Ago Curr Wk Yr to Date")
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 6, 9, label="MISC")]
    sync_entities(doc, Analysis(phrases=[], persons=[(0, 4), (2, 5)], links=[]))
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(0, 4, "PERSON"), (6, 9, "MISC")]
