"""The real pipeline on the sample corpus, scored against tests/gold/seeds.json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import networkx as nx
import pytest

from pipeline import run as orchestrator
from pipeline.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
GOLD = json.loads((ROOT / "tests/gold/seeds.json").read_text(encoding="utf-8"))
OUTPUTS = ("graph.graphml", "graph.gexf", "nodes.csv", "edges.csv", "mentions.jsonl", "relations.jsonl", "documents.jsonl", "summary.json")

pytestmark = pytest.mark.model


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    report = orchestrator.run(ROOT / "data/news", out, load_settings(), progress=False)
    graph = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    mentions = [json.loads(line) for line in (out / "mentions.jsonl").read_text(encoding="utf-8").splitlines()]
    return report, graph, mentions


def names(data: dict) -> set[str]:
    return {fold(data["label"])} | {fold(a) for a in data.get("aliases", "").split("; ") if a}


def nodes_of(graph, kind: str) -> dict[str, dict]:
    return {n: d for n, d in graph.nodes(data=True) if d.get("type") == kind}


def find(graph, kind: str, name: str) -> list[str]:
    return [n for n, d in nodes_of(graph, kind).items() if fold(name) in names(d)]


def has_surname(data: dict, surname: str) -> bool:
    return any(fold(surname) in name for name in names(data))


def test_e2e_writes_every_output(run):
    report, _, _ = run
    for name in OUTPUTS:
        assert (report.out_dir / name).stat().st_size > 0, name
    assert report.counts["ok"] == 5
    assert report.summary["seconds"]["total"] < 60


def test_e2e_graph_files_load_in_independent_readers(run):
    report, graph, _ = run
    igraph = pytest.importorskip("igraph")
    loaded = igraph.Graph.Read_GraphML(str(report.out_dir / "graph.graphml"))
    assert (loaded.vcount(), loaded.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    node = shutil.which("node")
    if node is None or not (ROOT / "tests/js/node_modules").is_dir():
        pytest.skip("graphology check needs node and tests/js/node_modules (make install)")
    files = [str(report.out_dir / "graph.graphml"), str(report.out_dir / "graph.gexf")]
    result = subprocess.run([node, str(ROOT / "tests/js/check_graph.mjs"), *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in result.stdout.splitlines():
        counts = json.loads(line)
        assert (counts["nodes"], counts["edges"]) == (graph.number_of_nodes(), graph.number_of_edges()), counts["format"]


@pytest.mark.parametrize("person", GOLD["persons"])
def test_e2e_finds_person(run, person):
    _, graph, _ = run
    assert find(graph, "person", person), f"no person node for {person}"


@pytest.mark.parametrize("person,aliases", GOLD["one_node"].items())
def test_e2e_person_is_one_node(run, person, aliases):
    _, graph, _ = run
    surname = person.split()[-1]
    holders = [n for n, d in nodes_of(graph, "person").items() if has_surname(d, surname)]
    assert len(holders) == 1, f"{person}: {holders}"
    found = names(graph.nodes[holders[0]])
    assert {fold(a) for a in aliases} <= found


@pytest.mark.parametrize("name", GOLD["not_persons"])
def test_e2e_no_false_person(run, name):
    _, graph, _ = run
    assert not find(graph, "person", name)


@pytest.mark.parametrize("place,aliases", GOLD["one_place"].items())
def test_e2e_place_is_one_node(run, place, aliases):
    _, graph, _ = run
    holders = {n for alias in aliases for n in find(graph, "place", alias)}
    assert len(holders) == 1, f"{place}: {holders}"


def role_edges(graph):
    for u, v, data in graph.edges(data=True):
        if data.get("relation") == "holds_role":
            yield graph.nodes[u], graph.nodes[v], data


def matches(fact: dict, person: dict, role: dict, edge: dict) -> bool:
    if not has_surname(person, fact["person"]):
        return False
    if not re.search(fact["role"], role["label"], re.IGNORECASE):
        return False
    return "qualifier" not in fact or fold(fact["qualifier"]) in fold(edge.get("qualifier", ""))


def test_e2e_roles_found(run):
    _, graph, _ = run
    edges = list(role_edges(graph))
    found = [f for f in GOLD["roles"] if any(matches(f, *edge) for edge in edges)]
    missing = [f["person"] for f in GOLD["roles"] if f not in found]
    assert len(found) >= GOLD["roles_min_found"], f"missing: {missing}"


def test_e2e_roles_precision(run):
    _, graph, _ = run
    edges = list(role_edges(graph))
    facts = GOLD["roles"] + GOLD["also_correct_roles"]
    wrong = [(p["label"], r["label"]) for p, r, e in edges if not any(matches(f, p, r, e) for f in facts)]
    assert edges
    assert 1 - len(wrong) / len(edges) >= GOLD["roles_min_precision"], f"wrong: {wrong}"


def meeting_people(graph, meeting: str) -> list[dict]:
    return [graph.nodes[u] for u, _, d in graph.in_edges(meeting, data=True) if d.get("relation") == "participated_in"]


def meeting_matches(graph, node: str, fact: dict) -> bool:
    data = graph.nodes[node]
    people = meeting_people(graph, node)
    if not all(any(fold(p) in names(person) for person in people) for p in fact["participants"]):
        return False
    if data.get("kind") not in fact["kinds"]:
        return False
    if "place" in fact and fold(fact["place"]) != fold(data.get("place", "")):
        return False
    return str(data.get("date", "")).startswith(fact.get("date_prefix", ""))


@pytest.mark.parametrize("fact", GOLD["meetings"], ids=[m["name"] for m in GOLD["meetings"]])
def test_e2e_meeting_found(run, fact):
    _, graph, _ = run
    hits = [n for n in nodes_of(graph, "meeting") if meeting_matches(graph, n, fact)]
    assert len(hits) == 1, f"{fact['name']}: {hits}"
    if "documents" in fact:
        documents = set(graph.nodes[hits[0]]["documents"].split("; "))
        assert set(fact["documents"]) <= documents


@pytest.mark.parametrize("fact", GOLD["numbers"], ids=[n["text"] for n in GOLD["numbers"]])
def test_e2e_number_value(run, fact):
    _, _, mentions = run
    rows = [
        m for m in mentions
        if m["label"] == "NUMBER" and m["lang"] == fact["lang"] and fact["text"] in m["text"] and m["value"] == fact["value"]
    ]
    assert rows, f"{fact['text']} not found with value {fact['value']}"
    if "qualifier" in fact:
        assert any(fold(fact["qualifier"]) in fold(m.get("qualifier", "")) for m in rows)
