"""Person–role links: "Secretary of State Antony Blinken", "Mayorkas, the homeland security
secretary", "el presidente de México, Andrés Manuel López Obrador" and their mirror images.

Titles come from the roles.yml lexicon (PhraseMatcher on lower case); each title grows into a
role phrase with its modifiers ("former", "acting"), its jurisdiction ("Mexican", "of Mexico",
"Mexico's", "U.S.") and its organization ("White House", "of the border agency"). Role phrase
and person tokens are then tagged on the Doc, and the link shapes of patterns/<lang>/roles.jsonl
(Matcher patterns over those tags) pair them. Competing pairings in one sentence are settled
greedily by pattern priority and syntactic attachment, so coordinated lists never cross.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy
from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.attrs import LOWER, ORTH, POS
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.symbols import PROPN
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline.rules.matcher import TokenMatcher, ambiguous
from pipeline.rules import caps
from pipeline.config import Limits, Settings, load_settings
from pipeline.nlp.extensions import PART
from pipeline.records import PersonRef, RoleLink
from pipeline.rules.files import Problem, RuleError, check_token_pattern, check_vocab, line_of, read_jsonl, read_yaml, validate

PATTERN_FILE = "roles.jsonl"
PERSON_RULE = "roles.person_span"  # id recorded on entities the role layer made or fixed as PERSON
LANGS = ("en", "es")
_NAME_POS = ("PROPN",)
_APPOSITION_DEPS = ("appos", "flat", "flat:name", "compound", "nmod", "conj", "nsubj", "dep")



# ---------------------------------------------------------------------------- rule schemas
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoleEntry(_Strict):
    id: str
    label: str
    jurisdiction: str = ""
    organization: str = ""
    posted: bool = False
    local: bool = False
    counterpart: str = ""


class AliasEntry(_Strict):
    id: str
    role: str
    lang: Literal["en", "es"]
    terms: list[str] = Field(min_length=1)
    with_org: str = ""
    jurisdiction: str = ""  # implied by these words only ("canciller alemán")


class ModifierEntry(_Strict):
    id: str
    label: str
    rank: bool = False
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    glued: dict[str, list[str]] = {}


class OrgEntry(_Strict):
    id: str
    name: str
    jurisdiction: str = ""
    names: dict[str, list[str]] = {}


class Connectors(_Strict):
    of: dict[str, list[str]] = {}
    to: dict[str, list[str]] = {}
    name_of: dict[str, list[str]] = {}
    context: dict[str, list[str]] = {}
    possessive: dict[str, list[str]] = {}
    org_heads: dict[str, list[str]] = {}


class RolesFile(_Strict):
    roles: list[RoleEntry]
    aliases: list[AliasEntry]
    modifiers: list[ModifierEntry] = []
    organizations: list[OrgEntry] = []
    connectors: Connectors = Connectors()


class ExpectedLink(_Strict):
    person: str
    role: str
    jurisdiction: str | None = None
    organization: str | None = None
    qualifier: str | None = None


class LinkExample(_Strict):
    text: str
    links: list[ExpectedLink] = []


class LinkRule(_Strict):
    id: str
    label: Literal["LINK"]
    pattern: list[dict[str, Any]] = Field(min_length=2)
    priority: int = 0
    attached: bool = False
    examples: list[LinkExample] = Field(min_length=1)


@dataclass
class RolesRules:
    """The validated roles lexicon and link patterns, indexed for the component."""

    roles: dict[str, RoleEntry]
    aliases: list[AliasEntry]
    modifiers: list[ModifierEntry]
    organizations: list[OrgEntry]
    connectors: Connectors
    links: dict[str, list[LinkRule]] = field(default_factory=dict)

    def words(self, kind: str, lang: str) -> list[str]:
        """Return the connector words of `kind` ("of", "to", ...) for `lang`."""
        return getattr(self.connectors, kind).get(lang, [])

    def counterpart(self, role_id: str) -> RoleEntry | None:
        """Return the role a counterpart of a `role_id` holder holds (the same role by default)."""
        role = self.roles.get(role_id)
        if role is None:
            return None
        return self.roles.get(role.counterpart) or role


# ---------------------------------------------------------------------------- loading
def _check_refs(data: RolesFile, raw, path: Path) -> list[Problem]:
    problems = []
    roles = {role.id for role in data.roles}
    for index, role in enumerate(data.roles):
        if role.counterpart and role.counterpart not in roles:
            line = line_of(raw, ("roles", index, "counterpart"))
            problems.append(Problem(str(path), line, f"{role.id}: counterpart {role.counterpart!r} is not a role id"))
    owner: dict[tuple[str, str], str] = {}
    for index, alias in enumerate(data.aliases):
        for key in ("role", "with_org"):
            ref = getattr(alias, key)
            if ref and ref not in roles:
                line = line_of(raw, ("aliases", index, key))
                problems.append(Problem(str(path), line, f"{alias.id}: {key} {ref!r} is not a role id"))
        for term in alias.terms:
            key = (alias.lang, " ".join(term.lower().split()))
            if owner.get(key, alias.id) != alias.id:
                line = line_of(raw, ("aliases", index))
                problems.append(Problem(str(path), line, f"{alias.id}: term {term!r} already belongs to {owner[key]}"))
            owner.setdefault(key, alias.id)
    return problems


def _entry_ids(data: RolesFile, raw, path: Path) -> list[tuple[str, str, int]]:
    ids = []
    for section in ("roles", "aliases", "modifiers", "organizations"):
        for index, entry in enumerate(getattr(data, section)):
            ids.append((entry.id, str(path), line_of(raw, (section, index))))
    return ids


def load_link_rules(folder: Path, lang: str, model=LinkRule, name: str = PATTERN_FILE):
    """Read patterns/<lang>/<name>; return ([(line, rule)], problems) with spaCy-checked patterns."""
    path = folder / lang / name
    if not path.exists():
        return [], []
    rules, problems = read_jsonl(path, model)
    vocab = check_vocab()
    for line, rule in rules:
        complaint = check_token_pattern(rule.pattern, vocab)
        complaint = f"pattern rejected by spaCy: {complaint}" if complaint else ambiguous(rule.pattern)
        if complaint:
            problems.append(Problem(str(path), line, f"{rule.id}: {complaint}"))
    return rules, problems


@functools.lru_cache(maxsize=8)
def _load(path: str, patterns: str, stamp: tuple) -> tuple[RolesRules | None, tuple, tuple]:
    raw, problems = read_yaml(Path(path))
    data = None
    if not problems:
        data, problems = validate(RolesFile, raw or {}, Path(path))
    ids = []
    if data is not None:
        problems = _check_refs(data, raw, Path(path))
        ids = _entry_ids(data, raw, Path(path))
    # The pattern files are checked even when roles.yml is broken, so one report lists all.
    links: dict[str, list[LinkRule]] = {}
    for lang in LANGS:
        found, bad = load_link_rules(Path(patterns), lang)
        problems += bad
        links[lang] = [rule for _, rule in found]
        ids += [(rule.id, str(Path(patterns) / lang / PATTERN_FILE), line) for line, rule in found]
    if data is None:
        return None, tuple(problems), tuple(ids)
    rules = RolesRules(
        roles={role.id: role for role in data.roles},
        aliases=data.aliases,
        modifiers=data.modifiers,
        organizations=data.organizations,
        connectors=data.connectors,
        links=links,
    )
    return rules, tuple(problems), tuple(ids)


def _stamp(*paths: Path) -> tuple:
    stamp = []
    for path in paths:
        for item in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if item.is_file():
                stamp.append((str(item), item.stat().st_mtime_ns))
    return tuple(stamp)


def load_roles_rules(settings: Settings) -> tuple[RolesRules | None, list[Problem], list[tuple[str, str, int]]]:
    """Load roles.yml and patterns/<lang>/roles.jsonl; return (rules or None, problems, rule ids). Never raises."""
    path = settings.rule_path("roles")
    patterns = settings.rule_path("patterns")
    if not path.exists():
        return None, [Problem(str(path), 0, "cannot read: file not found")], []
    try:
        rules, problems, ids = _load(str(path), str(patterns), _stamp(path, patterns))
    except Exception as exc:  # a loader reports, it never stops the run by itself
        return None, [Problem(str(path), 0, f"cannot load: {exc}")], []
    return rules, list(problems), list(ids)


# ---------------------------------------------------------------------------- analysis
@dataclass
class RolePhrase:
    """A title grown into its full phrase, with what the text says about the office."""

    start: int  # token span of the whole phrase
    end: int
    core: tuple[int, int]  # token span of the alias itself
    role: RoleEntry
    alias: AliasEntry
    jurisdiction: str = ""
    organization: str = ""
    qualifier: str = ""
    rank: str = ""
    posted_to: str = ""
    explicit: bool = False  # the text names a jurisdiction or organization
    rules: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Return the canonical label, with its rank and host country ("Ambassador to Mexico")."""
        label = f"{self.rank} {self.role.label}" if self.rank else self.role.label
        return f"{label} to {self.posted_to}" if self.posted_to else label


