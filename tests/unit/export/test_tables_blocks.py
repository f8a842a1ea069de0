"""Tables: the rows of a long document are encoded a block of ROWS at a time, never as one string."""

from __future__ import annotations

from pipeline.export import tables
from pipeline.export.jsonl import encode_rows
from pipeline.graph import mention_rows, relation_rows
from pipeline.resolve.resolution import Resolver
from tests.helpers import FakeGazetteer, corpus


def test_tables_encode_rows_in_blocks(monkeypatch, tmp_path):
    docs = corpus()
    resolver = Resolver(gazetteer=FakeGazetteer())
    for doc in docs:
        resolver.add(doc)
    resolution = resolver.finish()
    expected = {
        name: "".join(encode_rows(list(rows(d, resolution))) for d in docs)
        for name, rows in (("mentions", mention_rows), ("relations", relation_rows))
    }
    blocks: list[int] = []
    monkeypatch.setattr(tables, "ROWS", 2)
    monkeypatch.setattr(tables, "encode_rows", lambda rows: blocks.append(len(rows)) or encode_rows(rows))
    monkeypatch.setattr(tables.threading, "active_count", lambda: 2)  # encoded here, not in a forked child
    with tables.Tables(tmp_path, resolution) as found:
        found.start(lambda: docs)
        assert {name: "".join(found.rows(name)) for name in expected} == expected
    assert max(blocks) == 2 and sum(blocks) == sum(text.count("\n") for text in expected.values())
