"""Writers: GraphML, GEXF, Gephi CSV, JSONL and summary files, read back by independent readers."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path

import networkx as nx
import pytest

from pipeline.export import commit as export
from pipeline.export import formats
from pipeline.records import Mention

JS_DIR = Path(__file__).resolve().parents[3] / "tests" / "js"
GEXF = "{http://gexf.net/1.3}"
UNDIRECTED = {"e5", "e6"}
LABELS = {
    "p:barcena": "Alicia Bárcena",
    "p:blinken": "Antony Blinken",
    "o:sre": "Secretaría de Relaciones Exteriores",
    "pl:mexico": "México",
    "r:foreign-minister": "Foreign Minister",
    "m:2023-12": "Meeting in México City",
    "m:2024-01-15": "Visit to Washington",
    "m:undated": "m:undated",
}


def actor_graph() -> nx.MultiDiGraph:
    """Every node type, list and None attributes, control characters, parallel edges, partial dates."""
    g = nx.MultiDiGraph()
    g.add_node("p:barcena", type="person", label="Alicia Bárcena",
               aliases=["Bárcena", "Alicia Bárcena Ibarra"], mentions=3, documents=["000", "003"],
               languages=["es", "en"])
    g.add_node("p:blinken", type="person", label="Antony\x00 Blinken", aliases="Blinken; Tony Blinken",
               mentions=2, documents="001", languages=["en"])
    g.add_node("o:sre", type="organization", label="Secretaría de Relaciones Exteriores\x0b", aliases=[],
               mentions=1, documents=["000"], languages=["es"])
    g.add_node("pl:mexico", type="place", label="México", aliases=["Mexico", "\ud800Méjico"], mentions=4,
               documents=["000", "001"], languages=["es", "en"])
    g.add_node("r:foreign-minister", type="role", label="Foreign Minister\x1b", aliases=None, mentions=None,
               documents=["000"], languages=["es"])
    g.add_node("m:2023-12", type="meeting", label="Meeting in México City", kind="meeting", date="2023-12",
               place="México", mentions=2, documents=["000", "001"], languages=["es", "en"])
    g.add_node("m:2024-01-15", type="meeting", label="Visit to Washington", kind="visit", date="2024-01-15",
               place=None, mentions=1, documents=["002"], languages=["en"])
    g.add_node("m:undated", type="meeting", label=None, kind="call", date="", place="", mentions=1,
               documents=["004"], languages=["en"])
    edges = [
        ("p:barcena", "r:foreign-minister", "e1", "holds_role", 1, "2023-12-27", "2023-12-27"),
        ("p:barcena", "m:2023-12", "e2", "participated_in", 1, "2023-12", None),
        ("p:blinken", "m:2023-12", "e3", "participated_in", 1, "", ""),
        ("m:2023-12", "pl:mexico", "e4", "held_in", 1, None, None),
        ("p:blinken", "p:barcena", "e5", "met_with", 2, "2023-12", "2024-01-15"),
        ("p:blinken", "p:barcena", "e6", "co_occurs", 3.5, None, None),
        ("p:barcena", "o:sre", "e7", "affiliated_with", None, None, "2024"),
        ("p:blinken", "m:2024-01-15", "e8", "participated_in", 1, "2024-01-15", "2024-01-15"),
    ]
    for source, target, key, relation, weight, first, last in edges:
        g.add_edge(source, target, key=key, relation=relation, weight=weight, documents=["000", "001"],
                   evidence=f"evidence for {relation}\x00 — México", rules=["rule.a", "rule.b"],
                   first_date=first, last_date=last, directed=relation not in ("met_with", "co_occurs"))
    return g


def write(out_dir: Path, graph: nx.MultiDiGraph | None = None, **overrides) -> dict[str, Path]:
    """Write a full output set with small record rows; keyword arguments replace inputs."""
    options = {
        "mentions": iter([{"doc": "000", "text": "México", "label": "PLACE"}]),
        "relations": iter([{"relation": "holds_role", "rules": ["r1"]}]),
        "documents": iter([{"id": "000", "lang": "es"}]),
        "summary": {"documents": 1, "nodes": 8},
    }
    options.update(overrides)
    return export.write_outputs(out_dir, actor_graph() if graph is None else graph, **options)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    return write(tmp_path_factory.mktemp("out") / "nested" / "run")


def test_export_writes_every_file_into_a_new_folder(outputs):
    assert set(outputs) == {
        "graphml", "gexf", "nodes", "edges", "mentions", "relations", "documents", "summary"
    }
    assert all(path.is_file() and path.parent == outputs["summary"].parent for path in outputs.values())
    assert not list(outputs["summary"].parent.glob(".*tmp*"))


@pytest.mark.parametrize("name", ["graphml", "gexf", "nodes", "edges"])
def test_export_graph_files_are_clean_utf8(outputs, name):
    data = outputs[name].read_bytes()
    text = data.decode("utf-8")  # strict: a lone surrogate would have failed to encode
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", text)
    assert "México" in text


def test_export_graphml_reads_back_with_networkx(outputs):
    graph = nx.read_graphml(outputs["graphml"])
    assert graph.number_of_nodes() == 8 and graph.number_of_edges() == 8
    assert {node: data["label"] for node, data in graph.nodes(data=True)} == LABELS
    assert graph.nodes["p:barcena"]["aliases"] == "Bárcena; Alicia Bárcena Ibarra"
    assert graph.nodes["pl:mexico"]["aliases"] == "Mexico; Méjico"
    assert graph.nodes["p:barcena"]["mentions"] == 3
    assert "mentions" not in graph.nodes["r:foreign-minister"]
    assert graph.nodes["r:foreign-minister"]["aliases"] == ""
    edges = {key: data for _, _, key, data in graph.edges(keys=True, data=True)}
    assert set(edges) == {f"e{i}" for i in range(1, 9)}
    assert edges["e6"]["weight"] == 3.5 and edges["e7"]["weight"] == 1.0
    assert edges["e5"]["directed"] is False and edges["e1"]["directed"] is True
    assert edges["e1"]["label"] == "holds_role" and edges["e1"]["rules"] == "rule.a; rule.b"


def test_export_graphml_keys_are_named_unique_and_typed_once(outputs):
    keys = ET.parse(outputs["graphml"]).getroot().findall("{http://graphml.graphdrawing.org/xmlns}key")
    ids = [key.get("id") for key in keys]
    assert not any(re.fullmatch(r"d\d+", key_id) for key_id in ids)
    assert len(ids) == len(set(ids))
    scoped = [(key.get("for"), key.get("attr.name")) for key in keys]
    assert len(scoped) == len(set(scoped))
    types = {(key.get("for"), key.get("attr.name")): key.get("attr.type") for key in keys}
    assert types[("node", "label")] == "string" and types[("node", "mentions")] in ("int", "long")
    assert types[("edge", "weight")] == "double" and types[("edge", "directed")] == "boolean"


def test_export_graphml_reads_back_with_igraph(outputs):
    igraph = pytest.importorskip("igraph")
    graph = igraph.Graph.Read_GraphML(str(outputs["graphml"]))
    assert (graph.vcount(), graph.ecount()) == (8, 8)
    assert dict(zip(graph.vs["id"], graph.vs["label"])) == LABELS
    relations = [data["relation"] for *_, data in actor_graph().edges(data=True)]
    assert sorted(graph.es["relation"]) == sorted(relations)


def test_export_graphml_types_each_attribute_once_when_values_mix(tmp_path):
    graph = nx.MultiDiGraph()
    graph.add_node("a", score=1, ratio=1, flag=True, note=None)
    graph.add_node("b", score="high", ratio=0.5, flag=False, note=7)
    graph.add_edge("a", "b", key="x", relation="met_with")
    graph.add_edge("b", "a", key="x", relation="holds_role")
    paths = write(tmp_path, graph, formats=["graphml"])
    keys = {key.get("attr.name"): key.get("attr.type") for key in ET.parse(paths["graphml"]).getroot()
            if key.tag.endswith("key") and key.get("for") == "node"}
    assert keys == {
        "label": "string", "score": "string", "ratio": "double", "flag": "boolean", "note": "long"
    }
    read = nx.read_graphml(paths["graphml"])
    assert (read.nodes["a"]["score"], read.nodes["a"]["ratio"]) == ("1", 1.0)
    assert read.nodes["b"]["flag"] is False
    assert sorted(data["id"] for *_, data in read.edges(data=True)) == ["x", "x~2"]


def test_export_gexf_is_version_1_3_with_meeting_intervals(outputs):
    root = ET.parse(outputs["gexf"]).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    graph = root.find(f"{GEXF}graph")
    options = (graph.get("mode"), graph.get("timeformat"), graph.get("defaultedgetype"))
    assert options == ("dynamic", "date", "directed")
    nodes = {node.get("id"): node for node in graph.iter(f"{GEXF}node")}
    assert {node_id: node.get("label") for node_id, node in nodes.items()} == LABELS
    spans = {node_id: (node.get("start"), node.get("end")) for node_id, node in nodes.items()}
    assert spans["m:2023-12"] == ("2023-12-01", "2023-12-31")
    assert spans["m:2024-01-15"] == ("2024-01-15", "2024-01-15")
    assert spans["m:undated"] == spans["p:barcena"] == (None, None)
    edges = {edge.get("id"): edge for edge in graph.iter(f"{GEXF}edge")}
    assert {edge_id for edge_id, edge in edges.items() if edge.get("type") == "undirected"} == UNDIRECTED
    assert {edge_id: edge.get("kind") for edge_id, edge in edges.items()}["e6"] == "co_occurs"
    edge_spans = {edge_id: (edge.get("start"), edge.get("end")) for edge_id, edge in edges.items()}
    assert edge_spans["e5"] == ("2023-12-01", "2024-01-15")
    assert edge_spans["e2"] == ("2023-12-01", "2023-12-31")
    assert edge_spans["e7"] == ("2024-01-01", "2024-12-31")
    assert edge_spans["e3"] == edge_spans["e4"] == (None, None)


def test_export_gexf_reads_back_with_networkx(tmp_path):
    # networkx cannot read mixed graphs, so this reads the directed part of the fixture.
    graph = actor_graph()
    graph.remove_edges_from([(u, v, key) for u, v, key in list(graph.edges(keys=True)) if key in UNDIRECTED])
    read = nx.read_gexf(write(tmp_path, graph, formats=["gexf"])["gexf"])
    assert read.number_of_nodes() == 8 and read.number_of_edges() == 6
    assert {node: data["label"] for node, data in read.nodes(data=True)} == LABELS
    assert (read.nodes["m:2023-12"]["start"], read.nodes["m:2023-12"]["end"]) == ("2023-12-01", "2023-12-31")
    assert read.nodes["m:2023-12"]["type"] == "meeting" and read.nodes["p:barcena"]["mentions"] == 3
    assert read.edges["p:barcena", "r:foreign-minister"] == read.edges["p:barcena", "r:foreign-minister"] | {
        "id": "e1", "relation": "holds_role", "start": "2023-12-27", "end": "2023-12-27"
    }


def test_export_gexf_is_static_without_dates(tmp_path):
    graph = nx.MultiDiGraph()
    graph.add_node("a", type="person", label="A")
    graph.add_node("b", type="meeting", label="B", date="")
    graph.add_edge("a", "b", key="e", relation="participated_in", first_date="", last_date=None)
    root = ET.parse(write(tmp_path, graph, formats=["gexf"])["gexf"]).getroot()
    graph_element = root.find(f"{GEXF}graph")
    assert graph_element.get("mode") == "static" and graph_element.get("timeformat") is None
    assert nx.read_gexf(tmp_path / "graph.gexf").number_of_edges() == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-12", ("2023-12-01", "2023-12-31")),
        ("2024-02", ("2024-02-01", "2024-02-29")),
        ("2023", ("2023-01-01", "2023-12-31")),
        ("2023-12-05", ("2023-12-05", "2023-12-05")),
        ("2023-12-05T10:30:00", ("2023-12-05", "2023-12-05")),
        ("", None),
        (None, None),
        ("2023-13", None),
        ("2023-02-30", None),
        ("last week", None),
    ],
)
def test_export_date_interval(value, expected):
    assert formats.date_interval(value) == expected


def test_export_graphology_loads_both_graph_files(outputs):
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules").is_dir():
        pytest.skip("needs node and tests/js/node_modules (run `npm install --prefix tests/js`)")
    files = [str(outputs["graphml"]), str(outputs["gexf"])]
    result = subprocess.run([node, str(JS_DIR / "check_graph.mjs"), *files], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    reports = {report["format"]: report for report in map(json.loads, result.stdout.splitlines())}
    for report in reports.values():
        assert (report["nodes"], report["edges"], report["labels"]) == (8, 8, LABELS)
    assert (reports["gexf"]["type"], reports["gexf"]["undirected"]) == ("mixed", len(UNDIRECTED))


def test_export_csv_tables_follow_gephi_spreadsheet_format(outputs):
    with outputs["nodes"].open(encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with outputs["edges"].open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
        fh.seek(0)
        edges = list(csv.DictReader(fh))
    assert list(nodes[0])[:2] == ["Id", "Label"] and len(nodes) == 8
    assert {row["Id"]: row["Label"] for row in nodes} == LABELS
    assert header[:7] == ["Source", "Target", "Type", "Id", "Label", "Weight", "Kind"]
    assert {row["Id"]: row["Type"] for row in edges} == {
        f"e{i}": "Undirected" if f"e{i}" in UNDIRECTED else "Directed" for i in range(1, 9)
    }
    by_id = {row["Id"]: row for row in edges}
    e6 = by_id["e6"]
    assert (e6["Source"], e6["Target"], e6["Weight"]) == ("p:blinken", "p:barcena", "3.5")
    assert e6["Kind"] == e6["relation"] == "co_occurs"
    assert by_id["e1"]["documents"] == "000; 001" and by_id["e3"]["first_date"] == ""


def test_export_jsonl_rows_round_trip(tmp_path):
    mention = Mention(doc="003", lang="es", label="PERSON", text="Bárcena", start=0, end=7,
                      sentence="Bárcena\x00 llegó\ud800.", sent_start=0, rules=["es.person"])
    mentions = [mention, {"doc": "000", "text": "México\x1b", "nested": {"list": [1, 2.5, None]}}]
    relations = [{"relation": "met_with", "evidence": "“quote”\x0b", "rules": ["a", "b"]}]
    paths = write(tmp_path, mentions=(row for row in mentions), relations=iter(relations), documents=iter([]),
                  formats=["jsonl"])
    assert set(paths) == {"mentions", "relations", "documents", "summary"}
    read = [json.loads(line) for line in paths["mentions"].read_text(encoding="utf-8").splitlines()]
    assert read == [asdict(mention), mentions[1]]
    assert [json.loads(line) for line in paths["relations"].open(encoding="utf-8")] == relations
    assert paths["documents"].read_text(encoding="utf-8") == ""
    assert "Bárcena" in paths["mentions"].read_text(encoding="utf-8")  # ensure_ascii=False


def test_export_summary_is_pretty_json(outputs):
    text = outputs["summary"].read_text(encoding="utf-8")
    summary = json.loads(text)
    files = summary.pop("files")
    assert summary == {"documents": 1, "nodes": 8, "documents_with_warnings": 0} and "\n  " in text
    assert files == {
        path.name: export.file_sha256(path) for name, path in outputs.items() if name != "summary"
    }


def test_export_accepts_formats_as_one_string(tmp_path):
    paths = write(tmp_path, formats="graphml, CSV")
    assert set(paths) == {"graphml", "nodes", "edges", "summary"}
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(path.name for path in paths.values())


def test_export_rejects_unknown_format_before_writing(tmp_path):
    with pytest.raises(ValueError, match="pdf"):
        write(tmp_path / "out", formats=["csv", "pdf"])
    assert not (tmp_path / "out").exists()


def failing_rows():
    yield {"doc": "new"}
    raise RuntimeError("reader died")


@pytest.mark.parametrize(
    "target, replacement",
    [
        ("_write_gexf", "raise"),
        ("_write_edges_csv", "raise"),
        ("os.replace", "raise"),
        ("mentions", "generator"),
    ],
)
def test_export_failure_keeps_previous_outputs(tmp_path, monkeypatch, target, replacement):
    write(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    changed = nx.MultiDiGraph()
    changed.add_node("x", type="person", label="Someone Else")
    overrides = {"summary": {"documents": 99}}
    if replacement == "generator":
        overrides[target] = failing_rows()
    elif target == "os.replace":
        monkeypatch.setattr(export.os, "replace", boom)
    else:
        monkeypatch.setattr(export, target, boom)
    with pytest.raises(RuntimeError):
        write(tmp_path, changed, **overrides)
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert after == before