@dataclass
class Analysis:
    """What the roles component found in a Doc; the meetings component reads it."""

    phrases: list[RolePhrase]
    persons: list[tuple[int, int]]  # token spans of person names
    links: list[tuple[int, int, str]]  # (phrase index, person index, link rule id)
    view: Any = None  # the DocView: entities, organizations and places per token

    def role_of(self, text: str) -> RolePhrase | None:
        """Return the role phrase linked to a person named `text` (full name or surname) in this Doc."""
        last = text.split()[-1] if text.split() else ""
        for p, q, _ in self.links:
            name = self.view.doc[self.persons[q][0] : self.persons[q][1]].text
            if name == text or name.split()[-1] == last:
                return self.phrases[p]
        return None


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
    """The roles rules of one language compiled into matchers."""

    def __init__(self, nlp: Language, rules: RolesRules, lang: str, caps: Limits | None = None):
        self.rules = rules
        self.lang = lang
        self.caps = caps or Limits()
        self.aliases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.glued: dict[str, ModifierEntry] = {}
        self.alias_by_key: dict[str, AliasEntry] = {}
        aliases = [a for a in rules.aliases if a.lang == lang]
        written = {term.lower() for alias in aliases for term in alias.terms}
        for alias in aliases:
            self.alias_by_key[alias.id] = alias
            self.aliases.add(alias.id, term_docs(nlp, alias.terms))
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

    def __init__(self, doc: Doc, lex: Lexicon, gazetteer):
        self.doc = doc
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
            start = ent.start + (1 if ent[0].lower_ in ("the", "la", "el", "los", "las") else 0)
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


