"""The token matcher of the rule layer: patterns checked for explosive shapes, word tests read from
lexeme flags, and the literal words a pattern needs (which let a document skip it).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Iterator

import numpy
from spacy.attrs import FLAG19, ID, IDS, IS_STOP, LEMMA, LOWER, NORM, ORTH
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

_OPEN_ENDED = re.compile(r"^(\*|\+|\{\d*,\})$")


def ambiguous(pattern: list[dict[str, Any]]) -> str:
    """Return why a token pattern would make the Matcher's work explode, or "" when it is fine.

    Two open-ended tokens that match any token ([{"OP": "*"}, {"OP": "*"}]) can split a
    text between them in every possible way, and spaCy follows each way: the work grows with
    a power of the sentence length that no cap on matches can stop.

    A REGEX test that nests quantifiers ("(a+)+$") can take exponential time on one token, so
    it is refused too (`explosive_regex`).
    """
    wild = [token for token in pattern if set(token) == {"OP"} and _OPEN_ENDED.match(str(token["OP"]))]
    if len(wild) > 1:
        return f"{len(wild)} tokens match any run of tokens ({{\"OP\": \"*\"}} or \"+\"); use at most one"
    for regex in _regexes(pattern):
        why = explosive_regex(regex)
        if why:
            return f"REGEX {regex!r}: {why}"
    return ""


MAX_REGEX_CHARS = 500


def _regexes(value: Any) -> Iterable[str]:
    """Yield every REGEX value anywhere in a token pattern (TEXT, LOWER, NORM, "_" extensions...)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "REGEX" and isinstance(item, str):
                yield item
            else:
                yield from _regexes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _regexes(item)


def explosive_regex(regex: str) -> str:
    """Return why `regex` could backtrack for exponential time, or "" when it cannot.

    Refused: a repeated group that itself holds a repetition ("(a+)+", "(a*b?)*", "(\\w+\\s?)+"),
    or alternatives under a repetition ("(a|ab)+"): the shapes behind catastrophic backtracking.
    A bounded repetition of at most 10 ("(ab?){2}") is allowed.
    """
    if len(regex) > MAX_REGEX_CHARS:
        return f"longer than {MAX_REGEX_CHARS} characters"
    try:
        import re._parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse
    try:
        tree = sre_parse.parse(regex)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a valid regular expression: {exc}"
    return _nested(tree, sre_parse, repeated=False)


def _nested(tree, sre_parse, repeated: bool) -> str:
    constants = sre_parse
    for op, arg in tree:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            if repeated and high > 1:
                return "nested quantifiers (a repetition inside a repetition) can take exponential time"
            many = high > 10 or high == constants.MAXREPEAT
            why = _nested(body, sre_parse, repeated or (many and name != "POSSESSIVE_REPEAT"))
            if why:
                return why
        elif name == "SUBPATTERN":
            why = _nested(arg[-1], sre_parse, repeated)
            if why:
                return why
        elif name == "BRANCH":
            if repeated and len(arg[1]) > 1:
                return "alternatives inside a repetition can take exponential time"
            for branch in arg[1]:
                why = _nested(branch, sre_parse, repeated)
                if why:
                    return why
        elif name in ("ASSERT", "ASSERT_NOT"):
            why = _nested(arg[1], sre_parse, repeated)
            if why:
                return why
    return ""


class WordTest:
    """A set or regex test on a word's ORTH or LOWER, kept as a lexeme flag of the Vocab.

    spaCy's Matcher calls Python for every token and every "IN", "NOT_IN" or "REGEX" test,
    which made such tests most of the rule layer's cost. These attributes belong to the
    word, not the token, so the test can run once per vocabulary entry instead, and the
    Matcher then reads the flag in C.
    """

    def __init__(self, vocab: Vocab, attr: str, op: str, value: Any):
        self.key = (attr, op, value if op == "REGEX" else frozenset(value))
        self.lower: Callable[[str], str] | None = vocab.lex_attr_getters.get(LOWER, str.lower) if attr == "LOWER" else None
        self.regex = re.compile(value) if op == "REGEX" else None

    def __call__(self, text: str) -> bool:
        word = self.lower(text) if self.lower is not None else text
        return bool(self.regex.search(word)) if self.regex is not None else word in self.key[2]


