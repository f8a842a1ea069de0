"""pipeline.rules.matcher and pipeline.rules.caps on blank Docs: windowed matching, per-rule caps, excerpts and exploding patterns."""

import pytest
import spacy
from spacy.matcher import Matcher
from spacy.strings import get_string_id

from pipeline.config import Limits
from pipeline.rules import caps
from pipeline.rules import matcher as token_matcher


def doc_of(words: int, sentences: int = 1):
    nlp = spacy.blank("en")
    doc = nlp(" ".join("word" for _ in range(words)))
    for i, token in enumerate(doc):
        token.is_sent_start = i % (words // sentences) == 0
    return doc


def matcher_for(doc, pattern):
    matcher = Matcher(doc.vocab)
    matcher.add("rule.any", [pattern])
    return matcher, {get_string_id("rule.any"): "rule.any"}


@pytest.mark.parametrize(
    "words, sentences, window, expected",
    [
        (40, 4, 100, 4 * 55),  # 10 tokens per sentence: 55 spans each, none across sentences
        (400, 1, 100, None),  # one long sentence: windows of 100 overlapping by 50
    ],
)
def test_limits_matches_stay_in_sentences_and_windows(words, sentences, window, expected):
    doc = doc_of(words, sentences)
    matcher, names = matcher_for(doc, [{"OP": "+"}])
    found = caps.matches(matcher, doc, names, Limits(max_match_window=window, max_rule_matches=10**6))
    assert all(end - start <= window for _, start, end in found)
    if expected is not None:
        assert len(found) == expected and doc._.warnings is None
    else:
        assert len(found) < words * window and "max_match_window" in doc._.warnings[0]
        assert {(s, e) for _, s, e in found} >= {(i, i + 1) for i in range(words)}


def test_limits_capped_keeps_first_matches_and_warns():
    doc = doc_of(30)
    matcher, names = matcher_for(doc, [{"IS_ALPHA": True}])
    found = caps.matches(matcher, doc, names, Limits(max_rule_matches=5))
    assert [start for _, start, _ in found] == [0, 1, 2, 3, 4]
    assert doc._.warnings == ["rule rule.any matched 30 times; only the first 5 used (max_rule_matches)"]


@pytest.mark.parametrize(
    "text, start, end, limit, expected",
    [
        ("short", 0, 5, 10, "short"),
        ("abcdefghij", 4, 5, 4, "…cdef…"),
        ("abcdefghij", 0, 1, 4, "abcd…"),
        ("abcdefghij", 9, 10, 4, "…ghij"),
    ],
)
def test_limits_excerpt_around_the_match(text, start, end, limit, expected):
    assert caps.excerpt(text, start, end, limit) == expected


@pytest.mark.parametrize(
    "pattern, bad",
    [
        ([{"OP": "*"}], False),
        ([{"IS_ALPHA": True, "OP": "+"}, {"OP": "*"}], False),
        ([{"OP": "*"}, {"ORTH": ","}, {"OP": "+"}], True),
        ([{"OP": "{2,}"}, {"OP": "*"}], True),
        ([{"OP": "{1,3}"}, {"OP": "*"}], False),
    ],
)
def test_limits_ambiguous_patterns(pattern, bad):
    assert bool(token_matcher.ambiguous(pattern)) == bad


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": {"IN": ["last", "next"]}}, {"LOWER": {"IN": ["week", "month"]}}],
        [{"TEXT": {"REGEX": "^(19|20)\\d\\d$"}}],
        [{"LIKE_NUM": True, "LOWER": {"NOT_IN": ["one"]}}, {"ORTH": {"IN": ["Week", "weeks"]}, "OP": "?"}],
        [{"LOWER": {"IN": ["so"]}, "OP": "?"}, {"LEMMA": {"IN": ["called"]}}],  # LEMMA is the token's: not a flag
    ],
)
def test_limits_token_matcher_finds_what_spacy_finds(pattern):
    nlp = spacy.blank("en")
    doc = nlp("Last week, one Week and 2 weeks in 2023: NEXT MONTH so called 1990 one")
    if any("LEMMA" in token for token in pattern):
        for token in doc:
            token.lemma_ = token.lower_
    plain = Matcher(nlp.vocab)
    plain.add("rule", [pattern])
    expected = plain(doc)
    assert expected
    assert token_matcher.TokenMatcher(nlp.vocab, {"rule": pattern})(doc) == expected


def test_limits_word_flags_are_shared_and_apply_to_new_words():
    nlp = spacy.blank("en")
    first = token_matcher.word_flag(nlp.vocab, "LOWER", "IN", ["zyxwv"])
    assert token_matcher.word_flag(nlp.vocab, "lower", "in", ("zyxwv",)) == first
    assert token_matcher.word_flag(nlp.vocab, "LEMMA", "IN", ["zyxwv"]) is None
    assert nlp("ZYXWV")[0].check_flag(first)  # a word the vocab had not seen yet


