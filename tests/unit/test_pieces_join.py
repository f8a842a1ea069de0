"""pieces: a long document analysed in Pieces gives the records of the whole document, its
mentions on disk; short documents pass untouched."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline import corpus
from pipeline.corpus import iter_split
from pipeline.nlp import analysis
from pipeline.pieces import Pieces, cut
from pipeline.records import DocResult, Document, Piece, pack
from pipeline.spill import Spilled
from pipeline.tools.bench import make_long
from tests.helpers import SETTINGS

TEXT = ("A sentence of words. " * 30 + "\n\n") * 200  # 126,400 characters, paragraphs of 632


@pytest.mark.parametrize("chunk_chars,size,count", [
    (50_000, 60_000, 3),  # one chunk a piece
    (50_000, 110_000, 2),  # two chunks, then one
    (50_000, 10_000, 3),  # a chunk longer than the piece size is a piece alone
    (10_000, 60_000, 3),
])
def test_pieces_cut_at_the_chunks_of_the_whole_text(chunk_chars, size, count):
    document = Document(id="long", text=TEXT, lang="en", date="2023-12-27", warnings=["read"])
    pieces = list(cut(document, chunk_chars, size))
    assert len(pieces) == count
    assert "".join(p.text for p in pieces) == TEXT
    chunks = [(p.offset + at, p.text[at:]) for p in pieces for at in p.cuts]
    assert [at for at, _ in chunks] == [at for at, _ in iter_split(TEXT, chunk_chars)]
    for piece in pieces:
        assert (piece.id, piece.lang, piece.date, piece.warnings) == ("long", "en", "2023-12-27", [])
        assert len(piece.text) <= max(size, chunk_chars)


@pytest.mark.parametrize("document", [
    Document(id="short", text="Short text.", lang="en"),
    Document(id="failed", text="x" * 200_000, status="error", reason="unreadable"),
], ids=["short", "not ok"])
def test_pieces_split_passes_other_documents(document):
    assert list(Pieces(SETTINGS, size=100_000).split([document])) == [document]


def test_pieces_split_passes_results():
    done = DocResult(document=Document(id="reused", text="x" * 200_000, lang="en"))
    assert list(Pieces(SETTINGS, size=100_000).split([done])) == [done]


@pytest.fixture(scope="module")
def long_document(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    make_long(folder, 130_000)
    return next(corpus.iter_documents(folder, detect=False))


@pytest.mark.parametrize("size", [60_000, 110_000])
def test_pieces_joined_results_are_the_whole_documents(pipelines, long_document, tmp_path, size):
    whole = analysis.work([replace(long_document, warnings=[])], pipelines, SETTINGS)[0]
    document = replace(long_document, warnings=[])
    pieces = Pieces(SETTINGS, tmp_path, size=size)
    parts = list(pieces.split([document]))
    assert len(parts) >= 2 and all(isinstance(p, Piece) for p in parts)
    assert document.lang == "en"  # detected on the whole text before it was cut
    joined = list(pieces.join(analysis.work([p], pipelines, SETTINGS)[0] for p in parts))
    assert len(joined) == 1 and joined[0].document is document
    assert isinstance(joined[0].mentions, Spilled) and len(joined[0].mentions) == len(whole.mentions) > 1000
    assert pack(joined[0]) == pack(whole)
    assert document.warnings == whole.document.warnings
