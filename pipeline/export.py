"""Writers: the actor graph as GraphML, GEXF and Gephi CSV tables, the records as JSONL, and a summary.

The files of a run are replaced as one set. Each is first written (and synced) to a hidden
temporary file in the output folder; summary.json records the sha256 of every other file. Then a
journal, .commit.json, listing the renames is written atomically, the temporary files are renamed
into place, summary.json last, and the journal is removed. A run that fails or is killed before
the journal exists leaves the previous outputs untouched; one killed after it has committed to
the new set, and the next write (`recover`) finishes the renames. While a journal is present the
folder is mid-commit; otherwise every file matches the hashes in summary.json. Formats not
requested in a run are left as they are.
"""

from __future__ import annotations

import calendar
import csv
import dataclasses
import hashlib
import json
import numbers
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

DEFAULT_FORMATS = ("graphml", "gexf", "csv", "jsonl")
FILES = {
    "graphml": (("graphml", "graph.graphml"),),
    "gexf": (("gexf", "graph.gexf"),),
    "csv": (("nodes", "nodes.csv"), ("edges", "edges.csv")),
    "jsonl": (
        ("mentions", "mentions.jsonl"),
        ("relations", "relations.jsonl"),
        ("documents", "documents.jsonl"),
    ),
}
UNDIRECTED_RELATIONS = frozenset({"met_with", "co_occurs"})
NODE_COLUMNS = ("Id", "Label")
EDGE_COLUMNS = ("Source", "Target", "Type", "Id", "Label", "Weight", "Kind")
JOURNAL = ".commit.json"
_TEMP = re.compile(r"^\..+\.tmp-(\d+)$")
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


