"""The development-set scorer on hand-made graphs and hand-made gold of invented people."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from pipeline.tools import devscore
from pipeline.tools.devscore import GoldError, format_table, load_gold, score_folder, score_graph, write_report

PERSONS = {
    "odo_vantrell": {"match": r"odo vantrell|\bvantrell\b"},
    "marta_quillon": {"match": r"marta quill[oó]n"},
    "ilse_brammer": {"match": r"ilse brammer"},
}


def gold_file(tmp_path, **parts):
    raw = {"_about": "invented", "persons": PERSONS, "roles": [], "meetings": [], "not_persons": r"port elsby|ministry of kelp"}
    raw.update(parts)
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return load_gold(path)


def person(graph, node, label, aliases="", name=None):
    graph.add_node(node, type="person", label=label, aliases=aliases, documents="doc-a")
    if name is not None:
        graph.nodes[node]["name"] = name


def role(graph, node, label, aliases=""):
    graph.add_node(node, type="role", label=label, aliases=aliases)


def edge(graph, u, v, relation, documents="doc-a"):
    graph.add_edge(u, v, relation=relation, documents=documents)


@pytest.mark.parametrize(
    "label, aliases, name, found",
    [
        ("Vantrell", "", None, True),  # label
        ("O. V.", "Odo Vantrell; O. V.", None, True),  # alias in a GraphML "; " string
        ("O. V.", ["O. V.", "Odo Vantrell"], None, True),  # alias in a list
        ("O. V.", "", "Odo Vantrell", True),  # name
        ("Vantrellson", "Oda Vantrellson", None, False),  # word boundary keeps it out
    ],
)
def test_devscore_person_match_via_label_aliases_name(tmp_path, label, aliases, name, found):
    gold = gold_file(tmp_path)
    graph = nx.MultiDiGraph()
    person(graph, "p1", label, aliases, name)
    score = score_graph(graph, gold)
    assert score.persons_found == int(found)
    assert score.person_nodes_true == int(found)
    assert score.person_nodes == 1
    assert ("odo_vantrell" in {m["person"] for m in score.missed_persons}) is not found


def test_devscore_node_text_joins_label_aliases_name():
    text = devscore.node_text({"label": "A", "aliases": "B; C", "name": "D"})
    assert text == "A | B | C | D"


@pytest.mark.parametrize(
    "label, aliases, true_nodes, flagged",
    [
        ("Port Elsby", "", 0, True),  # full match: a place typed as a person
        ("PORT ELSBY", "", 0, True),  # case-insensitive
        ("Port Elsby Harbourmaster", "", 0, False),  # not in full: a plain false person
        ("Ministry of Kelp", "Ilse Brammer", 0, True),  # in full, even if an alias names a gold person
        ("Ilse Brammer", "", 1, False),  # a real gold person
    ],
)
def test_devscore_not_persons_full_match(tmp_path, label, aliases, true_nodes, flagged):
    gold = gold_file(tmp_path)
    graph = nx.MultiDiGraph()
    person(graph, "p1", label, aliases)
    score = score_graph(graph, gold)
    assert score.person_nodes_true == true_nodes
    assert [f["not_persons"] for f in score.false_persons] == ([] if true_nodes else [flagged])


ROLE = {"person": "marta_quillon", "role": r"finance minister|ministr[oa] de hacienda", "optional": False,
        "file": "x.txt", "evidence": "Finance Minister Marta Quillon"}


@pytest.mark.parametrize(
    "person_label, role_label, role_aliases, found, instead",
    [
        ("Marta Quillon", "Finance Minister of Arvenia", "", True, []),
        ("Marta Quillón", "Minister of Economy", "ministra de Hacienda", True, []),  # Spanish alias
        ("Marta Quillon", "Mayor of Dunmore", "", False, ["Mayor of Dunmore"]),  # linked to another role
        ("Ilse Brammer", "Finance Minister", "", False, []),  # the role held by someone else
    ],
)
def test_devscore_role_link_found_or_missed(tmp_path, person_label, role_label, role_aliases, found, instead):
    gold = gold_file(tmp_path, roles=[ROLE])
    graph = nx.MultiDiGraph()
    person(graph, "p1", person_label)
    role(graph, "r1", role_label, role_aliases)
    edge(graph, "p1", "r1", "holds_role")
    edge(graph, "p1", "r1", "co_occurs")  # other relations do not count
    score = score_graph(graph, gold)
    assert (score.roles_found, score.roles_required, score.role_edges) == (int(found), 1, 1)
    assert [m["graph_roles"] for m in score.missed_roles] == ([] if found else [instead])


def test_devscore_role_precision_counts_optional_links(tmp_path):
    optional = {"person": "odo_vantrell", "role": r"\bmayor\b", "optional": True}
    gold = gold_file(tmp_path, roles=[ROLE, optional])
    graph = nx.MultiDiGraph()
    person(graph, "p1", "Marta Quillon")
    person(graph, "p2", "Odo Vantrell")
    role(graph, "r1", "Finance Minister")
    role(graph, "r2", "Mayor of Dunmore")
    role(graph, "r3", "Ambassador of Arvenia")
    edge(graph, "p1", "r1", "holds_role")
    edge(graph, "p2", "r2", "holds_role")  # true only through the optional link
    edge(graph, "p2", "r3", "holds_role", documents="doc-b; doc-c")  # false
    score = score_graph(graph, gold)
    assert (score.role_edges_true, score.role_edges) == (2, 3)
    assert score.roles_required == 1  # the optional link is not required
    assert score.figures()["roles_precision"] == pytest.approx(2 / 3)
    assert [(f["person"], f["role"], f["documents"]) for f in score.false_roles] == [
        ("Odo Vantrell", "Ambassador of Arvenia", ["doc-b", "doc-c"])
    ]


def meeting_graph(participants, date="2031-04-12", place_attr="", label="Meeting", held_in=None):
    graph = nx.MultiDiGraph()
    person(graph, "p1", "Odo Vantrell")
    person(graph, "p2", "Marta Quillon")
    person(graph, "p3", "Ilse Brammer")
    graph.add_node("m1", type="meeting", label=label, date=date, place=place_attr, aliases="met")
    for p in participants:
        edge(graph, p, "m1", "participated_in")
    if held_in:
        graph.add_node("pl1", type="place", label=held_in[0], aliases=held_in[1])
        edge(graph, "m1", "pl1", "held_in")
    return graph


@pytest.mark.parametrize(
    "gold_place, gold_date, graph_kw, found, strict",
    [
        ("dunmore", "2031-04-12", {"participants": ["p1"]}, False, False),  # one required person missing
        ("dunmore", "2031-04-12", {"participants": ["p1", "p2"], "held_in": ("Dunmore", "")}, True, True),
        ("dunmore", "2031-04", {"participants": ["p1", "p2", "p3"], "held_in": ("Old Town", "Dunmore")}, True, True),
        ("dunmore", "2031", {"participants": ["p1", "p2"], "place_attr": "Dunmore"}, True, True),  # place attribute
        ("dunmore", "", {"participants": ["p1", "p2"], "label": "Talks in Dunmore"}, True, True),  # label
        ("dunmore", "", {"participants": ["p1", "p2"], "held_in": ("Arvenia", "")}, True, False),  # wrong place
        ("dunmore", "", {"participants": ["p1", "p2"]}, True, False),  # no place
        (None, "2031-04-13", {"participants": ["p1", "p2"]}, True, False),  # wrong day
        (None, "2031-05", {"participants": ["p1", "p2"]}, True, False),  # wrong month
        (None, "2031-04", {"participants": ["p1", "p2"], "date": ""}, True, False),  # no date
        (None, "", {"participants": ["p1", "p2"], "date": ""}, True, True),  # gold gives neither
    ],
)
def test_devscore_meeting_found_vs_strict(tmp_path, gold_place, gold_date, graph_kw, found, strict):
    meeting = {"id": "m", "required": ["odo_vantrell", "marta_quillon"], "optional": ["ilse_brammer"],
               "date": gold_date, "file": "x.txt", "evidence": "..."}
    if gold_place is not None:
        meeting["place"] = gold_place
    gold = gold_file(tmp_path, meetings=[meeting])
    score = score_graph(meeting_graph(**graph_kw), gold)
    assert (score.meetings_found, score.meetings_strict, score.meetings_gold) == (int(found), int(strict), 1)
    assert len(score.missed_meetings) == int(not found)
    assert len(score.loose_meetings) == int(found and not strict)


def test_devscore_meeting_ignores_participant_edges_of_non_persons(tmp_path):
    meeting = {"id": "m", "required": ["odo_vantrell", "marta_quillon"]}
    gold = gold_file(tmp_path, meetings=[meeting])
    graph = meeting_graph(["p1"])
    graph.add_node("o1", type="organization", label="Marta Quillon")  # a name typed ORG takes no part
    edge(graph, "o1", "m1", "participated_in")
    assert score_graph(graph, gold).meetings_found == 0


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{not json", "cannot read gold"),
        ([], "top level must be an object"),
        ({"persons": []}, '"persons" must be an object'),
        ({"persons": {"a": {"match": "(unclosed"}}}, "bad regex"),
        ({"persons": {"a": {}}}, "persons.a.match"),
        ({"persons": {"a": {"match": "a"}}, "roles": [{"person": "b", "role": "x"}]}, "is not a key of persons"),
        ({"persons": {"a": {"match": "a"}}, "roles": [{"person": "a", "role": "x", "optional": "no"}]}, "optional"),
        ({"persons": {"a": {"match": "a"}}, "meetings": [{"id": "m", "required": ["a", "z"]}]}, "required must list"),
        ({"persons": {"a": {"match": "a"}}, "meetings": [{"id": "m", "required": []}]}, "at least one"),
        ({"persons": {"a": {"match": "a"}}, "meetings": [{"id": "m", "required": ["a"], "date": "12/03/2031"}]},
         "is not YYYY"),
        ({"persons": {"a": {"match": "a"}}, "roles": {}}, '"roles" must be a list'),
        ({"persons": {"a": {"match": "a"}}, "people": {}}, "unknown key"),
    ],
)
def test_devscore_malformed_gold_error(tmp_path, raw, message):
    path = tmp_path / "gold.json"
    path.write_text(raw if isinstance(raw, str) else json.dumps(raw), encoding="utf-8")
    with pytest.raises(GoldError, match=message):
        load_gold(path)


def test_devscore_folder_report_and_table_from_graphml(tmp_path):
    gold = {"persons": PERSONS, "roles": [ROLE], "meetings": [{"id": "m", "required": ["odo_vantrell", "marta_quillon"]}]}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    graph = meeting_graph(["p1", "p2"])
    role(graph, "r1", "Finance Minister")
    edge(graph, "p2", "r1", "holds_role")
    (tmp_path / "out").mkdir()
    nx.write_graphml(graph, tmp_path / "out" / "graph.graphml")
    score = score_folder(tmp_path / "out", tmp_path / "gold.json")
    assert (score.persons_found, score.roles_found, score.meetings_found) == (3, 1, 1)
    table = format_table({"en": score})
    assert "1.00 / 1.00" in table.splitlines()[1] and "(1/1)" in table
    report = write_report(score, tmp_path / "r" / "dev-en.json")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["figures"]["persons_recall"] == 1.0 and data["missed_meetings"] == []
    assert sorted(p.name for p in report.parent.iterdir()) == ["dev-en.json"]


def test_devscore_evaluate_dev_runs_languages_with_gold(tmp_path):
    dev = tmp_path / "dev"
    for lang in ("en", "es"):
        (dev / lang).mkdir(parents=True)
    (dev / "gold_en.json").write_text(json.dumps({"persons": PERSONS}), encoding="utf-8")  # no Spanish gold
    calls = []

    def extract(source, out):
        calls.append((source.name, out.name))
        out.mkdir(parents=True)
        graph = nx.MultiDiGraph()
        person(graph, "p1", "Ilse Brammer")
        nx.write_graphml(graph, out / "graph.graphml")

    scores = devscore.evaluate_dev(dev, tmp_path / "out", extract)
    assert calls == [("en", "dev-en")]
    assert list(scores) == ["en"] and scores["en"].persons_found == 1
    assert json.loads((tmp_path / "out" / "dev-en.json").read_text())["persons_found"] == 1
