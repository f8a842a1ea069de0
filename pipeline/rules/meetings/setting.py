"""The setting of a meeting: its place, its date and its name."""

from __future__ import annotations

import bisect

from spacy.tokens import Span, Token

from pipeline.rules.meetings import venues
from pipeline.rules.meetings.drafts import OBJECTS, PLACE_RANK, SUBJECTS
from pipeline.rules.roles.lexicon import span_norm


class _Setting:
    """Where, when and under which name a meeting took place."""

    def _place(self, trigger: Token, heads: set[Token], kind: str) -> Span | None:
        lex = self.lex
        preps = lex.words["place_preps"] | (lex.words["destination_preps"] if kind == "visit" else set())
        travel = {head for head in heads if head is not trigger and self._travels(head)}
        places = []
        for ent in self._ents_in(trigger.sent):
            if ent.label_ != "PLACE":
                continue
            root = ent.root
            prep = root.head.lower_ if root.dep_ == "pobj" else next((c.lower_ for c in root.children if c.dep_ == "case"), "")
            direct = kind == "visit" and root.dep_ in OBJECTS and root.head in heads
            destination = prep in lex.words["destination_preps"] and (self._reaches(root, travel, 2) or self._visited(root, heads))
            # "la reunión será en Cusco", "the talks were in Geneva"
            copular = trigger.dep_ in SUBJECTS and root == trigger.head and any(c.dep_ == "cop" for c in root.children)
            near = self._reaches(root, heads, 4) and not venues.crosses_clause(root, heads)
            if direct or destination or (prep in preps and (copular or near or venues.in_clause(root, heads))):
                places.append(ent)
        return self._best_place(places, trigger)

    def _visited(self, place: Token, heads: set[Token]) -> bool:
        """True when `place` is the destination of a visit noun around the trigger ("met X during
        a visit to Hanoi", "durante una visita de dos días a Hanói"): the visit's place is the meeting's."""
        noun = place.head
        for _ in range(2):
            entry = self.lex.entry_for(noun) if noun.pos_ == "NOUN" else None
            if entry is not None and entry.kind == "visit":
                return noun not in heads and self._reaches(noun, heads, 3)
            noun = noun.head
        return False

    def _place_where(self, trigger: Token) -> Span | None:
        """Return the place of the noun phrase a "where"/"donde" clause around the trigger hangs on."""
        clause, where = trigger, False
        # up from a noun to its verb, and up verb chains ("where he is expected to meet X")
        while True:
            where = where or any(c.lower_ in self.lex.words["where"] for c in clause.children)
            if clause.dep_ in ("relcl", "acl", "advcl") or clause.head == clause:
                break
            if clause.pos_ == "VERB" and clause.dep_ != "xcomp":
                break
            clause = clause.head
        if clause.dep_ not in ("relcl", "acl", "advcl") or not where:
            return None
        antecedent = clause.head
        inside = {t.i for t in clause.subtree}
        places = [
            ent for ent in self._ents_in(trigger.sent)
            if ent.label_ == "PLACE" and ent.root.i not in inside and any(t.i == ent.root.i for t in antecedent.subtree)
        ]
        return self._best_place(places, trigger)

    def _ents_in(self, sent: Span) -> list[Span]:
        """Return the entities that lie wholly in `sent`, as Span.ents does."""
        found = []
        for ent in self.ents[bisect.bisect_left(self.ent_starts, sent.start) :]:
            if ent.end > sent.end:
                break
            found.append(ent)
        return found

    def _best_place(self, places: list[Span], trigger: Token) -> Span | None:
        def rank(ent: Span) -> tuple[int, int]:
            kind = self.gazetteer.kind(self.view.place_name(ent)) if self.gazetteer else ""
            return PLACE_RANK.get(kind, 1), abs(ent.start - trigger.i)

        return min(places, key=rank) if places else None

    def _date(self, trigger: Token, heads: set[Token]) -> Span | None:
        dates = [ent for ent in self._ents_in(trigger.sent) if ent.label_ == "DATE"]
        if not dates:
            return None
        # the date nearest a head in the parse: "acordaron el jueves reabrir los pasos cerrados desde enero"
        steps = {ent.start: next((n for n in range(4) if self._reaches(ent.root, heads, n)), None) for ent in dates}
        nearest = min((n for n in steps.values() if n is not None), default=None)
        attached = [ent for ent in dates if nearest is not None and steps[ent.start] == nearest]
        # Otherwise only a date that dates the whole sentence ("En enero, ...").
        root = trigger.sent.root  # "En enero, ..." or "In July, ..." (through its preposition)
        framing = [
            ent for ent in dates
            if ent.root.head == root or (ent.root.dep_ == "pobj" and ent.root.head.head == root and ent.root.head.i < root.i)
        ]
        found = attached or framing
        # a date the text lets resolve beats one that only measures time ("a two-day visit")
        found = [ent for ent in found if span_norm(ent)] or found
        return min(found, key=lambda ent: abs(ent.start - trigger.i)) if found else None

    def _name(self, trigger: Token) -> str:
        ent = self.view.ent_of[trigger.i]
        if ent is not None and ent.label_ in ("MISC", "ORG") and len(ent) > 1:
            return ent.text
        return ""
