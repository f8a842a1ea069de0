"""Meetings, visits, calls and summits: who met whom, where and when, around a trigger word.

Triggers come from meetings.yml (lemmas per language) and patterns/<lang>/meetings.jsonl
(multi-word triggers and exclusions such as "so-called" or "call for"). Participants are the
people the parse ties to the trigger: its subject and object, a "with/between/by" phrase, the
subject of a support verb ("attend the meeting") or of a clause framing the noun ("in a call
with"), coordinated names and appositions, "together with" phrases, and role-only references
("Mexico's president", "his Mexican counterpart") the resolution layer maps to a person.
Mentions with no participant give their date and place to the nearest same-kind mention in
the document ("Wednesday's meeting"), or to the meeting they are part of ("for talks").
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy
from pydantic import BaseModel, ConfigDict, Field
from spacy.attrs import LEMMA, LOWER, POS
from spacy.language import Language
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from pipeline.rules.matcher import TokenMatcher
from pipeline.rules import caps
from pipeline.rules.roles import component as roles_mod
from pipeline.config import Limits, Settings, load_settings
import pipeline.nlp.extensions  # noqa: F401  the Doc extensions this layer sets
from pipeline.records import MEETING_KINDS, MeetingMention, PersonRef, RoleLink
from pipeline.rules.files import Problem, RuleError, line_of, read_yaml, validate

PATTERN_FILE = "meetings.jsonl"
SUBJECTS = ("nsubj", "nsubjpass", "nsubj:pass", "csubj")
OBJECTS = ("obj", "dobj", "iobj", "dative", "oprd")  # oprd: "called Boric" parsed as naming
POSSESSORS = ("poss", "nmod:poss")
OBLIQUES = ("obl", "nmod", "obl:arg", "obl:agent")
CLIMB = ("conj", "appos", "flat", "flat:name", "compound")
NOT_ONLY = ("only", "just", "merely", "solo", "sólo", "solamente", "únicamente")  # "not only met"
DETERMINERS = ("DET", "PRON")
PLACE_RANK = {"city": 0, "": 1, "region": 2, "country": 3}
# Kinds one event can be reported as: a visit is a meeting seen from the host's side.
FAMILY = {"meeting": "meet", "visit": "meet", "summit": "meet", "call": "call"}



# ---------------------------------------------------------------------------- rule schemas
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Kind = Literal["meeting", "visit", "call", "summit"]
ObjectRule = Literal["any", "person_if_any", "person"]


class TriggerEntry(_Strict):
    id: str
    lang: Literal["en", "es"]
    lemmas: list[str] = Field(min_length=1)
    pos: list[str] = Field(min_length=1)
    kind: Kind
    kind_with_place: Kind | None = None
    object: ObjectRule = "any"
    needs_with: bool = False


class WordList(_Strict):
    id: str
    en: list[str] = []
    es: list[str] = []


class MeetingsFile(_Strict):
    triggers: list[TriggerEntry]
    support_verbs: WordList
    frame_preps: WordList
    with_preps: WordList
    together: WordList
    place_preps: WordList
    destination_preps: WordList
    counterparts: WordList
    purpose_preps: WordList
    where: WordList
    reporters: WordList
    travel_verbs: WordList
    pronouns: WordList
    negations: WordList
    refusals: WordList


class ExpectedMeeting(_Strict):
    kind: Kind
    participants: list[str] = []  # texts of PersonRefs, role references included
    place: str | None = None
    date_text: str | None = None
    name: str | None = None


class MeetingExample(_Strict):
    text: str
    meetings: list[ExpectedMeeting] = []


class MeetingPattern(_Strict):
    """A multi-word trigger (label TRIGGER) or an exclusion (label EXCLUDE)."""

    id: str
    label: Literal["TRIGGER", "EXCLUDE"]
    pattern: list[dict[str, Any]] = Field(min_length=1)
    kind: Kind | None = None
    kind_with_place: Kind | None = None
    object: ObjectRule = "any"
    needs_with: bool = False
    examples: list[MeetingExample] = Field(min_length=1)


@dataclass
class MeetingsRules:
    """The validated meetings lexicon and patterns."""

    file: MeetingsFile
    patterns: dict[str, list[MeetingPattern]] = field(default_factory=dict)

    def words(self, name: str, lang: str) -> list[str]:
        """Return the word list `name` ("with_preps", ...) of `lang`."""
        return getattr(getattr(self.file, name), lang)

    def rule_id(self, name: str) -> str:
        """Return the rule id of the word list `name`."""
        return getattr(self.file, name).id


# ---------------------------------------------------------------------------- loading
@functools.lru_cache(maxsize=8)
def _load(path: str, patterns: str, stamp: tuple) -> tuple[MeetingsRules | None, tuple, tuple]:
    raw, problems = read_yaml(Path(path))
    data = None
    if not problems:
        data, problems = validate(MeetingsFile, raw or {}, Path(path))
    ids = []
    if data is not None:
        ids = [(t.id, path, line_of(raw, ("triggers", i))) for i, t in enumerate(data.triggers)]
        for name in MeetingsFile.model_fields:
            if name != "triggers":
                ids.append((getattr(data, name).id, path, line_of(raw, (name,))))
    # The pattern files are checked even when meetings.yml is broken, so one report lists all.
    found: dict[str, list[MeetingPattern]] = {}
    for lang in roles_mod.LANGS:
        rules, bad = roles_mod.load_link_rules(Path(patterns), lang, MeetingPattern, PATTERN_FILE)
        file = str(Path(patterns) / lang / PATTERN_FILE)
        for line, rule in rules:
            if rule.label == "TRIGGER" and rule.kind is None:
                bad.append(Problem(file, line, f"{rule.id}: a TRIGGER needs a kind"))
        problems += bad
        found[lang] = [rule for _, rule in rules]
        ids += [(rule.id, file, line) for line, rule in rules]
    return (MeetingsRules(data, found) if data is not None else None), tuple(problems), tuple(ids)


def load_meetings_rules(settings: Settings) -> tuple[MeetingsRules | None, list[Problem], list[tuple[str, str, int]]]:
    """Load meetings.yml and patterns/<lang>/meetings.jsonl; return (rules or None, problems, rule ids). Never raises."""
    path = settings.rule_path("meetings")
    patterns = settings.rule_path("patterns")
    if not path.exists():
        return None, [Problem(str(path), 0, "cannot read: file not found")], []
    try:
        rules, problems, ids = _load(str(path), str(patterns), roles_mod._stamp(path, patterns))
    except Exception as exc:  # a loader reports, it never stops the run by itself
        return None, [Problem(str(path), 0, f"cannot load: {exc}")], []
    return rules, list(problems), list(ids)


# ---------------------------------------------------------------------------- analysis
@dataclass
class _Trigger:
    token: Token
    kind: str
    kind_with_place: str | None
    object: str
    needs_with: bool
    rule: str


@dataclass
class _Item:
    """Something that can take part: a named person, a role standing for one, a counterpart."""

    start: int
    end: int
    anchors: list[int]
    ref: PersonRef
    counterpart: bool = False
    block: tuple[int, int] = (0, 0)  # tokens of the name with its linked role phrase

    def __post_init__(self):
        if self.block == (0, 0):
            self.block = (self.start, self.end)


@dataclass
class _Draft:
    trigger: _Trigger
    items: list[tuple[_Item, str]]  # (item, how it is tied: "subject", "object", "with", ...)
    rules: list[str]
    place: Span | None = None
    date: Span | None = None
    name: str = ""
    kind: str = ""


class _Lexicon:
    """The meetings rules of one language compiled for fast lookup."""

    def __init__(self, nlp: Language, rules: MeetingsRules, roles: roles_mod.RolesRules, lang: str, caps: Limits | None = None):
        self.rules = rules
        self.caps = caps or Limits()
        self.roles = roles
        self.lang = lang
        self.triggers: dict[tuple[str, str], TriggerEntry] = {}
        for entry in (t for t in rules.file.triggers if t.lang == lang):
            for lemma in entry.lemmas:
                for pos in entry.pos:
                    self.triggers[(lemma.lower(), pos)] = entry
        self.trigger_words = set(roles_mod.word_ids(word for word, _ in self.triggers))
        self.trigger_pos = [POS_IDS[pos] for _, pos in self.triggers if pos in POS_IDS]
        self.patterns = {rule.id: rule for rule in rules.patterns.get(lang, [])}
        self.matcher = TokenMatcher(nlp.vocab, {rule.id: rule.pattern for rule in self.patterns.values()})
        self.pattern_names = roles_mod.rule_names(self.patterns)
        self.words = {
            name: {w.lower() for w in rules.words(name, lang)}
            for name in MeetingsFile.model_fields
            if name != "triggers"
        }
        self.phrases = {
            name: sorted((roles_mod.word_ids(w.lower().split()) for w in rules.words(name, lang)), key=len, reverse=True)
            for name in ("together", "counterparts")
        }

    def candidates(self, doc: Doc) -> list[int]:
        """Return the indexes of the tokens that have a trigger POS and a trigger word as lemma
        or lower case, in order: the only tokens `entry_for` can accept, found from word ids
        so that no Token object is made for the others."""
        tokens = doc.to_array([POS, LOWER, LEMMA])
        found = []
        lemma_words: dict[int, int] = {}
        for i in numpy.flatnonzero(numpy.isin(tokens[:, 0], numpy.array(self.trigger_pos, dtype=tokens.dtype))).tolist():
            _, lower, lemma = tokens[i].tolist()
            if lemma not in lemma_words:
                lemma_words[lemma] = get_string_id(doc.vocab.strings[lemma].lower())
            if lower in self.trigger_words or lemma_words[lemma] in self.trigger_words:
                found.append(i)
        return found

    def entry_for(self, token: Token) -> TriggerEntry | None:
        for key in (token.lemma_.lower(), token.lower_):
            entry = self.triggers.get((key, token.pos_))
            if entry is not None:
                return entry
        return None


class _Finder:
    """Finds the meeting mentions of one Doc."""

    def __init__(self, doc: Doc, lex: _Lexicon, analysis: roles_mod.Analysis, gazetteer):
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

    # -- participants ------------------------------------------------------------------
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
                anchors.append(doc[phrase.core[0] : phrase.core[1]].root.i)
                block = (min(start, phrase.start), max(end, phrase.end))
            items.append(_Item(start, end, anchors, roles_mod.person_ref(doc, (start, end)), block=block))
        for p, phrase in enumerate(analysis.phrases):
            if p in linked or not phrase.explicit:
                continue
            span = doc[phrase.start : phrase.end]
            ref = PersonRef(span.text, span.start_char, span.end_char, phrase.label, phrase.jurisdiction)
            items.append(_Item(phrase.start, phrase.end, [doc[phrase.core[0] : phrase.core[1]].root.i], ref))
        items += self._counterparts()
        return sorted(items, key=lambda item: item.start)

    def _counterparts(self) -> list[_Item]:
        doc, view = self.doc, self.view
        found = []
        firsts = {w[0] for w in self.lex.phrases["counterparts"]}
        for i, lower in enumerate(view.lowers):
            if lower not in firsts:
                continue
            words = next((w for w in self.lex.phrases["counterparts"] if roles_mod.match_words(view.lowers, i, w)), None)
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

    def _heads(self, trigger: Token) -> tuple[set[Token], set[Token], set[Token], list[str]]:
        """Return (full heads, subject-only heads, antecedents, rule ids) of a trigger."""
        lex = self.lex
        heads, subject_only, antecedents, rules = {trigger}, set(), set(), []
        # ADJ: the parser sometimes heads a multi-word trigger with its adjective ("una llamada
        # telefónica" parsed as a "telefónica" modified by "llamada").
        if trigger.pos_ in ("NOUN", "PROPN", "ADJ"):
            governor, prep = self._governor(trigger)
            if governor is not None and governor.lemma_.lower() in lex.words["support_verbs"]:
                heads.add(governor)
                rules.append(self.lex.rules.rule_id("support_verbs"))
            elif governor is not None and prep in lex.words["frame_preps"]:
                subject_only.add(governor)
                rules.append(self.lex.rules.rule_id("frame_preps"))
            elif governor is not None and prep in lex.words["purpose_preps"] and self._travels(governor):
                subject_only.add(governor)
                rules.append(self.lex.rules.rule_id("travel_verbs"))
        for verb in list(heads | subject_only):
            if verb.pos_ not in ("VERB", "AUX") or any(c.dep_ in SUBJECTS for c in verb.children):
                continue
            if verb.dep_ in ("xcomp", "ccomp", "conj", "advcl") and verb.head != verb:
                subject_only.add(verb.head)
                if verb is trigger and self._travels(verb.head):
                    rules.append(self.lex.rules.rule_id("travel_verbs"))
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
        if noun.dep_ == "pobj" and head.dep_ in ("prep", "agent"):
            return (head.head if head.head.pos_ in ("VERB", "AUX") else None), head.lower_
        if head.pos_ in ("VERB", "AUX") and head != noun:
            case = [c.lower_ for c in noun.children if c.dep_ == "case"]
            return head, (case[0] if case else "")
        return None, ""

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
                    return "object"
                if rel in OBLIQUES + OBJECTS and case and case[0] in lex.words["with_preps"]:
                    return "object" if case[0] == "a" else "with"
            if head in subject_only and rel in SUBJECTS:
                return "subject"
            if rel == "pobj" and head.dep_ in ("prep", "agent") and head.lower_ in lex.words["with_preps"] and head.head in heads:
                return "with"
            if self._together(item) and self._reaches(top, heads | subject_only, 5):
                return "together"
        return ""

    def _together(self, item: _Item) -> bool:
        doc = self.doc
        i = item.block[0]
        while i > 0 and doc[i - 1].pos_ in DETERMINERS:
            i -= 1
        return any(roles_mod.match_words(self.view.lowers, i - len(w), w) for w in self.lex.phrases["together"])

    @staticmethod
    def _reaches(token: Token, targets: set[Token], steps: int) -> bool:
        for _ in range(steps):
            if token in targets:
                return True
            if token.head == token:
                return False
            token = token.head
        return token in targets

    # -- triggers ------------------------------------------------------------------------
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
                found.append(_Trigger(token, source.kind, source.kind_with_place, source.object, source.needs_with, source.id))
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
        tied += self._listed(tied, sent)
        if not any(how == "subject" for _, how in tied):
            antecedent = self._pronoun_antecedent(heads | subject_only, sent)
            if antecedent is not None and all(item is not antecedent for item, _ in tied):
                tied.append((antecedent, "subject"))
                rules.append(self.lex.rules.rule_id("pronouns"))
        if len(tied) > cap:
            caps.warn(self.doc, f"a meeting with more than {cap} participants keeps the first {cap} (max_participants)")
            tied = tied[:cap]
        objects = [c for c in token.children if c.dep_ in ("obj", "dobj")]
        has_person_object = any(how == "object" for _, how in tied)
        if trigger.object == "person" and not has_person_object:
            return None
        if trigger.object == "person_if_any" and objects and not has_person_object and not any(
            self._is_pronoun_person(c) or self.view.label(c.i) == "PLACE" for c in objects
        ):
            return None
        if trigger.needs_with and not any(how in ("with", "object", "together") for _, how in tied):
            return None
        extra = [self.lex.rules.rule_id("together")] if any(how == "together" for _, how in tied) else []
        draft = _Draft(trigger, tied, [trigger.rule, *rules, *extra], kind=trigger.kind)
        draft.place = self._place(token, heads | subject_only, trigger.kind)
        if draft.place is None:
            draft.place = self._place_where(token)
            if draft.place is not None:
                draft.rules.append(self.lex.rules.rule_id("where"))
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

    def _pronoun_antecedent(self, heads: set[Token], sent: Span) -> _Item | None:
        """For "Blinken will travel to China, where he is expected to meet Wang Yi": the person
        a subject pronoun of the trigger stands for, the nearest one before it in the sentence
        that is itself the subject of a clause; None when there is no such pronoun or person."""
        pronoun = next(
            (c for head in heads for c in head.children if c.dep_ in SUBJECTS and c.lower_ in self.lex.words["pronouns"]),
            None,
        )
        if pronoun is None:
            return None
        subjects = [
            item for item in self.by_sentence.get(sent.start, [])
            if not item.counterpart and item.end <= pronoun.i and any(self.doc[a].dep_ in SUBJECTS for a in item.anchors)
        ]
        return subjects[-1] if subjects else None

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

    @staticmethod
    def _is_pronoun_person(token: Token) -> bool:
        return token.pos_ == "PRON" and token.lower_ in ("him", "her", "them", "lo", "la", "los", "las", "le", "les")

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
            destination = prep in lex.words["destination_preps"] and self._reaches(root, travel, 2)
            if direct or destination or (prep in preps and self._reaches(root, heads, 4)):
                places.append(ent)
        return self._best_place(places, trigger)

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
        attached = [ent for ent in dates if self._reaches(ent.root, heads, 3)]
        # Otherwise only a date that dates the whole sentence ("En enero, ...").
        framing = [ent for ent in dates if ent.root.head == trigger.sent.root]
        found = attached or framing
        return min(found, key=lambda ent: abs(ent.start - trigger.i)) if found else None

    def _name(self, trigger: Token) -> str:
        ent = self.view.ent_of[trigger.i]
        if ent is not None and ent.label_ in ("MISC", "ORG") and len(ent) > 1:
            return ent.text
        return ""

    # -- assembly --------------------------------------------------------------------------
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
        for draft in drafts:
            if draft.items or any(draft is k for k in kept) or self._nested_in(draft, kept) is not None:
                continue
            if not self._reporter(draft, kept):
                self._lend(draft, kept)
        return kept

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

    def _lend(self, draft: _Draft, kept: list[_Draft]) -> None:
        """Give an anaphoric mention's date and place to the nearest same-kind mention."""
        same = [k for k in kept if FAMILY[k.kind] == FAMILY[draft.kind]]
        if not same or not (draft.date or draft.place) or self._own_event(draft):
            return
        position = draft.trigger.token.i
        before = [k for k in same if k.trigger.token.i < position]
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
        date = draft.date
        return MeetingMention(
            doc=doc._.doc_id if Doc.has_extension("doc_id") else "",
            lang=doc.lang_,
            kind=draft.kind if draft.kind in MEETING_KINDS else "meeting",
            trigger=token.text,
            start=token.idx,
            end=token.idx + len(token.text),
            participants=participants,
            place=draft.place.text if draft.place is not None else "",
            date=roles_mod.span_norm(date) if date is not None else "",
            date_text=date.text if date is not None else "",
            name=draft.name,
            sentence=self.view.sentence(doc[token.i : token.i + 1]),
            rules=draft.rules,
        )

    def _named_next(self, item: _Item, named: set[int]) -> bool:
        """True for "his Argentine counterpart, Javier Milei" or "his Tanzanian counterpart Samia
        Suluhu Hassan": the name itself takes part."""
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


