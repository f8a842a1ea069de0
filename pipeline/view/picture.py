"""graph.svg: a labelled picture of the actor network (persons, their roles and meetings), for
papers and the README. Plain SVG, written by hand: no plotting library, vector output."""

from __future__ import annotations

import math

from xml.sax.saxutils import escape

import networkx as nx

from pipeline.view.data import COLORS, OTHER_COLOR, layout, nodes_and_edges

TYPES = ("person", "role", "meeting")
RELATIONS = ("holds_role", "participated_in", "met_with")
MAX_NODES = 300  # the most connected ones of a larger network
WIDTH, HEIGHT, MARGIN = 1200, 900, 60
EDGE_COLORS = {"holds_role": "#009E73", "participated_in": "#CC79A7", "met_with": "#0072B2"}


def actor_network(graph: nx.Graph, limit: int = MAX_NODES) -> tuple[list[dict], list[dict]]:
    """Persons, roles and meetings with the edges among them; the `limit` most connected nodes."""
    nodes, edges = nodes_and_edges(graph)
    kept = {n["id"]: n for n in nodes if n["type"] in TYPES}
    edges = [e for e in edges if e["relation"] in RELATIONS and e["source"] in kept and e["target"] in kept]
    degree = {node: 0 for node in kept}
    for e in edges:
        degree[e["source"]] += 1
        degree[e["target"]] += 1
    # Persons with neither a role nor a meeting are not part of this network.
    top = sorted((n for n in kept if degree[n]), key=lambda n: (-degree[n], -kept[n]["mentions"], n))[:limit]
    chosen = set(top)
    return [kept[n] for n in top], [e for e in edges if e["source"] in chosen and e["target"] in chosen]


def render_svg(graph: nx.Graph, limit: int = MAX_NODES) -> str:
    """The picture as SVG text: edges, then nodes (colour by type, area by mentions), then labels."""
    nodes, edges = actor_network(graph, limit)
    at = _placement(nodes, edges)
    top_mentions = max([n["mentions"] for n in nodes] or [1]) or 1
    # (node, x, y, radius) of every node drawn
    dots = [(n, *at[n["id"]], 4 + 10 * math.sqrt(n["mentions"] / top_mentions)) for n in nodes]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
           'font-family="Helvetica, Arial, sans-serif">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>', '<g stroke-opacity="0.55">']
    for e in edges:
        (x1, y1), (x2, y2) = at[e["source"]], at[e["target"]]
        width = min(4.0, 0.8 + math.log2(max(e["weight"], 1.0)))
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{EDGE_COLORS[e["relation"]]}" '
                   f'stroke-width="{width:.1f}"/>')
    out.append('</g><g stroke="#ffffff" stroke-width="1">')
    out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{COLORS.get(n["type"], OTHER_COLOR)}">'
            f"<title>{escape(n['label'])}</title></circle>" for n, x, y, r in dots]
    out.append('</g><g font-size="11" fill="#222222" paint-order="stroke" stroke="#ffffff" stroke-width="3">')
    out += [f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}">{escape(_short(n["label"]))}</text>' for n, x, y, r in dots]
    out.append("</g>")
    out += _legend(len(nodes), len(edges), limit)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _placement(nodes: list[dict], edges: list[dict]) -> dict[str, tuple[float, float]]:
    """Pixel positions: the layout stretched over the picture, the legend's column kept free."""
    positions = layout(nodes, edges, seed=3) if nodes else {}
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {
        node: (MARGIN + (x - min(xs)) / span_x * (WIDTH - 2 * MARGIN - 120), MARGIN + (y - min(ys)) / span_y * (HEIGHT - 2 * MARGIN))
        for node, (x, y) in positions.items()
    }


def _short(label: str) -> str:
    return label if len(label) <= 40 else label[:39] + "…"


def _legend(nodes: int, edges: int, limit: int) -> list[str]:
    left = WIDTH - 170
    out = [f'<g font-size="12" fill="#222222"><text x="{left}" y="30" font-weight="bold">Actor network</text>']
    row = 50
    for kind in TYPES:
        out.append(f'<circle cx="{left + 6}" cy="{row - 4}" r="6" fill="{COLORS[kind]}"/><text x="{left + 18}" y="{row}">{kind}</text>')
        row += 18
    for relation, color in EDGE_COLORS.items():
        out.append(f'<line x1="{left}" y1="{row - 4}" x2="{left + 12}" y2="{row - 4}" stroke="{color}" stroke-width="2"/>'
                   f'<text x="{left + 18}" y="{row}">{relation}</text>')
        row += 18
    shown = f"{nodes} nodes, {edges} edges" + (f" (the {limit} most connected)" if nodes == limit else "")
    out.append(f'<text x="{left}" y="{row + 6}" font-size="10" fill="#555555">{escape(shown)}</text></g>')
    return out