class _PhraseBuilder:
    """Grows alias matches into role phrases."""

    def __init__(self, view: DocView):
        self.view = view
        self.doc = view.doc
        self.lex = view.lex

    def build(self) -> list[RolePhrase]:
        phrases = []
        taken: set[int] = set()
        for span in matched_spans(self.lex.aliases, self.doc, self.lex.alias_names):
            if any(self.view.label(i) == "PERSON" for i in range(span.start, span.end)):
                continue
            alias = self.lex.alias_by_key[span.label_]
            phrase = RolePhrase(span.start, span.end, (span.start, span.end), self.lex.rules.roles[alias.role], alias)
            phrase.rules.append(alias.id)
            glued = self.lex.glued.get(span.label_)
            if glued is not None:
                self._modify(phrase, glued)
            self._grow_left(phrase, self.view.sent_start[span.start])
            self._grow_right(phrase, self.view.sent_end[span.start])
            self._context(phrase, self.view.sent_start[span.start])
            if taken.isdisjoint(range(phrase.start, phrase.end)):
                taken.update(range(phrase.start, phrase.end))
                phrases.append(phrase)
        return phrases

    def _modify(self, phrase: RolePhrase, modifier: ModifierEntry) -> None:
        if modifier.rank:
            phrase.rank = modifier.label
        elif not phrase.qualifier:
            phrase.qualifier = modifier.label
        phrase.rules.append(modifier.id)

    def _set_place(self, phrase: RolePhrase, name: str) -> None:
        if name and not phrase.jurisdiction:
            phrase.jurisdiction = name
            phrase.explicit = True

    def _set_org(self, phrase: RolePhrase, name: str, jurisdiction: str, rule: str = "") -> None:
        if name and not phrase.organization:
            phrase.organization = name
            phrase.explicit = True
            if jurisdiction and not phrase.jurisdiction:
                phrase.jurisdiction = jurisdiction
            if rule:
                phrase.rules.append(rule)
            if phrase.alias.with_org:
                phrase.role = self.lex.rules.roles[phrase.alias.with_org]

    def _grow_left(self, phrase: RolePhrase, floor: int) -> None:
        doc, view = self.doc, self.view
        i = phrase.start
        while i > floor:
            j = i - 1
            if doc[j].text in ("-", "–"):
                j -= 1
                if j < floor:
                    break
            hit = next(((w, m) for w, m in self.lex.before if match_words(view.lowers, j - len(w) + 1, w)), None)
            if hit:
                self._modify(phrase, hit[1])
                i = j - len(hit[0]) + 1
                continue
            if doc[j].lower_ in self.lex.words["possessive"] and j - 1 >= floor:
                owner = view.ent_of[j - 1]
                if owner is not None and owner.label_ == "PLACE":
                    self._set_place(phrase, view.place_name(owner))
                    i = owner.start
                    continue
                org = view.org_at(j - 1)
                if org is not None:
                    self._set_org(phrase, org[1], org[2], self._org_rule(j - 1))
                    i = org[0].start
                    continue
                break
            demonym = view.demonym_at(j)
            if demonym is not None:
                self._set_place(phrase, demonym[1])
                i = demonym[0].start
                continue
            ent = view.ent_of[j]
            if ent is not None and ent.label_ == "PLACE" and doc[j].pos_ == "PROPN":
                self._set_place(phrase, view.place_name(ent))
                i = ent.start
                continue
            org = view.org_at(j)
            if org is not None and doc[j].pos_ in ("PROPN", "NOUN"):
                self._set_org(phrase, org[1], org[2], self._org_rule(j))
                i = org[0].start
                continue
            break
        phrase.start = i

    def _org_rule(self, i: int) -> str:
        known = self.view.org_of[i]
        return known[1].id if known is not None else ""

    def _grow_right(self, phrase: RolePhrase, ceiling: int) -> None:
        doc, view, words = self.doc, self.view, self.lex.words
        i = phrase.end
        while i < ceiling:
            hit = next(((w, m) for w, m in self.lex.after if match_words(view.lowers, i, w)), None)
            if hit:
                self._modify(phrase, hit[1])
                i += len(hit[0])
                continue
            demonym = view.demonym_at(i)
            if demonym is not None and not phrase.jurisdiction:
                self._set_place(phrase, demonym[1])
                i = demonym[0].end
                continue
            lower = doc[i].lower_
            if lower in words["of"] or (phrase.role.posted and lower in words["to"]):
                after = self._after_connector(phrase, i + 1, ceiling, posting=lower not in words["of"])
                if after:
                    i = after
                    continue
            break
        phrase.end = i

    def _after_connector(self, phrase: RolePhrase, i: int, ceiling: int, posting: bool) -> int:
        """Attach the place or organization after "of"/"to"; return the new phrase end or 0."""
        view = self.view
        i = _skip_det(self.doc, i, ceiling)
        if i >= ceiling:
            return 0
        ent = view.ent_of[i]
        org = view.org_at(i)
        if ent is not None and ent.label_ == "PLACE" and ent.start == i and org is None:
            if posting:
                if phrase.posted_to:
                    return 0
                phrase.posted_to = view.place_name(ent)
            else:
                if phrase.jurisdiction:
                    return 0
                phrase.jurisdiction = view.place_name(ent)
            phrase.explicit = True
            return ent.end
        if org is not None and not phrase.organization:
            self._set_org(phrase, org[1], org[2], self._org_rule(i))
            return org[0].end
        tail = self._country_in_tail(ent, i)
        if tail and not posting and not phrase.jurisdiction:
            # "ministra de Defensa de España" tagged MISC as a whole: the country still counts.
            phrase.jurisdiction = tail
            phrase.explicit = True
            phrase.rules.append("role.place_in_entity_tail")
            return ent.end
        if not posting:
            return self._described_org(phrase, i, ceiling)
        return 0

    def _country_in_tail(self, ent: Span | None, i: int) -> str:
        """Return the country that tokens i..end of a non-place entity begun earlier name, or ""."""
        if ent is None or ent.label_ not in ("ORG", "MISC") or ent.start >= i or self.view.gazetteer is None:
            return ""
        name = self.view.gazetteer.canonical(self.doc[i : ent.end].text)
        return name if name and self.view.gazetteer.kind(name) == "country" else ""

    def _described_org(self, phrase: RolePhrase, i: int, ceiling: int) -> int:
        """Handle "of the border agency": take the latest earlier organization that fits."""
        doc = self.doc
        end = i
        while end < ceiling and end - i < 4 and doc[end].pos_ in ("NOUN", "ADJ") and self.view.ent_of[end] is None:
            end += 1
        words = [t.lower_ for t in doc[i:end]]
        heads = self.lex.words["org_heads"]
        if not any(w in heads for w in words) or phrase.organization:
            return 0
        cues = [w for w in words if w not in heads]
        name = " ".join(t.text for t in doc[i:end])
        for j in range(phrase.start - 1, -1, -1):
            org = self.view.org_at(j)
            if org is not None and cues and all(cue in org[0].text.lower() for cue in cues):
                name = org[1]
                break
        self._set_org(phrase, name, "", "role.described_org")
        return end

    def _context(self, phrase: RolePhrase, sent_start: int) -> None:
        if not phrase.role.local or phrase.jurisdiction:
            return
        for i in range(sent_start, phrase.start - 1):
            ent = self.view.ent_of[i + 1]
            if self.doc[i].lower_ in self.lex.words["context"] and ent is not None and ent.label_ == "PLACE" and ent.start == i + 1:
                self._set_place(phrase, self.view.place_name(ent))
                phrase.rules.append("role.context_place")
                return


