"""Resolution of persons, places, organizations, roles and known actors over hand-built DocResults.

`build_doc` and `FakeGazetteer` are shared with the meeting and graph tests.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from pipeline.records import PersonRef
from pipeline.resolve.actors import ActorsFile, load_actors_rules
from pipeline.resolve.names import Names
from pipeline.resolve.resolution import Resolver
from tests.helpers import FakeGazetteer, build_doc, resolve


def persons_doc(doc_id, *names, lang="en"):
    """Return a document that mentions each name as a PERSON, one sentence each."""
    return build_doc(doc_id, [(f"{name} spoke.", [("PERSON", name)]) for name in names], lang=lang)


def node_of(resolution, doc, text):
    return resolution.view(doc).person(text)


@pytest.mark.parametrize(
    "text,key",
    [
        ("Antony J. Blinken", "antony blinken"),
        ("Secretary Blinken", "blinken"),
        ("Mr. Biden", "biden"),
        ("President Biden", "biden"),
        ("Joe Biden's", "joe biden"),
        ("Joe Biden’s", "joe biden"),
        ("presidente Joe Biden", "joe biden"),
        ("El secretario de Estado Anthony Blinken", "anthony blinken"),
        ("Mexican President Andrés Manuel López Obrador", "andres manuel lopez obrador"),
        ("Homeland Security Adviser Liz Sherwood-Randall", "liz sherwood-randall"),
        ("Gov. Greg Abbott", "greg abbott"),
        ("Alejandro N. Mayorkas, the homeland security secretary", "alejandro mayorkas"),
        ("Sra. Alicia Bárcena", "alicia barcena"),
        ("Martin Luther King Jr.", "martin luther king"),
        ("President", ""),
        ("presidente mexicano", ""),
        ("Georgia Meloni", "georgia meloni"),
    ],
)
def test_resolve_person_key(text, key):
    assert Names(FakeGazetteer()).person(text)[0] == key


@pytest.mark.parametrize(
    "docs,forms,label",
    [
        (
            [("a", ["Antony Blinken", "Blinken"]), ("b", ["Anthony Blinken", "Secretary Blinken"]), ("c", ["Antony J. Blinken", "Antony Blinken"])],
            ["Antony Blinken", "Anthony Blinken", "Antony J. Blinken", "Blinken", "Secretary Blinken"],
            "Antony Blinken",
        ),
        (
            [("a", ["Andrés Manuel López Obrador", "López Obrador"]), ("b", ["Lopez Obrador"]), ("c", ["Andres Manuel Lopez Obrador", "Andres Manuel Lopez Obrador"])],
            ["Andrés Manuel López Obrador", "López Obrador", "Lopez Obrador", "Andres Manuel Lopez Obrador"],
            "Andrés Manuel López Obrador",
        ),
        (
            [("a", ["Joe Biden", "Biden"]), ("b", ["Mr. Biden", "President Biden"])],
            ["Joe Biden", "Biden", "Mr. Biden", "President Biden"],
            "Joe Biden",
        ),
        ([("a", ["Lazara Padron Molina", "Padron Molina"])], ["Lazara Padron Molina", "Padron Molina"], "Lazara Padron Molina"),
        ([("a", ["Peña"]), ("b", ["David Peña"])], ["David Peña", "Peña"], "David Peña"),
        ([("a", ["Biden"]), ("b", ["Mr. Biden"])], ["Biden", "Mr. Biden"], "Biden"),
    ],
)
def test_resolve_persons_one_node(docs, forms, label):
    built = {doc_id: persons_doc(doc_id, *names) for doc_id, names in docs}
    res = resolve(built.values(), FakeGazetteer())
    nodes = {node_of(res, doc, form) for doc in built.values() for form in forms if form in doc.document.text}
    assert len(nodes) == 1 and "" not in nodes
    assert res.person_label[nodes.pop()] == label


@pytest.mark.parametrize(
    "names,apart",
    [
        (["John Smith", "Mary Smith"], ["John Smith", "Mary Smith"]),
        (["Maria Lopez", "Mario Lopez"], ["Maria Lopez", "Mario Lopez"]),
        (["Jon Smith", "John Smith"], ["Jon Smith", "John Smith"]),
        (["Antony Blinken", "Anthony Blinken", "Anthony Blinkin"], ["Antony Blinken", "Anthony Blinkin"]),
    ],
)
def test_resolve_persons_stay_apart(names, apart):
    docs = [persons_doc(f"d{i}", name) for i, name in enumerate(names)]
    res = resolve(docs)
    found = [node_of(res, doc, doc.mentions[0].text) for doc in docs if doc.mentions[0].text in apart]
    assert len(set(found)) == len(apart)


def test_resolve_near_miss_ignores_unrelated_first_name():
    docs = [persons_doc("a", "Antony Blinken"), persons_doc("b", "Anthony Blinken"), persons_doc("c", "Donald Blinken")]
    res = resolve(docs)
    antony, anthony, donald = (node_of(res, d, d.mentions[0].text) for d in docs)
    assert antony == anthony != donald


def test_resolve_bare_surname_attaches_within_document_else_drops():
    docs = [
        persons_doc("a", "John Smith", "Smith"),
        persons_doc("b", "Mary Smith", "Smith"),
        persons_doc("c", "Smith"),
    ]
    res = resolve(docs)
    john, mary = node_of(res, docs[0], "John Smith"), node_of(res, docs[1], "Mary Smith")
    assert john != mary
    assert node_of(res, docs[0], "Smith") == john
    assert node_of(res, docs[1], "Smith") == mary
    assert node_of(res, docs[2], "Smith") == ""


def test_resolve_person_ids_are_readable_and_stable():
    res = resolve([persons_doc("a", "Andrés Manuel López Obrador", "López Obrador")])
    assert node_of(res, persons_doc("a", "Andrés Manuel López Obrador", "López Obrador"), "López Obrador") == "person:andres-manuel-lopez-obrador"
    assert res.person_short["person:andres-manuel-lopez-obrador"] == "López Obrador"


@pytest.mark.parametrize(
    "surfaces,norm,node",
    [
        (["Mexico", "México"], "", "place:mexico"),
        (["U.S.", "US", "the United States", "Estados Unidos", "EE.UU."], "", "place:united-states"),
        (["Ciudad de México", "Mexico City"], "", "place:mexico-city"),
        (["Eagle Pass", "Eagle Pass"], "", "place:eagle-pass"),
        (["los EEUU"], "United States", "place:united-states"),
    ],
)
def test_resolve_places_one_node(surfaces, norm, node):
    doc = build_doc("p", [(f"In {s} today.", [("PLACE", s, norm)] if norm else [("PLACE", s)]) for s in surfaces])
    res = resolve([doc], FakeGazetteer())
    view = res.view(doc)
    assert {view.mention_node(m) for m in doc.mentions} == {node}


def test_resolve_organizations_by_key():
    doc = build_doc("o", [("The White House said.", [("ORG", "The White House")]), ("White House aides.", [("ORG", "White House")])])
    res = resolve([doc])
    assert {res.view(doc).mention_node(m) for m in doc.mentions} == {"org:white-house"}
    assert res.label("org:white-house") == "White House"


@pytest.mark.parametrize("surface", ["Casa Blanca", "la Casa Blanca", "The White House"])
def test_resolve_organizations_across_languages(surface):
    org = SimpleNamespace(name="White House", names={"en": ["white house"], "es": ["casa blanca"]})
    doc = build_doc("o", [(f"{surface} dijo.", [("ORG", surface)])], lang="es")
    resolver = Resolver(organizations=[org])
    resolver.add(doc)
    res = resolver.finish()
    assert [res.view(doc).mention_node(m) for m in doc.mentions] == ["org:white-house"]
    assert res.label("org:white-house") == "White House"


def test_resolve_organization_inside_a_linked_title_is_no_node():
    doc = build_doc("t", [("Secretary of State Ana Ruiz spoke.", [("ORG", "State"), ("PERSON", "Ana Ruiz")])],
                    roles=[("Ana Ruiz", "Secretary of State", "")])
    doc.role_links[0].start, doc.role_links[0].end = 0, len("Secretary of State Ana Ruiz")
    res = resolve([doc])
    assert [res.view(doc).mention_node(m) for m in doc.mentions if m.label == "ORG"] == [""]


@pytest.mark.parametrize(
    "role,jurisdiction,organization,label",
    [
        ("President", "Mexico", "", "President of Mexico"),
        ("Foreign Minister", "Mexico", "", "Foreign Minister of Mexico"),
        ("Governor", "Texas", "", "Governor of Texas"),
        ("Secretary of State", "United States", "", "Secretary of State (United States)"),
        ("Homeland Security Adviser", "", "White House", "Homeland Security Adviser, White House"),
        ("Spokesperson", "", "", "Spokesperson"),
    ],
)
def test_resolve_role_label(role, jurisdiction, organization, label):
    doc = build_doc("r", [("Jane Roe spoke.", [("PERSON", "Jane Roe")])], roles=[("Jane Roe", role, jurisdiction, "", organization)])
    res = resolve([doc], FakeGazetteer())
    assert res.role_node(doc.role_links[0], jurisdiction)[1] == label


@pytest.mark.parametrize(
    "holders,expected",
    [
        ([("Andrés Manuel López Obrador", "")], "person:andres-manuel-lopez-obrador"),
        ([("Andrés Manuel López Obrador", ""), ("Vicente Fox", "former")], "person:andres-manuel-lopez-obrador"),
        ([("Andrés Manuel López Obrador", ""), ("Claudia Sheinbaum", "")], ""),
        ([], ""),
    ],
)
def test_resolve_role_only_reference(holders, expected):
    docs = [
        build_doc(f"h{i}", [(f"{name} spoke.", [("PERSON", name)])], roles=[(name, "President", "Mexico", qualifier)])
        for i, (name, qualifier) in enumerate(holders)
    ]
    asking = build_doc("q", [("Joe Biden called.", [("PERSON", "Joe Biden")])])
    res = resolve([*docs, asking])
    counterpart = PersonRef("his Mexican counterpart", 0, 0, role="President", jurisdiction="Mexico")
    assert res.view(asking).person(counterpart) == expected


def _settings(tmp_path, text=None):
    if text is not None:
        (tmp_path / "actors.yml").write_text(text, encoding="utf-8")
    return SimpleNamespace(rule_path=lambda name: tmp_path / f"{name}.yml")


def test_resolve_actors_missing_file_is_empty(tmp_path):
    actors, problems, ids = load_actors_rules(_settings(tmp_path))
    assert actors == ActorsFile() and problems == [] and ids == []


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("actors:\n  - id: actor.x\n    name: X\n    colour: red\n", 4, "colour"),
        ("actors:\n  - id: x\n    name: X\n", 2, "id"),
        ("actors: [\n", 2, "malformed"),
        ("actors:\n  - {id: actor.a, name: A, aliases: [Z]}\n  - {id: actor.b, name: B, aliases: [Z]}\n", 3, "already names"),
    ],
)
def test_resolve_actors_problems_have_lines(tmp_path, text, line, message):
    actors, problems, _ = load_actors_rules(_settings(tmp_path, text))
    assert actors is None
    assert any(p.line == line and message in p.message for p in problems)


def test_resolve_actors_shipped_file_is_valid():
    from pipeline.config import load_settings

    actors, problems, ids = load_actors_rules(load_settings())
    assert problems == [] and actors is not None and ids == []


def test_resolve_known_actors_alias_and_do_not_merge(tmp_path):
    text = (
        "actors:\n"
        "  - id: actor.amlo\n    name: Andrés Manuel López Obrador\n    aliases: [AMLO]\n"
        "  - id: actor.jsmith\n    name: Jonathan Smith\n    do_not_merge: [Jonathon Smith]\n"
    )
    actors, problems, ids = load_actors_rules(_settings(tmp_path, text))
    assert not problems and [i[0] for i in ids] == ["actor.amlo", "actor.jsmith"]
    docs = [persons_doc("a", "AMLO"), persons_doc("b", "Andres Manuel Lopez Obrador"), persons_doc("c", "Jonathan Smith"), persons_doc("d", "Jonathon Smith")]
    res = resolve(docs, actors=actors)
    amlo, full, jonathan, jonathon = (node_of(res, d, d.mentions[0].text) for d in docs)
    assert amlo == full and res.person_label[amlo] == "Andrés Manuel López Obrador"
    assert jonathan != jonathon


def test_resolve_persons_order_independent():
    docs = [persons_doc("a", "Antony Blinken", "Blinken"), persons_doc("b", "Anthony Blinken"), persons_doc("c", "Blinken"), persons_doc("d", "Joe Biden")]
    results = set()
    for order in itertools.permutations(docs):
        res = resolve(order)
        results.add((tuple(sorted(res.person_map.items())), tuple(sorted(res.person_label.items()))))
    assert len(results) == 1


@pytest.mark.parametrize(
    "names,short,same",
    [
        (["Yoon Suk Yeol", "Yoon"], "Yoon", True),  # family name first
        (["Luiz Inácio Lula da Silva", "Lula"], "Lula", True),  # a middle name used alone
        (["Ana Ruiz Soto", "Marta Ruiz Díaz", "Ruiz"], "Ruiz", False),  # two candidates: no guess
    ],
)
def test_resolve_single_word_attaches_to_the_one_longer_name_in_its_document(names, short, same):
    doc = persons_doc("d", *names)
    resolution = resolve([doc])
    assert (node_of(resolution, doc, short) == node_of(resolution, doc, names[0])) is same
