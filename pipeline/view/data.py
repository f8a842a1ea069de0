"""The graph as plain lists for the page and the picture: attributes normalised, positions laid out."""

from __future__ import annotations

import math
import random
from typing import Any

import networkx as nx

# Node types in the order the legend lists them, with their colours (colour-blind safe: Okabe-Ito).
COLORS = {
    "person": "#0072B2",
    "organization": "#E69F00",
    "role": "#009E73",
    "meeting": "#CC79A7",
    "place": "#56B4E9",
}
OTHER_COLOR = "#999999"
LISTS = ("aliases", "documents", "languages", "participants", "rules")
# The spring layout is quadratic, and networkx needs scipy (not a dependency) from 500 nodes on:
# beyond this many nodes the rest are placed around their most connected neighbour.
SPRING_NODES = 450


def as_list(value: Any) -> list[str]:
    """A list attribute as the in-memory graph holds it (list, set) or as GraphML does ("a; b")."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(str(v) for v in value) if isinstance(value, (set, frozenset)) else [str(v) for v in value]
    return [part for part in str(value).split("; ") if part]


def as_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " … ".join(str(v) for v in value if v)
    return "" if value is None else str(value)


def nodes_and_edges(graph: nx.Graph) -> tuple[list[dict], list[dict]]:
    """Every node and edge as a dict of plain values (ids, label, type, lists, evidence)."""
    nodes = []
    for node, data in graph.nodes(data=True):
        item = {"id": str(node), "label": as_text(data.get("label")) or str(node), "type": as_text(data.get("type")),
                "mentions": int(data.get("mentions") or 0)}
        for key in ("kind", "date", "place", "name"):
            if data.get(key):
                item[key] = as_text(data[key])
        for key in LISTS:
            if data.get(key):
                item[key] = as_list(data[key])
        nodes.append(item)
    edges = []
    triples = graph.edges(keys=True, data=True) if graph.is_multigraph() else ((u, v, None, d) for u, v, d in graph.edges(data=True))
    for index, (u, v, _key, data) in enumerate(triples):
        edges.append({
            "id": f"e{index}", "source": str(u), "target": str(v),
            "relation": as_text(data.get("relation") or data.get("label")),
            "weight": float(data.get("weight") or 1.0),
            "evidence": as_text(data.get("evidence")).strip(),
            "rules": as_list(data.get("rules")),
            "documents": as_list(data.get("documents")),
            "first_date": as_text(data.get("first_date")), "last_date": as_text(data.get("last_date")),
        })
    return nodes, edges


def layout(nodes: list[dict], edges: list[dict], seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions about [-1, 1]²: each connected component of the most connected SPRING_NODES nodes
    gets its own spring layout, in a box that grows with its size, packed in rows (largest first);
    each other node goes near the centre of its already placed neighbours. Deterministic."""
    simple = nx.Graph()
    simple.add_nodes_from(n["id"] for n in nodes)
    simple.add_edges_from((e["source"], e["target"]) for e in edges if e["source"] != e["target"])
    degree = dict(simple.degree())
    order = sorted(simple.nodes, key=lambda n: (-degree[n], n))
    positions = _packed(_subgraph(simple, order[:SPRING_NODES]), seed)
    rng = random.Random(seed)
    spacing = 2 / math.sqrt(max(len(positions), 1))
    for node in order[SPRING_NODES:]:
        placed = [positions[m] for m in simple.neighbors(node) if m in positions] or [positions[rng.choice(order[:SPRING_NODES])]]
        x = sum(p[0] for p in placed) / len(placed)
        y = sum(p[1] for p in placed) / len(placed)
        angle, radius = rng.uniform(0, 2 * math.pi), spacing * (0.3 + rng.random())
        positions[node] = (x + radius * math.cos(angle), y + radius * math.sin(angle))
    return positions


def _subgraph(graph: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph on `nodes`, in their order (networkx's subgraph views iterate a set, whose
    order changes from one process to the next: the layout would too)."""
    chosen = set(nodes)
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from((u, v) for u in nodes for v in graph[u] if v in chosen)
    return sub


def _packed(graph: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    row_width = 1.3 * math.sqrt(sum(len(c) for c in components) or 1)
    positions: dict[str, tuple[float, float]] = {}
    x0 = y0 = row_height = 0.0
    for component in components:
        side = math.sqrt(len(component))
        if len(component) == 1:
            local = {next(iter(component)): (0.0, 0.0)}
        else:
            iterations = 50 if len(component) <= 300 else 30
            local = nx.spring_layout(_subgraph(graph, [n for n in graph if n in component]), seed=seed, iterations=iterations)
        if x0 > 0 and x0 + side > row_width:
            x0, y0, row_height = 0.0, y0 + row_height, 0.0
        for node, (x, y) in local.items():
            positions[node] = (x0 + side * (float(x) + 1) / 2, y0 + side * (float(y) + 1) / 2)
        x0 += side + 0.6
        row_height = max(row_height, side + 0.6)
    if not positions:
        return positions
    xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
    scale = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {n: (2 * (x - min(xs)) / scale - 1, 1 - 2 * (y - min(ys)) / scale) for n, (x, y) in positions.items()}
