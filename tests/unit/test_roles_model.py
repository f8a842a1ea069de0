"""Person–role links on invented and seed sentences with the real models (gold in data/roles_gold.jsonl)."""

import functools
import json
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.nlp.models import load_pipeline

GOLD = [json.loads(line) for line in (Path(__file__).parent / "data" / "roles_gold.jsonl").read_text(encoding="utf-8").splitlines()]


@functools.lru_cache(maxsize=2)
def pipeline_for(lang: str):
    """Return the full pipeline of `lang`, loaded once per test session."""
    return load_pipeline(lang, load_settings())


@pytest.mark.model
@pytest.mark.parametrize("case", GOLD, ids=[case["text"][:40] for case in GOLD])
def test_roles_model_links_match_gold(case):
    doc = pipeline_for(case["lang"])(case["text"])
    found = sorted([link.person.text, link.role, link.jurisdiction, link.qualifier] for link in doc._.role_links)
    assert found == sorted(case["links"])
    for link in doc._.role_links:
        assert doc.text[link.person.start : link.person.end] == link.person.text
        # A link comes from a link pattern and an alias, or from a named counterpart of a meeting.
        assert (link.rules[0].startswith("role_link.") and link.rules[1].startswith("alias.")) or "meeting.counterpart" in link.rules
