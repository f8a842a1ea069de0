"""Plain records that leave spaCy: the seam between per-document work and the corpus reduce.

Everything before these records runs per document (and may run in another process or on
another machine); everything after them is a reduce over records. No spaCy object is ever
stored here, so records pickle cheaply between processes and into the run's spool file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter

LABELS = ("PERSON", "ORG", "PLACE", "DATE", "NORP", "NUMBER", "MISC")
MEETING_KINDS = ("meeting", "visit", "call", "summit")
UNDIRECTED = frozenset({"met_with", "co_occurs"})  # relations without a direction: one edge per pair


@dataclass
class Counts:
    """Counters that add up across processes (CacheStats, ReuseStats); subclasses declare int fields."""

    def add(self, other: "Counts") -> None:
        """Add another process's counts into this one."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def since(self, before: "Counts") -> "Counts":
        """Return the counts gained since `before`, a copy of these taken earlier."""
        return type(self)(**{f.name: getattr(self, f.name) - getattr(before, f.name) for f in fields(self)})


@dataclass
class Document:
    """One input article. `status` is ok, skipped or error; `reason` says why when not ok."""

    id: str
    text: str = ""
    path: str = ""
    lang: str = ""
    date: str = ""  # publication date, ISO, may be partial ("2023-12")
    title: str = ""
    url: str = ""
    source: str = ""
    status: str = "ok"
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    line: int = 0  # line number inside a JSONL file, 0 for .txt


@dataclass
class Piece(Document):
    """A stretch of a long document, analysed as a document of its own (pipeline/engines.py).

    `offset` is where its text starts in the whole document; `cuts` are the starts of its
    chunks within it, the ones the whole text was cut at, so its records are those the whole
    document would have.
    """

    offset: int = 0
    cuts: list[int] = field(default_factory=list)


@dataclass
class Mention:
    """One entity mention. Offsets are character offsets into the document text."""

    doc: str
    lang: str
    label: str  # one of LABELS
    text: str
    start: int
    end: int
    sentence: str
    sent_start: int  # character offset of the sentence, groups mentions by sentence
    value: float | None = None  # NUMBER: normalised numeric value
    qualifier: str = ""  # NUMBER: "more than", "about", "at least" ...
    norm: str = ""  # DATE: ISO date; NORP and PLACE: canonical place name
    rules: list[str] = field(default_factory=list)  # ids of rules that set or fixed it


@dataclass
class PersonRef:
    """A person as one document names them, or a role standing for them ("his counterpart")."""

    text: str
    start: int
    end: int
    role: str = ""  # set when the reference is a role, not a name
    jurisdiction: str = ""


@dataclass
class RoleLink:
    """A person holding a role, found in one sentence."""

    doc: str
    lang: str
    person: PersonRef
    role: str  # canonical English label, "Secretary of State"
    role_id: str  # id of the role entry in roles.yml
    jurisdiction: str = ""  # canonical place, "Mexico"
    organization: str = ""  # "White House", "U.S. Customs and Border Protection"
    qualifier: str = ""  # "former", "acting", ...
    text: str = ""  # the role phrase as written
    start: int = 0  # evidence span: role phrase and name together
    end: int = 0
    sentence: str = ""
    rules: list[str] = field(default_factory=list)


@dataclass
class MeetingMention:
    """One report of a meeting, visit, call or summit, found around a trigger word."""

    doc: str
    lang: str
    kind: str  # one of MEETING_KINDS
    trigger: str
    start: int
    end: int
    participants: list[PersonRef] = field(default_factory=list)
    place: str = ""  # surface text of the place
    date: str = ""  # ISO, may be partial
    date_text: str = ""
    name: str = ""  # event name when the text gives one ("North American Leaders' Summit")
    sentence: str = ""
    rules: list[str] = field(default_factory=list)


@dataclass
class DocResult:
    """Everything the rule layer found in one document."""

    document: Document
    mentions: list[Mention] = field(default_factory=list)  # a long document's: on disk (pipeline/spill.py)
    role_links: list[RoleLink] = field(default_factory=list)
    meetings: list[MeetingMention] = field(default_factory=list)
    ref_date: str = ""  # date relative expressions were resolved against
    ref_date_source: str = ""  # "metadata", "text" (latest full date in the text) or ""


# Records as plain tuples, for the cache and the run's spool: pickle rebuilds a dataclass
# instance field by field (about 6 µs for a Mention), a tuple of strings and numbers in a
# fraction of that. Field order is the dataclasses' own, so a new field needs no change here.
_VALUES = {cls: attrgetter(*(f.name for f in fields(cls))) for cls in (Mention, PersonRef, RoleLink, MeetingMention)}
_PERSON_AT = [f.name for f in fields(RoleLink)].index("person")
_PARTICIPANTS_AT = [f.name for f in fields(MeetingMention)].index("participants")
Packed = tuple  # (mentions, role_links, meetings, ref_date, ref_date_source) as tuples


def pack(result: DocResult) -> Packed:
    """Return the records of a DocResult (not its Document) as nested tuples; see `unpack`."""
    person = _VALUES[PersonRef]
    links = []
    for link in result.role_links:
        values = list(_VALUES[RoleLink](link))
        values[_PERSON_AT] = person(link.person)
        links.append(values)
    meetings = []
    for meeting in result.meetings:
        values = list(_VALUES[MeetingMention](meeting))
        values[_PARTICIPANTS_AT] = [person(p) for p in meeting.participants]
        meetings.append(values)
    return pack_mentions(result.mentions), links, meetings, result.ref_date, result.ref_date_source


def pack_mentions(mentions) -> list[tuple]:
    """Return mentions (any iterable of them) as tuples of their values, in field order."""
    return list(map(_VALUES[Mention], mentions))


def unpack(document: Document, packed: Packed) -> DocResult:
    """Return the DocResult of `document` whose records `pack` turned into `packed`."""
    mentions, links, meetings, ref_date, ref_date_source = packed
    role_links = []
    for values in links:
        values = list(values)
        values[_PERSON_AT] = PersonRef(*values[_PERSON_AT])
        role_links.append(RoleLink(*values))
    events = []
    for values in meetings:
        values = list(values)
        values[_PARTICIPANTS_AT] = [PersonRef(*p) for p in values[_PARTICIPANTS_AT]]
        events.append(MeetingMention(*values))
    return DocResult(document, [Mention(*m) for m in mentions], role_links, events, ref_date, ref_date_source)
