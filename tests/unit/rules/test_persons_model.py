"""Which spans are persons, with the real models (gold in data/persons_gold.jsonl)."""

import json
from pathlib import Path

import pytest

from tests.helpers import pipeline_for

GOLD = [json.loads(line) for line in (Path(__file__).parents[1] / "data" / "persons_gold.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.model
@pytest.mark.parametrize("case", GOLD, ids=[case["text"][:40] for case in GOLD])
def test_persons_model_matches_gold(case):
    doc = pipeline_for(case["lang"])(case["text"])
    persons = {ent.text for ent in doc.ents if ent.label_ == "PERSON"}
    assert set(case["persons"]) <= persons
    assert not persons & set(case["not_persons"])