def _same_time(a: Span, b: Span) -> bool:
    """True when two DATE spans can name one day: one resolved date is a prefix of the other."""
    x, y = roles_mod.span_norm(a), roles_mod.span_norm(b)
    return not x or not y or x.startswith(y) or y.startswith(x)


def meetings_from_doc(doc: Doc) -> list[MeetingMention]:
    """Return the MeetingMentions the meetings component stored on `doc` (empty when it did not run)."""
    return list(doc._.meetings or [])


class MeetingsComponent:
    """spaCy component: sets doc._.meetings (MeetingMention list). Runs after actorgraph_roles."""

    def __init__(self, nlp: Language, settings: Settings):
        from pipeline.rules.places import load_places_rules

        rules, problems, _ = load_meetings_rules(settings)
        roles, role_problems, _ = roles_mod.load_roles_rules(settings)
        if problems or role_problems or rules is None or roles is None:
            raise RuleError(problems + role_problems)
        self.lexicon = _Lexicon(nlp, rules, roles, nlp.lang, settings.limits)
        self.roles_lexicon = roles_mod.Lexicon(nlp, roles, nlp.lang, settings.limits)
        self.gazetteer = load_places_rules(settings)[0]

    def __call__(self, doc: Doc) -> Doc:
        analysis = doc._.actorgraph_roles
        if analysis is None or analysis.view is None or analysis.view.doc is not doc:
            analysis = roles_mod.analyse(doc, self.roles_lexicon, self.gazetteer)
        finder = _Finder(doc, self.lexicon, analysis, self.gazetteer)
        doc._.meetings = [finder.record(draft) for draft in finder.find()]
        known = {(link.person.start, link.role) for link in doc._.role_links or []}
        extra = [link for link in finder.role_links if (link.person.start, link.role) not in known]
        doc._.role_links = [*(doc._.role_links or []), *extra]
        return doc


@Language.factory("actorgraph_meetings", default_config={"config_dir": ""})
def make_meetings(nlp: Language, name: str, config_dir: str) -> MeetingsComponent:
    """Create the meetings component from the rule files under `config_dir`."""
    return MeetingsComponent(nlp, load_settings(config_dir or None))
