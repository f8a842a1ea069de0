"""What the meeting finder builds (triggers, participants, drafts of meetings) and the
dependency labels it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Span, Token

from pipeline.records import PersonRef

SUBJECTS = ("nsubj", "nsubjpass", "nsubj:pass", "csubj")


OBJECTS = ("obj", "dobj", "iobj", "dative", "oprd")  # oprd: "called Boric" parsed as naming


POSSESSORS = ("poss", "nmod:poss")


OBLIQUES = ("obl", "nmod", "obl:arg", "obl:agent")


CLIMB = ("conj", "appos", "flat", "flat:name", "compound")


NOT_ONLY = ("only", "just", "merely", "solo", "sólo", "solamente", "únicamente")  # "not only met"


DETERMINERS = ("DET", "PRON")


PLACE_RANK = {"city": 0, "": 1, "region": 2, "country": 3}


@dataclass
class _Trigger:
    token: Token
    kind: str
    kind_with_place: str | None
    object: str
    needs_with: bool
    rule: str
    joins: bool = False


@dataclass
class _Item:
    """Something that can take part: a named person, a role standing for one, a counterpart."""

    start: int
    end: int
    anchors: list[int]
    ref: PersonRef
    counterpart: bool = False
    described: bool = False  # a definite description standing for a person named before
    block: tuple[int, int] = (0, 0)  # tokens of the name with its linked role phrase

    def __post_init__(self):
        if self.block == (0, 0):
            self.block = (self.start, self.end)


@dataclass
class _Draft:
    trigger: _Trigger
    items: list[tuple[_Item, str]]  # (item, how it is tied: "subject", "object", "with", ...)
    rules: list[str]
    place: Span | Any | None = None  # a Span, or a venues.Capital: only its .text is read
    date: Span | None = None
    name: str = ""
    kind: str = ""
