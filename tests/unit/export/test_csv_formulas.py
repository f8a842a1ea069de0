"""Spreadsheet-safe CSV: cells of nodes.csv and edges.csv that a spreadsheet would run as a formula
(beginning with =, +, -, @, tab or carriage return) are written as quoted text with a leading single
quote (OWASP's advice); plain numbers and every other cell are written as before."""

from __future__ import annotations

import csv

import networkx as nx
import pytest

from pipeline.export import commit as export
from pipeline.export.formats import FORMULA_STARTS

DANGEROUS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_formula_cells_neutralised(tmp_path, value):
    graph = nx.MultiDiGraph()
    graph.add_node(value, type="person", label=value, note=value)
    graph.add_node("person:b", type="person", label="B", lat=-12.5)
    graph.add_edge(value, "person:b", key=value, relation="met_with", evidence=value)
    export.write_outputs(tmp_path, graph, mentions=[], relations=[], documents=[], summary={}, formats="csv")
    cells = [cell for name in ("nodes.csv", "edges.csv") for row in _read(tmp_path / name) for cell in row]
    raw = b"".join((tmp_path / n).read_bytes() for n in ("nodes.csv", "edges.csv")).decode("utf-8")
    live = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and cell != "-12.5"]
    assert not live  # no live formula left
    assert "'" + value in cells and '"\'' + value[:1] in raw  # prefixed and quoted
    assert "-12.5" in cells  # a plain number stays a number
