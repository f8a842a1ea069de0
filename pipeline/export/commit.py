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

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import networkx as nx

from pipeline import view
from pipeline.export.formats import _flatten, _write_edges_csv, _write_gexf, _write_graphml, _write_nodes_csv
from pipeline.export.jsonl import _json, _write_jsonl

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
    "view": (("html", "graph.html"), ("picture", "graph.svg")),  # pipeline/view (extract --view)
}


JOURNAL = ".commit.json"


_TEMP = re.compile(r"^\..+\.tmp-(\d+)$")


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
        "html": lambda fh: view.write_html(fh, graph),
        "picture": lambda fh: view.write_svg(fh, graph),
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
