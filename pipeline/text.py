"""Text folding shared by the lookups that compare names across spellings and languages (the
articles those lookups drop are a word list of configs/words/<lang>.yml)."""

from __future__ import annotations

import functools
import unicodedata


class _Folding(dict):
    """A str.translate table that drops combining marks and keeps every other character.

    Filled on first sight of each character: translating in C is several times faster than
    testing the characters of a whole article one by one in Python.
    """

    def __missing__(self, code: int) -> int | None:
        self[code] = None if unicodedata.combining(chr(code)) else code
        return self[code]


_FOLDING = _Folding()


def strip_accents(text: str) -> str:
    """Return `text` without combining accents ("López" -> "Lopez"), otherwise unchanged."""
    if text.isascii():  # nothing to decompose, as in most English text
        return text
    return unicodedata.normalize("NFKD", text).translate(_FOLDING)


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Return `text` lower-cased, without accents, with curly quotes made straight."""
    return strip_accents(text.replace("’", "'").replace("‘", "'")).lower()
