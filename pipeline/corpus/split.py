"""Long texts cut into chunks at the strongest break before a size limit."""

from __future__ import annotations

from typing import Iterator

_BREAKS = (("\n\n",), ("\n",), (". ", "! ", "? ", '." ', ".” ", ".» ", "。"), (" ", "\t"))


def split_text(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Split `text` into (offset, chunk) pairs of at most `max_chars` characters that cover it.

    Cuts fall after a paragraph break, else a line break, else sentence-ending punctuation,
    else a space, preferably in the second half of each window; a hard cut is the last resort.
    """
    return list(iter_split(text, max_chars))


def iter_split(text: str, max_chars: int) -> Iterator[tuple[int, str]]:
    """Yield the (offset, chunk) pairs of `split_text` one at a time: a long text is never copied whole."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    start = 0
    while len(text) - start > max_chars:
        end = _cut(text, start, start + max_chars)
        yield start, text[start:end]
        start = end
    if start < len(text):
        yield start, text[start:]


def _cut(text: str, start: int, limit: int) -> int:
    # a break in the second half of the window keeps chunks large; any break beats a hard cut
    for low in (start + (limit - start) // 2, start + 1):
        for marks in _BREAKS:
            found = [pos + len(mark) for mark in marks if (pos := text.rfind(mark, low, limit)) >= 0]
            if found:
                return max(found)
    return limit
