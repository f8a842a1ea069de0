"""Meetings within one document: dates that may name one event, and the clustering of a
document's meeting mentions into events.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta

from pipeline.records import DocResult, MeetingMention, PersonRef
from pipeline.resolve.names import Names, _attach_single_words, group_names
from pipeline.text import fold

KIND_PRIORITY = ("summit", "call", "meeting", "visit")


DAY_SLACK = 1  # days two full dates may differ and still name one event (time zones, late copy)


def date_precision(iso: str) -> int:
    """Return 0 for "", 1 for a year, 2 for a month, 3 for a day."""
    return len(iso.split("-")) if iso else 0


def dates_compatible(a: str, b: str, slack: int = DAY_SLACK) -> bool:
    """Return True when ISO dates a and b can name the same day at the precision each has.

    An empty date fits anything; two full dates fit when at most `slack` days apart.
    """
    if not a or not b:
        return True
    pa, pb = a.split("-"), b.split("-")
    n = min(len(pa), len(pb))
    if pa[:n] == pb[:n]:
        return True
    if len(pa) == len(pb) == 3 and slack:
        try:
            return abs((Date.fromisoformat(a) - Date.fromisoformat(b)).days) <= slack
        except ValueError:
            return False
    return False


def _shift(day: str, days: int) -> str:
    try:
        return (Date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except ValueError:
        return day


def _previous_month(iso: str) -> str:
    try:
        year, month = int(iso[:4]), int(iso[5:7])
    except ValueError:
        return iso[:7]
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _recent_months(anchor: str) -> list[str]:
    """Return the periods an undated report published on `anchor` most likely speaks of."""
    if date_precision(anchor) < 2:
        return [anchor]
    return [anchor[:7], _previous_month(anchor)]


@dataclass
class _Event:
    """A meeting being assembled: counts of kinds, dates, places, names and participants."""

    kinds: Counter = field(default_factory=Counter)
    dates: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    names: Counter = field(default_factory=Counter)  # (is English, name) -> count
    anchors: Counter = field(default_factory=Counter)  # dates of the documents reporting it
    people: Counter = field(default_factory=Counter)
    members: list = field(default_factory=list)
    docs: set = field(default_factory=set)
    last: int = -1  # start of the latest mention merged in (within a document)

    def kind(self) -> str:
        return min(self.kinds, key=KIND_PRIORITY.index) if self.kinds else "meeting"

    def date(self) -> str:
        return min(self.dates, key=lambda d: (-date_precision(d), -self.dates[d], d), default="")

    def anchor(self) -> str:
        return min(self.anchors, key=lambda d: (-date_precision(d), -self.anchors[d], d), default="")

    def place(self, names: Names) -> str:
        return min(self.places, key=lambda p: (-names.place_rank(p), -self.places[p], p), default="")

    def name(self) -> str:
        best = min(self.names, key=lambda n: (not n[0], -self.names[n], n[1]), default=(False, ""))
        return best[1]

    def absorb(self, other: "_Event") -> None:
        for mine, theirs in (
            (self.kinds, other.kinds), (self.dates, other.dates), (self.places, other.places),
            (self.names, other.names), (self.people, other.people), (self.anchors, other.anchors),
        ):
            mine.update(theirs)
        self.members.extend(other.members)
        self.docs |= other.docs
        self.last = max(self.last, other.last)


def _family(kind: str) -> str:
    return {"call": "call", "summit": "summit"}.get(kind, "in-person")


def _fits(a: _Event, b: _Event, names: Names, slack: int, one_doc: bool = False) -> bool:
    """Return True when kinds, dates and places of two events allow them to be one. Within one
    document (`one_doc`) a place the gazetteer does not know (a venue, "the royal palace", or a
    town) fits any other: the text gives the building in one sentence and the city in another."""
    fa, fb = _family(a.kind()), _family(b.kind())
    da, db, pa, pb = a.date(), b.date(), a.place(names), b.place(names)
    if fa != fb:
        if "call" in (fa, fb):
            return False
        # summit and talks: only the same day at the same place
        if not (date_precision(da) == date_precision(db) == 3 and pa and pb):
            return False
    if one_doc and (names.unknown_place(pa) or names.unknown_place(pb)):
        return dates_compatible(da, db, slack)
    return dates_compatible(da, db, slack) and names.places_compatible(pa, pb)


def _anaphoric(mention: MeetingMention, definites: frozenset[str]) -> bool:
    """Return True when the trigger is introduced as known ("the meeting", "la reunión", "Wednesday's talks")."""
    sentence, trigger = fold(mention.sentence), fold(mention.trigger)
    at = sentence.find(trigger) if trigger else -1
    before = sentence[:at].split() if at > 0 else []
    return bool(before) and (before[-1] in definites or before[-1].endswith("'s"))


class _DocContext:
    """What one document says about names, role holders and meetings, derived from it alone."""

    def __init__(self, result: DocResult, names: Names, slack: int):
        self.result = result
        self.names = names
        self.persons: list[tuple[int, int, str, str, str]] = []  # start, end, text, key, display
        texts: dict[str, str] = {}  # one string per distinct name: a long document repeats them
        for m in result.mentions:
            if m.label == "PERSON":
                key, display = names.person(m.text)
                self.persons.append((m.start, m.end, texts.setdefault(m.text, m.text), key, display))
        named = _Spans(sorted(p[:2] for p in self.persons))
        added = _Spans()
        refs = [link.person for link in result.role_links] + [p for mm in result.meetings for p in mm.participants]
        for ref in sorted(refs, key=lambda r: (r.start, r.end, r.text)):
            if ref.role or named.overlaps(ref.start, ref.end) or added.overlaps(ref.start, ref.end):
                continue
            key, display = names.person(ref.text)
            self.persons.append((ref.start, ref.end, ref.text, key, display))
            added.add(ref.start, ref.end)
        counts = Counter(key for *_, key, _ in self.persons if key)
        # Ambiguous partial names stay as they are here and are decided corpus-wide.
        self.local = _attach_single_words(group_names(counts, names)[0])
        self.place_norms = {fold(m.text): m.norm for m in result.mentions if m.label == "PLACE" and m.norm}
        self.titles = sorted(
            (link.start, link.end) for link in result.role_links if not link.person.start <= link.start < link.person.end
        )
        self.holders: dict[tuple[str, str], set[str]] = defaultdict(set)
        for link in result.role_links:
            key = self.key(link.person)
            if key and not link.person.role and link.qualifier != "former":
                self.holders[(link.role, self.place(link.jurisdiction))].add(key)
        self.events, self.event_of = self._cluster(slack)

    def in_title(self, mention) -> bool:
        """True for an organization named inside a linked title ("State" of "Secretary of
        State"): the office, not the organization, is the actor there."""
        return any(start <= mention.start and mention.end <= end for start, end in self.titles)

    def key(self, ref: PersonRef | str) -> str:
        """Return the document-level key of a named person ("" for role-only refs)."""
        if isinstance(ref, PersonRef):
            if ref.role:
                return ""
            ref = ref.text
        key = self.names.person(ref)[0]
        return self.local.get(key, key)

    def place(self, text: str, norm: str = "") -> str:
        """Return the canonical name of a place text, using the norms this document's mentions carry."""
        if not (text or norm):
            return ""
        return self.names.place(text, norm or self.place_norms.get(fold(text), ""))

    def participant(self, ref: PersonRef) -> tuple:
        """Return ("p", key) for a named or locally resolvable person, ("r", role, place) for a role."""
        if not ref.role:
            key = self.key(ref)
            return ("p", key) if key else ()
        jurisdiction = self.place(ref.jurisdiction)
        holders = {
            key for (role, place), keys in self.holders.items() for key in keys
            if role == ref.role and (place == jurisdiction or not jurisdiction)
        }
        if len(holders) == 1:
            return ("p", holders.pop())
        return ("r", ref.role, jurisdiction) if jurisdiction else ()

    def _cluster(self, slack: int) -> tuple[list[_Event], list[int]]:
        events: list[_Event] = []
        event_of = [0] * len(self.result.meetings)
        order = sorted(range(len(self.result.meetings)), key=lambda i: (self.result.meetings[i].start, i))
        english = self.result.document.lang == "en"
        for i in order:
            m = self.result.meetings[i]
            one = _Event(kinds=Counter([m.kind]), last=m.start)
            one.people.update(p for p in map(self.participant, m.participants) if p)
            if m.date:
                one.dates[m.date] += 1
            if m.place:
                one.places[self.place(m.place)] += 1
            if m.name:
                one.names[(english, m.name)] += 1
            fitting = [e for e in events if _fits(e, one, self.names, slack, one_doc=True)]
            shared = [e for e in fitting if set(e.people) & set(one.people)]
            target = None
            if shared:
                target = max(shared, key=lambda e: (len(set(e.people) & set(one.people)), e.last))
            elif fitting and _anaphoric(m, self.names.definites):
                target = max(fitting, key=lambda e: e.last)
            elif len(fitting) == 1 and not (one.people and fitting[0].people):
                target = fitting[0]
            if target is None:
                target = _Event()
                events.append(target)
            target.absorb(one)
            target.members.append(i)
            event_of[i] = events.index(target)
        return events, event_of


class _Spans:
    """Spans added in order of their start; `overlaps` looks one up in logarithmic time (a long
    document's role links checked against all its names one by one would take hours)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.reach: list[int] = []  # the furthest end of the spans up to each one
        for start, end in spans:
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        """Add a span starting at or after every span added before."""
        self.starts.append(start)
        self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def overlaps(self, start: int, end: int) -> bool:
        """Return True when a span added shares a character with start..end."""
        before = bisect_left(self.starts, end)  # the spans that start before `end`
        return before > 0 and self.reach[before - 1] > start


@dataclass(frozen=True)
class _Record:
    """One meeting of one document, as the corpus reduce needs it."""

    doc: str
    index: int
    kind: str
    people: tuple
    date: str
    place: str
    names: tuple  # ((is English, name), count) pairs
    anchor: str  # the document's date, placing an undated meeting
