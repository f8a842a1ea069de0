"""Blank lines end sentences: a headline or a paragraph never runs into the next one."""

from __future__ import annotations

import bisect
import re

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

NAME = "actorgraph_lines"
_BLANK = re.compile(r"\n[^\S\n]*\n\s*")


@Language.component(NAME, assigns=["token.is_sent_start"])
def mark_blank_lines(doc: Doc) -> Doc:
    """Mark the first token after a blank line as a sentence start; return the Doc.

    Runs before the parser, which keeps preset starts: without it "Minister dies aged 90"
    and the article's first sentence are parsed as one, so the headline's words attach to it.
    A single line break is left alone, since texts are often hard-wrapped mid-sentence.
    """
    text = doc.text
    if "\n" not in text:
        return doc
    offsets = None
    for match in _BLANK.finditer(text):
        if match.end() >= len(text):
            break
        if offsets is None:
            offsets = doc.to_array(IDX).tolist()  # only for texts that have a blank line
        i = bisect.bisect_left(offsets, match.end())
        if 0 < i < len(doc) and offsets[i] == match.end():
            doc[i].is_sent_start = True
    return doc
