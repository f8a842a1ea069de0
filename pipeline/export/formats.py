"""The graph formats: GraphML, GEXF 1.3 and Gephi's CSV tables, from one flattened view of the graph."""

from __future__ import annotations

import calendar
import csv
import numbers
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

from pipeline.export.jsonl import _json
from pipeline.records import UNDIRECTED

NODE_COLUMNS = ("Id", "Label")


EDGE_COLUMNS = ("Source", "Target", "Type", "Id", "Label", "Weight", "Kind")


GEXF_NS = "http://gexf.net/1.3"


XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


# Characters XML 1.0 cannot carry: C0 controls other than tab/newline/return, lone surrogates,
# U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass
class _Item:
    """A node or an edge with a clean id and label and consistently typed attributes."""

    id: str
    label: str
    attrs: dict[str, Any]
    source: str = ""
    target: str = ""
    directed: bool = True
    weight: float = 1.0
    kind: str = ""


@dataclass
class _Flat:
    nodes: list[_Item] = field(default_factory=list)
    edges: list[_Item] = field(default_factory=list)
    node_types: dict[str, type] = field(default_factory=dict)  # attribute -> type, column order
    edge_types: dict[str, type] = field(default_factory=dict)


def xml_text(value: str) -> str:
    """Return `value` without the characters XML 1.0 forbids (controls, lone surrogates)."""
    return _XML_ILLEGAL.sub("", value)


def date_interval(value: Any) -> tuple[str, str] | None:
    """Return the (first day, last day) an ISO date covers: "2023-12" -> 2023-12-01, 2023-12-31.

    Returns None for an empty or unreadable date.
    """
    match = _ISO_DATE.match(str(value or "").strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            return (date(year, month, day).isoformat(),) * 2
        if month is not None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1).isoformat(), date(year, month, last).isoformat()
        return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    except ValueError:
        return None


def _flatten(graph: nx.Graph) -> _Flat:
    flat = _Flat()
    node_ids: dict[Any, str] = {}
    taken: set[str] = set()
    for node, data in graph.nodes(data=True):
        node_ids[node] = _unique(xml_text(str(node)), taken)
        label = _scalar(data.get("label"))
        label = str(label) if label not in (None, "") else node_ids[node]
        attrs = _attributes(data, consumed={"id", "label"}, renamed=set())
        flat.nodes.append(_Item(node_ids[node], label, attrs))
    taken = set()
    edges = graph.edges(keys=True, data=True) if graph.is_multigraph() else (
        (u, v, None, d) for u, v, d in graph.edges(data=True)
    )
    for index, (u, v, key, data) in enumerate(edges):
        edge_id = data.get("id", key if key is not None else f"e{index}")
        relation = xml_text(str(data.get("relation") or ""))
        label = _scalar(data.get("label"))
        weight = data.get("weight")
        attrs = _attributes(
            data,
            consumed={"id", "label", "weight", "directed", "kind"},
            renamed={"source", "target", "type"},
        )
        directed = (
            graph.is_directed()
            and data.get("directed") is not False
            and relation not in UNDIRECTED
        )
        attrs["directed"] = directed
        flat.edges.append(
            _Item(
                _unique(xml_text(str(edge_id)), taken),
                str(label) if label not in (None, "") else relation,
                attrs,
                source=node_ids[u],
                target=node_ids[v],
                directed=directed,
                weight=float(weight) if _is_number(weight) else 1.0,
                kind=xml_text(str(data.get("kind") or relation)),
            )
        )
    flat.node_types = _settle_types(flat.nodes)
    flat.edge_types = _settle_types(flat.edges)
    return flat


def _attributes(data: dict, *, consumed: set[str], renamed: set[str]) -> dict[str, Any]:
    # Names that the formats use for structure (Id, Source, Type ...) get a trailing "_" so a
    # Gephi import does not mistake them for that column.
    attrs = {}
    for key, value in data.items():
        name = xml_text(str(key))
        if name.lower() in consumed or not name:
            continue
        if name.lower() in renamed:
            name += "_"
        attrs[name] = _scalar(value)
    return attrs


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return xml_text(value) if isinstance(value, str) else value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    if isinstance(value, (list, tuple)):
        return "; ".join(xml_text(str(item)) for item in value if item is not None and item != "")
    if isinstance(value, dict):
        return xml_text(_json(value, sort_keys=True))
    return xml_text(str(value))


def _settle_types(items: list[_Item]) -> dict[str, type]:
    # One type per attribute, or GraphML declares two keys with the same name and Gephi and
    # GEXF readers reject or misread the file: all bool, all int, all numbers, else strings.
    seen: dict[str, set[type]] = {}
    for item in items:
        for name, value in item.attrs.items():
            kinds = seen.setdefault(name, set())
            if value is not None:
                kinds.add(type(value))
    types = {}
    for name, kinds in seen.items():
        if kinds == {bool}:
            types[name] = bool
        elif kinds == {int}:
            types[name] = int
        elif kinds and kinds <= {int, float}:
            types[name] = float
        else:
            types[name] = str
    for item in items:
        for name in list(item.attrs):
            value, kind = item.attrs[name], types[name]
            if value is None and kind is not str:
                del item.attrs[name]
            elif value is None:
                item.attrs[name] = ""
            elif kind is str and isinstance(value, bool):
                item.attrs[name] = str(value).lower()
            else:
                item.attrs[name] = kind(value)
    return types


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _unique(name: str, taken: set[str]) -> str:
    name = name or "_"
    candidate, count = name, 1
    while candidate in taken:
        count += 1
        candidate = f"{name}~{count}"
    taken.add(candidate)
    return candidate


