"""Helpers the tests share: hand-built documents and Docs, a fake gazetteer, the sample people.

Shared fixtures live in tests/conftest.py; test modules import plain helpers from here and
never from each other.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import spacy
from spacy.tokens import Doc

from pipeline.config import load_settings
from pipeline.nlp.models import load_pipeline
from pipeline.records import DocResult, Document, MeetingMention, Mention, PersonRef, RoleLink
from pipeline.resolve.resolution import Resolver
from pipeline.text import fold

ROOT = Path(__file__).resolve().parents[1]
UNIT_DATA = ROOT / "tests" / "unit" / "data"


CASES = json.loads((UNIT_DATA / "rule_layer_docs.json").read_text(encoding="utf-8"))["cases"]


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


def insert_before_spanish(path, entry: str) -> int:
    """Insert a YAML list entry before the "# --- Spanish" marker; return its line number."""
    text = path.read_text(encoding="utf-8")
    anchor = "  # --- Spanish"
    path.write_text(text.replace(anchor, entry + anchor, 1), encoding="utf-8")
    return text[: text.index(anchor)].count("\n") + 1


@functools.lru_cache(maxsize=2)
def pipeline_for(lang: str):
    """Return the full pipeline of `lang`, loaded once per test session."""
    return load_pipeline(lang, load_settings())


SETTINGS = load_settings()


PLACES = {  # canonical -> (kind, country, surface forms)
    "Mexico": ("country", "", ["Mexico", "México"]),
    "United States": ("country", "", ["United States", "Estados Unidos", "U.S.", "US", "EE.UU."]),
    "Canada": ("country", "", ["Canada", "Canadá"]),
    "Mexico City": ("city", "Mexico", ["Mexico City", "Ciudad de México"]),
    "Guadalajara": ("city", "Mexico", ["Guadalajara"]),
    "Texas": ("region", "United States", ["Texas"]),
}


DEMONYMS = {"mexican": "Mexico", "mexicano": "Mexico", "american": "United States"}


def _place_key(text: str) -> str:
    words = fold(text).replace(".", "").split()
    return " ".join(words[1:] if words[:1] in (["the"], ["la"], ["los"]) else words)


class FakeGazetteer:
    """The three lookups the resolver uses, over a handful of places."""

    def __init__(self):
        self.names = {_place_key(s): c for c, (_, _, forms) in PLACES.items() for s in forms}

    def canonical(self, text: str) -> str:
        return self.names.get(_place_key(text), "")

    def country_of(self, text: str) -> str:
        name = self.canonical(text) or DEMONYMS.get(_place_key(text), "")
        if name not in PLACES:
            return ""
        kind, country, _ = PLACES[name]
        return name if kind == "country" else country

    def kind(self, canonical: str) -> str:
        return PLACES.get(canonical, ("",))[0]


def build_doc(doc_id, sentences, lang="en", date="", roles=(), meetings=()):
    """Return a DocResult from sentences [(text, [(label, surface, norm?)])], role and meeting tuples.

    roles: (person text, role, jurisdiction, qualifier?, organization?); a person given as a tuple
    (text, role, jurisdiction) is a role-only reference. meetings: dicts with kind, people, place,
    date, name, trigger, sentence, start.
    """
    text, mentions = "", []
    for sentence, entities in sentences:
        offset = len(text)
        for label, surface, *norm in entities:
            at = offset + sentence.index(surface)
            mentions.append(Mention(doc_id, lang, label, surface, at, at + len(surface), sentence, offset, norm=(norm or [""])[0], rules=["ent." + label.lower()]))
        text += sentence + " "

    def ref(person):
        if isinstance(person, tuple):
            return PersonRef(person[0], 10_000, 10_000 + len(person[0]), role=person[1], jurisdiction=person[2])
        at = text.find(person)
        return PersonRef(person, at, at + len(person)) if at >= 0 else PersonRef(person, 20_000, 20_000 + len(person))

    links = [
        RoleLink(doc_id, lang, ref(r[0]), r[1], "role." + r[1].lower().replace(" ", "_"), jurisdiction=r[2],
                 qualifier=r[3] if len(r) > 3 else "", organization=r[4] if len(r) > 4 else "", text=r[1],
                 start=index, end=index + 1, sentence=f"{r[0]}, {r[1]}", rules=["role.rule"])
        for index, r in enumerate(roles)
    ]
    events = [
        MeetingMention(doc_id, lang, m["kind"], m.get("trigger", m["kind"]), m.get("start", index), m.get("start", index) + 1,
                       [ref(p) for p in m.get("people", [])], m.get("place", ""), m.get("date", ""),
                       name=m.get("name", ""), sentence=m.get("sentence", f"{m['kind']} {index}"), rules=["meeting.rule"])
        for index, m in enumerate(meetings)
    ]
    return DocResult(Document(doc_id, text, lang=lang, date=date), mentions, links, events)


def resolve(docs, gazetteer=None, actors=None):
    resolver = Resolver(gazetteer=gazetteer, actors=actors)
    for doc in docs:
        resolver.add(doc)
    return resolver.finish()


BLINKEN, MAYORKAS, SHERWOOD = "Antony Blinken", "Alejandro Mayorkas", "Liz Sherwood-Randall"


AMLO, BIDEN, TRUDEAU, BARCENA = "Andrés Manuel López Obrador", "Joe Biden", "Justin Trudeau", "Alicia Bárcena"


MEXICAN_PRESIDENT = ("his Mexican counterpart", "President", "Mexico")


def names_doc(doc_id, names, lang="en", roles=(), meetings=(), date=""):
    """Return a document mentioning every name once, with the given role links and meetings."""
    sentences = [(f"{name} was there.", [("PERSON", name)]) for name in names]
    return build_doc(doc_id, sentences, lang=lang, date=date, roles=roles, meetings=meetings)


def corpus():
    """Five reports of one round of talks, a phone call the week before and a summit in January."""
    return [
        names_doc("es-1", [BLINKEN, MAYORKAS, SHERWOOD, "Anthony Blinken", "Biden", AMLO, TRUDEAU, BIDEN], lang="es",
                  roles=[(AMLO, "President", "Mexico")],
                  meetings=[
                      dict(kind="meeting", trigger="reunión", sentence="Antes de la reunión de este miércoles", date="2023-12-27", start=1),
                      dict(kind="meeting", trigger="reunión", people=[BLINKEN, MAYORKAS, SHERWOOD], sentence="asistirán a la reunión", date="2023-12-27", start=2),
                      dict(kind="summit", trigger="Cumbre", people=["Biden", AMLO, TRUDEAU], place="Ciudad de México", date="2023-01",
                           name="Cumbre de Líderes de América del Norte", start=3),
                      dict(kind="call", trigger="llamó", people=["Biden", ("su homólogo mexicano", "President", "Mexico")], date="2023-12-20", start=4),
                  ]),
        names_doc("en-1", [BLINKEN, MAYORKAS, "Blinken", "Lopez Obrador", BIDEN, AMLO, SHERWOOD],
                  meetings=[
                      dict(kind="visit", trigger="visit", people=[BLINKEN, MAYORKAS], place="Mexico", date="2023-12-27", start=1),
                      dict(kind="call", trigger="spoke with", people=[BIDEN, MEXICAN_PRESIDENT], date="2023-12-21", start=2),
                      dict(kind="meeting", trigger="meet", people=["Blinken", "Lopez Obrador"], place="Mexico City", date="2023-12-27", start=3),
                      dict(kind="meeting", trigger="meeting", people=[SHERWOOD], sentence="will also attend the meeting", start=4),
                  ]),
        names_doc("en-2", ["Antony J. Blinken", "Alejandro N. Mayorkas", SHERWOOD, "Mr. Biden", "Mr. López Obrador"],
                  meetings=[
                      dict(kind="meeting", trigger="meeting", people=["Antony J. Blinken", ("Mexico's president", "President", "Mexico")],
                           place="Mexico City", date="2023-12-27", start=1),
                      dict(kind="meeting", trigger="meeting", people=["Alejandro N. Mayorkas", SHERWOOD],
                           sentence="Wednesday's meeting also included", date="2023-12-27", start=2),
                      dict(kind="call", trigger="call", people=["Mr. López Obrador", "Mr. Biden"], date="2023-12", start=3),
                  ]),
        names_doc("es-2", [MAYORKAS, AMLO, BLINKEN, SHERWOOD], lang="es",
                  meetings=[
                      dict(kind="meeting", trigger="reunión", people=[MAYORKAS, AMLO], date="2023-12-27", sentence="tuvo una reunión muy productiva", start=1),
                      dict(kind="meeting", trigger="encuentro", sentence="El encuentro de este miércoles", date="2023-12-27", start=2),
                      dict(kind="meeting", trigger="reunión", people=[BLINKEN, MAYORKAS, SHERWOOD], place="Ciudad de México",
                           sentence="La reunión bilateral entre", start=3),
                  ]),
        names_doc("en-3", [AMLO, BLINKEN, MAYORKAS, BARCENA, "Donald Trump"],
                  meetings=[
                      dict(kind="meeting", trigger="received", people=[AMLO, BLINKEN, MAYORKAS], date="2023-12", start=1),
                      dict(kind="meeting", trigger="meetings", sentence="at least a dozen meetings of these characteristics", start=2),
                      dict(kind="meeting", trigger="meeting", people=[BARCENA], sentence="highlighted the friendly tone of the meeting", start=3),
                  ]),
    ]


def synthetic_graph(persons: int, edges: int, seed: int = 1):
    """A graph shaped like extract's (persons, roles, meetings, places, organisations and their
    relations, with evidence and rule ids) of about `persons` * 1.25 nodes and `edges` edges."""
    import random

    import networkx as nx

    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    kinds = {"person": persons, "role": persons // 20 + 1, "meeting": persons // 10 + 1,
             "place": persons // 20 + 1, "organization": persons // 20 + 1}
    ids = {kind: [f"{kind}:{i:05d}" for i in range(count)] for kind, count in kinds.items()}
    for kind, nodes in ids.items():
        for i, node in enumerate(nodes):
            label = f"Person {i} Example" if kind == "person" else f"{kind.title()} {i}"
            data = {"label": label, "type": kind, "aliases": [label, label.split()[-1]], "mentions": rng.randint(1, 50),
                    "documents": [f"doc{rng.randint(0, 999):03d}"]}
            if kind == "meeting":
                data["date"] = f"20{rng.randint(20, 23)}-{rng.randint(1, 12):02d}"
            graph.add_node(node, **data)
    shapes = [("person", "role", "holds_role"), ("person", "meeting", "participated_in"), ("person", "person", "met_with"),
              ("person", "person", "co_occurs"), ("person", "organization", "affiliated_with"), ("meeting", "place", "held_in")]
    for i in range(edges):
        source, target, relation = shapes[i % len(shapes)]
        u, v = rng.choice(ids[source][: max(1, len(ids[source]) // (1 + i % 3))]), rng.choice(ids[target])
        graph.add_edge(u, v, relation=relation, weight=float(rng.randint(1, 5)), documents=["doc001"],
                       evidence=f"Sentence {i} where {u} meets {v}.", rules=[f"rule.{relation}", "model"])
    return graph
