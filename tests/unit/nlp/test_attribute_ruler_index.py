"""The indexed attribute ruler finds exactly the matches spaCy's AttributeRuler finds, in its order."""

from __future__ import annotations

import pytest
import spacy
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from pipeline.nlp.attribute_ruler import IndexedAttributeRuler, index_attribute_ruler

WORDS = ["There", "is", "n't", "a", "Y'", "all", "gon", "na", "do", "it", "\n", "that", "is", "nothin'", "."]
SPACES = [True, True, True, True, False, True, False, True, True, True, False, True, True, False, False]
TAGS = ["EX", "VBZ", "RB", "DT", "PRP", "DT", "VBG", "TO", "VB", "PRP", "_SP", "IN", "VBZ", "NN", "."]
DEPS = ["expl", "ROOT", "neg", "det", "nsubj", "det", "aux", "aux", "xcomp", "dobj", "dep", "mark", "ccomp", "attr", "punct"]
HEADS = [1, 1, 1, 4, 8, 4, 8, 8, 1, 8, 9, 12, 1, 12, 1]

# (patterns, attrs, index): one of each kind of test the index runs, and some it leaves to a Matcher
RULES = [
    ([[{"TAG": "DT"}]], {"POS": "DET"}, 0),
    ([[{"LOWER": "is", "TAG": "VBZ"}]], {"LEMMA": "be", "POS": "AUX"}, 0),
    ([[{"TAG": "RB", "LOWER": {"IN": ["not", "n't", "nt"]}}]], {"POS": "PART", "MORPH": "Polarity=Neg"}, 0),
    ([[{"DEP": {"NOT_IN": ["det", ""]}, "TAG": {"IN": ["DT", "WDT"]}}]], {"POS": "PRON"}, 0),
    ([[{"LOWER": "gon"}, {"LOWER": "na"}]], {"LEMMA": "go"}, 0),
    ([[{"LOWER": "gon"}, {"LOWER": "na"}]], {"LEMMA": "to"}, 1),
    ([[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "are"]}}]], {"POS": "VERB"}, 1),
    ([[{"IS_SPACE": True, "DEP": {"NOT_IN": [""]}}]], {"DEP": "dep", "POS": "SPACE"}, 0),
    ([[{"text": "it"}], [{"ORTH": "It"}]], {"MORPH": "Case=Acc"}, 0),  # two alternatives, lower-case key
    ([[{"LOWER": {"REGEX": "^n[ou]thin'$"}}]], {"LEMMA": "nothing"}, 0),  # left to the Matcher
    ([[{"LOWER": {"REGEX": "^y'?$"}}, {"LOWER": "all"}]], {"LEMMA": "you"}, 0),
    ([[{"TAG": "VB", "OP": "+"}]], {"MORPH": "VerbForm=Inf"}, 0),
    ([[{}]], {"MORPH": "Foo=Bar"}, -1),  # every token, before the later rules overwrite it
    ([[{"TAG": "DT"}]], {"POS": "PRON"}, 0),  # a later rule wins over an earlier one
]


def rulers(vocab) -> tuple[AttributeRuler, IndexedAttributeRuler]:
    plain, indexed = AttributeRuler(vocab), IndexedAttributeRuler(vocab)
    for patterns, attrs, index in RULES:
        plain.add(patterns, attrs, index)
        indexed.add(patterns, attrs, index)
    return plain, indexed


def sample(vocab) -> Doc:
    return Doc(vocab, words=WORDS, spaces=SPACES, tags=TAGS, deps=DEPS, heads=HEADS)


def annotations(doc: Doc) -> list[tuple]:
    return [(t.pos_, t.tag_, t.dep_, t.lemma_, str(t.morph)) for t in doc]


@pytest.mark.parametrize("words", [WORDS, WORDS[:1], WORDS[5:9], WORDS[::-1]])
def test_attribute_ruler_index_matches_as_spacy(words):
    vocab = spacy.blank("en").vocab
    plain, indexed = rulers(vocab)
    length = len(words)
    doc = Doc(vocab, words=words, tags=TAGS[:length], deps=DEPS[:length], heads=list(range(length)))
    assert indexed.match(doc) == plain.match(doc)
    assert len(indexed._index.rest) == 3  # only REGEX and OP rules are left to a Matcher
    assert any(number == 4 for number, *_ in plain.match(sample(vocab)))  # the sample exercises multi-token rules


def test_attribute_ruler_index_sets_the_same_attributes():
    vocab = spacy.blank("en").vocab
    plain, indexed = rulers(vocab)
    assert annotations(indexed(sample(vocab))) == annotations(plain(sample(vocab)))


def test_attribute_ruler_index_matches_rules_that_test_nothing():
    vocab = spacy.blank("en").vocab
    plain, indexed = AttributeRuler(vocab), IndexedAttributeRuler(vocab)
    for ruler in (plain, indexed):
        ruler.add([[{}]], {"POS": "X"})
    assert indexed.match(sample(vocab)) == plain.match(sample(vocab))
    assert len(plain.match(sample(vocab))) == len(WORDS)


def test_attribute_ruler_index_follows_added_patterns():
    vocab = spacy.blank("en").vocab
    plain, indexed = rulers(vocab)
    indexed.match(sample(vocab))  # builds the index
    for ruler in (plain, indexed):
        ruler.add([[{"LOWER": "there"}]], {"POS": "PRON"})
    assert indexed.match(sample(vocab)) == plain.match(sample(vocab))


def test_attribute_ruler_index_replaces_the_models_ruler():
    nlp = spacy.blank("en")
    plain = nlp.add_pipe("attribute_ruler")
    plain.add([[{"TAG": "DT"}]], {"POS": "DET"})
    index_attribute_ruler(nlp)
    ruler = nlp.get_pipe("attribute_ruler")
    assert type(ruler) is IndexedAttributeRuler and nlp.pipe_names == ["attribute_ruler"]
    assert ruler.patterns == [{"patterns": [[{"TAG": "DT"}]], "attrs": {"POS": "DET"}, "index": 0}]
