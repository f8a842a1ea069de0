"""The entity layer: one label set for both languages, rule fixes, normalised values.

Rules come from configs/patterns/<lang>/entities.jsonl (one rule a line, each with an id and
an action, see EntityRule); places and demonyms from places.yml. The component reads the
model's entities, fixes them step by step in the order below, adds rule spans, and writes
doc.ents once; every span records the ids of the rules that made or changed it in
Span._.rules ("model" for a model span left as it was).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy
from pydantic import BaseModel, ConfigDict, Field
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

import pipeline.nlp.extensions  # noqa: F401  the Doc and Span extensions this layer sets
from pipeline.config import Limits, load_settings
from pipeline.records import LABELS, Mention
from pipeline.rules import caps, dates, numerals
from pipeline.rules.files import Problem, RuleError, check_token_pattern, check_vocab, read_jsonl
from pipeline.rules.matcher import TokenMatcher, ambiguous
from pipeline.rules.places import Gazetteer, load_places_rules

NAME_LABELS = ("PERSON", "ORG", "PLACE", "MISC", "NORP")
ACTIONS = ("map", "cut", "trim", "drop", "places", "relabel", "add", "demonyms", "qualify", "persons")


class Example(BaseModel):
    """A sentence a rule must handle: `model` fakes the model's entities as [text, label]."""

    model_config = ConfigDict(extra="forbid")
    text: str
    model: list[tuple[str, str]] = []
    pos: dict[str, str] = {}  # token text -> POS, for rules that read POS
    pub_date: str = ""
    expect: list[dict[str, Any]] = []  # {"text", "label", and optionally "norm", "value", "qualifier"}
    absent: list[str] = []  # texts that must not be entities


