"""The entity layer on blank pipelines: extensions, reference dates, Mention records, rule loading."""

import importlib

import pytest
import spacy
from spacy.tokens import Span

import pipeline.rules.entities as entities
from pipeline.config import Settings, load_settings
from pipeline.nlp import extensions
from pipeline.rules.entity_rules import load_entity_rules

CONFIG = str(load_settings().config_dir)


def _layer(lang: str):
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("actorgraph_entities", config={"config_dir": CONFIG})
    return nlp


def test_entities_extensions_registered_once():
    importlib.reload(extensions)  # where every extension is registered (pipeline/nlp/extensions.py)
    importlib.reload(entities)
    for name in ("value", "qualifier", "norm", "rules"):
        assert Span.has_extension(name)


def test_entities_values_survive_and_are_not_shared():
    doc = _layer("es")("Cruzan más de 11.000 migrantes y llegan a México.")
    number, place = [e for e in doc.ents if e.label_ == "NUMBER"][0], [e for e in doc.ents if e.label_ == "PLACE"][0]
    assert (number._.value, number._.qualifier) == (11000, "more than")
    assert place._.norm == "Mexico" and number._.rules != place._.rules
    number._.rules.append("extra")
    assert "extra" not in place._.rules


@pytest.mark.parametrize(
    "text, pub_date, ref, source",
    [
        ("Llegó el 19 de diciembre de 2023 y habló el domingo.", "", "2023-12-19", "text"),
        ("Llegó el 19 de diciembre de 2023.", "2023-12-30", "2023-12-30", "metadata"),
        ("Llegó el 19 de diciembre de 2023.", "2023-12", "2023-12-19", "text"),
        ("Llegó el 19 de diciembre de 2023.", "2024-01", "2024-01", "metadata"),
        ("Habló el domingo.", "", "", ""),
    ],
)
def test_entities_reference_date(text, pub_date, ref, source):
    nlp = _layer("es")
    doc = nlp.make_doc(text)
    doc._.pub_date = pub_date
    for _, pipe in nlp.pipeline:
        doc = pipe(doc)
    assert (doc._.ref_date, doc._.ref_date_source) == (ref, source)


def test_entities_mentions_from_doc():
    nlp = _layer("es")
    doc = nlp.make_doc("Hola. Viajan a EE.UU. más de 11.000 personas.")
    doc._.doc_id = "d1"
    for _, pipe in nlp.pipeline:
        doc = pipe(doc)
    mentions = entities.mentions_from_doc(doc)
    by_label = {m.label: m for m in mentions}
    assert by_label["PLACE"].norm == "United States" and by_label["PLACE"].doc == "d1"
    assert by_label["NUMBER"].value == 11000 and by_label["NUMBER"].qualifier == "more than"
    assert by_label["NUMBER"].sentence == "Viajan a EE.UU. más de 11.000 personas."
    assert by_label["NUMBER"].sent_start == 6 and by_label["NUMBER"].lang == "es"
    assert all(m.rules for m in mentions)


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "x", "action": "shout"}', "action"),
        ('{"id": "x", "action": "add", "label": "DATE", "pattern": [{"LOWR": "a"}]}', "x:"),
        ('{"id": "x", "action": "add", "pattern": [{"LOWER": "a"}]}', "needs a label"),
        ('{"id": "x", "action": "map", "label": "PLANET"}', "label"),
        ('{"id": "x", "action": "map"', "malformed JSON"),
    ],
)
def test_entities_loader_reports_problems(tmp_path, line, message):
    folder = tmp_path / "patterns" / "en"
    folder.mkdir(parents=True)
    (folder / "entities.jsonl").write_text(line + "\n", encoding="utf-8")
    settings = Settings(models={"en": "x"}, config_dir=tmp_path, run={"languages": ["en"]})
    rules, problems, _ = load_entity_rules(settings)
    assert rules is None and problems[0].line == 1 and message in problems[0].message
