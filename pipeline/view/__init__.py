"""actorgraph view: the graph as one self-contained web page (graph.html) and a picture (graph.svg).

graph.html inlines sigma.js (the WebGL renderer Gephi Lite uses) and graphology (its graph
model), from the npm packages that `make install` puts in pipeline/view/js/node_modules or that
the wheel ships in pipeline/data/vendor/: the page opens offline and fetches nothing. The
picture is a plain SVG of the actor network (persons, roles, meetings), drawn without a
plotting library.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, TextIO

import networkx as nx

from pipeline.config import ConfigError

HTML = "graph.html"
PICTURE = "graph.svg"


def write_view(out_dir: Path, graph: nx.Graph | None = None) -> dict[str, Path]:
    """Write OUT/graph.html and OUT/graph.svg, each atomically; read OUT/graph.graphml when no
    graph is given. Returns the written files by name (html, picture)."""
    out_dir = Path(out_dir)
    if graph is None:
        graph = read_graph(out_dir)
    written = {}
    for name, filename, write in (("html", HTML, write_html), ("picture", PICTURE, write_svg)):
        written[name] = out_dir / filename
        _write_atomic(written[name], lambda fh, write=write: write(fh, graph))
    return written


def write_html(fh: TextIO, graph: nx.Graph) -> None:
    """Write graph.html for `graph` into the open text file `fh` (extract --view: export/commit.py)."""
    from pipeline.view.page import render_html

    fh.write(render_html(graph))


def write_svg(fh: TextIO, graph: nx.Graph) -> None:
    """Write graph.svg for `graph` into the open text file `fh`."""
    from pipeline.view.picture import render_svg

    fh.write(render_svg(graph))


def read_graph(out_dir: Path) -> nx.MultiDiGraph:
    """The graph of a finished run, from OUT/graph.graphml."""
    path = Path(out_dir) / "graph.graphml"
    if not path.is_file():
        raise ConfigError(f"{path}: not found; run `actorgraph extract ... --out {out_dir}` first (with graphml among the formats)")
    return nx.read_graphml(path, force_multigraph=True)


def _write_atomic(path: Path, write: Callable) -> None:
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temp, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