class EntityRule(BaseModel):
    """One line of entities.jsonl. Fields used per action:

    map: from -> label ("" drops); cut: words (cut the span before them); trim: words (leading
    words to strip), connectors, pos; drop: words, pos; places/demonyms: from (labels an exact
    match overrides); relabel: first/last words -> label; add: pattern -> label; qualify: label;
    persons: from (labels a name seen as PERSON elsewhere in the document overrides).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str
    action: Literal[ACTIONS]
    label: Literal[LABELS + ("",)] = ""
    from_: list[str] = Field(default=[], alias="from")
    pattern: list[dict[str, Any]] = []
    words: list[str] = []
    first: list[str] = []
    last: list[str] = []
    connectors: list[str] = []
    pos: list[str] = []
    initial: bool = False  # drop: only sentence-initial words
    examples: list[Example] = []


class EntityRules:
    """The rules of one language: the label map, and the other rules grouped by action."""

    def __init__(self, rules: list[EntityRule]):
        self.all = rules
        self.label_map: dict[str, tuple[str, str]] = {}
        self.by_action: dict[str, list[EntityRule]] = {action: [] for action in ACTIONS}
        for rule in rules:
            self.by_action[rule.action].append(rule)
            for source in rule.from_ if rule.action == "map" else []:
                self.label_map[source] = (rule.label, rule.id)


def _check(rule: EntityRule, path: Path, line: int, vocab) -> list[Problem]:
    problems = []
    if rule.action == "add":
        complaint = (check_token_pattern(rule.pattern, vocab) or ambiguous(rule.pattern)) if rule.pattern else "empty pattern"
        if complaint:
            problems.append(Problem(str(path), line, f"{rule.id}: {complaint}"))
    if rule.action in ("add", "relabel", "qualify") and not rule.label:
        problems.append(Problem(str(path), line, f"{rule.id}: action {rule.action!r} needs a label"))
    return problems


def load_entity_rules(settings) -> tuple[dict[str, EntityRules] | None, list[Problem], list[tuple[str, str, int]]]:
    """Load patterns/<lang>/entities.jsonl of every language; return ({lang: rules} or None, problems, ids)."""
    found: dict[str, EntityRules] = {}
    problems: list[Problem] = []
    ids: list[tuple[str, str, int]] = []
    for lang in settings.run.languages:
        path = settings.rule_path("patterns") / lang / "entities.jsonl"
        rules, lang_problems = read_jsonl(path, EntityRule)
        vocab = check_vocab()
        for line, rule in rules:
            lang_problems += _check(rule, path, line, vocab)
        problems += lang_problems
        ids += [(rule.id, str(path), line) for line, rule in rules]
        found[lang] = EntityRules([rule for _, rule in rules])
    return (None if problems else found), problems, ids


@functools.lru_cache(maxsize=4)
def _rules_for(config_dir: str) -> tuple[dict[str, EntityRules], Gazetteer]:
    settings = load_settings(config_dir)
    rules, problems, _ = load_entity_rules(settings)
    gazetteer, place_problems, _ = load_places_rules(settings)
    if problems or place_problems:
        raise RuleError(problems + place_problems)
    return rules, gazetteer


@dataclass
class Cand:
    """A span being worked on: token offsets, unified label and the rules that shaped it."""

    start: int
    end: int
    label: str
    rules: list[str] = field(default_factory=list)

    def mark(self, rule_id: str) -> None:
        if self.rules == ["model"]:
            self.rules = []
        if rule_id not in self.rules:
            self.rules.append(rule_id)


def _is_lower(token) -> bool:
    return token.text[:1].islower()


class EntityLayer:
    """spaCy component: unified labels, rule fixes, and values for NUMBER, DATE, PLACE, NORP."""

    def __init__(self, nlp: Language, name: str, config_dir: str):
        rules, self.gazetteer = _rules_for(str(Path(config_dir).resolve()))
        self.lang = nlp.lang
        self.rules = rules.get(nlp.lang) or EntityRules([])
        self.limits = load_settings(config_dir or None).limits
        self.matcher = TokenMatcher(nlp.vocab, {rule.id: rule.pattern for rule in self.rules.by_action["add"]})
        self.rule_ids = {nlp.vocab.strings.add(rule.id): rule.id for rule in self.rules.by_action["add"]}
        self.labels = {rule.id: rule.label for rule in self.rules.by_action["add"]}
        self.places, self.names = self._phrase_matchers(nlp)

    def _phrase_matchers(self, nlp: Language) -> tuple[tuple[PhraseMatcher, PhraseMatcher], dict[int, tuple[str, str]]]:
        """Compile place names and demonyms: abbreviations by exact spelling, the rest by lower case."""
        exact, lower = PhraseMatcher(nlp.vocab, attr="ORTH"), PhraseMatcher(nlp.vocab, attr="LOWER")
        names: dict[int, tuple[str, str]] = {}
        entries = [("place", surface, canon) for surface, canon in self.gazetteer.names()]
        entries += [("demonym", form, self.gazetteer.demonym_place(form)) for form in self.gazetteer.demonyms(self.lang)]
        for kind, surface, canon in entries:
            key = f"{kind}:{canon}"
            names[nlp.vocab.strings.add(key)] = (kind, canon)
            if "." in surface or (surface.isupper() and len(surface) <= 5):
                exact.add(key, [nlp.make_doc(surface)])
            else:
                lower.add(key, [nlp.make_doc(text) for text in {surface, numerals.plain(surface)}])
        return (exact, lower), names

    # -- steps -----------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        doc._.limits = self.limits
        doc._.warnings = None
        cands = self._from_model(doc)
        for rule in self.rules.by_action["cut"]:
            cands = [self._cut(doc, c, rule) for c in cands]
        for rule in self.rules.by_action["trim"]:
            cands = [t for c in cands for t in self._trim(doc, c, rule)]
        for rule in self.rules.by_action["drop"]:
            cands = [c for c in cands if not self._drops(doc, c, rule)]
        place_hits = self._place_hits(doc)
        for rule in self.rules.by_action["places"] + self.rules.by_action["demonyms"]:
            self._override(cands, place_hits, rule)
        for rule in self.rules.by_action["relabel"]:
            self._relabel(doc, cands, rule)
        cands = self._merge(cands, self._added(doc, place_hits))
        for rule in self.rules.by_action["qualify"]:
            self._qualify(doc, cands, rule)
        for rule in self.rules.by_action["persons"]:
            cands = self._persons(doc, cands, rule)
        return self._write(doc, cands, place_hits)

    def _from_model(self, doc: Doc) -> list[Cand]:
        cands = []
        for ent in doc.ents:
            label, _ = self.rules.label_map.get(ent.label_, ("", ""))
            if label:
                cands.append(Cand(ent.start, ent.end, label, ["model"]))
        return cands

    def _cut(self, doc: Doc, cand: Cand, rule: EntityRule) -> Cand:
        if cand.label not in NAME_LABELS:
            return cand
        for i in range(cand.start + 1, cand.end):
            if doc[i].text in rule.words:
                cand.end = i
                cand.mark(rule.id)
                break
        return cand

    def _trim(self, doc: Doc, cand: Cand, rule: EntityRule) -> list[Cand]:
        """Split at commas, strip leading function words and trailing lowercase words.

        A span that only keeps its tail after a connector ("El secretario de Estado") names
        a common noun's complement, not an entity, and is dropped.
        """
        if cand.label not in (rule.from_ or NAME_LABELS):
            return [cand]
        if self._known(doc[cand.start:cand.end].text):
            return [cand]
        parts, start = [], cand.start
        for i in range(cand.start, cand.end + 1):
            if i == cand.end or doc[i].text in (",", ";", ":"):
                parts.append((start, i))
                start = i + 1
        kept = []
        for start, end in parts:
            removed = []
            while start < end and self._strippable(doc, start, rule) and not self._known(doc[start:end].text):
                removed.append(doc[start].lower_)
                start += 1
            while end > start and (doc[end - 1].is_punct or _is_lower(doc[end - 1])) and not doc[end - 1].like_num:
                end -= 1
            if start >= end or set(removed) & set(rule.connectors):
                continue
            part = Cand(start, end, cand.label, list(cand.rules))
            if (start, end) != (cand.start, cand.end):
                part.mark(rule.id)
            kept.append(part)
        return kept

    def _strippable(self, doc: Doc, i: int, rule: EntityRule) -> bool:
        token = doc[i]
        initial = bool(token.is_sent_start) or i == 0
        if token.is_title and not initial and token.pos_ in ("DET", "ADP"):
            return False  # capitalised mid-sentence, the article is part of the name: "La Coruña", "De Palacio"
        if token.is_punct or _is_lower(token) or token.lower_ in rule.words:
            return True
        return token.pos_ in rule.pos and initial

    def _drops(self, doc: Doc, cand: Cand, rule: EntityRule) -> bool:
        """Single words that are function words, listed common words, or a non-name POS."""
        if cand.end - cand.start != 1 or cand.label not in (rule.from_ or NAME_LABELS):
            return False
        token = doc[cand.start]
        if self._known(token.text):
            return False
        initial = bool(token.is_sent_start) or cand.start == 0
        if rule.initial and not initial:
            return False
        return (
            token.lower_ in rule.words
            or numerals.plain(token.text) in rule.words
            or token.pos_ in rule.pos
            or (initial and doc.vocab[token.lower_].is_stop)
        )

    def _known(self, text: str) -> bool:
        return bool(self.gazetteer.canonical(text) or self.gazetteer.demonym_place(text))

    def _place_hits(self, doc: Doc) -> dict[tuple[int, int], tuple[str, str]]:
        """Gazetteer matches (start, end) -> (kind, canonical); names must be capitalised."""
        hits: dict[tuple[int, int], tuple[str, str]] = {}
        for matcher in self.places:
            for match_id, start, end in matcher(doc):
                kind, canon = self.names[match_id]
                first = doc[start].text
                if kind == "place" and not first[:1].isupper():
                    continue
                if kind == "demonym" and self.lang == "en" and not first[:1].isupper():
                    continue
                if (start, end) not in hits or kind == "place":
                    hits[(start, end)] = (kind, canon)
        return hits

    def _override(self, cands: list[Cand], hits: dict, rule: EntityRule) -> None:
        """A span that is exactly a known place (or demonym) gets the rule's label."""
        wanted = "place" if rule.action == "places" else "demonym"
        for cand in cands:
            kind, canon = hits.get((cand.start, cand.end), ("", ""))
            if kind != wanted or cand.label == rule.label or cand.label not in rule.from_:
                continue
            single_region = cand.end - cand.start == 1 and self.gazetteer.kind(canon) == "region"
            if cand.label == "PERSON" and single_region:
                continue  # "Guerrero", "Hidalgo": surnames as often as states
            cand.label = rule.label
            cand.mark(rule.id)

    def _relabel(self, doc: Doc, cands: list[Cand], rule: EntityRule) -> None:
        first, last = {w.lower() for w in rule.first}, {w.lower() for w in rule.last}
        for cand in cands:
            if cand.label not in rule.from_ or cand.label == rule.label:
                continue
            if doc[cand.start].lower_ in first or doc[cand.end - 1].lower_ in last:
                cand.label = rule.label
                cand.mark(rule.id)

    def _added(self, doc: Doc, hits: dict) -> list[Cand]:
        matches = caps.matches(self.matcher, doc, self.rule_ids, self.limits)
        added = [Cand(start, end, self.labels[self.rule_ids[mid]], [self.rule_ids[mid]]) for mid, start, end in matches]
        for rule in self.rules.by_action["places"] + self.rules.by_action["demonyms"]:
            wanted = "place" if rule.action == "places" else "demonym"
            added += [Cand(s, e, rule.label, [rule.id]) for (s, e), (kind, _) in hits.items() if kind == wanted]
        return added

    def _merge(self, cands: list[Cand], added: list[Cand]) -> list[Cand]:
        """Model spans keep their place; added spans fill the gaps, longest first."""
        taken = set()
        # Indexed by start token, so a document with thousands of names stays linear.
        by_start: dict[int, list[Cand]] = {}
        for cand in cands:
            taken.update(range(cand.start, cand.end))
            by_start.setdefault(cand.start, []).append(cand)
        for cand in sorted(added, key=lambda c: (c.start - c.end, c.start)):
            span = set(range(cand.start, cand.end))
            inside = [
                c for i in range(cand.start, cand.end) for c in by_start.get(i, ())
                if c.end <= cand.end and c.label == cand.label
            ]
            covered = {i for c in inside for i in range(c.start, c.end)}
            if (span & taken) - covered or any((c.start, c.end) == (cand.start, cand.end) for c in inside):
                continue  # it would cut through another span, or repeat one
            for c in inside:
                by_start[c.start] = [other for other in by_start[c.start] if other is not c]
            by_start.setdefault(cand.start, []).append(cand)
            taken |= span
        return sorted((c for found in by_start.values() for c in found), key=lambda c: c.start)

    def _qualify(self, doc: Doc, cands: list[Cand], rule: EntityRule) -> None:
        """Pull a qualifier just before a NUMBER into it ("más de" + "11.000")."""
        taken = {i for c in cands for i in range(c.start, c.end)}
        for cand in cands:
            if cand.label != rule.label:
                continue
            for size in (3, 2, 1):
                start = cand.start - size
                if start < 0 or taken & set(range(start, cand.start)):
                    continue
                if numerals.plain(doc[start:cand.start].text) in numerals.QUALIFIERS:
                    cand.start = start
                    cand.mark(rule.id)
                    break

    def _persons(self, doc: Doc, cands: list[Cand], rule: EntityRule) -> list[Cand]:
        """Document consistency: a name seen as PERSON is a PERSON everywhere in the document."""
        names: set[str] = set()
        for cand in cands:
            if cand.label == "PERSON":
                tokens = [t.text for t in doc[cand.start:cand.end]]
                names.update(" ".join(tokens[i:]) for i in range(len(tokens)))
        names = {n for n in names if n[:1].isupper() and not self._known(n)}
        if not names:
            return cands
        for cand in cands:
            text = doc[cand.start:cand.end].text
            if cand.label in rule.from_ and text in names and not self.gazetteer.canonical(text):
                cand.label = "PERSON"
                cand.mark(rule.id)
        added = [Cand(s, e, "PERSON", [rule.id]) for s, e in _occurrences(doc, [name.split(" ") for name in names])]
        return self._merge(cands, added)

    def _write(self, doc: Doc, cands: list[Cand], hits: dict) -> Doc:
        spans = [(Span(doc, c.start, c.end, label=c.label), c) for c in cands if c.end > c.start]
        doc.ents = [span for span, _ in spans]
        self._set_ref_date(doc, [span for span, _ in spans])
        for span, cand in spans:
            span._.rules = list(cand.rules)
            if span.label_ == "PLACE":
                kind, canon = hits.get((span.start, span.end), ("", ""))
                span._.norm = canon if kind == "place" else self.gazetteer.canonical(span.text)
            elif span.label_ == "NORP":
                span._.norm = self.gazetteer.demonym_place(span.text) or self.gazetteer.canonical(span.text)
            elif span.label_ == "NUMBER":
                span._.value, span._.qualifier = numerals.parse_number(span.text, self.lang)
            elif span.label_ == "DATE":
                span._.norm = dates.resolve(span.text, self.lang, doc._.ref_date, _in_future(span))
        return doc

    def _set_ref_date(self, doc: Doc, ents: list[Span]) -> None:
        """Reference for relative dates: the publication date, else the latest full date among
        the Doc's entities `ents`.

        A publication date known only to the month is refined by a full date of the same month
        in the text, so "este miércoles" can still resolve to a day.
        """
        found = sorted(
            iso for ent in ents if ent.label_ == "DATE"
            for iso in [dates.resolve(ent.text, self.lang, "")] if len(iso) == 10
        )
        pub = doc._.pub_date or ""
        if pub and not (found and len(pub) < 10 and found[-1].startswith(pub)):
            doc._.ref_date, doc._.ref_date_source = pub, "metadata"
        elif found:
            doc._.ref_date, doc._.ref_date_source = found[-1], "text"
        else:
            doc._.ref_date, doc._.ref_date_source = "", ""


