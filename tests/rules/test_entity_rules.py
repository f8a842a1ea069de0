"""Run every example of configs/patterns/<lang>/entities.jsonl through the entity layer on a blank pipeline."""

from __future__ import annotations

import functools

import pytest
import spacy
from spacy.tokens import Doc, Span

import pipeline.rules.entities  # noqa: F401  (registers the actorgraph_entities factory)
from pipeline.config import load_settings
from pipeline.rules.entity_rules import load_entity_rules

SETTINGS = load_settings()
RULES, PROBLEMS, _ = load_entity_rules(SETTINGS)
CASES = [
    pytest.param(lang, example, id=f"{rule.id}#{number}")
    for lang, rules in (RULES or {}).items()
    for rule in rules.all
    for number, example in enumerate(rule.examples)
]


@functools.lru_cache(maxsize=2)
def _blank(lang: str):
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("actorgraph_entities", config={"config_dir": str(SETTINGS.config_dir)})
    return nlp


def _doc(nlp, example) -> Doc:
    """A blank Doc carrying the example's fake model entities and POS tags."""
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(example.text))
    spans, used = [], set()
    for text, label in example.model:
        start = next(i for i in range(len(example.text)) if example.text.startswith(text, i) and i not in used)
        used.update(range(start, start + len(text)))
        span = doc.char_span(start, start + len(text), label=label)
        assert span is not None, f"{text!r} is not on token boundaries"
        spans.append(span)
    doc.ents = spans
    for token in doc:
        if token.text in example.pos:
            token.pos_ = example.pos[token.text]
    doc._.pub_date = example.pub_date
    return doc


def test_entity_rules_load_without_problems():
    assert PROBLEMS == [] and CASES


@pytest.mark.parametrize("lang, example", CASES)
def test_entity_rules_example(lang, example):
    nlp = _blank(lang)
    doc = nlp.get_pipe("actorgraph_entities")(_doc(nlp, example))
    found = {(ent.text, ent.label_): ent for ent in doc.ents}
    for want in example.expect:
        ent: Span | None = found.get((want["text"], want["label"]))
        assert ent is not None, f"missing {want['text']!r}/{want['label']} in {sorted(found)}"
        for attr in ("norm", "value", "qualifier"):
            if attr in want:
                assert getattr(ent._, attr) == want[attr], f"{want['text']!r}.{attr}"
        assert ent._.rules, "every entity records the rules that made it"
    texts = {ent.text for ent in doc.ents}
    for text in example.absent:
        assert text not in texts
