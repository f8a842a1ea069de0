"""Text folding shared by the lookups that compare names across spellings and languages."""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """Return `text` without combining accents ("López" -> "Lopez"), otherwise unchanged."""
    if text.isascii():  # nothing to decompose, as in most English text
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
