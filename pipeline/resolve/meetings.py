"""Meetings across documents: events of several documents merged into one meeting node."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from pipeline.resolve.events import (
    _Event,
    _fits,
    _previous_month,
    _recent_months,
    _Record,
    _shift,
    date_precision,
    dates_compatible,
)
from pipeline.resolve.names import slug
from pipeline.text import fold

if TYPE_CHECKING:  # annotations only: the resolution builds its meetings here
    from pipeline.resolve.resolution import Resolution


@dataclass
class MeetingInfo:
    """A meeting node as resolution decided it."""

    id: str
    kind: str
    date: str
    place: str  # place node id, or ""
    place_label: str
    name: str
    label: str
    participants: list[str]  # person node ids


class _Meetings:
    """Greedy, blocked merge of per-document meetings into corpus meeting nodes."""

    def __init__(self, res: "Resolution", slack: int):
        self.res = res
        self.slack = slack
        self.groups: list[_Event] = []
        self.by_person: dict[tuple[str, str, str], set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)

    def _resolve(self, token: tuple) -> str:
        if token[0] == "p":
            return self.res.person_map.get(token[1], "")
        return self.res.holders.get((token[1], token[2]), "")

    def _event(self, record: _Record) -> _Event:
        event = _Event(kinds=Counter([record.kind]), members=[(record.doc, record.index)], docs={record.doc})
        event.people.update(p for p in map(self._resolve, record.people) if p)
        if record.date:
            event.dates[record.date] += 1
        if record.place:
            event.places[record.place] += 1
        event.names.update(dict(record.names))
        if record.anchor:
            event.anchors[record.anchor] += 1
        return event

    def _index_keys(self, event: _Event) -> Iterable[tuple[str, str, str]]:
        day = event.date()
        for person in event.people:
            yield person, "all", ""
            if not day:
                yield person, "undated", ""
                continue
            yield person, "any", day[:4]
            yield (person, "month", day[:7]) if date_precision(day) > 1 else (person, "year", day[:4])

    def _query_keys(self, event: _Event) -> Iterable[tuple[str, str, str]]:
        day, anchor = event.date(), event.anchor()
        months = {day[:7]}
        if date_precision(day) == 3:
            months |= {_shift(day, -self.slack)[:7], _shift(day, self.slack)[:7]}
        elif not day and date_precision(anchor) > 1:
            months = {anchor[:7], _previous_month(anchor)}
        for person in event.people:
            if not day and not anchor:
                yield person, "all", ""
            elif date_precision(day or anchor) == 1:
                yield person, "any", (day or anchor)[:4]
            else:
                yield person, "year", (day or anchor)[:4]
                yield from ((person, "month", month) for month in sorted(months))
            if not day:
                yield person, "undated", ""

    def _candidates(self, event: _Event) -> set[int]:
        found: set[int] = set()
        for block in self._query_keys(event):
            found |= self.by_person.get(block, set())
        for _, name in event.names:
            found |= self.by_name.get(self.res.names.plain_key(name), set())
        return found

    def _score(self, group: _Event, event: _Event) -> tuple | None:
        day, anchor = event.date(), event.anchor()
        if group.docs & event.docs or not _fits(group, event, self.res.names, self.slack):
            return None
        if not day:
            # An undated report is placed by its document's date: that month or the one before.
            other = group.date() or group.anchor()
            if anchor and other and not any(dates_compatible(other, m, 0) for m in _recent_months(anchor)):
                return None
        elif not group.date():
            return None
        key = self.res.names.plain_key
        same_name = bool({key(n) for _, n in group.names} & {key(n) for _, n in event.names})
        shared = len(set(group.people) & set(event.people))
        needed = max(1 if day else 2, math.ceil(min(len(group.people), len(event.people)) / 2))
        if not same_name and shared < needed:
            return None
        return (same_name, shared, group.date() == day, group.place(self.res.names) == event.place(self.res.names))

    def build(self, records: list[_Record]) -> None:
        events = [self._event(r) for r in records]
        names = self.res.names
        events.sort(key=lambda e: (
            -date_precision(e.date()), -bool(e.anchor()), -len(e.people), -names.place_rank(e.place(names)), e.members,
        ))
        for event in events:
            scores = {}
            for index in sorted(self._candidates(event)):
                score = self._score(self.groups[index], event)
                if score is not None:
                    scores[index] = score
            top = max(scores.values(), default=None)
            winners = [i for i, s in scores.items() if s == top]
            best = winners[0] if len(winners) == 1 else len(self.groups)
            if best == len(self.groups):
                self.groups.append(_Event())
            group = self.groups[best]
            group.absorb(event)
            for block in self._index_keys(group):
                self.by_person[block].add(best)
            for _, name in group.names:
                self.by_name[self.res.names.plain_key(name)].add(best)
        self._nodes()

    def _nodes(self) -> None:
        res, names = self.res, self.res.names
        kept = [g for g in self.groups if g.people or g.names]
        infos = []
        for group in kept:
            people = sorted(group.people, key=lambda p: (fold(res.person_short.get(p, p)), p))
            place = group.place(names)
            place_id = "place:" + slug(place) if place else ""
            place_label = res.place_label.get(slug(place), place)
            shorts = [res.person_short.get(p, p) for p in people]
            if len(shorts) > 5:
                shorts = shorts[:5] + [f"+{len(people) - 5}"]
            # A meeting no text dates is dated by its report: the publication date.
            date = group.date() or group.anchor()
            where = ", ".join(x for x in (place_label, date) if x)
            label = group.name() or f"{group.kind().capitalize()}: {', '.join(shorts)}" + (f" — {where}" if where else "")
            infos.append((group, MeetingInfo("", group.kind(), date, place_id, place_label, group.name(), label, people)))
        infos.sort(key=lambda x: (x[1].date, x[1].place, x[1].label, sorted(x[0].members)))
        width = max(4, len(str(len(infos))))
        for number, (group, info) in enumerate(infos, start=1):
            info.id = f"meeting:{number:0{width}d}"
            res.meetings[info.id] = info
            for member in group.members:
                res.meeting_of[member] = info.id
