"""Paragraphs of a news text: the date of a meeting whose own clause gives none, and which
paragraph each token lies in (a mention lends its date and place within its paragraph first).

A news report often dates an event once and then tells it in several sentences ("Late on Sunday,
X announced the withdrawal. The announcement came after X had a phone conversation with Y."): a
meeting with no date of its own takes the nearest day ("Sunday", "el 5 de mayo") before it in its
paragraph, at most `REACH` sentences back. A meeting with no date in its paragraph either is dated by the
resolution layer with its report's publication date (resolve.meetings._Meetings._nodes).
"""

from __future__ import annotations

import bisect
import re

import numpy
from spacy.attrs import IDX
from spacy.tokens import Span

REACH = 3  # sentences back within the paragraph


def paragraph_date(doc, view, ents, ent_starts: list[int], sent: Span, norm) -> Span | None:
    """Return the last DATE entity resolved to a day (`norm(span)` a full ISO date) in the
    sentences before `sent` in its paragraph, or None. A year or a month there ("since
    2016") is background more often than the day of the event."""
    from pipeline.rules.meetings.ties import sentence_before

    first = sent
    for _ in range(REACH):
        before = sentence_before(view, doc, first)
        if before is None:
            break
        first = before
    if first.start == sent.start:
        return None
    stop = bisect.bisect_left(ent_starts, sent.start)
    for ent in reversed(ents[bisect.bisect_left(ent_starts, first.start) : stop]):
        if ent.label_ == "DATE" and len(norm(ent)) == 10:
            return ent
    return None


def paragraph_index(doc) -> list[int]:
    """Return, per token, the number of the paragraph (text between line breaks) it lies in."""
    text = doc.text
    if "\n" not in text:
        return [0] * len(doc)
    starts = doc.to_array(IDX)
    # the token whose text or trailing space holds a line break ends its paragraph
    ends_paragraph = numpy.zeros(len(doc), dtype=numpy.int64)
    for newline in re.finditer("\n", text):
        ends_paragraph[max(0, int(numpy.searchsorted(starts, newline.start(), side="right")) - 1)] = 1
    return (numpy.cumsum(ends_paragraph) - ends_paragraph).tolist()