def _persons(view: DocView, phrases: list[RolePhrase]) -> list[tuple[int, int]]:
    """Return token spans of person names: PERSON entities, title-case PROPN runs the model left
    unlabelled or MISC, and later bare surnames of people named in full elsewhere in the Doc."""
    doc = view.doc
    blocked = set()
    for phrase in phrases:
        blocked.update(range(phrase.start, phrase.end))
    blocked.update(i for i, org in enumerate(view.org_of) if org is not None)
    spans = []
    name_like = view.name_like
    for ent in doc.ents:
        if ent.label_ != "PERSON" or not blocked.isdisjoint(range(ent.start, ent.end)):
            continue
        if not any(name_like[ent.start : ent.end]):
            continue
        start, end = ent.start, ent.end
        # The model often cuts names short ("Andrés Manuel López" + "Obrador", "Antony" + "J. Blinken").
        while end < view.sent_end[ent.start] and name_like[end] and view.ent_of[end] is None and end not in blocked:
            end += 1
        while start > view.sent_start[ent.start] and name_like[start - 1] and view.ent_of[start - 1] is None and start - 1 not in blocked:
            start -= 1
        spans.append((start, end))
    taken = {i for s, e in spans for i in range(s, e)}
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and name_like[j] and view.label(j) in ("", "MISC") and j not in blocked and j not in taken:
            j += 1
        if j - i >= 2 and view.sent_start[i] == view.sent_start[j - 1] and not _is_place(view, doc[i:j]):
            spans.append((i, j))
            taken.update(range(i, j))
        i = max(j, i + 1)
    for phrase in phrases:
        # A title right before a name makes it a person whatever the model called it
        # ("Chancellor Olaf Scholz" tagged ORG, "el presidente Biden" tagged LOC).
        j = phrase.end
        ent = view.ent_of[j] if j < len(doc) else None
        if ent is None or ent.start != j or ent.label_ not in ("ORG", "PLACE", "MISC") or j in taken:
            continue
        if all(name_like[ent.start : ent.end]) and view.org_of[j] is None and not _is_place(view, ent):
            spans.append((ent.start, ent.end))
            taken.update(range(ent.start, ent.end))
    tails = {}
    texts = view.orths
    for s, e in spans:
        for k in range(s + 1, e):
            if all(name_like[k:e]):  # never a bare "1" or "Jr."
                tails[tuple(texts[k:e])] = True
    firsts = {tail[0] for tail in tails}
    if tails:
        longest = max(len(t) for t in tails)
        i = 0
        while i < len(doc):
            if texts[i] not in firsts:
                i += 1
                continue
            for n in range(min(longest, len(doc) - i), 0, -1):
                key = tuple(texts[i : i + n])
                window = range(i, i + n)
                if (
                    key in tails
                    and taken.isdisjoint(window)
                    and blocked.isdisjoint(window)
                    and view.label(i) not in ("DATE", "NUMBER", "NORP")
                    and not _is_place(view, doc[i : i + n])
                ):
                    spans.append((i, i + n))
                    taken.update(window)
                    i += n - 1
                    break
            i += 1
    return sorted(spans)


