"""The meetings rule family's schema: configs/meetings.yml and patterns/<lang>/meetings.jsonl, validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PATTERN_FILE = "meetings.jsonl"


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
    # a verb that says what a meeting was about ("discussed", "abordaron"): when a meeting of
    # its sentence frames it or it heads that meeting's clause, and they share a person, it is that meeting
    joins: bool = False


class WordList(_Strict):
    id: str
    en: list[str] = []
    es: list[str] = []


class MeetingsFile(_Strict):
    triggers: list[TriggerEntry]
    support_verbs: WordList
    frame_preps: WordList
    frame_nouns: WordList
    with_preps: WordList
    # "spoke by phone with X", "met in Paris with X": a with-phrase the parser hangs on the noun
    # of a prepositional phrase of the trigger (by, via, in...) still ties X to it
    medium_preps: WordList = WordList(id="meeting.medium_prep")
    noun_preps: WordList
    together: WordList
    place_preps: WordList
    venues: WordList
    capitals: WordList = WordList(id="meeting.capital")  # "the Polish capital": optional list
    destination_preps: WordList
    counterparts: WordList
    purpose_preps: WordList
    # nouns that measure a meeting ("two hours of talks", "una ronda de negociaciones"): the
    # meeting noun takes their place in the sentence. Optional list
    measures: WordList = WordList(id="meeting.measure")
    where: WordList
    reporters: WordList
    travel_verbs: WordList
    pronouns: WordList
    possessives: WordList
    definites: WordList
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
    joins: bool = False
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
