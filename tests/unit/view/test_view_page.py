"""graph.html and graph.svg from a graph: self-contained, escaped, laid out, written atomically."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest

from pipeline.config import ConfigError
from pipeline.export.commit import write_outputs
from pipeline.view import read_graph, write_view
from pipeline.view.data import layout, nodes_and_edges
from pipeline.view.page import page_data, render_html
from pipeline.view.picture import MAX_NODES, actor_network, render_svg
from tests.helpers import synthetic_graph

ROOT = Path(__file__).resolve().parents[3]


def small_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("person:ana", label="Ana López", type="person", aliases=["Ana López", "López"], mentions=4, documents={"d1", "d2"})
    graph.add_node("role:minister", label="Minister", type="role", mentions=2, documents=["d1"])
    graph.add_node("meeting:1", label="Summit", type="meeting", date="2023-05", mentions=1, documents=["d2"])
    graph.add_node("person:juan", label="Juan <Pérez>", type="person", mentions=1, documents=["d2"])
    graph.add_edge("person:ana", "role:minister", relation="holds_role", weight=2, rules=["role.en.title"],
                   evidence="Minister Ana López said </script><script>alert(1)</script>.", documents=["d1"])
    graph.add_edge("person:ana", "meeting:1", relation="participated_in", weight=1, rules=("trigger.en.meet",), evidence="They met.")
    graph.add_edge("person:ana", "person:juan", relation="met_with", weight=1, rules="derive-met-with; trigger.en.meet", evidence="x")
    return graph


def test_view_page_is_self_contained_and_escaped():
    html = render_html(small_graph())
    assert html.count("<script") == html.count("</script>")  # the evidence cannot close a script element
    assert "alert(1)</script>" not in html
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", html, re.I)
    assert "new Sigma(" in html and "graphology" in html and "__SIGMA__" not in html
    data = json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["nodes"]) == 4 and len(data["edges"]) == 3
    evidence = {e["relation"]: e for e in data["edges"]}
    assert evidence["holds_role"]["rules"] == ["role.en.title"]
    assert evidence["met_with"]["rules"] == ["derive-met-with", "trigger.en.meet"]
    assert "</script><script>alert(1)" in evidence["holds_role"]["evidence"]


def test_view_reads_lists_from_memory_and_from_graphml(tmp_path):
    graph = small_graph()
    write_outputs(tmp_path, graph, mentions=[], relations=[], documents=[], summary={}, formats=["graphml"])
    for source in (graph, read_graph(tmp_path)):
        nodes, _ = nodes_and_edges(source)
        ana = next(n for n in nodes if n["id"] == "person:ana")
        assert ana["aliases"] == ["Ana López", "López"] and ana["documents"] == ["d1", "d2"] and ana["mentions"] == 4


def test_view_layout_is_deterministic_and_bounded():
    graph = synthetic_graph(600, 1500)
    nodes, edges = nodes_and_edges(graph)
    first, second = layout(nodes, edges), layout(nodes, edges)
    assert first == second and set(first) == {n["id"] for n in nodes}
    assert all(-1.5 <= v <= 1.5 for xy in first.values() for v in xy)


def test_view_large_graph_builds_quickly():
    graph = synthetic_graph(4000, 20000)
    started = time.perf_counter()
    data = page_data(graph)
    assert len(data["nodes"]) > 5000 and len(data["edges"]) == 20000
    assert time.perf_counter() - started < 30


def test_view_picture_keeps_the_most_connected_persons_roles_meetings():
    nodes, edges = actor_network(synthetic_graph(2000, 6000))
    assert len(nodes) == MAX_NODES and {n["type"] for n in nodes} <= {"person", "role", "meeting"}
    svg = render_svg(small_graph())
    assert svg.startswith("<svg") and "Ana López" in svg and "Juan &lt;Pérez&gt;" in svg and "Summit" in svg


def test_view_write_is_atomic_and_needs_a_run(tmp_path):
    with pytest.raises(ConfigError, match="graph.graphml"):
        write_view(tmp_path)
    write_outputs(tmp_path, small_graph(), mentions=[], relations=[], documents=[], summary={}, formats=["graphml"])
    written = write_view(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"graph.graphml", "summary.json", "graph.html", "graph.svg"}
    assert written["html"].stat().st_size > 100_000


def test_view_extract_hook_commits_page_with_the_run(tmp_path):
    files = write_outputs(tmp_path, small_graph(), mentions=[], relations=[], documents=[], summary={},
                          formats=["graphml", "view"])
    summary = json.loads(files["summary"].read_text(encoding="utf-8"))
    assert set(summary["files"]) == {"graph.graphml", "graph.html", "graph.svg"}
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or p.name == ".commit.json"]


def test_view_layout_is_the_same_in_every_process():
    # networkx's subgraph views iterate sets, whose order follows PYTHONHASHSEED.
    script = ("import hashlib, json; from tests.helpers import synthetic_graph; from pipeline.view.data import layout, nodes_and_edges; "
              "n, e = nodes_and_edges(synthetic_graph(700, 2000)); print(hashlib.sha256(json.dumps(layout(n, e)).encode()).hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1