@Language.factory("actorgraph_entities", default_config={"config_dir": ""})
def make_entities(nlp: Language, name: str, config_dir: str) -> EntityLayer:
    """Build the entity layer for `nlp`, reading rules from `config_dir`."""
    return EntityLayer(nlp, name, config_dir)


def _in_future(span: Span) -> bool:
    """True when the verb a date hangs on is in the future tense ("se celebrará en marzo",
    "will meet on Friday"), so a bare weekday or month points forward."""
    verb = span.root.head
    for _ in range(3):
        if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
            break
        verb = verb.head
    if "Fut" in verb.morph.get("Tense"):
        return True
    return any(child.lower_ in ("will", "'ll", "shall") for child in verb.children)


def _occurrences(doc: Doc, phrases: list[list[str]]) -> list[tuple[int, int]]:
    """Return (start, end) of every occurrence of each phrase (token texts) in `doc`, overlaps
    included, as an ORTH PhraseMatcher finds them; compared by word id (string hash)."""
    by_first: dict[int, set[tuple[int, ...]]] = {}
    for words in phrases:
        ids = tuple(get_string_id(word) for word in words)
        by_first.setdefault(ids[0], set()).add(ids)
    orths = doc.to_array(ORTH)
    found = []
    for start in numpy.flatnonzero(numpy.isin(orths, numpy.array(list(by_first), dtype=orths.dtype))).tolist():
        for ids in by_first[int(orths[start])]:
            end = start + len(ids)
            if end <= len(orths) and tuple(orths[start:end].tolist()) == ids:
                found.append((start, end))
    return found


def mentions_from_doc(doc: Doc) -> list[Mention]:
    """Return one Mention record per entity of `doc`, with its sentence and normalised values."""
    mentions = []
    limit = (doc._.limits or Limits()).max_sentence_chars
    # Span.sent walks the sentence; looking each one up once keeps 10,000 names in one
    # sentence linear.
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    starts = [sent.start for sent in sents]
    texts: dict[int, str] = {}
    for ent in doc.ents:
        sent = sents[bisect.bisect_right(starts, ent.start) - 1]
        if sent.start not in texts:
            texts[sent.start] = sent.text
        mentions.append(
            Mention(
                doc=doc._.doc_id,
                lang=doc.lang_,
                label=ent.label_,
                text=ent.text,
                start=ent.start_char,
                end=ent.end_char,
                sentence=caps.sentence_text(doc, texts[sent.start], sent.start_char, ent.start_char, ent.end_char, limit),
                sent_start=sent.start_char,
                value=ent._.value,
                qualifier=ent._.qualifier or "",
                norm=ent._.norm or "",
                rules=list(ent._.rules or ["model"]),
            )
        )
    return mentions

