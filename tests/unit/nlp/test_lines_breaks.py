"""nlp/lines.py: a blank line starts a sentence; a single line break does not."""

from __future__ import annotations

import pytest
import spacy

import pipeline.nlp.lines  # noqa: F401  (registers the component)


@pytest.mark.parametrize(
    "text, starts",
    [
        ("Mayor quits over bridge\n\nThe mayor of Tarnow resigned.", ["The"]),
        ("Minister resigns\n\n\nShe left on Monday.", ["She"]),
        ("The mayor of Tarnow\nresigned on Monday.", []),
        ("One sentence only.", []),
    ],
)
def test_lines_blank_line_starts_a_sentence(text, starts):
    nlp = spacy.blank("en")
    nlp.add_pipe("actorgraph_lines")
    doc = nlp(text)
    assert [t.text for t in doc[1:] if t.is_sent_start] == starts
