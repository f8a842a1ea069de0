"""Meeting triggers: the words that report a meeting, their heads, negations, and drafts."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.rules import caps
from pipeline.rules.meetings import ties, venues
from pipeline.rules.meetings.drafts import NOT_ONLY, SUBJECTS, _Draft, _Trigger
from pipeline.rules.meetings.schema import MeetingPattern


class _Triggers:
    """Triggers: the words that report a meeting, their syntactic heads, negations, and the draft of each."""

    def _heads(self, trigger: Token) -> tuple[set[Token], set[Token], set[Token], list[str]]:
        """Return (full heads, subject-only heads, antecedents, rule ids) of a trigger."""
        lex = self.lex
        heads, subject_only, antecedents, rules = {trigger}, set(), set(), []
        # ADJ: the parser sometimes heads a multi-word trigger with its adjective ("una llamada
        # telefónica" parsed as a "telefónica" modified by "llamada").
        if trigger.pos_ in ("NOUN", "PROPN", "ADJ"):
            governor, prep = self._governor(trigger)
            frame = ties.frame_noun(trigger, lex.words["frame_nouns"])
            if frame is not None:  # "al término de la reunión, X dijo", "at the end of the talks"
                governor = self._governor(frame)[0]
            # "recibió a X para una reunión": a meeting verb's purpose is part of its meeting
            nested = governor is not None and prep in lex.words["purpose_preps"] and lex.entry_for(governor) is not None
            if governor is not None and governor.lemma_.lower() in lex.words["support_verbs"] and not nested:
                heads.add(governor)
                rules.append(self.lex.rules.rule_id("support_verbs"))
            elif governor is not None and (prep in lex.words["frame_preps"] or frame is not None):
                subject_only.add(governor)
                rules.append(self.lex.rules.rule_id("frame_nouns" if frame is not None else "frame_preps"))
            elif governor is not None and prep in lex.words["purpose_preps"] and self._travels(governor):
                subject_only.add(governor)
                rules.append(self.lex.rules.rule_id("travel_verbs"))
        relative = ties.relative_verbs(trigger, lex.words["support_verbs"], lex.words["frame_preps"] | lex.words["where"])
        if relative:
            heads |= relative
            support = any(v.lemma_.lower() in lex.words["support_verbs"] for v in relative)
            rules.append(self.lex.rules.rule_id("support_verbs" if support else "frame_preps"))
        modified = ties.modified_noun(trigger)
        if modified is not None:
            antecedents.add(modified)
        for verb in list(heads | subject_only):
            if verb.pos_ not in ("VERB", "AUX") or any(c.dep_ in SUBJECTS for c in verb.children):
                continue
            if verb.dep_ in ("xcomp", "ccomp", "conj", "advcl") and verb.head != verb:
                subject_only.add(verb.head)
                if verb is trigger and self._travels(verb.head):
                    rules.append(self.lex.rules.rule_id("travel_verbs"))
                # "X urged Y to reconsider and spoke with Z": up a second subjectless verb
                upper = verb.head
                if upper.pos_ in ("VERB", "AUX", "ADJ") and upper.dep_ in ("xcomp", "conj", "acomp") and not any(c.dep_ in SUBJECTS for c in upper.children):
                    subject_only.add(upper.head)  # also "X is due to meet Y": up from the adjective to its verb
            if verb.dep_ in ("relcl", "acl"):
                antecedents.add(verb.head)
        if trigger.dep_ in ("relcl", "acl") and any(c.dep_ in SUBJECTS and c.pos_ == "PRON" for c in trigger.children):
            antecedents.add(trigger.head)
        return heads, subject_only, antecedents, rules

    def _travels(self, verb: Token) -> bool:
        """A verb of travel ("flew to Riyadh for talks"): its destination is the event's place."""
        return verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() in self.lex.words["travel_verbs"]

    def _governor(self, noun: Token) -> tuple[Token | None, str]:
        head = noun.head
        # "after two hours of talks", "tras dos horas de conversaciones": the measure's governor
        measure = head.head if noun.dep_ == "pobj" and head.lower_ in self.lex.words["noun_preps"] else head
        if measure is not noun and measure.pos_ == "NOUN" and measure.lemma_.lower() in self.lex.words["measures"]:
            return self._governor(measure)
        if noun.dep_ == "pobj" and head.dep_ in ("prep", "agent"):
            return (head.head if head.head.pos_ in ("VERB", "AUX") else None), head.lower_
        if head.pos_ in ("VERB", "AUX") and head != noun:
            case = [c.lower_ for c in noun.children if c.dep_ == "case"]
            return head, (case[0] if case else "")
        return None, ""

    def _triggers(self) -> list[_Trigger]:
        lex, doc = self.lex, self.doc
        excluded: set[int] = set()
        extra: dict[int, MeetingPattern] = {}
        for key, start, end in caps.matches(lex.matcher, doc, lex.pattern_names, lex.caps):
            rule = lex.patterns[lex.pattern_names[key]]
            if rule.label == "EXCLUDE":
                excluded.update(range(start, end))
            else:
                extra.setdefault(doc[start:end].root.i, rule)
        found = []
        counts: dict[str, int] = {}
        for i in sorted(extra.keys() | lex.candidates(doc)):
            token = doc[i]
            source = extra.get(i) or lex.entry_for(token)
            if source is None or i in excluded:
                continue
            counts[source.id] = counts.get(source.id, 0) + 1
            if counts[source.id] <= lex.caps.max_rule_matches:
                found.append(_Trigger(token, source.kind, source.kind_with_place, source.object, source.needs_with, source.id, source.joins))
        for rule_id, count in counts.items():
            if count > lex.caps.max_rule_matches:
                caps.warn(
                    doc, f"trigger {rule_id} found {count} times; only the first {lex.caps.max_rule_matches} used (max_rule_matches)"
                )
        return found

    def _draft(self, trigger: _Trigger) -> _Draft | None:
        token = trigger.token
        heads, subject_only, antecedents, rules = self._heads(token)
        if self._negated(token, heads):
            return None
        sent = token.sent
        tied = []
        cap = self.lex.caps.max_participants
        for item in self.by_sentence.get(sent.start, []):
            if item.end > sent.end or item.start <= token.i < item.end:
                continue
            self.pairings += 1
            how = self._tie(item, heads, subject_only, antecedents)
            if how:
                tied.append((item, how))
            if len(tied) > cap:
                break
        if any(how == "medium" for _, how in tied):  # "spoke by phone with X": a with-phrase after all
            rules.append(self.lex.rules.rule_id("medium_preps"))
            tied = [(item, "with" if how == "medium" else how) for item, how in tied]
        tied += self._listed(tied, sent)
        tied += ties.between_partner(tied, self.by_sentence.get(sent.start, []), sent, self.doc)
        if not any(how == "subject" for _, how in tied):
            adjacent = ties.adjacent_subject(token, self.by_sentence.get(sent.start, []))
            if adjacent is not None and all(item is not adjacent for item, _ in tied):
                tied.append((adjacent, "subject"))
        if tied and not any(how in ("subject", "possessor") for _, how in tied):
            clause = ties.governing_clause(token)
            for item in self.by_sentence.get(sent.start, []) if clause is not None else []:
                if item.end <= sent.end and all(item is not t for t, _ in tied) and self._tie(item, set(), {clause}, set()) == "subject":
                    tied.append((item, "subject"))
                    rules.append(self.lex.rules.rule_id("frame_preps"))
        if not any(how == "subject" for _, how in tied):
            antecedent = self._pronoun_antecedent(heads | subject_only, sent, token)
            if antecedent is not None and all(item is not antecedent for item, _ in tied):
                tied.append((antecedent, "subject"))
                subject_pronoun = any(c.dep_ in SUBJECTS and c.lower_ in self.lex.words["pronouns"] for h in heads | subject_only for c in h.children)
                possessive = not subject_pronoun and ties.possessive(token, self.lex.words["possessives"]) is not None
                rules.append(self.lex.rules.rule_id("possessives" if possessive else "pronouns"))
        if not any(how == "object" for _, how in tied):  # "la recibió", "lo llamó", "met her"
            clitic = ties.object_pronoun(token, self.lex.object_pronouns)
            if clitic is not None:
                taken = [item for item, _ in tied]
                before = [i for i in self.by_sentence.get(sent.start, []) if i.end <= clitic.i and not i.counterpart and all(i is not t for t in taken)]
                antecedent = before[-1] if before else ties.previous_subject(self.by_sentence, sent, self.doc, self.view)
                if antecedent is not None and all(antecedent is not t for t in taken):
                    tied.append((antecedent, "object"))
                    rules.append(self.lex.rules.rule_id("pronouns"))
        if len(tied) > cap:
            caps.warn(self.doc, f"a meeting with more than {cap} participants keeps the first {cap} (max_participants)")
            tied = tied[:cap]
        objects = [c for c in token.children if c.dep_ in ("obj", "dobj") and not ties.reflexive(c, self.lex.reflexives)]
        # passive: the agent stands for the object, when the one received is a person too ("X
        # was received by Y"; not "the request was well received by Y")
        has_person_object = any(how == "object" for _, how in tied) or (
            ties.passive(token, self.lex.passive_auxiliaries) and any(how == "with" for _, how in tied)
            and (any(how == "subject" for _, how in tied) or not any(c.dep_ in SUBJECTS for c in token.children))
        )
        if trigger.object == "person" and not has_person_object:
            return None
        if trigger.object == "person_if_any" and objects and not has_person_object and not any(
            self._is_pronoun_person(c) or self.view.label(c.i) == "PLACE" for c in objects
        ):
            return None
        if trigger.needs_with and not (
            any(how in ("with", "object", "together") for _, how in tied) or ties.reciprocal(tied)
        ):
            if tied:
                return None
            # no person at all ("Los gobiernos firmarán un acuerdo el 19 de octubre en Caracas"):
            # kept without participants, so that it only lends its date and place
        extra = [self.lex.rules.rule_id("together")] if any(how == "together" for _, how in tied) else []
        draft = _Draft(trigger, tied, [trigger.rule, *rules, *extra], kind=trigger.kind)
        draft.place = self._place(token, heads | subject_only, trigger.kind)
        if draft.place is None:
            draft.place = self._place_where(token)
            if draft.place is not None:
                draft.rules.append(self.lex.rules.rule_id("where"))
        if draft.place is None:  # "in the Polish capital": the country's capital city
            draft.place = venues.capital(sent, heads | subject_only, self.lex.words["place_preps"], self.lex.words["capitals"], self.gazetteer)
            if draft.place is not None:
                draft.rules.append(self.lex.rules.rule_id("capitals"))
        if draft.place is None:  # a building, when no city or country places the event
            draft.place = venues.venue(
                self.doc, sent, self._ents_in(sent), self.view.label, token, heads,
                self.lex.words["place_preps"], self.lex.words["venues"],
            )
            if draft.place is not None:
                draft.rules.append(self.lex.rules.rule_id("venues"))
        draft.date = self._date(token, heads | subject_only)
        draft.name = self._name(token)
        if draft.place is not None and trigger.kind_with_place:
            draft.kind = trigger.kind_with_place
        return draft

    def _negated(self, trigger: Token, heads: set[Token]) -> bool:
        """True when the text says the meeting did not happen: the trigger or its support verb
        is negated ("did not meet", "no se reunió", "have never met", "did not hold talks"), or
        a refusal governs it ("refused to meet", "se negó a reunirse", "cancelled the meeting").
        "not only met" is no negation."""
        words = self.lex.words
        checked = set(heads)
        if trigger.dep_ == "xcomp":  # "did not want to meet"
            checked.add(trigger.head)
        for token in checked:
            for child in token.children:
                if child.dep_ in ("neg", "advmod") and child.lower_ in words["negations"]:
                    following = self.doc[child.i + 1].lower_ if child.i + 1 < len(self.doc) else ""
                    if following not in NOT_ONLY:
                        return True
        governor = trigger.head if trigger.dep_ == "xcomp" else None
        if governor is None and trigger.pos_ in ("NOUN", "PROPN", "ADJ"):
            governor, prep = self._governor(trigger)
            governor = governor if not prep else None
        return governor is not None and governor.lemma_.lower() in words["refusals"]
