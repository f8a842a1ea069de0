"""Who takes part in a meeting: named persons, roles standing for one, and counterparts."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from pipeline.records import PersonRef, RoleLink
from pipeline.rules.meetings import ties
from pipeline.rules.meetings.drafts import CLIMB, DETERMINERS, OBJECTS, OBLIQUES, POSSESSORS, SUBJECTS, _Draft, _Item
from pipeline.rules.roles.lexicon import match_words
from pipeline.rules.roles.linking import person_ref


class _Participants:
    """Who can take part in a meeting, and how each is tied to a trigger (subject, object, 'with', a list)."""

    def _items(self) -> list[_Item]:
        doc, analysis = self.doc, self.analysis
        linked = {p: q for p, q, _ in analysis.links}
        role_of = {q: analysis.phrases[p] for p, q, _ in analysis.links}
        items = []
        for q, (start, end) in enumerate(analysis.persons):
            anchors = [doc[start:end].root.i]
            phrase = role_of.get(q)
            block = (start, end)
            if phrase is not None:
                core = doc[phrase.core[0] : phrase.core[1]].root.i
                # "con el comisario X, Y" parsed with the name as a conjunct of an earlier word:
                # the office's place in the clause is the one to trust
                anchors.insert(0 if doc[anchors[0]].dep_ == "conj" else 1, core)
                block = (min(start, phrase.start), max(end, phrase.end))
            items.append(_Item(start, end, anchors, person_ref(doc, (start, end)), block=block))
        for p, phrase in enumerate(analysis.phrases):
            if p in linked or not phrase.explicit or phrase.plural:  # "the minister's aides" stand for no one person
                continue
            span = doc[phrase.start : phrase.end]
            ref = PersonRef(span.text, span.start_char, span.end_char, phrase.label, phrase.jurisdiction)
            items.append(_Item(phrase.start, phrase.end, [doc[phrase.core[0] : phrase.core[1]].root.i], ref))
        items += self._counterparts()
        return sorted(items, key=lambda item: item.start)

    def _tie(self, item: _Item, heads, subject_only, antecedents) -> str:
        """Return how `item` is tied to the trigger ("subject", "object", "with", ...), or ""."""
        doc, lex = self.doc, self.lex
        for anchor in item.anchors:
            top = doc[anchor]
            while top.dep_ in CLIMB and top.head != top and top.head not in heads and top.head.i not in range(item.start, item.end):
                top = top.head
            while top.dep_ in CLIMB and top.head.i in range(item.start, item.end) and top.head != top:
                top = top.head
            head, rel = top.head, top.dep_
            if top in antecedents:
                return "subject"
            if head in heads and head != top:
                if rel in SUBJECTS:
                    return "subject"
                if rel in POSSESSORS:
                    return "possessor"
                case = [c.lower_ for c in top.children if c.dep_ == "case"]
                if rel in OBJECTS and (not case or case[0] in lex.words["with_preps"]):
                    # "por X" on a passive verb is its agent, not its object
                    return "with" if case and case[0] in ("por", "by") and ties.passive(head, lex.passive_auxiliaries) else "object"
                if rel in OBLIQUES + OBJECTS and case and case[0] in lex.words["with_preps"]:
                    return "object" if case[0] == "a" else "with"
                if head.pos_ in ("NOUN", "ADJ") and rel in OBLIQUES + OBJECTS and case and case[0] in lex.words["noun_preps"]:
                    return "with"
            if head in subject_only and rel in SUBJECTS:
                return "subject"
            if rel == "pobj" and head.dep_ in ("prep", "agent") and head.lower_ in lex.words["with_preps"] and head.head in heads:
                return "with"
            if rel == "pobj" and head.lower_ in lex.words["with_preps"] and self._through_medium(head.head, heads):
                return "medium"
            if rel == "pobj" and head.lower_ in lex.words["noun_preps"] and head.head in heads and head.head.pos_ == "NOUN":
                return "with"
            if self._together(item) and self._reaches(top, heads | subject_only, 5):
                return "together"
        return ""

    def _through_medium(self, noun: Token, heads) -> bool:
        """True when `noun` is the object of a medium preposition of a trigger ("by phone", "in Paris")."""
        prep = noun.head
        return noun.dep_ == "pobj" and prep.dep_ == "prep" and prep.lower_ in self.lex.words["medium_preps"] and prep.head in heads

    def _together(self, item: _Item) -> bool:
        doc = self.doc
        i = item.block[0]
        while i > 0 and doc[i - 1].pos_ in DETERMINERS:
            i -= 1
        return any(match_words(self.view.lowers, i - len(w), w) for w in self.lex.phrases["together"])

    @staticmethod
    def _reaches(token: Token, targets: set[Token], steps: int) -> bool:
        for _ in range(steps):
            if token in targets:
                return True
            if token.head == token:
                return False
            token = token.head
        return token in targets

    def _pronoun_antecedent(self, heads: set[Token], sent: Span, trigger: Token) -> _Item | None:
        """For "Blinken will travel to China, where he is expected to meet Wang Yi": the person
        a subject pronoun of the trigger stands for, the nearest one before it in the sentence
        that is itself the subject of a clause; None when there is no such pronoun or person."""
        pronoun = next(
            (c for head in heads for c in head.children if c.dep_ in SUBJECTS and c.lower_ in self.lex.words["pronouns"]),
            None,
        )
        if pronoun is None:  # "his meeting with X", "su entrevista con X": the possessor
            pronoun = ties.possessive(trigger, self.lex.words["possessives"])
            if pronoun is not None:
                before = [item for item in self.by_sentence.get(sent.start, []) if not item.counterpart and item.end <= pronoun.i]
                return before[-1] if before else ties.previous_subject(self.by_sentence, sent, self.doc, self.view)
        if pronoun is None:
            # "Allí se reunió con X": a finite main verb with no subject at all (Spanish drops
            # it) and no person before it in its sentence: the previous sentence's subject
            finite = trigger.pos_ in ("VERB", "AUX") and trigger.dep_ == "ROOT" and "Fin" in trigger.morph.get("VerbForm")
            if finite and not any(c.dep_ in SUBJECTS for c in trigger.children) and not any(
                item.end <= trigger.i for item in self.by_sentence.get(sent.start, [])
            ):
                return ties.previous_subject(self.by_sentence, sent, self.doc, self.view)
            return None
        subjects = [
            item for item in self.by_sentence.get(sent.start, [])
            if not item.counterpart and item.end <= pronoun.i and any(self.doc[a].dep_ in SUBJECTS for a in item.anchors)
        ]
        if subjects:
            return subjects[-1]
        # "He was being met by X": no person before the pronoun, so the previous sentence's subject
        if not any(item.end <= pronoun.i for item in self.by_sentence.get(sent.start, [])):
            return ties.previous_subject(self.by_sentence, sent, self.doc, self.view)
        return None

    def _listed(self, tied: list[tuple[_Item, str]], sent: Span) -> list[tuple[_Item, str]]:
        """Return items listed after a tied one ("entre A, B, C y D") that the parser hung
        elsewhere: blocks separated by commas only, in a list closed by a conjunction."""
        doc = self.doc
        inside = sorted(
            (i for i in self.by_sentence.get(sent.start, []) if i.block[0] >= sent.start and i.block[1] <= sent.end),
            key=lambda i: i.block,
        )
        done = {id(item) for item, _ in tied}
        found = []
        for item, how in tied:
            if how not in ("with", "object", "subject"):
                continue
            run, closed, last = [], False, item
            for nxt in inside:
                if nxt.block[0] < last.block[1] or id(nxt) in done:
                    continue
                gap = doc[last.block[1] : nxt.block[0]]
                if not len(gap) or not all(t.is_punct or t.pos_ in ("CCONJ", "DET") for t in gap):
                    break
                if any(t.pos_ == "DET" for t in gap) and not any(t.is_punct or t.pos_ == "CCONJ" for t in gap):
                    break
                run.append(nxt)
                last = nxt
                if any(t.pos_ == "CCONJ" for t in gap):
                    closed = True
                    break
            if run and not closed:
                after = last.block[1]
                while after < sent.end and doc[after].is_punct:
                    after += 1
                closed = after < sent.end and doc[after].pos_ == "CCONJ"
            if closed:
                for nxt in run:
                    done.add(id(nxt))
                    found.append((nxt, "listed"))
        return found

    def _is_pronoun_person(self, token: Token) -> bool:
        return token.pos_ == "PRON" and token.lower_ in self.lex.person_pronouns


class _Counterparts:
    """Counterparts ('his Mexican counterpart'): found in the text, named when a name follows, given the office their host implies."""

    def _counterparts(self) -> list[_Item]:
        doc, view = self.doc, self.view
        found = []
        firsts = {w[0] for w in self.lex.phrases["counterparts"]}
        for i, lower in enumerate(view.lowers):
            if lower not in firsts:
                continue
            words = next((w for w in self.lex.phrases["counterparts"] if match_words(view.lowers, i, w)), None)
            if words is None:
                continue
            start, end = i, i + len(words)
            jurisdiction = ""
            while start > view.sent_start[i] and (doc[start - 1].pos_ in DETERMINERS or view.demonym_at(start - 1)):
                demonym = view.demonym_at(start - 1)
                jurisdiction = jurisdiction or (demonym[1] if demonym else "")
                start = demonym[0].start if demonym else start - 1
            demonym = view.demonym_at(end) if end < view.sent_end[i] else None
            if demonym is not None:
                jurisdiction = jurisdiction or demonym[1]
                end = demonym[0].end
            span = doc[start:end]
            ref = PersonRef(span.text, span.start_char, span.end_char, "", jurisdiction)
            found.append(_Item(start, end, [i], ref, counterpart=True))
        return found

    def _named_next(self, item: _Item, named: set[int]) -> bool:
        """True for "her Valdorian counterpart, Tomas Ferreira" or "his Ostrian counterpart Mila
        Doria Kovan": the name itself takes part."""
        return self._name_start(item) in named

    def _name_start(self, counterpart: _Item) -> int:
        """Return where a name right after a counterpart phrase would start (after one comma)."""
        i = counterpart.end
        return i + 1 if i < len(self.doc) and self.doc[i].text == "," else i

    def _counterpart_link(self, draft: _Draft, counterpart: _Item) -> None:
        """ "his South Korean counterpart, Park Jin": Park Jin holds the office that corresponds
        to the other participant's, in the counterpart's country; keep that as a RoleLink."""
        role = self._counterpart_role(draft, counterpart)
        start = self._name_start(counterpart)
        name = next((item for item, _ in draft.items if item.start == start and not item.counterpart), None)
        if role is None or name is None or not counterpart.ref.jurisdiction:
            return
        doc = self.doc
        self.role_links.append(
            RoleLink(
                doc=doc._.doc_id if Doc.has_extension("doc_id") else "",
                lang=doc.lang_,
                person=PersonRef(name.ref.text, name.ref.start, name.ref.end),
                role=role.label,
                role_id=role.id,
                jurisdiction=counterpart.ref.jurisdiction,
                text=counterpart.ref.text,
                start=counterpart.ref.start,
                end=name.ref.end,
                sentence=self.view.sentence(doc[counterpart.start : name.end]),
                rules=[self.lex.rules.rule_id("counterparts"), *draft.rules],
            )
        )

    def _counterpart_role(self, draft: _Draft, counterpart: _Item):
        for item, _ in draft.items:
            if item is counterpart or item.counterpart:
                continue
            phrase = self.analysis.role_of(item.ref.text) if not item.ref.role else None
            role_id = phrase.role.id if phrase is not None else ""
            if item.ref.role:
                role_id = next((r.id for r in self.lex.roles.roles.values() if r.label == item.ref.role), "")
            other = self.lex.roles.counterpart(role_id) if role_id else None
            if other is not None:
                return other
        return None
