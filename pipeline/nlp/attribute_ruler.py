"""spaCy's attribute ruler with its token patterns looked up in dictionaries instead of matched.

The English model's attribute ruler (tag map, morphology and lemma exceptions) has ~180
patterns, and spaCy's Matcher tries each of them at every token: 10 % of the model's time.
Nearly all of them are one or two tokens with plain values or sets of them ({"TAG": "NN"},
{"LOWER": {"IN": ["is", "'s"]}, "TAG": "VBZ"}), which a dictionary keyed by those values
finds at once.
The matches, their order and the attributes set are the same as spaCy's; any pattern this
index cannot take (operators, REGEX and other predicates, other attributes) still goes
through a Matcher.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import product

from spacy.attrs import DEP, IS_SPACE, LOWER, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc

# Pattern keys the index understands; Matcher treats TEXT as ORTH.
STRING_KEYS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "TAG": TAG, "POS": POS, "DEP": DEP}
FLAG_KEYS = {"IS_SPACE": IS_SPACE}


class IndexedAttributeRuler(AttributeRuler):
    """An AttributeRuler whose `match` gives spaCy's result from dictionary lookups."""

    def clear(self) -> None:
        """Remove every pattern (AttributeRuler.clear) and the index built from them."""
        super().clear()
        self._index: _Index | None = None

    def add(self, patterns, attrs, index: int = 0) -> None:
        """Add patterns as AttributeRuler.add does; the index is rebuilt on the next match."""
        super().add(patterns, attrs, index)
        self._index = None

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """Return (pattern number, match id, start, end) of every match, sorted as spaCy's."""
        if self._index is None:
            self._index = _Index(self)
        return self._index.matches(doc)


class _Index:
    """The ruler's patterns by the values their first token needs: {attributes: {values: entries}}.

    An entry is (pattern number, the first token's NOT_IN tests, the following tokens' tests).
    An IN test on the first token is indexed under each of its values.
    """

    def __init__(self, ruler: AttributeRuler):
        strings = ruler.vocab.strings
        self.ids: list[int] = []  # match id of pattern number n, as AttributeRuler.add made it
        self.groups: dict[tuple[int, ...], dict[tuple[int, ...], list]] = defaultdict(lambda: defaultdict(list))
        self.rest = Matcher(ruler.vocab)
        self.columns: list[int] = []
        for number, entry in enumerate(ruler.patterns):
            self.ids.append(strings.add(str(number)))
            for pattern in entry["patterns"]:
                tokens = [_tests(spec, strings) for spec in pattern]
                if not tokens or None in tokens:
                    self.rest.add(self.ids[number], [pattern])
                    continue
                for equal, member in tokens:
                    for attr in [a for a, _ in equal] + [a for a, _, _ in member]:
                        if attr not in self.columns:
                            self.columns.append(attr)
                equal, member = tokens[0]
                choices = sorted([(a, (v,)) for a, v in equal] + [(a, tuple(sorted(vs))) for a, vs, inside in member if inside])
                excluded = tuple(test for test in member if not test[2])
                table = self.groups[tuple(a for a, _ in choices)]
                for key in product(*(values for _, values in choices)):
                    table[key].append((number, excluded, tokens[1:]))

    def matches(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """Return the matches of every pattern in `doc`, sorted by pattern number then position."""
        found = []
        if self.groups and len(doc):
            # rules of {} alone test no attribute: they match every token, with no column read
            values = doc.to_array(self.columns).reshape(len(doc), -1).T.tolist() if self.columns else []
            columns = dict(zip(self.columns, values))
            for attrs, table in self.groups.items():
                keys = zip(*(columns[a] for a in attrs)) if attrs else ((),) * len(doc)
                for start, key in enumerate(keys):
                    for number, excluded, following in table.get(key, ()):
                        end = start + 1 + len(following)
                        if (not excluded or _holds(columns, start, (), excluded)) and (
                            not following
                            or (end <= len(doc) and all(_holds(columns, start + 1 + i, *t) for i, t in enumerate(following)))
                        ):
                            found.append((number, self.ids[number], start, end))
        if len(self.rest):
            found += [(int(doc.vocab.strings[key]), key, s, e) for key, s, e in self.rest(doc, allow_missing=True)]
        found.sort()
        return found


def _holds(columns: dict[int, list[int]], i: int, equal, member) -> bool:
    return all(columns[a][i] == v for a, v in equal) and all((columns[a][i] in vs) == inside for a, vs, inside in member)


def _tests(spec: dict, strings):
    """Return a token pattern's tests as (equalities, set tests), or None when the index cannot run them.

    Equalities are (attribute, value id); set tests (attribute, value ids, True for IN and False
    for NOT_IN). Value ids are made as spaCy's Matcher makes them.
    """
    equal, member = [], []
    for key, value in spec.items():
        name = key.upper()
        if name in STRING_KEYS and isinstance(value, str):
            equal.append((STRING_KEYS[name], strings.add(value)))
        elif name in FLAG_KEYS and isinstance(value, bool):
            equal.append((FLAG_KEYS[name], int(value)))
        elif (
            name in STRING_KEYS
            and isinstance(value, dict)
            and value
            and all(op in ("IN", "NOT_IN") and isinstance(vs, list) and all(isinstance(v, str) for v in vs) for op, vs in value.items())
        ):
            member += [(STRING_KEYS[name], frozenset(get_string_id(v) for v in vs), op == "IN") for op, vs in value.items()]
        else:
            return None
    return tuple(equal), tuple(member)


@Language.factory(
    "actorgraph_attribute_ruler",
    default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}},
)
def make_attribute_ruler(nlp: Language, name: str, validate: bool, scorer) -> IndexedAttributeRuler:
    """Return an empty IndexedAttributeRuler (patterns come from `index_attribute_ruler`)."""
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


def index_attribute_ruler(nlp: Language) -> Language:
    """Swap the model's attribute ruler for an IndexedAttributeRuler with the same patterns; return `nlp`."""
    for name, pipe in nlp.pipeline:
        if type(pipe) is AttributeRuler:
            patterns = pipe.patterns
            nlp.replace_pipe(name, "actorgraph_attribute_ruler").add_patterns(patterns)
    return nlp
