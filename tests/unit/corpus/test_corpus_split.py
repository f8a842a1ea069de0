"""corpus.split_text: bounded chunks that cover the text, cut at the gentlest break available."""

import pytest

from pipeline.corpus import split_text


@pytest.mark.parametrize(
    "text, max_chars, chunks",
    [
        ("", 10, []),
        ("short", 10, ["short"]),
        ("exactly10!", 10, ["exactly10!"]),
        ("First para.\n\nSecond one.", 16, ["First para.\n\n", "Second one."]),
        ("Line one\nline two\nline three", 20, ["Line one\nline two\n", "line three"]),
        ("One sentence. Two sentence. Three.", 20, ["One sentence. ", "Two sentence. Three."]),
        ("Paragraph.\n\nThen a sentence. More words here", 30, ["Paragraph.\n\nThen a sentence. ", "More words here"]),
        ("words without any full stop at all", 12, ["words ", "without any ", "full stop ", "at all"]),
        ("abcdefghijklmnop", 5, ["abcde", "fghij", "klmno", "p"]),
    ],
    ids=["empty", "short", "exact", "paragraph", "line", "sentence", "prefers-late-break", "space", "hard-cut"],
)
def test_corpus_split_cuts(text, max_chars, chunks):
    pieces = split_text(text, max_chars)
    assert [chunk for _, chunk in pieces] == chunks
    assert all(text[offset : offset + len(chunk)] == chunk for offset, chunk in pieces)


@pytest.mark.parametrize("max_chars", [1, 7, 64, 1000])
def test_corpus_split_bounded_and_covering(max_chars):
    text = ("Mr. Blinken met Ms. Bárcena.\n\nThey talked.  " * 50) + "x" * 300
    pieces = split_text(text, max_chars)
    assert all(0 < len(chunk) <= max_chars for _, chunk in pieces)
    assert "".join(chunk for _, chunk in pieces) == text
    assert [offset for offset, _ in pieces] == [sum(len(c) for _, c in pieces[:i]) for i in range(len(pieces))]


def test_corpus_split_rejects_zero():
    with pytest.raises(ValueError):
        split_text("text", 0)
