"""A long document's mentions on disk: written in blocks as its pieces come, read back one
block at a time as often as the reduce needs them.

A 50 MB document has over a million mentions; as Python objects they would take gigabytes.
`Spiller` writes them to a scratch file as msgpack blocks of BLOCK mentions, each block with
its own table of the sentences it quotes; `Spilled` is the resulting sequence, a byte range
of that file, which yields Mention records again block by block. Files are read with pread
(`reader`), so readers here and in a forked process each keep their own place.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import fields

from pipeline.incremental import plain
from pipeline.records import Mention, pack_mentions

BLOCK = 4096  # mentions per block: a few MB of objects while one block is read
CHUNK = 1 << 20  # bytes per read
_SENTENCE_AT = [f.name for f in fields(Mention)].index("sentence")


class At(io.RawIOBase):
    """Reads a file descriptor from `offset` up to `end` (None: its end) with pread, so readers
    in this process and in forked ones each keep their own place (a shared descriptor shares
    its offset)."""

    def __init__(self, fd: int, offset: int = 0, end: int | None = None):
        super().__init__()
        self.fd, self.offset, self.end = fd, offset, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = len(buffer) if self.end is None else max(0, min(len(buffer), self.end - self.offset))
        if not size:
            return 0
        if hasattr(os, "pread"):
            data = os.pread(self.fd, size, self.offset)
        else:  # Windows: it cannot fork either, so no other reader moves the offset meanwhile
            os.lseek(self.fd, self.offset, os.SEEK_SET)
            data = os.read(self.fd, size)
        buffer[: len(data)] = data
        self.offset += len(data)
        return len(data)


def reader(file, offset: int = 0, end: int | None = None) -> io.BufferedReader:
    """Return a buffered binary reader of `file`'s bytes on disk (flush it first) from `offset`
    to `end`, at its own offset."""
    return io.BufferedReader(At(file.fileno(), offset, end), CHUNK)


class Spilled:
    """`count` mentions stored in bytes `start` to `end` of `file`; each iteration reads them anew."""

    def __init__(self, file, start: int, end: int, count: int):
        self.file, self.start, self.end, self.count = file, start, end, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Mention]:
        for sentences, rows in plain.stream(reader(self.file, self.start, self.end)):
            for values in rows:
                values[_SENTENCE_AT] = sentences[values[_SENTENCE_AT]]
                yield Mention(*values)

    def copy_to(self, file) -> "Spilled":
        """Append these bytes to `file` (a binary file open for writing); return the copy there."""
        start = file.tell()
        source = reader(self.file, self.start, self.end)
        while data := source.read(CHUNK):
            file.write(data)
        return Spilled(file, start, file.tell(), self.count)

    def __reduce__(self):
        # Another process has no such file: what crosses is the list of records.
        return list, (list(self),)


class Spiller:
    """Appends mentions to `file` in blocks; `done` returns them as a Spilled."""

    def __init__(self, file):
        self.file, self.packer = file, plain.packer()
        self.file.seek(0, os.SEEK_END)
        self.start, self.count = self.file.tell(), 0

    def add(self, mentions: Iterable[Mention]) -> None:
        """Write `mentions` (in order) after those written before."""
        block: list[Mention] = []
        for mention in mentions:
            block.append(mention)
            if len(block) >= BLOCK:
                self._write(block)
                block = []
        if block:
            self._write(block)

    def _write(self, block: list[Mention]) -> None:
        # Sentences once per block: most mentions of a sentence fall in the same block.
        table: dict[str, int] = {}
        rows = []
        for values in pack_mentions(block):
            values = list(values)
            values[_SENTENCE_AT] = table.setdefault(values[_SENTENCE_AT], len(table))
            rows.append(values)
        self.file.write(self.packer.pack([list(table), rows]))
        self.count += len(block)

    def done(self) -> Spilled:
        """Return everything added so far as a Spilled (the file is flushed)."""
        self.file.flush()
        return Spilled(self.file, self.start, self.file.tell(), self.count)