_WORD_ATTRS = {"ORTH": "ORTH", "TEXT": "ORTH", "LOWER": "LOWER"}


_WORD_OPS = ("IN", "NOT_IN", "REGEX")


def word_flag(vocab: Vocab, attr: str, op: str, value: Any) -> int | None:
    """Return the lexeme flag of `vocab` that holds the test `{attr: {op: value}}`, adding it
    when new; None when the test is not a word test or no flag is left (spaCy has 64)."""
    attr = _WORD_ATTRS.get(attr.upper(), "")
    op = op.upper()
    if not attr or op not in _WORD_OPS:
        return None
    if op == "REGEX" and not isinstance(value, str):
        return None
    if op != "REGEX" and not (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)):
        return None
    test = WordTest(vocab, attr, op, value)
    getters = vocab.lex_attr_getters
    for flag, getter in getters.items():
        if isinstance(getter, WordTest) and getter.key == test.key:
            return flag
    # FLAG19 and up are spaCy's custom flags; lower bits are its own, in use or not.
    free = next((flag for flag in range(FLAG19, 64) if flag not in getters), None)
    if free is not None:
        vocab.add_flag(test, free)
    return free


class TokenMatcher:
    """A spaCy Matcher of {rule id: token pattern} whose set and regex tests on ORTH, TEXT or
    LOWER read lexeme flags (see WordTest), and which knows the words its matches need (see
    `anchors`), so `matches` skips text where none of them occurs. It finds exactly what the
    patterns say.

    The loaders have checked the patterns with spaCy; the flags are outside its pattern schema.
    """

    def __init__(self, vocab: Vocab, patterns: dict[str, list[dict[str, Any]]]):
        self.matcher = Matcher(vocab, validate=False)
        for rule_id, pattern in patterns.items():
            self.matcher.add(rule_id, [[_with_word_flags(token, vocab) for token in pattern]])
        self.anchors = anchors(patterns.values(), vocab)
        lengths = [longest(pattern) for pattern in patterns.values()]
        self.longest = None if None in lengths or not lengths else max(lengths)

    def __call__(self, doclike) -> list[tuple[int, int, int]]:
        """Return the Matcher's (key, start, end) matches in `doclike`."""
        return self.matcher(doclike)

    def hits(self, doc: Doc) -> numpy.ndarray | None:
        """Return which tokens of `doc` hold a word some match needs; None when every token may."""
        if self.anchors is None:
            return None
        columns = doc.to_array(list(self.anchors)).reshape(len(doc), len(self.anchors))
        found = numpy.zeros(len(doc), dtype=bool)
        for column, (attr, values) in zip(columns.T, self.anchors.items()):
            # a flag is 0 or 1; a few hundred hashes are looked up faster in a set than by numpy.isin
            found |= column.astype(bool) if attr < ID else numpy.fromiter(map(values.__contains__, column.tolist()), bool, len(column))
        return found


_ANCHOR_IDS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "LEMMA": LEMMA, "NORM": NORM}


LITERAL_ATTRS = tuple(_ANCHOR_IDS)


