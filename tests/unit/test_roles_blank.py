"""The roles component on hand-parsed Docs (blank pipeline, no model): links never cross."""

import functools
import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.config import load_settings

CASES = json.loads((Path(__file__).parent / "data" / "rule_layer_docs.json").read_text(encoding="utf-8"))["cases"]


@functools.lru_cache(maxsize=2)
def blank_rule_layer(lang: str):
    """Return a blank pipeline of `lang` with the roles and meetings components."""
    import pipeline.rules.meetings.component  # noqa: F401  registers the factories
    import pipeline.rules.roles.component  # noqa: F401

    nlp = spacy.blank(lang)
    config = {"config_dir": str(load_settings().config_dir)}
    nlp.add_pipe("actorgraph_roles", config=config)
    nlp.add_pipe("actorgraph_meetings", config=config)
    return nlp


def hand_parsed(case) -> Doc:
    """Build the Doc a case describes and run the roles and meetings components over it."""
    nlp = blank_rule_layer(case["lang"])
    words = case["words"]
    iob = ["O"] * len(words)
    for start, end, label in case["ents"]:
        iob[start : end] = [f"B-{label}"] + [f"I-{label}"] * (end - start - 1)
    lemmas = [case.get("lemmas", {}).get(w, w.lower()) for w in words]
    doc = Doc(nlp.vocab, words=words, pos=case["pos"], heads=case["heads"], deps=case["deps"], lemmas=lemmas, ents=iob)
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


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