def _name_like(token: Token) -> bool:
    initial = len(token.text) == 2 and token.text[0].isupper() and token.text[1] == "."
    word = token.text.replace("-", "").replace("'", "").replace("’", "")
    return token.pos_ in _NAME_POS and (initial or (token.is_title and word.isalpha()))


def _is_place(view: DocView, span: Span) -> bool:
    return view.gazetteer is not None and bool(view.gazetteer.canonical(span.text))


def _attached(doc: Doc, phrase: RolePhrase, person: tuple[int, int]) -> bool:
    role_head = doc[phrase.core[0] : phrase.core[1]].root
    name_head = doc[person[0] : person[1]].root
    if role_head.head == name_head or name_head.head == role_head:
        return True
    if role_head.head != name_head.head:
        return False
    copula = role_head.head.lemma_.lower() in ("be", "ser")
    return copula or {"appos", "flat"} & {role_head.dep_, name_head.dep_} != set()


def _link(view: DocView, phrases: list[RolePhrase], persons: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    doc, lex = view.doc, view.lex
    parts: dict[int, str] = {}
    phrase_at: dict[int, int] = {}
    person_at: dict[int, int] = {}
    for index, phrase in enumerate(phrases):
        for i in range(phrase.start, phrase.end):
            parts[i], phrase_at[i] = "ROLE", index
    for index, (start, end) in enumerate(persons):
        for i in range(start, end):
            parts[i], person_at[i] = "PERSON", index
    doc._.actorgraph_parts = parts
    # A link pairs a role phrase and a person of one sentence, so only sentences holding both
    # are matched: the patterns test a custom attribute, which costs a Python call per token.
    both = {view.sent_start[i] for i in phrase_at} & {view.sent_start[i] for i in person_at}
    candidates = []
    for key, start, end in caps.matches(lex.links, doc, lex.link_names, lex.caps, only=both):
        rule = lex.link_rules[lex.link_names[key]]
        roles = {phrase_at[i] for i in range(start, end) if i in phrase_at}
        people = {person_at[i] for i in range(start, end) if i in person_at}
        if len(roles) != 1 or len(people) != 1:
            continue
        p, q = roles.pop(), people.pop()
        phrase, person = phrases[p], persons[q]
        if phrase.start < start or phrase.end > end or person[0] < start or person[1] > end:
            continue
        if view.sent_start[phrase.start] != view.sent_start[person[0]]:
            continue
        attached = _attached(doc, phrase, person)
        if rule.attached and not attached:
            continue
        gap = max(person[0] - phrase.end, phrase.start - person[1])
        candidates.append((-rule.priority, not attached, gap, p, q, rule.id))
    used_phrases, used_persons, links = set(), set(), []
    for *_, p, q, rule_id in sorted(set(candidates)):
        if p not in used_phrases and q not in used_persons:
            used_phrases.add(p)
            used_persons.add(q)
            links.append((p, q, rule_id))
    doc._.actorgraph_parts = None
    return sorted(links, key=lambda link: phrases[link[0]].start)


def _place_after_name(view: DocView, phrase: RolePhrase, person: tuple[int, int]) -> None:
    """Give "President X of Mexico" its jurisdiction from the place after the name."""
    doc = view.doc
    i = person[1]
    if phrase.explicit or i + 1 >= len(doc) or doc[i].lower_ not in view.lex.words["name_of"]:
        return
    j = _skip_det(doc, i + 1, len(doc))
    ent = view.ent_of[j] if j < len(doc) else None
    if ent is not None and ent.label_ == "PLACE" and ent.start == j:
        phrase.jurisdiction = view.place_name(ent)
        phrase.explicit = True
        phrase.rules.append("role.place_after_name")


def analyse(doc: Doc, lex: Lexicon, gazetteer) -> Analysis:
    """Find role phrases, person names and the links between them in `doc`."""
    view = DocView(doc, lex, gazetteer)
    phrases = _PhraseBuilder(view).build()
    persons = _persons(view, phrases)
    links = _link(view, phrases, persons)
    for p, q, _ in links:
        _place_after_name(view, phrases[p], persons[q])
    for phrase in phrases:
        if not phrase.jurisdiction:
            phrase.jurisdiction = phrase.alias.jurisdiction or phrase.role.jurisdiction
        if not phrase.organization and phrase.role.organization:
            phrase.organization = phrase.role.organization
    return Analysis(phrases, persons, links, view)


def person_ref(doc: Doc, span: tuple[int, int]) -> PersonRef:
    """Return the PersonRef of a token span (character offsets)."""
    name = doc[span[0] : span[1]]
    return PersonRef(name.text, name.start_char, name.end_char)


def records(doc: Doc, analysis: Analysis) -> list[RoleLink]:
    """Turn an Analysis into RoleLink records."""
    links = []
    for p, q, rule_id in analysis.links:
        phrase, person = analysis.phrases[p], analysis.persons[q]
        start = min(phrase.start, person[0])
        end = max(phrase.end, person[1])
        evidence = doc[start:end]
        links.append(
            RoleLink(
                doc=doc._.doc_id if Doc.has_extension("doc_id") else "",
                lang=doc.lang_,
                person=person_ref(doc, person),
                role=phrase.label,
                role_id=phrase.role.id,
                jurisdiction=phrase.jurisdiction,
                organization=phrase.organization,
                qualifier=phrase.qualifier,
                text=doc[phrase.start : phrase.end].text,
                start=evidence.start_char,
                end=evidence.end_char,
                sentence=analysis.view.sentence(evidence),
                rules=[rule_id, *phrase.rules],
            )
        )
    return links


def role_links_from_doc(doc: Doc) -> list[RoleLink]:
    """Return the RoleLinks the roles component stored on `doc` (empty when it did not run)."""
    return list(doc._.role_links or [])


class RolesComponent:
    """spaCy component: sets doc._.role_links (RoleLink list) and doc._.actorgraph_roles (Analysis)."""

    def __init__(self, nlp: Language, settings: Settings):
        from pipeline.rules.places import load_places_rules

        rules, problems, _ = load_roles_rules(settings)
        if problems or rules is None:
            raise RuleError(problems)
        self.rules = rules
        self.lexicon = Lexicon(nlp, rules, nlp.lang, settings.limits)
        self.gazetteer = load_places_rules(settings)[0]

    def __call__(self, doc: Doc) -> Doc:
        analysis = analyse(doc, self.lexicon, self.gazetteer)
        doc._.actorgraph_roles = analysis
        doc._.role_links = records(doc, analysis)
        sync_entities(doc, analysis)
        return doc


def sync_entities(doc: Doc, analysis: Analysis) -> None:
    """Align doc.ents with the person names the role layer settled on, as PERSON entities.

    The role layer sees what the model cannot: a title right before a name, a name the model cut
    short ("J. Blinken" of "Antony J. Blinken"), a surname repeating a full name. Mentions and
    graph nodes must use the same spans as the role links. A name overrides another label only
    when a title is linked to it ("Chancellor Olaf Scholz" tagged ORG); otherwise it may only
    grow a PERSON entity or fill a gap, so "Dow Jones" (MISC) stays what the model said.
    """
    ents = list(doc.ents)
    linked = {analysis.persons[q] for _, q, _ in analysis.links}
    # Token -> entity map keeps this linear in a document naming thousands of people.
    ent_at = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    spans = []
    for span in sorted(set(analysis.persons)):
        covered = {ent_at[i] for i in range(*span) if i in ent_at}
        if span in linked or all(ent.label_ == "PERSON" for ent in covered):
            spans.append((span, covered))
    replaced = {ent for _, covered in spans for ent in covered}
    added = []
    for (start, end), covered in spans:
        previous = [rule for ent in sorted(covered, key=lambda e: e.start) for rule in (ent._.rules or ["model"])]
        same = any((ent.start, ent.end, ent.label_) == (start, end, "PERSON") for ent in covered)
        added.append((Span(doc, start, end, label="PERSON"), previous if same else [*previous, PERSON_RULE]))
    kept = [ent for ent in ents if ent not in replaced]
    doc.ents = sorted(kept + [span for span, _ in added], key=lambda e: e.start)
    for span, rules in added:
        span._.rules = list(dict.fromkeys(rules)) or ["model"]


@Language.factory("actorgraph_roles", default_config={"config_dir": ""})
def make_roles(nlp: Language, name: str, config_dir: str) -> RolesComponent:
    """Create the roles component from the rule files under `config_dir`."""
    return RolesComponent(nlp, load_settings(config_dir or None))
