"""The person filter on blank pipelines with hand-set model entities (configs/persons.yml)."""

import pytest
import spacy
from spacy.tokens import Span

import pipeline.rules.entities  # noqa: F401  (registers actorgraph_entities)
from pipeline.rules.persons import headline
from pipeline.config import load_settings

CONFIG = str(load_settings().config_dir)


def _run(lang: str, text: str, ents: list[tuple[str, str]]):
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    layer = nlp.add_pipe("actorgraph_entities", config={"config_dir": CONFIG})
    doc = nlp.make_doc(text)
    doc = nlp.get_pipe("sentencizer")(doc)
    spans = []
    for surface, label in ents:
        start = text.index(surface)
        spans.append(doc.char_span(start, start + len(surface), label=label))
    doc.ents = spans
    return {(e.text, e.label_): e._.rules for e in layer(doc).ents}


@pytest.mark.parametrize(
    "lang, text, model, want, rule",
    [
        ("en", "King Olav opened parliament.", [("King Olav", "ORG")], ("Olav", "PERSON"), "persons.en.honorifics"),
        ("en", "Cde Tendai Moyo spoke.", [("Cde Tendai Moyo", "PERSON")], ("Tendai Moyo", "PERSON"), "persons.en.honorifics"),
        ("en", "Police blamed the NDF for it.", [("NDF", "PERSON")], ("NDF", "ORG"), "code.persons.acronym"),
        ("en", "He died at Mary Ashford Hospital today.", [("Mary Ashford Hospital", "PERSON")], ("Mary Ashford Hospital", "ORG"), "persons.en.not_name.institution"),
        ("en", "They crossed on the ship Aurora yesterday.", [("Aurora", "PERSON")], ("Aurora", "MISC"), "persons.en.introducers.thing"),
        ("es", "La agencia Bernama informó ayer.", [("Bernama", "PER")], ("Bernama", "ORG"), "persons.es.introducers.org"),
        ("es", "El Papa Clemente habló.", [("Papa Clemente", "PER")], ("Clemente", "PERSON"), "persons.es.honorifics"),
        ("es", "La moción del Likud fracasó.", [("Likud", "PER")], ("Likud", "ORG"), "persons.es.articles"),
        ("es", "Habló Marisa del Valle ayer.", [("Marisa del Valle", "PER")], ("Marisa del Valle", "PERSON"), None),
    ],
)
def test_persons_filter_relabels_with_rule_id(lang, text, model, want, rule):
    found = _run(lang, text, model)
    assert want in found, found
    if rule:
        assert rule in found[want]


def test_persons_hyphenated_name_kept_whole():
    found = _run("en", "Vice President Chen Wei-lin spoke.", [("Chen Wei", "PERSON")])
    assert ("Chen Wei-lin", "PERSON") in found


def test_persons_headline_detected():
    nlp = spacy.blank("en")
    assert headline(nlp("Minister to Announce Sweeping Reform of Pension Rules")[:])
    assert not headline(nlp("The minister will announce a reform of pension rules on Monday.")[:])


@pytest.mark.parametrize(
    "text, name",
    [
        ("Signed by Ann Wilson, Tom Baker and Carl Dobbs today.", "Tom Baker"),
        ("Signed by Ann Wilson, Tom Baker, and Carl Dobbs today.", "Carl Dobbs"),
    ],
)
def test_persons_name_typed_org_in_a_list_of_persons_is_a_person(text, name):
    model = [(n, "PERSON") for n in ("Ann Wilson", "Tom Baker", "Carl Dobbs") if n != name] + [(name, "ORG")]
    found = _run("en", text, model)
    assert (name, "PERSON") in found and "code.persons.listed_with_persons" in found[(name, "PERSON")]


def test_persons_office_and_holder_is_no_list():
    found = _run("es", "La ministra de Asuntos Exteriores, Irene Casares, habló.", [("Asuntos Exteriores", "ORG"), ("Irene Casares", "PER")])
    assert ("Asuntos Exteriores", "ORG") in found


@pytest.mark.parametrize(
    "lang, text, model, want",
    [
        ("es", "La policía detuvo en Sevilla a R. M. T. , de 35 años.", [("R. M. T.", "PER")], ("R. M. T.", "PERSON")),
        ("en", "MOSCOW - VOLKOV WINS RUNOFF AFTER LONG COUNT", [("VOLKOV", "PERSON")], ("VOLKOV", "PERSON")),
        ("es", "La Reina visitó el hospital.", [("Reina", "PER")], ("Reina", "MISC")),
    ],
)
def test_persons_initials_capitals_and_bare_titles(lang, text, model, want):
    assert want in _run(lang, text, model)


def test_persons_roster_is_no_headline():
    nlp = spacy.blank("en")
    assert not headline(nlp("Italy : 1 - Marco Rossi , 2 - Luca Bianchi , 3 - Paolo Verdi")[:])


@pytest.mark.parametrize(
    "lang, text, label, want, rule",
    [
        ("es", "Habló Tomás Arjona ayer. Después Arjona se fue.", "ORG", "PERSON", "code.persons.surname"),
        ("en", "Lena Brandt spoke. Later, Brandt left.", "ORG", "PERSON", "code.persons.surname"),
    ],
)
def test_persons_surname_of_a_full_name_is_that_person(lang, text, label, want, rule):
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    layer = nlp.add_pipe("actorgraph_entities", config={"config_dir": CONFIG})
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(text))
    given, surname = text.split(".")[0].split()[-3:-1]  # "... <given> <surname> <verb>."
    first = text.index(f"{given} {surname}")
    second = text.rindex(surname)
    doc.ents = [doc.char_span(first, text.index(surname) + len(surname), label="PERSON"),
                doc.char_span(second, second + len(surname), label=label)]
    found = {(e.start_char, e.label_): e._.rules for e in layer(doc).ents}
    assert (second, want) in found, found
    assert rule in found[(second, want)]
