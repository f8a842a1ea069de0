"""The fixes entity rules make to candidate entities: cut, trim, drop, relabel, qualify, persons."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy
from spacy.attrs import ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc

from pipeline import code_ids
from pipeline.rules import numerals
from pipeline.rules.entity_rules import NAME_LABELS, EntityRule


@dataclass
class Cand:
    """A span being worked on: token offsets, unified label and the rules that shaped it."""

    start: int
    end: int
    label: str
    rules: list[str] = field(default_factory=list)

    def mark(self, rule_id: str) -> None:
        if self.rules == [code_ids.MODEL]:
            self.rules = []
        if rule_id not in self.rules:
            self.rules.append(rule_id)


def _is_lower(token) -> bool:
    return token.text[:1].islower()


class _EntityFixes:
    """The steps that change candidates in place or return new ones, one per rule action."""

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
            return False  # capitalised mid-sentence, the article is part of the name: "La Coruña", "De Lorvan"
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

    def _relabel(self, doc: Doc, cands: list[Cand], rule: EntityRule) -> None:
        first, last = {w.lower() for w in rule.first}, {w.lower() for w in rule.last}
        for cand in cands:
            if cand.label not in rule.from_ or cand.label == rule.label:
                continue
            if doc[cand.start].lower_ in first or doc[cand.end - 1].lower_ in last:
                cand.label = rule.label
                cand.mark(rule.id)

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