def _write_graphml(fh, flat: _Flat) -> None:
    graph = nx.MultiDiGraph()
    for node in flat.nodes:
        graph.add_node(node.id, label=node.label, **node.attrs)
    for edge in flat.edges:
        graph.add_edge(
            edge.source, edge.target, key=edge.id, label=edge.label, weight=edge.weight, **edge.attrs
        )
    writer = GraphMLWriter(graph=graph, named_key_ids=True)
    _fix_graphml_keys(writer.xml)
    writer.dump(fh)


def _fix_graphml_keys(root: ET.Element) -> None:
    # Named key ids collide when nodes and edges share an attribute name ("documents"); GraphML
    # wants key ids unique, so the edge key becomes "edge_<name>" (attr.name is unchanged).
    # networkx also writes booleans as "True"/"False" where XML Schema wants "true"/"false".
    keys = root.findall("key")
    node_ids = {key.get("id") for key in keys if key.get("for") != "edge"}
    renamed = {}
    for key in keys:
        if key.get("for") == "edge" and key.get("id") in node_ids:
            renamed[key.get("id")] = f"edge_{key.get('id')}"
            key.set("id", renamed[key.get("id")])
    booleans = {key.get("id") for key in keys if key.get("attr.type") == "boolean"}
    for element in root.iter("edge"):
        for data in element.iter("data"):
            data.set("key", renamed.get(data.get("key"), data.get("key")))
    for data in root.iter("data"):
        if data.get("key") in booleans:
            data.text = data.text.lower()


def _write_gexf(fh, flat: _Flat) -> None:
    node_spans = [date_interval(node.attrs.get("date")) for node in flat.nodes]
    edge_spans = [_edge_interval(edge.attrs) for edge in flat.edges]
    dynamic = any(node_spans) or any(edge_spans)
    root = ET.Element(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd",
            "version": "1.3",
        },
    )
    ET.SubElement(ET.SubElement(root, "meta"), "creator").text = "actorgraph"
    options = {"defaultedgetype": "directed", "mode": "dynamic" if dynamic else "static"}
    if dynamic:
        options["timeformat"] = "date"
    graph = ET.SubElement(root, "graph", options)
    for scope, types in (("node", flat.node_types), ("edge", flat.edge_types)):
        if not types:
            continue
        block = ET.SubElement(graph, "attributes", {"class": scope, "mode": "static"})
        for name, kind in types.items():
            ET.SubElement(block, "attribute", {"id": name, "title": name, "type": GEXF_TYPES[kind]})
    nodes = ET.SubElement(graph, "nodes")
    for node, span in zip(flat.nodes, node_spans):
        element = ET.SubElement(nodes, "node", {"id": node.id, "label": node.label, **_span(span)})
        _attvalues(element, node.attrs)
    edges = ET.SubElement(graph, "edges")
    for edge, span in zip(flat.edges, edge_spans):
        options = {"id": edge.id, "source": edge.source, "target": edge.target, "label": edge.label}
        options.update(kind=edge.kind, weight=repr(edge.weight), **_span(span))
        if not edge.directed:
            options["type"] = "undirected"
        _attvalues(ET.SubElement(edges, "edge", options), edge.attrs)
    ET.indent(root)
    ET.ElementTree(root).write(fh, encoding="utf-8", xml_declaration=True)


def _edge_interval(attrs: dict) -> tuple[str, str] | None:
    first = date_interval(attrs.get("first_date"))
    last = date_interval(attrs.get("last_date")) or first
    first = first or last
    if not first:
        return None
    return min(first[0], last[0]), max(first[1], last[1])


def _span(span: tuple[str, str] | None) -> dict[str, str]:
    return {"start": span[0], "end": span[1]} if span else {}


def _attvalues(element: ET.Element, attrs: dict[str, Any]) -> None:
    if attrs:
        values = ET.SubElement(element, "attvalues")
        for name, value in attrs.items():
            ET.SubElement(values, "attvalue", {"for": name, "value": _cell(value)})


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, float) else str(value)


# Spreadsheet-safe CSV (OWASP "CSV injection"): a cell that begins with one of these opens as a
# live formula in Excel or LibreOffice. Such a cell gets a leading single quote and is quoted;
# a plain number ("-3.5", a negative coordinate) is not a formula and stays as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell)


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def _safe_row(writer, fh, cells: list[str]) -> None:
    """Write one CSV row; cells that could be formulas become '-prefixed quoted text."""
    if not any(_formula(cell) for cell in cells):
        writer.writerow(cells)
        return
    fields = []
    for cell in cells:
        if _formula(cell):
            fields.append(_quoted("'" + cell))
        elif any(c in cell for c in ',"\r\n'):
            fields.append(_quoted(cell))
        else:
            fields.append(cell)
    fh.write(",".join(fields) + "\r\n")


def _write_nodes_csv(fh, flat: _Flat) -> None:
    names = list(flat.node_types)
    writer = csv.writer(fh)
    writer.writerow([*NODE_COLUMNS, *names])
    for node in flat.nodes:
        _safe_row(writer, fh, [str(node.id), str(node.label), *(_cell(node.attrs.get(name, "")) for name in names)])


def _write_edges_csv(fh, flat: _Flat) -> None:
    names = list(flat.edge_types)
    writer = csv.writer(fh)
    writer.writerow([*EDGE_COLUMNS, *names])
    for edge in flat.edges:
        direction = "Directed" if edge.directed else "Undirected"
        cells = (_cell(edge.attrs.get(name, "")) for name in names)
        _safe_row(
            writer, fh,
            [str(edge.source), str(edge.target), direction, str(edge.id), str(edge.label), repr(edge.weight),
             str(edge.kind), *cells],
        )