def test_limits_matches_only_in_given_sentences():
    doc = doc_of(40, 4)
    matcher, names = matcher_for(doc, [{"IS_ALPHA": True}])
    found = caps.matches(matcher, doc, names, Limits(), only={10, 30})
    assert sorted(start for _, start, _ in found) == [*range(10, 20), *range(30, 40)]


@pytest.mark.parametrize(
    "patterns, expected",
    [
        ([[{"LOWER": "so"}, {"LOWER": "called"}]], {"LOWER": {"called"}}),  # "so" is a stop word
        ([[{"LEMMA": {"IN": ["meet", "greet"]}}, {"LOWER": "with"}]], {"LEMMA": {"meet", "greet"}}),  # "with" is a stop word
        ([[{"LOWER": "call"}, {"LOWER": "for"}]], {"LOWER": {"call"}}),
        ([[{"ORTH": {"IN": ["“", '"']}}, {"LOWER": {"IN": ["summit", "talks", "visit"]}}]], {"LOWER": {"summit", "talks", "visit"}}),
        ([[{"TEXT": "Mr", "OP": "?"}, {"ORTH": {"IN": ["Okafor", "Lindqvist"]}, "OP": "+"}]], {"ORTH": {"Okafor", "Lindqvist"}}),
        ([[{"NORM": "x", "OP": "{2}"}], [{"LEMMA": "call"}]], {"NORM": {"x"}, "LEMMA": {"call"}}),
        ([[{"LOWER": {"IN": ["a"], "NOT_IN": ["b"]}}]], {"LOWER": {"a"}}),
        ([[{"LOWER": "so", "OP": "?"}, {"POS": "VERB"}]], None),  # the only literal token may be skipped
        ([[{"LOWER": "so", "OP": "{0,2}"}, {"LOWER": "called", "OP": "!"}, {"IS_DIGIT": True}]], {"IS_DIGIT": {1}}),
        ([[{"LIKE_NUM": True}, {"LOWER": "of", "OP": "?"}]], {"LIKE_NUM": {1}}),
        ([[{"IS_PUNCT": False}]], None),  # a flag that must be false: any word may match
        ([[{"TEXT": {"REGEX": "^19"}}]], {"REGEX": {1}}),  # the regex test's own lexeme flag
        ([[{"LOWER": "so"}], [{"_": {"part": "ROLE"}}]], None),  # one pattern without anchors: run everywhere
    ],
)
def test_limits_anchors_are_words_every_match_needs(patterns, expected):
    found = token_matcher.anchors(patterns, spacy.blank("en").vocab)
    if expected is None:
        assert found is None
        return
    names = {value: name for name, value in token_matcher.IDS.items()}
    named = {"REGEX" if token_matcher.FLAG19 <= attr < token_matcher.ID else names[attr]: values for attr, values in found.items()}
    assert named == {attr: values if values == {1} else {get_string_id(v) for v in values} for attr, values in expected.items()}


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ([{"LOWER": "so"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "called"}], 3),
        ([{"IS_DIGIT": True}, {"IS_ALPHA": True, "OP": "{1,4}"}, {"LOWER": "de", "OP": "{2}"}], 7),
        ([{"LOWER": "so", "OP": "!"}, {"LOWER": "x", "OP": "{,3}"}], 4),
        ([{"LOWER": "so"}, {"IS_ALPHA": True, "OP": "*"}], None),
        ([{"LOWER": "so", "OP": "+"}], None),
        ([{"LOWER": "so", "OP": "{2,}"}], None),
    ],
)
def test_limits_longest_match_of_a_pattern(pattern, expected):
    assert token_matcher.longest(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "so"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "called"}],
        [{"LOWER": {"IN": ["phone", "video"]}}, {"LOWER": {"IN": ["call", "chat"]}}],
        [{"IS_TITLE": True, "OP": "+"}],  # no anchor: every sentence is searched
        [{"IS_ALPHA": True, "OP": "{1,3}"}, {"LOWER": "called"}],  # bounded: only the text around "called"
        [{"LOWER": {"IN": ["a", "then"]}}, {"IS_TITLE": True, "OP": "?"}, {"LOWER": {"REGEX": "^(call|chat)$"}}],
        [{"IS_ALPHA": True, "OP": "?"}, {"TEXT": {"REGEX": "^[A-Z]"}}, {"LOWER": "here", "OP": "!"}],
    ],
)
def test_limits_matches_skip_sentences_without_anchors_and_find_the_same(pattern):
    nlp = spacy.blank("en")
    doc = nlp("They held a so-called summit . A phone call followed . Nothing here at all . Then a Video Chat so called .")
    for token in doc:
        token.is_sent_start = token.i == 0 or doc[token.i - 1].text == "."
    plain = Matcher(nlp.vocab)
    plain.add("rule.any", [pattern])
    names = {get_string_id("rule.any"): "rule.any"}
    expected = caps.matches(plain, doc, names, Limits())
    assert expected
    assert caps.matches(token_matcher.TokenMatcher(nlp.vocab, {"rule.any": pattern}), doc, names, Limits()) == expected
