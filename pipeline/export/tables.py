"""The mention and relation tables, encoded from the spooled results while the graph is built.

After resolution a run reads its spooled results once more for two jobs that need nothing
from each other: the graph, and the JSONL rows of every mention and relation (most of the
output's bytes). Where the platform forks, a child process encodes the rows into two scratch
files while this process builds the graph, so the run's serial tail uses both cores; the
writer then copies the scratch files into place. Elsewhere, with other threads running (a
fork would copy their locks), or when the child fails, the rows are encoded in this process.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

from pipeline.export.jsonl import Encoded, encode_rows
from pipeline.graph import mention_rows, relation_rows
from pipeline.lifetime import die_with_parent
from pipeline.records import DocResult
from pipeline.resolve.resolution import Resolution
from pipeline.spill import reader

CHUNK = 1 << 20  # characters per block handed to the writer
ROWS = 10_000  # rows encoded at a time: a long document's rows are never one string
NAMES = ("mentions", "relations")


class Tables:
    """Scratch files holding the encoded mention and relation rows of every result, in order."""

    def __init__(self, folder: Path, resolution: Resolution):
        self.resolution = resolution
        self.files = {name: tempfile.TemporaryFile("w+b", dir=folder, prefix=f".{name}-") for name in NAMES}
        self.child = None
        self.results: Callable[[], Iterable[DocResult]] = list  # nothing to encode until `start`
        self.done = False

    def __enter__(self) -> "Tables":
        return self

    def __exit__(self, *exc) -> None:
        if self.child is not None and self.child.is_alive():
            self.child.terminate()
            self.child.join()
        for file in self.files.values():
            file.close()

    def start(self, results: Callable[[], Iterable[DocResult]]) -> None:
        """Begin encoding the rows of `results()`: in a forked child where that is safe, otherwise
        (or if the child fails) in this process once `rows` is first read."""
        self.results = results
        if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
            self.parent = os.getpid()
            self.child = multiprocessing.get_context("fork").Process(target=self._child, daemon=True)
            self.child.start()

    def _ready(self) -> None:
        if self.done:
            return
        if self.child is not None:
            self.child.join()
        if self.child is None or self.child.exitcode != 0:
            self.write(self.results())
        self.done = True

    def write(self, results: Iterable[DocResult]) -> None:
        """Encode the rows of `results` into the scratch files, replacing what they held."""
        outs = {}
        for name, file in self.files.items():
            file.seek(0)
            file.truncate()
            # the writer's own encoding, so the copied bytes are the ones it would have written
            outs[name] = io.TextIOWrapper(file, encoding="utf-8", errors="backslashreplace", newline="", write_through=True)
        try:
            for result in results:
                for name, rows in (("mentions", mention_rows), ("relations", relation_rows)):
                    found = rows(result, self.resolution)
                    while block := list(islice(found, ROWS)):
                        outs[name].write(encode_rows(block))
        finally:
            for out in outs.values():
                out.flush()
                out.detach()  # the scratch file stays open for `rows`

    def rows(self, name: str) -> Iterator[Encoded]:
        """Yield the encoded rows of table `name` ("mentions" or "relations") in blocks, once
        they are all encoded (so the writer can write other files first)."""
        self._ready()  # `write` flushed the scratch files, here or in the child
        text = io.TextIOWrapper(reader(self.files[name]), encoding="utf-8", newline="")
        while block := text.read(CHUNK):
            yield Encoded(block)

    def _child(self) -> None:
        try:
            die_with_parent(self.parent)
            self.write(self.results())
        except BaseException:  # the parent encodes the rows itself and reports any error there
            os._exit(1)