def anchors(patterns: Iterable[list[dict[str, Any]]], vocab: Vocab | None = None) -> dict[int, set[int]] | None:
    """Return {attribute id: values} such that every match of a pattern has a token with one of
    them; None when a pattern has no such test (it may match anywhere).

    Per pattern, one test that every match includes is chosen: a literal (`required_literals`,
    values are string hashes) or, failing that, a true lexeme flag ({"LIKE_NUM": true}, or with
    `vocab` a REGEX word test kept as a flag, see WordTest; values {1}). Among literals, stop
    words and punctuation count as frequent ("a", "de", quotes occur in nearly every sentence),
    so "llamado a" is anchored on "llamado"; a flag counts as frequent too.
    """
    stop = vocab.lex_attr_getters.get(IS_STOP) if vocab is not None else None
    found: dict[int, set[int]] = {}
    for pattern in patterns:
        options = [
            (len(values) + _FREQUENT * sum(_frequent(value, stop) for value in values),
             _ANCHOR_IDS[attr], {get_string_id(value) for value in values})
            for attr, values in required_literals(pattern)
        ]
        options += [(_FREQUENT, flag, {1}) for flag in _required_flags(pattern, vocab)]
        if not options:
            return None
        _, attr_id, values = min(options, key=lambda option: option[0])
        found.setdefault(attr_id, set()).update(values)
    return found


_FREQUENT = 20  # what a stop word or a flag test costs when choosing a pattern's anchor


def _frequent(value: str, stop: Callable[[str], bool] | None) -> bool:
    return not any(c.isalnum() for c in value) or bool(stop and stop(value))


_LEXEME_FLAGS = {name: value for name, value in IDS.items() if 0 < value < FLAG19}


def _required_tests(pattern: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Yield (ATTRIBUTE, value) of every test of the tokens that every match of `pattern` includes."""
    for token in pattern:
        if isinstance(token, dict) and not skippable(token.get("OP")):
            for key, value in token.items():
                yield str(key).upper(), value


def _required_flags(pattern: list[dict[str, Any]], vocab: Vocab | None) -> list[int]:
    """Return the lexeme flags that a token of every match of `pattern` has set."""
    flags = []
    for name, value in _required_tests(pattern):
        if name in _LEXEME_FLAGS and value is True:
            flags.append(_LEXEME_FLAGS[name])
        elif vocab is not None and isinstance(value, dict) and isinstance(value.get("REGEX"), str):
            flag = word_flag(vocab, name, "REGEX", value["REGEX"])
            flags += [flag] if flag is not None else []
    return flags


def required_literals(pattern: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Return the literal tests of the tokens that every match of a token pattern includes, as
    (attribute, values): ORTH, TEXT, LOWER, NORM or LEMMA equal to a string or IN a list of
    strings. Every match has, for each test, a token whose attribute is one of the values."""
    found = []
    for attr, value in _required_tests(pattern):
        values = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
        if attr in LITERAL_ATTRS and isinstance(values, list) and all(isinstance(v, str) for v in values):
            found.append((attr, values))
    return found


def longest(pattern: list[dict[str, Any]]) -> int | None:
    """Return the most tokens a match of a token pattern can span; None when unbounded ("*", "+", "{n,}")."""
    total = 0
    for token in pattern:
        op = str(token.get("OP") or "") if isinstance(token, dict) else ""
        if op in ("", "!", "?"):
            total += 1
            continue
        bounds = re.fullmatch(r"\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}", op)
        if bounds is None or (bounds.group(2) and not bounds.group(3)):
            return None  # "*", "+", "{n,}"
        total += int(bounds.group(3) or bounds.group(1) or 0)
    return total


def skippable(op: Any) -> bool:
    """Return whether a token with this OP may be absent from a match: "?", "*", "!" (matches
    without it), "{0,n}" or "{,n}"."""
    if not op:
        return False
    if op in ("?", "*", "!"):
        return True
    low = re.match(r"\{\s*(\d*)", str(op))
    return bool(low) and low.group(1) in ("", "0")


def _with_word_flags(token: dict[str, Any], vocab: Vocab) -> dict[Any, Any]:
    spec: dict[Any, Any] = {}
    for attr, value in token.items():
        flags = {}
        if isinstance(value, dict) and value:
            flags = {op: word_flag(vocab, attr, op, test) for op, test in value.items()}
        if flags and None not in flags.values():
            spec.update({flags[op]: op.upper() != "NOT_IN" for op in flags})
        else:
            spec[attr] = value
    return spec
