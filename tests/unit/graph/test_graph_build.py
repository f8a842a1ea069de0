"""The graph and the JSONL rows built from hand-built DocResults and their Resolution."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from pipeline.graph import GraphBuilder, _in_sentence_order, mention_rows, relation_rows
from pipeline.records import Mention
from pipeline.resolve.resolution import Resolver
from tests.helpers import AMLO, BIDEN, BLINKEN, MAYORKAS, FakeGazetteer, build_doc, corpus, names_doc

NODE_ATTRS = {"type", "label", "aliases", "mentions", "documents", "languages"}
EDGE_ATTRS = {"relation", "weight", "directed", "documents", "evidence", "rules", "first_date", "last_date"}


def build(docs, gazetteer=None):
    resolver = Resolver(gazetteer=gazetteer or FakeGazetteer())
    for doc in docs:
        resolver.add(doc)
    resolution = resolver.finish()
    builder = GraphBuilder(resolution)
    for doc in docs:
        builder.add(doc)
    return builder.graph(), resolution


def snapshot(graph):
    return (
        sorted((n, repr(sorted(d.items()))) for n, d in graph.nodes(data=True)),
        sorted((u, v, k, repr(sorted(d.items()))) for u, v, k, d in graph.edges(keys=True, data=True)),
    )


def extra_doc():
    """Roles with a qualifier and an organization, and two persons sharing sentences."""
    sentence = "Earl Anthony Wayne and Greg Abbott spoke."
    return build_doc(
        "x-1",
        [(sentence, [("PERSON", "Earl Anthony Wayne"), ("PERSON", "Greg Abbott")]),
         ("Wayne and Gov. Greg Abbott again.", [("PERSON", "Wayne"), ("PERSON", "Gov. Greg Abbott")]),
         ("In Mexico.", [("PLACE", "Mexico")])],
        date="2023-12-28",
        roles=[("Earl Anthony Wayne", "Ambassador", "Mexico", "former", "Wilson Center"), ("Greg Abbott", "Governor", "Texas")],
    )


@pytest.fixture(scope="module")
def built():
    return build([*corpus(), extra_doc()])


@pytest.mark.parametrize("kind", ["person", "place", "role", "meeting", "organization"])
def test_graph_node_attributes(built, kind):
    graph, _ = built
    nodes = [d for _, d in graph.nodes(data=True) if d["type"] == kind]
    assert nodes
    for data in nodes:
        assert NODE_ATTRS <= set(data)
        assert isinstance(data["aliases"], list) and isinstance(data["documents"], list) and data["documents"]
        assert isinstance(data["mentions"], int)
        if kind == "meeting":
            assert {"kind", "date", "place", "participants"} <= set(data)


@pytest.mark.parametrize(
    "relation,directed",
    [("holds_role", True), ("participated_in", True), ("held_in", True), ("met_with", False),
     ("co_occurs", False), ("affiliated_with", True), ("jurisdiction_of", True)],
)
def test_graph_edge_attributes(built, relation, directed):
    graph, _ = built
    edges = [(k, d) for _, _, k, d in graph.edges(keys=True, data=True) if d["relation"] == relation]
    assert edges
    for key, data in edges:
        assert EDGE_ATTRS <= set(data) and data["directed"] is directed and key.startswith(relation + ":")
        assert data["weight"] >= 1 and data["documents"] and data["rules"]


def test_graph_met_with_once_per_pair_from_meetings(built):
    graph, _ = built
    pairs = [(u, v) for u, v, d in graph.edges(data=True) if d["relation"] == "met_with"]
    assert len(pairs) == len({frozenset(p) for p in pairs})
    blinken_amlo = [
        d for u, v, d in graph.edges(data=True)
        if d["relation"] == "met_with" and {graph.nodes[u]["label"], graph.nodes[v]["label"]} == {BLINKEN, AMLO}
    ]
    assert len(blinken_amlo) == 1
    assert "code.graph.met_with" in blinken_amlo[0]["rules"] and "meeting.rule" in blinken_amlo[0]["rules"]
    assert blinken_amlo[0]["first_date"] == "2023-12-27"


def test_graph_meeting_node(built):
    graph, _ = built
    talks = [d for _, d in graph.nodes(data=True) if d["type"] == "meeting" and d["kind"] == "meeting"]
    assert len(talks) == 1
    assert talks[0]["place"] == "Mexico City" and talks[0]["date"] == "2023-12-27"
    assert {BLINKEN, MAYORKAS, AMLO} <= set(talks[0]["participants"])
    assert set(talks[0]["documents"]) == {"es-1", "en-1", "en-2", "es-2", "en-3"}
    assert talks[0]["languages"] == ["en", "es"]


def test_graph_roles_qualifier_and_affiliation(built):
    graph, _ = built
    roles = {(graph.nodes[u]["label"], graph.nodes[v]["label"]): d for u, v, d in graph.edges(data=True) if d["relation"] == "holds_role"}
    assert roles[("Earl Anthony Wayne", "Ambassador of Mexico, Wilson Center")]["qualifier"] == "former"
    assert roles[("Greg Abbott", "Governor of Texas")]["qualifier"] == ""
    affiliations = {(graph.nodes[u]["label"], graph.nodes[v]["label"]) for u, v, d in graph.edges(data=True) if d["relation"] == "affiliated_with"}
    assert affiliations == {("Earl Anthony Wayne", "Wilson Center")}


def test_graph_co_occurs_counts_sentences(built):
    graph, _ = built
    found = [d for u, v, d in graph.edges(data=True) if d["relation"] == "co_occurs" and {u, v} == {"person:earl-anthony-wayne", "person:greg-abbott"}]
    assert len(found) == 1 and found[0]["weight"] == 2
    assert found[0]["evidence"] == "Earl Anthony Wayne and Greg Abbott spoke."
    assert found[0]["first_date"] == "2023-12-28"


def test_graph_same_for_any_document_order():
    docs = [*corpus(), extra_doc()]
    shots = {repr(snapshot(build(order)[0])) for order in itertools.islice(itertools.permutations(docs), 0, 720, 97)}
    assert len(shots) == 1


def test_graph_merge_of_partial_aggregates_matches_one_pass():
    docs = [*corpus(), extra_doc()]
    whole, _ = build(docs)
    left, right = Resolver(gazetteer=FakeGazetteer()), Resolver(gazetteer=FakeGazetteer())
    for i, doc in enumerate(docs):
        (left if i % 2 else right).add(doc)
    resolution = left.merge(right).finish()
    parts = [GraphBuilder(resolution), GraphBuilder(resolution)]
    for i, doc in enumerate(reversed(docs)):
        parts[i % 2].add(doc)
    assert snapshot(parts[0].merge(parts[1]).graph()) == snapshot(whole)


def test_graph_mention_rows():
    docs = [*corpus(), extra_doc()]
    _, resolution = build(docs)
    rows = list(mention_rows(docs[-1], resolution))
    assert [r["node"] for r in rows] == [
        "person:earl-anthony-wayne", "person:greg-abbott", "person:earl-anthony-wayne", "person:greg-abbott", "place:mexico",
    ]
    assert set(rows[0]) == {"doc", "lang", "label", "text", "start", "end", "sentence", "value", "norm", "qualifier", "rules", "node"}


def test_graph_relation_rows():
    docs = [*corpus(), extra_doc()]
    _, resolution = build(docs)
    rows = list(relation_rows(docs[-1], resolution))
    assert {r["relation"] for r in rows} == {"holds_role", "jurisdiction_of", "affiliated_with"}
    held = list(relation_rows(docs[1], resolution))
    assert {"participated_in", "held_in"} <= {r["relation"] for r in held}
    row = next(r for r in held if r["relation"] == "participated_in")
    assert set(row) == {"relation", "doc", "lang", "source", "target", "source_text", "target_text", "start", "end", "sentence", "rules", "date"}
    assert row["source"].startswith("person:") and row["target"].startswith("meeting:")


def test_graph_rows_keep_unresolved_relations():
    doc = names_doc("u", [BIDEN], meetings=[dict(kind="meeting", people=["Smith"], sentence="Smith met", date="2023-12-27")])
    other = [names_doc("s1", ["John Smith"]), names_doc("s2", ["Mary Smith"])]
    _, resolution = build([doc, *other])
    rows = list(relation_rows(doc, resolution))
    assert [(r["relation"], r["source"], r["target"]) for r in rows] == [("participated_in", "", "")]


def role_labels(graph, person_label):
    return sorted(
        graph.nodes[v]["label"]
        for u, v, d in graph.edges(data=True)
        if d["relation"] == "holds_role" and graph.nodes[u]["label"] == person_label
    )


@pytest.mark.parametrize(
    "elsewhere,expected",
    [
        ([("Mexico",)], ["President of Mexico"]),  # one jurisdiction elsewhere: the bare title takes it
        ([("Mexico",), ("Chile",)], ["President", "President of Chile", "President of Mexico"]),  # two: stays bare
        ([], ["President"]),  # none: stays bare
    ],
)
def test_graph_bare_title_takes_the_persons_jurisdiction(elsewhere, expected):
    docs = [build_doc("a", [("President Ana Ruiz spoke.", [("PERSON", "Ana Ruiz")])], roles=[("Ana Ruiz", "President", "")])]
    for index, (place,) in enumerate(elsewhere):
        sentence = f"The president of {place}, Ana Ruiz, spoke."
        docs.append(build_doc(f"b{index}", [(sentence, [("PERSON", "Ana Ruiz")])], roles=[("Ana Ruiz", "President", place)]))
    graph, _ = build(docs)
    assert role_labels(graph, "Ana Ruiz") == expected


def test_graph_co_occurs_same_for_mentions_out_of_sentence_order():
    docs = [*corpus(), extra_doc()]
    backwards = [replace(d, mentions=d.mentions[::-1]) for d in docs]
    assert not all(_in_sentence_order(d.mentions) for d in backwards)
    assert snapshot(build(backwards)[0]) == snapshot(build(docs)[0])


@pytest.mark.parametrize("starts,expected", [([], True), ([0, 0, 5, 9], True), ([0, 5, 0], False), ([7], True)])
def test_graph_sentence_order_of_mentions(starts, expected):
    found = [Mention("d", "en", "PERSON", "A", at, at + 1, "s", at) for at in starts]
    assert _in_sentence_order(found) is expected


def test_graph_rows_are_yielded_one_at_a_time():
    docs = [*corpus(), extra_doc()]
    _, resolution = build(docs)
    for rows in (mention_rows(docs[-1], resolution), relation_rows(docs[-1], resolution)):
        assert iter(rows) is rows and isinstance(next(rows), dict)
