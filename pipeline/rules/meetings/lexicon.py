"""The meetings rules of one language compiled for fast lookup."""

from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, LOWER, POS
from spacy.language import Language
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from pipeline.config import Limits
from pipeline.rules.matcher import TokenMatcher
from pipeline.rules.meetings.schema import MeetingsFile, MeetingsRules, TriggerEntry
from pipeline.rules.roles.lexicon import rule_names, word_ids
from pipeline.rules.roles.schema import RolesRules
from pipeline.rules.words import WordLists, words_for


class _Lexicon:
    """The meetings rules of one language compiled for fast lookup, with the word lists of
    configs/words/ (the shipped ones when `words` is None)."""

    def __init__(
        self, nlp: Language, rules: MeetingsRules, roles: RolesRules, lang: str, caps: Limits | None = None,
        words: WordLists | None = None,
    ):
        self.rules = rules
        self.caps = caps or Limits()
        self.roles = roles
        self.lang = lang
        self.triggers: dict[tuple[str, str], TriggerEntry] = {}
        for entry in (t for t in rules.file.triggers if t.lang == lang):
            for lemma in entry.lemmas:
                for pos in entry.pos:
                    self.triggers[(lemma.lower(), pos)] = entry
        self.trigger_words = set(word_ids(word for word, _ in self.triggers))
        self.trigger_pos = [POS_IDS[pos] for _, pos in self.triggers if pos in POS_IDS]
        self.patterns = {rule.id: rule for rule in rules.patterns.get(lang, [])}
        self.matcher = TokenMatcher(nlp.vocab, {rule.id: rule.pattern for rule in self.patterns.values()})
        self.pattern_names = rule_names(self.patterns)
        self.words = {
            name: {w.lower() for w in rules.words(name, lang)}
            for name in MeetingsFile.model_fields
            if name != "triggers"
        }
        words = words if words is not None else words_for()
        # Pronouns are tested whatever the language, as they always were: every language's.
        self.object_pronouns = words.union("object_pronouns")
        self.person_pronouns = words.union("person_pronouns")
        self.reflexives = words.union("reflexive_pronouns")
        self.passive_auxiliaries = words.of(lang, "passive_auxiliaries")
        self.phrases = {
            name: sorted((word_ids(w.lower().split()) for w in rules.words(name, lang)), key=len, reverse=True)
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
        for key in (token.lower_, token.lemma_.lower()):  # a form listed as written wins over its lemma ("conversaciones")
            entry = self.triggers.get((key, token.pos_))
            if entry is not None:
                return entry
        return None
