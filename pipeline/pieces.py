"""Long documents cut into pieces for the workers, and the pieces' results joined again.

A document longer than PIECE_CHARS goes to the workers as Pieces: runs of the chunks its
text is cut into anyway (settings.run.chunk_chars), each analysed as a document of its own.
So no worker holds more than one piece's records, the pieces of one document spread over
every worker, and the records are those the whole document gives: the same chunks, offsets
shifted back, warnings merged, the first piece's reference date. The joined mentions go to
a scratch file as they come (pipeline/spill.py), the role links and meetings, a small part
of a document's records, stay in memory.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import fields
from pathlib import Path

from pipeline import corpus
from pipeline.config import Settings
from pipeline.records import DocResult, Document, Piece
from pipeline.spill import Spiller

PIECE_CHARS = 500_000  # text per piece: its records, a few tens of MB, are what a process holds at once


class Pieces:
    """Cuts long documents into Pieces (`split`) and joins their results (`join`), in order."""

    def __init__(self, settings: Settings, scratch: Path | None = None, size: int | None = None):
        self.chunk_chars, self.languages = settings.run.chunk_chars, tuple(settings.run.languages)
        self.scratch, self.size = scratch, size or PIECE_CHARS
        self.whole: deque[Document] = deque()  # the documents being cut, whose results are not joined yet

    def split(self, items: Iterable[DocResult | Document]) -> Iterator[DocResult | Document]:
        """Yield `items` with every ok Document longer than the piece size replaced by its Pieces."""
        for item in items:
            if not isinstance(item, Document) or item.status != "ok" or len(item.text) <= self.size:
                yield item
                continue
            # The language of the whole text, not of each piece.
            corpus.detect(item, self.languages)
            if item.status != "ok":
                yield DocResult(document=item)
                continue
            self.whole.append(item)
            yield from cut(item, self.chunk_chars, self.size)

    def join(self, results: Iterable[DocResult]) -> Iterator[DocResult]:
        """Yield `results` with the results of each document's Pieces joined into one DocResult,
        whose mentions are on disk."""
        joined = spiller = None
        for result in results:
            piece = result.document
            if not isinstance(piece, Piece):
                yield result
                continue
            if joined is None:
                joined = DocResult(self.whole.popleft(), ref_date=result.ref_date, ref_date_source=result.ref_date_source)
                spiller = Spiller(tempfile.TemporaryFile("w+b", dir=self.scratch, prefix=".pieces-"))
            shift(result, piece.offset)
            spiller.add(result.mentions)
            joined.role_links += result.role_links
            joined.meetings += result.meetings
            document = joined.document
            document.warnings += [w for w in piece.warnings if w not in document.warnings]
            if piece.offset + len(piece.text) == len(document.text):
                joined.mentions = spiller.done()
                yield joined
                joined = spiller = None


def cut(document: Document, chunk_chars: int, size: int) -> Iterator[Piece]:
    """Yield the Pieces of `document`: runs of its chunks of at most `size` characters (or one chunk)."""
    start, cuts = 0, []
    for offset, chunk in corpus.iter_split(document.text, chunk_chars):
        if cuts and offset + len(chunk) - start > size:
            yield _piece(document, start, offset, cuts)
            start, cuts = offset, []
        cuts.append(offset - start)
    yield _piece(document, start, len(document.text), cuts)


_DOCUMENT_FIELDS = [f.name for f in fields(Document)]


def _piece(document: Document, start: int, end: int, cuts: list[int]) -> Piece:
    values = {name: getattr(document, name) for name in _DOCUMENT_FIELDS}
    return Piece(**{**values, "text": document.text[start:end], "warnings": [], "offset": start, "cuts": cuts})


def shift(result: DocResult, offset: int) -> None:
    """Move every offset of a result's records by `offset` characters."""
    if not offset:
        return
    for item in (*result.mentions, *result.role_links, *result.meetings):
        item.start += offset
        item.end += offset
        if hasattr(item, "sent_start"):
            item.sent_start += offset
    for link in result.role_links:
        link.person.start += offset
        link.person.end += offset
    for meeting in result.meetings:
        for person in meeting.participants:
            person.start += offset
            person.end += offset
