"""graph.html: the page template, the graph's data, and sigma.js + graphology inlined."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path


import networkx as nx

from pipeline.config import PACKAGE_DATA, ConfigError
from pipeline.view.data import COLORS, OTHER_COLOR, layout, nodes_and_edges

# npm package -> its minified browser build (UMD: it defines a global, graphology / Sigma).
# `make install` (npm ci) puts them here in a checkout, from js/package.json and its lock file.
NODE_MODULES = Path(__file__).resolve().parent / "js" / "node_modules"
VENDOR = {"graphology": "dist/graphology.umd.min.js", "sigma": "dist/sigma.min.js"}


def vendor_scripts() -> dict[str, tuple[str, str]]:
    """{package: (version, minified source)} from the installed package's data (a wheel) or the
    checkout's pipeline/view/js/node_modules (`make install`)."""
    shipped = PACKAGE_DATA / "vendor"
    scripts = {}
    for package, build in VENDOR.items():
        if (shipped / Path(build).name).is_file():
            versions = json.loads((shipped / "versions.json").read_text(encoding="utf-8"))
            scripts[package] = (versions[package], (shipped / Path(build).name).read_text(encoding="utf-8"))
            continue
        folder = NODE_MODULES / package
        if not (folder / build).is_file():
            raise ConfigError(
                f"{folder / build}: not found; the page needs sigma.js and graphology from npm: run `make install` "
                "(or `npm ci --prefix pipeline/view/js`) in the checkout"
            )
        version = json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"]
        scripts[package] = (version, (folder / build).read_text(encoding="utf-8"))
    return scripts


@lru_cache(maxsize=1)
def _template() -> tuple[str, str]:
    folder = resources.files("pipeline.view")
    return folder.joinpath("page.html").read_text(encoding="utf-8"), folder.joinpath("page.js").read_text(encoding="utf-8")


def page_data(graph: nx.Graph, source: str = "") -> dict:
    """What the page's script reads: nodes (with positions) and edges as plain values, the colours."""
    nodes, edges = nodes_and_edges(graph)
    positions = layout(nodes, edges)
    for node in nodes:
        node["x"], node["y"] = (round(v, 5) for v in positions[node["id"]])
    return {"source": source, "nodes": nodes, "edges": edges, "colors": COLORS, "other_color": OTHER_COLOR,
            "type_order": list(COLORS)}


def _script_safe(text: str) -> str:
    # Inside <script>, "</script" would end the element early; "<\/" means the same in JS strings.
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def render_html(graph: nx.Graph, title: str = "actor graph", source: str = "") -> str:
    """The whole page as one string."""
    template, page_js = _template()
    scripts = vendor_scripts()
    # "<" escaped in the JSON: no text from an article can close the script element.
    data = json.dumps(page_data(graph, source), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    values = {
        "TITLE": title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "DATA": data,
        "GRAPHOLOGY_VERSION": scripts["graphology"][0], "GRAPHOLOGY": _script_safe(scripts["graphology"][1]),
        "SIGMA_VERSION": scripts["sigma"][0], "SIGMA": _script_safe(scripts["sigma"][1]),
        "PAGE_JS": _script_safe(page_js),
    }
    return re.sub(r"__([A-Z_]+)__", lambda m: values.get(m.group(1), m.group(0)), template)

