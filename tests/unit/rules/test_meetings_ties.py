"""Helpers of the meetings component on hand-built Docs: ties beyond the trigger, paragraph dates, venues."""

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.rules.meetings import paragraphs, ties, venues
from pipeline.rules.words import words_for


def parsed(lang, words, heads, deps, pos, spaces=None, sent_starts=None, ents=None):
    """Return a blank Doc with the given parse (heads as absolute indexes)."""
    nlp = spacy.blank(lang)
    iob = ["O"] * len(words)
    for start, end, label in ents or []:
        iob[start:end] = [f"B-{label}"] + [f"I-{label}"] * (end - start - 1)
    return Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos, sent_starts=sent_starts, ents=iob)


class SentenceView:
    """The sentence bounds per token that the roles layer's DocView keeps."""

    def __init__(self, doc):
        self.sent_start = [0] * len(doc)
        self.sent_end = [len(doc)] * len(doc)
        for sent in doc.sents:
            for i in range(sent.start, sent.end):
                self.sent_start[i], self.sent_end[i] = sent.start, sent.end


@pytest.mark.parametrize("word,pos,expected", [("se", "PRON", True), ("nos", "PRON", True), ("lo", "PRON", False), ("se", "DET", False)])
def test_meetings_ties_reflexive_clitic_is_no_object(word, pos, expected):
    doc = parsed("es", [word, "reunieron"], [1, 1], ["obj", "ROOT"], [pos, "VERB"])
    assert ties.reflexive(doc[0], words_for().union("reflexive_pronouns")) is expected


@pytest.mark.parametrize("links,expected", [(["subject", "subject"], True), (["subject", "listed"], True), (["subject"], False), (["subject", "with"], False)])
def test_meetings_ties_reciprocal_needs_two_subjects(links, expected):
    assert ties.reciprocal([(object(), how) for how in links]) is expected


def test_meetings_ties_frame_noun_fixed_preposition():
    # "Al término de la reunión, Vera habló": "Al término de" parsed as one fixed preposition
    words = ["Al", "término", "de", "la", "reunión", ",", "Vera", "habló"]
    heads = [4, 0, 0, 4, 7, 7, 7, 7]
    deps = ["case", "fixed", "fixed", "det", "obl", "punct", "nsubj", "ROOT"]
    pos = ["ADP", "NOUN", "ADP", "DET", "NOUN", "PUNCT", "PROPN", "VERB"]
    doc = parsed("es", words, heads, deps, pos)
    assert ties.frame_noun(doc[4], {"término", "final"}) == doc[4]


def test_meetings_ties_frame_noun_of_phrase():
    # "At the end of the talks Ruiz spoke"
    words = ["At", "the", "end", "of", "the", "talks", "Ruiz", "spoke"]
    heads = [7, 2, 0, 2, 5, 3, 7, 7]
    deps = ["prep", "det", "pobj", "prep", "det", "pobj", "nsubj", "ROOT"]
    pos = ["ADP", "DET", "NOUN", "ADP", "DET", "NOUN", "PROPN", "VERB"]
    doc = parsed("en", words, heads, deps, pos)
    assert ties.frame_noun(doc[5], {"end"}) == doc[2]
    assert ties.frame_noun(doc[5], {"start"}) is None


def test_meetings_paragraphs_paragraph_date_looks_back_within_the_paragraph():
    # "On Sunday A spoke . Then A met B .\n\nLater B met C ."
    words = ["On", "Sunday", "A", "spoke", ".", "Then", "A", "met", "B", ".", "\n\n", "Later", "B", "met", "C", "."]
    spaces = [True] * 4 + [True, True, True, True, False, False, False, True, True, True, False, False]
    heads = [3, 0, 3, 3, 3, 7, 7, 7, 7, 7, 9, 13, 13, 13, 13, 13]
    deps = ["prep", "pobj", "nsubj", "ROOT", "punct", "advmod", "nsubj", "ROOT", "obj", "punct", "dep",
            "advmod", "nsubj", "ROOT", "obj", "punct"]
    pos = ["ADP", "PROPN", "PROPN", "VERB", "PUNCT", "ADV", "PROPN", "VERB", "PROPN", "PUNCT", "SPACE",
           "ADV", "PROPN", "VERB", "PROPN", "PUNCT"]
    starts = [True, False, False, False, False, True, False, False, False, False, False, True, False, False, False, False]
    doc = parsed("en", words, heads, deps, pos, spaces=spaces, sent_starts=starts, ents=[(1, 2, "DATE")])
    ents = list(doc.ents)
    starts_of = [e.start for e in ents]
    view = SentenceView(doc)
    second, third = doc[5:11], doc[11:16]
    day = lambda span: "2024-05-05"  # noqa: E731 - the norm the entity layer would set
    assert paragraphs.paragraph_date(doc, view, ents, starts_of, second, day) == ents[0]
    assert paragraphs.paragraph_date(doc, view, ents, starts_of, third, day) is None  # next paragraph
    assert paragraphs.paragraph_date(doc, view, ents, starts_of, second, lambda span: "2024") is None  # a year is background
    assert paragraphs.paragraph_index(doc)[7] == 0 and paragraphs.paragraph_index(doc)[13] == 1


def test_meetings_venues_in_clause_stops_at_another_verb():
    # "A met B , who flew from Lima , in Oslo"
    words = ["A", "met", "B", ",", "who", "flew", "from", "Lima", ",", "in", "Oslo"]
    heads = [1, 1, 1, 2, 5, 2, 5, 6, 1, 1, 9]
    deps = ["nsubj", "ROOT", "dobj", "punct", "nsubj", "relcl", "prep", "pobj", "punct", "prep", "pobj"]
    pos = ["PROPN", "VERB", "PROPN", "PUNCT", "PRON", "VERB", "ADP", "PROPN", "PUNCT", "ADP", "PROPN"]
    doc = parsed("en", words, heads, deps, pos)
    assert venues.in_clause(doc[10], {doc[1]})
    assert not venues.in_clause(doc[7], {doc[1]})