def write_outputs(
    out_dir: Path,
    graph: nx.MultiDiGraph,
    *,
    mentions: Iterable[dict],
    relations: Iterable[dict],
    documents: Iterable[dict],
    summary: dict,
    formats: Iterable[str] = DEFAULT_FORMATS,
) -> dict[str, Path]:
    """Write the requested formats and summary.json into `out_dir`, atomically as a set.

    Returns the written files by name: graphml, gexf, nodes, edges, mentions, relations,
    documents, summary. `formats` may also be one comma-separated string ("graphml,csv").
    Rows may be dicts, dataclasses or blocks of rows from `encode_rows`, and are streamed,
    not collected. Raises ValueError for
    an unknown format before anything is written.
    """
    if isinstance(formats, str):
        formats = formats.split(",")
    formats = list(dict.fromkeys(name.strip().lower() for name in formats))
    unknown = [name for name in formats if name not in FILES]
    if unknown:
        raise ValueError(f"unknown output format(s): {', '.join(unknown)}; known: {', '.join(FILES)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    flat = _flatten(graph) if {"graphml", "gexf", "csv"} & set(formats) else None
    hashes: dict[str, str] = {}  # filename -> sha256, filled as the files are written
    warned = [0]  # documents rows with warnings, counted as they stream past
    writers: dict[str, Callable[[Any], None]] = {
        "graphml": lambda fh: _write_graphml(fh, flat),
        "gexf": lambda fh: _write_gexf(fh, flat),
        "nodes": lambda fh: _write_nodes_csv(fh, flat),
        "edges": lambda fh: _write_edges_csv(fh, flat),
        "mentions": lambda fh: _write_jsonl(fh, mentions),
        "relations": lambda fh: _write_jsonl(fh, relations),
        "documents": lambda fh: _write_jsonl(fh, _count_warned(documents, warned)),
        "summary": lambda fh: fh.write(_json(_final_summary(summary, hashes, warned[0], "jsonl" in formats), indent=2) + "\n"),
    }
    plan = [entry for name in formats for entry in FILES[name]] + [("summary", "summary.json")]
    temps: dict[str, Path] = {}
    try:
        for name, filename in plan:
            temps[name] = out_dir / f".{filename}.tmp-{os.getpid()}"
            _write_file(temps[name], writers[name], binary=name in ("graphml", "gexf"))
            if name != "summary":
                hashes[filename] = file_sha256(temps[name])
        _write_json_atomic(out_dir / JOURNAL, [[temps[name].name, filename] for name, filename in plan])
        written = {}
        for name, filename in plan:
            written[name] = out_dir / filename
            os.replace(temps[name], written[name])
        _sync_folder(out_dir)
        (out_dir / JOURNAL).unlink()
        _sync_folder(out_dir)
        return written
    finally:
        # After the journal is written the temporary files belong to it, even if a rename failed.
        if not (out_dir / JOURNAL).exists():
            for temp in temps.values():
                temp.unlink(missing_ok=True)


def _count_warned(rows: Iterable[Any], warned: list[int]) -> Iterator[Any]:
    for row in rows:
        values = row if isinstance(row, dict) else vars(row)
        warned[0] += bool(values.get("warnings"))
        yield row


def _final_summary(summary: dict, hashes: dict[str, str], warned: int, with_documents: bool) -> dict:
    final = dict(summary)
    if with_documents:
        final["documents_with_warnings"] = warned
    final["files"] = hashes
    return final


def recover(out_dir: Path) -> bool:
    """Finish the commit of a run killed while renaming its files into `out_dir`, and remove the
    temporary files of runs that died before committing. Returns True when a commit was finished."""
    out_dir = Path(out_dir)
    journal = out_dir / JOURNAL
    finished = journal.exists()
    if finished:
        for temp, final in json.loads(journal.read_text(encoding="utf-8")):
            if (out_dir / temp).exists():
                os.replace(out_dir / temp, out_dir / final)
        _sync_folder(out_dir)
        journal.unlink()
    for path in out_dir.iterdir() if out_dir.is_dir() else ():
        match = _TEMP.match(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
    return finished


def file_sha256(path: Path) -> str:
    """Return the sha256 of a file's bytes, as summary.json records it."""
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _write_json_atomic(path: Path, value: Any) -> None:
    temp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        _write_file(temp, lambda fh: fh.write(_json(value)), binary=False)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # A rename is durable only once the folder itself is synced; not every platform allows it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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


def _write_file(path: Path, write: Callable[[Any], None], *, binary: bool) -> None:
    # Lone surrogates cannot be encoded as UTF-8; backslashreplace turns them into "\udXXX",
    # which inside a JSON string is the exact escape for the same code point.
    if binary:
        fh = open(path, "wb")
    else:
        fh = open(path, "w", encoding="utf-8", errors="backslashreplace", newline="")
    with fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


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
            and relation not in UNDIRECTED_RELATIONS
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


def _write_nodes_csv(fh, flat: _Flat) -> None:
    names = list(flat.node_types)
    writer = csv.writer(fh)
    writer.writerow([*NODE_COLUMNS, *names])
    for node in flat.nodes:
        writer.writerow([node.id, node.label, *(_cell(node.attrs.get(name, "")) for name in names)])


def _write_edges_csv(fh, flat: _Flat) -> None:
    names = list(flat.edge_types)
    writer = csv.writer(fh)
    writer.writerow([*EDGE_COLUMNS, *names])
    for edge in flat.edges:
        direction = "Directed" if edge.directed else "Undirected"
        cells = (_cell(edge.attrs.get(name, "")) for name in names)
        writer.writerow(
            [edge.source, edge.target, direction, edge.id, edge.label, repr(edge.weight), edge.kind, *cells]
        )


class Encoded(str):
    """JSONL text made by `encode_rows`, written to its file as it is."""


def encode_rows(rows: Iterable[Any]) -> Encoded:
    """Return rows (dicts or dataclasses) as JSONL text, one object a line, to be written later."""
    encode = _ROW_ENCODER.encode  # one encoder for every row: json.dumps builds one per call
    return Encoded("".join(encode(row) + "\n" for row in rows))


def _write_jsonl(fh, rows: Iterable[Any]) -> None:
    encode = _ROW_ENCODER.encode
    for row in rows:
        fh.write(row if isinstance(row, Encoded) else encode(row) + "\n")


def _json(value: Any, **options: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, **options)


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default)
