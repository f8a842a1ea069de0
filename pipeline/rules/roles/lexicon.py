"""The roles lexicon of one language (aliases, modifiers, organizations as matchers) and the
Doc view the finders read: entities, organizations and places per token.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LOWER, ORTH, POS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.symbols import PROPN
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline.config import Limits
from pipeline.rules import caps
from pipeline.rules.matcher import TokenMatcher
from pipeline.rules.roles.office_steps import Offices
from pipeline.rules.roles.offices import Grammar, OfficesFile
from pipeline.rules.roles.schema import AliasEntry, Connectors, ModifierEntry, OrgEntry, RolesRules
from pipeline.rules.words import WordLists, words_for

_NAME_POS = ("PROPN",)


_APPOSITION_DEPS = ("appos", "flat", "flat:name", "compound", "nmod", "conj", "nsubj", "dep")


def matched_spans(matcher, doc: Doc, names: dict[int, str]) -> list[Span]:
    """Run a (Phrase)Matcher and return its longest non-overlapping matches as spans labelled
    with their rule keys. Keys are looked up by hash, so a Doc built with another Vocab
    (a cached parse) works too."""
    spans = [Span(doc, start, end, label=names[key]) for key, start, end in matcher(doc)]
    return filter_spans(spans)


def rule_names(keys) -> dict[int, str]:
    """Return {hash: key} for Matcher rule keys."""
    return {get_string_id(key): key for key in keys}


def term_docs(nlp: Language, terms: list[str]) -> list[Doc]:
    """Tokenize lexicon terms as they would be inside a sentence, in every casing whose
    tokenization differs ("gov." splits, "Gov." does not), for a LOWER PhraseMatcher."""
    docs, seen = [], set()
    for term in terms:
        for variant in (term, term.capitalize(), term.title()):
            tokens = nlp.make_doc(variant + " x")[:-1]
            key = tuple(t.lower_ for t in tokens)
            if key not in seen:
                seen.add(key)
                docs.append(Doc(nlp.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens]))
    return docs


class Lexicon:
    """The roles rules of one language compiled into matchers, with the word lists of
    configs/words/ (the shipped ones when `words` is None)."""

    def __init__(self, nlp: Language, rules: RolesRules, lang: str, caps: Limits | None = None, words: WordLists | None = None):
        self.rules = rules
        self.lang = lang
        self.caps = caps or Limits()
        words = words if words is not None else words_for()
        self.articles = words.union("articles")  # any language's, as every name lookup
        self.copulas = words.union("copulas")
        self.aliases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.glued: dict[str, ModifierEntry] = {}
        self.alias_by_key: dict[str, AliasEntry] = {}
        # Office heads the lexicon does not list join it as roles of their own (offices.py).
        self.grammar = Grammar(nlp, rules.offices or OfficesFile(), lang, rules.roles, rules.aliases, term_docs)
        self.roles = {**rules.roles, **self.grammar.roles}
        aliases = [a for a in rules.aliases if a.lang == lang] + self.grammar.aliases
        written = {term.lower() for alias in aliases for term in alias.terms}
        for alias in aliases:
            self.alias_by_key[alias.id] = alias
            self.aliases.add(alias.id, term_docs(nlp, alias.terms + self.grammar.hyphenated(alias.terms)))
            for modifier in rules.modifiers:
                for prefix in modifier.glued.get(lang, []):
                    # "vicepresidente" is its own alias, not a glued "vice" + "presidente"
                    terms = [prefix + term for term in alias.terms if (prefix + term).lower() not in written]
                    if not terms:
                        continue
                    key = f"{alias.id}|{modifier.id}|{prefix}"
                    self.glued[key] = modifier
                    self.alias_by_key[key] = alias
                    self.aliases.add(key, term_docs(nlp, terms))
        self.orgs = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.org_by_id = {org.id: org for org in rules.organizations}
        for org in rules.organizations:
            terms = org.names.get(lang, []) + [org.name]
            self.orgs.add(org.id, term_docs(nlp, terms))
        self.alias_names = rule_names(self.alias_by_key)
        self.org_names = rule_names(self.org_by_id)
        self.before = self._sequences(nlp, "before")
        self.after = self._sequences(nlp, "after")
        self.link_rules = {rule.id: rule for rule in rules.links.get(lang, [])}
        self.links = TokenMatcher(nlp.vocab, {rule.id: rule.pattern for rule in self.link_rules.values()})
        self.link_names = rule_names(self.link_rules)
        self.words = {kind: {w.lower() for w in rules.words(kind, lang)} for kind in Connectors.model_fields}

    def _sequences(self, nlp, side: str) -> list[tuple[tuple[str, ...], ModifierEntry]]:
        found = []
        for modifier in self.rules.modifiers:
            for words in getattr(modifier, side).get(self.lang, []):
                for variant in term_docs(nlp, [words]):
                    found.append((tuple(t.lower for t in variant), modifier))
        return sorted(found, key=lambda item: -len(item[0]))


class DocView:
    """Per-Doc lookups shared by the steps: entity of each token, organizations, places."""

    def __init__(self, doc: Doc, lex: Lexicon, gazetteer, person_check=None):
        self.doc = doc
        # rules.persons.PersonFilter.run_check: says which capitalised runs are no person
        self.not_person = person_check or (lambda start, end, whole=True: "")
        self.lex = lex
        self.gazetteer = gazetteer
        # Word ids (string hashes) rather than strings or Tokens: the steps compare words of
        # every token, and spaCy creates a new Token object at each doc[i].
        words = doc.to_array([ORTH, LOWER, POS]).reshape(len(doc), 3)
        self.orths: list[int] = words[:, 0].tolist()
        self.lowers: list[int] = words[:, 1].tolist()
        self.name_like = [False] * len(doc)
        for i in numpy.flatnonzero(words[:, 2] == PROPN).tolist():
            self.name_like[i] = _name_like(doc[i])
        # Token.sent walks its sentence, which is quadratic over a sentence of thousands of names.
        self.sent_start: list[int] = [0] * len(doc)
        self.sent_end: list[int] = [len(doc)] * len(doc)
        for sent in doc.sents if doc.has_annotation("SENT_START") else ():
            self.sent_start[sent.start : sent.end] = [sent.start] * len(sent)
            self.sent_end[sent.start : sent.end] = [sent.end] * len(sent)
        self.ent_of: list[Span | None] = [None] * len(doc)
        for ent in doc.ents:
            for i in range(ent.start, ent.end):
                self.ent_of[i] = ent
        self._sentences: dict[int, tuple[str, int]] = {}
        self.org_of: list[tuple[Span, OrgEntry] | None] = [None] * len(doc)
        for span in matched_spans(lex.orgs, doc, lex.org_names):
            for i in range(span.start, span.end):
                self.org_of[i] = (span, lex.org_by_id[span.label_])
        self.offices = Offices(lex.grammar, self)

    def sentence(self, span: Span) -> str:
        """Return the text of the sentence `span` starts in, cut to max_sentence_chars around it."""
        start = self.sent_start[span.start]
        if start not in self._sentences:
            sent = self.doc[start : self.sent_end[span.start]]
            self._sentences[start] = (sent.text, sent.start_char)
        text, offset = self._sentences[start]
        limit = (self.doc._.limits or Limits()).max_sentence_chars
        return caps.sentence_text(self.doc, text, offset, span.start_char, span.end_char, limit)

    def label(self, i: int) -> str:
        ent = self.ent_of[i]
        return ent.label_ if ent is not None else ""

    def place_name(self, span: Span) -> str:
        norm = span_norm(span)
        if norm:
            return norm
        if self.gazetteer is not None:
            return self.gazetteer.canonical(span.text) or span.text
        return span.text

    def place_of_org(self, span: Span) -> str:
        """Return the canonical place an ORG entity names when a gazetteer knows it ("Toledo"), or ""."""
        from pipeline.rules.geonames import world  # shared and memory-mapped: loaded once per process

        known = self.gazetteer.canonical(span.text) if self.gazetteer is not None else ""
        found = world().lookup(span.text) if not known else None
        return known or (found.name if found is not None else "")

    def country(self, span: Span) -> str:
        """Return the country a NORP or demonym names, "" when it names none."""
        norm = span_norm(span)
        if norm:
            return norm
        if self.gazetteer is not None:
            return self.gazetteer.country_of(span.text)
        return ""

    def demonym_at(self, i: int) -> tuple[Span, str] | None:
        """Return (span, country) when token i is (in) a NORP or a known demonym adjective."""
        ent = self.ent_of[i]
        if ent is not None and ent.label_ == "NORP":
            country = self.country(ent)
            return (ent, country) if country else None
        token = self.doc[i]
        if ent is None and self.gazetteer is not None and token.pos_ in ("ADJ", "PROPN", "NOUN"):
            country = self.gazetteer.country_of(token.text) if self.gazetteer.demonym_place(token.text) else ""
            if country:
                return self.doc[i : i + 1], country
        return None

    def org_at(self, i: int) -> tuple[Span, str, str] | None:
        """Return (span, organization name, its jurisdiction) when token i starts or is in an organization."""
        known = self.org_of[i]
        if known is not None:
            span, org = known
            return span, org.name, org.jurisdiction
        ent = self.ent_of[i]
        if ent is not None and ent.label_ == "ORG":
            start = ent.start + (1 if ent[0].lower_ in self.lex.articles else 0)
            return self.doc[start : ent.end], ent.text if start == ent.start else self.doc[start : ent.end].text, ""
        return None


def span_norm(span: Span) -> str:
    """Return Span._.norm set by the entity layer, "" when unset."""
    if Span.has_extension("norm"):
        value = span._.get("norm")
        return value if isinstance(value, str) else ""
    return ""


def word_ids(words) -> tuple[int, ...]:
    """Return the ids (string hashes) of `words`, as DocView.lowers and .orths hold them."""
    return tuple(get_string_id(word) for word in words)


def match_words(lowers: list[int], start: int, words: tuple[int, ...]) -> bool:
    """True when the lower-cased tokens from `start` are exactly `words` (word ids)."""
    end = start + len(words)
    return start >= 0 and end <= len(lowers) and tuple(lowers[start:end]) == words


def _skip_det(doc: Doc, i: int, limit: int) -> int:
    while i < limit and doc[i].pos_ == "DET":
        i += 1
    return i


def _name_like(token: Token) -> bool:
    initial = len(token.text) == 2 and token.text[0].isupper() and token.text[1] == "."
    word = token.text.replace("-", "").replace("'", "").replace("’", "")
    return token.pos_ in _NAME_POS and (initial or (token.is_title and word.isalpha()))
