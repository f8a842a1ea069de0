"""tables.reader: readers of one file descriptor, here and in a forked child, each read it all."""

import multiprocessing
import pickle
import tempfile

import pytest

from pipeline.export import tables
from pipeline.export.tables import reader

ITEMS = [{"doc": n, "text": "x" * n} for n in range(0, 5000, 250)]


def _items(file) -> list:
    source, found = reader(file), []
    while True:
        try:
            found.append(pickle.load(source))
        except EOFError:
            return found


@pytest.mark.parametrize("pread", [True, False], ids=["pread", "seek"])
def test_tables_readers_keep_their_own_offsets(monkeypatch, pread):
    if not pread:
        monkeypatch.delattr(tables.os, "pread", raising=False)  # as on Windows
    with tempfile.TemporaryFile() as file:
        for item in ITEMS:
            pickle.dump(item, file)
        file.flush()
        first, second = reader(file), reader(file)
        assert first.read(10) == second.read(10)
        assert _items(file) == ITEMS


def _send(file, queue):
    queue.put(_items(file))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_tables_forked_reader_sees_what_the_parent_sees():
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with tempfile.TemporaryFile() as file:
        for item in ITEMS:
            pickle.dump(item, file)
        file.flush()
        child = context.Process(target=_send, args=(file, queue))
        child.start()
        here = _items(file)
        there = queue.get(timeout=60)
        child.join(timeout=60)
        assert here == there == ITEMS
        assert child.exitcode == 0
