"""The meeting finder of one Doc: drafts from every trigger, merged and turned into records."""

from __future__ import annotations

import functools

from spacy.tokens import Doc, Span

from pipeline.records import MEETING_KINDS, MeetingMention, PersonRef, RoleLink
from pipeline.rules import caps
from pipeline.rules.meetings import descriptions, paragraphs, venues
from pipeline.rules.meetings.drafts import _Draft, _Item
from pipeline.rules.meetings.lexicon import _Lexicon
from pipeline.rules.meetings.participants import _Counterparts, _Participants
from pipeline.rules.meetings.setting import _Setting
from pipeline.rules.meetings.triggers import _Triggers
from pipeline.rules.roles.lexicon import span_norm
from pipeline.rules.roles.phrases import Analysis

# Kinds one event can be reported as: a visit is a meeting seen from the host's side.
FAMILY = {"meeting": "meet", "visit": "meet", "summit": "meet", "call": "call"}


class _Finder(_Participants, _Counterparts, _Triggers, _Setting):
    """Finds the meeting mentions of one Doc."""

    def __init__(self, doc: Doc, lex: _Lexicon, analysis: Analysis, gazetteer):
        self.doc = doc
        self.lex = lex
        self.analysis = analysis
        self.view = analysis.view
        self.gazetteer = gazetteer
        # The entities as the roles layer left them; Span.ents would rebuild them all per call.
        self.ents = doc.ents
        self.ent_starts = [ent.start for ent in self.ents]
        self.role_links: list[RoleLink] = []  # offices learnt from named counterparts
        self.items = self._items()
        self.pairings = 0  # trigger-person pairs examined, capped by max_pairings
        self.by_sentence: dict[int, list[_Item]] = {}
        for item in self.items:
            self.by_sentence.setdefault(self.view.sent_start[item.start], []).append(item)
        # "la presidenta electa" for the person named before (descriptions.py)
        for item in descriptions.resolve(self, lambda start, end, anchors, ref: _Item(start, end, anchors, ref, described=True)):
            found = self.by_sentence.setdefault(self.view.sent_start[item.start], [])
            found[:] = [other for other in found if (other.start, other.end) != (item.start, item.end)]
            self.items = [other for other in self.items if (other.start, other.end) != (item.start, item.end)]
            self.items.append(item)
            found.append(item)
        for found in self.by_sentence.values():
            found.sort(key=lambda item: item.start)

    def find(self) -> list[_Draft]:
        drafts = []
        cap = self.lex.caps.max_pairings
        for trigger in self._triggers():
            if self.pairings >= cap:
                caps.warn(self.doc, f"meeting triggers after {cap} trigger-person pairings were not examined (max_pairings)")
                break
            draft = self._draft(trigger)
            if draft is not None:
                drafts.append(draft)
        kept: list[_Draft] = []
        for draft in drafts:
            host = self._nested_in(draft, kept)
            if host is not None:
                self._absorb(host, draft, upgrade=True)
            elif draft.items:
                kept.append(draft)
        kept = self._framed(kept)
        for draft in drafts:
            if draft.items or any(draft is k for k in kept) or self._nested_in(draft, kept) is not None:
                continue
            if not self._reporter(draft, kept):
                self._lend(draft, kept)
        return kept

    def _framed(self, kept: list[_Draft]) -> list[_Draft]:
        """Merge a meeting whose trigger `joins` (a verb of what was discussed) into a meeting of
        its sentence that frames it or whose clause it heads, when they share a person ("X
        discussed migration in a call with Y", "la cumbre, donde X e Y abordaron ..."): one
        event, the other's, which takes the joined one's place and date where it has none."""
        merged: set[int] = set()
        for part in kept:
            if not part.trigger.joins:
                continue
            token = part.trigger.token
            people = {item.start for item, _ in part.items}
            for host in kept:
                inner = host.trigger.token
                if host is part or id(host) in merged or host.trigger.joins or self.view.sent_start[inner.i] != self.view.sent_start[token.i]:
                    continue
                if not (self._reaches(inner, {token}, 3) or self._reaches(token, {inner}, 3)):
                    continue
                if people & {item.start for item, _ in host.items}:
                    host.place = host.place or part.place
                    host.date = host.date or part.date
                    host.rules += [rule for rule in part.rules if rule not in host.rules]
                    merged.add(id(part))
                    break
        return [draft for draft in kept if id(draft) not in merged]

    def _nested_in(self, draft: _Draft, kept: list[_Draft]) -> _Draft | None:
        """Return the meeting of the same sentence a participant-less trigger is part of."""
        if draft.items:
            return None
        token = draft.trigger.token
        i = token.i - 1
        while i >= token.sent.start and self.doc[i].pos_ in ("DET", "ADJ", "PROPN", "PART"):
            i -= 1
        if i < token.sent.start or self.doc[i].lower_ not in self.lex.words["purpose_preps"]:
            return None
        here = self.view.sent_start[token.i]
        earlier = [k for k in kept if self.view.sent_start[k.trigger.token.i] == here and k.trigger.token.i < token.i]
        return earlier[-1] if earlier else None

    def _absorb(self, host: _Draft, part: _Draft, upgrade: bool) -> None:
        if upgrade and part.kind == "summit":
            host.kind = "summit"
        host.name = host.name or part.name
        host.place = host.place or part.place
        host.date = host.date or part.date
        host.rules += [r for r in part.rules + [self.lex.rules.rule_id("purpose_preps")] if r not in host.rules]

    @functools.cached_property
    def paragraphs(self) -> list[int]:
        return paragraphs.paragraph_index(self.doc)

    def _lend(self, draft: _Draft, kept: list[_Draft]) -> None:
        """Give an anaphoric mention's date and place to the nearest same-kind mention."""
        same = [k for k in kept if FAMILY[k.kind] == FAMILY[draft.kind]]
        if not same or not (draft.date or draft.place) or self._own_event(draft):
            return
        position = draft.trigger.token.i
        # Within its paragraph a mention points at the nearest meeting, before or after ("X and Y
        # met last Thursday in Athens. The meeting was attended by ..."); across paragraphs only
        # an undated one does, to the one before: a dated one is as likely another event.
        para = self.paragraphs[position]
        near = [k for k in same if self.paragraphs[k.trigger.token.i] == para]
        before = [k for k in same if k.trigger.token.i < position]
        if near:
            target = min(near, key=lambda k: (abs(k.trigger.token.i - position), k.trigger.token.i > position))
        elif draft.date is not None:
            return
        else:
            target = before[-1] if before else min(same, key=lambda k: k.trigger.token.i - position)
        if target.date is not None and draft.date is not None and not _same_time(target.date, draft.date):
            return
        target.date = target.date or draft.date
        target.place = target.place or draft.place
        if draft.trigger.rule not in target.rules:
            target.rules.append(draft.trigger.rule)

    def _own_event(self, draft: _Draft) -> bool:
        """True for a mention that introduces an event of its own rather than pointing back:
        a name, an indefinite article ("a meeting", "una reunión") or an "of" complement naming
        an organization, event or place ("la cumbre de la Celac", "the Summit of the Americas")."""
        token = draft.trigger.token
        if draft.name or any("Ind" in child.morph.get("Definite") for child in token.children):
            return True
        for child in token.children:
            if child.dep_ not in ("nmod", "prep"):
                continue
            links = [child] if child.dep_ == "prep" else [c for c in child.children if c.dep_ == "case"]
            if any(link.lower_ in ("of", "de", "del") for link in links) and any(
                self.view.label(t.i) in ("ORG", "MISC", "PLACE") for t in child.subtree
            ):
                return True
        return False

    def _reporter(self, draft: _Draft, kept: list[_Draft]) -> bool:
        """Add the subject of "X highlighted the tone of the meeting" to that earlier meeting."""
        token = draft.trigger.token
        verb = token
        for _ in range(4):
            verb = verb.head
            if verb.pos_ == "VERB" or verb.head == verb:
                break
        if verb.lemma_.lower() not in self.lex.words["reporters"]:
            return False
        same = [k for k in kept if FAMILY[k.kind] == FAMILY[draft.kind] and k.trigger.token.i < token.i]
        if not same:
            return False
        target = same[-1]
        for item in self.by_sentence.get(token.sent.start, []):
            if item.end > token.sent.end:
                continue
            if self._tie(item, {verb}, set(), set()) == "subject" and all(item is not t for t, _ in target.items):
                target.items.append((item, "reporter"))
                target.rules.append(self.lex.rules.rule_id("reporters"))
                return True
        return False

    def record(self, draft: _Draft) -> MeetingMention:
        doc = self.doc
        token = draft.trigger.token
        participants = []
        seen = set()
        named = {item.start for item, _ in draft.items if not item.counterpart}
        if any(item.described for item, _ in draft.items) and self.lex.rules.rule_id("definites") not in draft.rules:
            draft.rules.append(self.lex.rules.rule_id("definites"))
        for item, _ in sorted(draft.items, key=lambda pair: pair[0].start):
            ref = PersonRef(**vars(item.ref))
            if item.counterpart and self._named_next(item, named):
                self._counterpart_link(draft, item)
                continue
            if item.counterpart:
                role = self._counterpart_role(draft, item)
                ref.role = role.label if role is not None else ""
                if self.lex.rules.rule_id("counterparts") not in draft.rules:
                    draft.rules.append(self.lex.rules.rule_id("counterparts"))
            key = (ref.text, ref.start)
            if key not in seen:
                seen.add(key)
                participants.append(ref)
        sent = doc[self.view.sent_start[token.i] : self.view.sent_end[token.i]]
        date = draft.date or paragraphs.paragraph_date(doc, self.view, self.ents, self.ent_starts, sent, span_norm)
        if draft.place is None:  # where a participant was said to be earlier in the paragraph
            draft.place = venues.paragraph_place(
                doc, self.view, self.ents, sent, [item for item, _ in draft.items if not item.counterpart], self.by_sentence,
                self.lex.words["place_preps"],
            )
        return MeetingMention(
            doc=doc._.doc_id if Doc.has_extension("doc_id") else "",
            lang=doc.lang_,
            kind=draft.kind if draft.kind in MEETING_KINDS else "meeting",
            trigger=token.text,
            start=token.idx,
            end=token.idx + len(token.text),
            participants=participants,
            place=draft.place.text if draft.place is not None else "",
            date=span_norm(date) if date is not None else "",
            date_text=date.text if date is not None else "",
            name=draft.name,
            sentence=self.view.sentence(doc[token.i : token.i + 1]),
            rules=draft.rules,
        )


def _same_time(a: Span, b: Span) -> bool:
    """True when two DATE spans can name one day: one resolved date is a prefix of the other."""
    x, y = span_norm(a), span_norm(b)
    return not x or not y or x.startswith(y) or y.startswith(x)
