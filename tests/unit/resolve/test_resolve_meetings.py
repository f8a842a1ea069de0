"""Meeting resolution: merging within a document, across documents and languages, and meeting nodes."""

from __future__ import annotations

import itertools

import pytest

from pipeline.resolve.events import dates_compatible
from tests.helpers import (
    AMLO,
    BARCENA,
    BIDEN,
    BLINKEN,
    MAYORKAS,
    MEXICAN_PRESIDENT,
    SHERWOOD,
    TRUDEAU,
    FakeGazetteer,
    corpus,
    names_doc,
    resolve,
)


def meeting_nodes(res, docs):
    """Return {meeting node: set of (doc id, mention index)} for every mention that resolved."""
    found: dict[str, set] = {}
    for doc in docs:
        view = res.view(doc)
        for index in range(len(doc.meetings)):
            node = view.meeting(index)
            if node:
                found.setdefault(node, set()).add((doc.document.id, index))
    return found


@pytest.mark.parametrize(
    "a,b,fits",
    [
        ("2023-12", "2023-12-27", True),
        ("2023", "2023-12-27", True),
        ("2023-01", "2023-12-27", False),
        ("2023-12-27", "2023-12-27", True),
        ("2023-12-26", "2023-12-27", True),
        ("2023-12-20", "2023-12-27", False),
        ("2023-11-30", "2023-12-01", True),
        ("", "2023-12-27", True),
    ],
)
def test_resolve_dates_compatible(a, b, fits):
    assert dates_compatible(a, b) is fits
    assert dates_compatible(b, a) is fits


def test_resolve_meetings_seed_like_corpus():
    docs = corpus()
    res = resolve(docs, FakeGazetteer())
    nodes = meeting_nodes(res, docs)
    by_kind = {res.meetings[n].kind: n for n in nodes}
    assert sorted(by_kind) == ["call", "meeting", "summit"] and len(nodes) == 3
    talks = res.meetings[by_kind["meeting"]]
    assert {doc for doc, _ in nodes[talks.id]} == {"es-1", "en-1", "en-2", "es-2", "en-3"}
    assert (talks.place_label, talks.date) == ("Mexico City", "2023-12-27")
    assert {res.person_label[p] for p in talks.participants} == {BLINKEN, MAYORKAS, SHERWOOD, AMLO, BARCENA}
    assert talks.label == "Meeting: Bárcena, Blinken, López Obrador, Mayorkas, Sherwood-Randall — Mexico City, 2023-12-27"
    call = res.meetings[by_kind["call"]]
    assert {doc for doc, _ in nodes[call.id]} == {"es-1", "en-1", "en-2"}
    assert {res.person_label[p] for p in call.participants} == {BIDEN, AMLO}
    summit = res.meetings[by_kind["summit"]]
    assert (summit.label, summit.date, summit.place_label) == ("Cumbre de Líderes de América del Norte", "2023-01", "Mexico City")


def test_resolve_meetings_order_independent():
    docs = corpus()
    seen = set()
    for order in itertools.islice(itertools.permutations(docs), 0, 120, 7):
        res = resolve(order, FakeGazetteer())
        seen.add((tuple(sorted(res.meeting_of.items())), tuple(sorted((k, repr(v)) for k, v in res.meetings.items()))))
    assert len(seen) == 1


def _pair(first: dict, second: dict, people_a=(BLINKEN, AMLO), people_b=(BLINKEN, AMLO), published=""):
    a = names_doc("a", [BLINKEN, AMLO, MAYORKAS, TRUDEAU, BIDEN], meetings=[dict(people=list(people_a), **first)])
    b = names_doc("b", [BLINKEN, AMLO, MAYORKAS, TRUDEAU, BIDEN], lang="es", date=published,
                  meetings=[dict(people=list(people_b), **second)])
    res = resolve([a, b], FakeGazetteer())
    return res, res.view(a).meeting(0), res.view(b).meeting(0)


@pytest.mark.parametrize(
    "first,second,merged",
    [
        (dict(kind="meeting", date="2023-12"), dict(kind="meeting", date="2023-12-27"), True),
        (dict(kind="meeting", date="2023-01"), dict(kind="meeting", date="2023-12-27"), False),
        (dict(kind="call", date="2023-12-27"), dict(kind="meeting", date="2023-12-27"), False),
        (dict(kind="call", date="2023-12-27"), dict(kind="call", date="2023-12-28"), True),
        (dict(kind="visit", date="2023-12-27", place="Mexico"), dict(kind="meeting", date="2023-12-27"), True),
        (dict(kind="summit", date="2023-12-27", place="Mexico City"), dict(kind="meeting", date="2023-12-27", place="Ciudad de México"), True),
        (dict(kind="summit", date="2023-12-27", place="Mexico City"), dict(kind="meeting", date="2023-12-27"), False),
        (dict(kind="meeting", date="2023-12-27", place="Mexico City"), dict(kind="meeting", date="2023-12-27", place="Guadalajara"), False),
        (dict(kind="meeting", date="2023-12-27", place="Mexico"), dict(kind="meeting", date="2023-12-27", place="Mexico City"), True),
        (dict(kind="meeting", date="2023-12-27"), dict(kind="meeting"), True),
        (dict(kind="meeting", date="2023-11-30"), dict(kind="meeting", date="2023-12-01"), True),
    ],
)
def test_resolve_meetings_cross_document(first, second, merged):
    res, a, b = _pair(first, second)
    assert a and b
    assert (a == b) is merged


@pytest.mark.parametrize(
    "people_a,people_b,merged",
    [
        ((BLINKEN, AMLO, MAYORKAS), (BLINKEN,), True),
        ((BLINKEN, AMLO, MAYORKAS), (BLINKEN, TRUDEAU, BIDEN), False),
        ((BLINKEN, AMLO, MAYORKAS), (BLINKEN, AMLO, TRUDEAU), True),
        ((BLINKEN,), (AMLO,), False),
    ],
)
def test_resolve_meetings_need_participant_overlap(people_a, people_b, merged):
    day = dict(kind="meeting", date="2023-12-27")
    _, a, b = _pair(day, day, people_a, people_b)
    assert (a == b) is merged


@pytest.mark.parametrize(
    "people_b,published,merged",
    [
        ((BLINKEN, AMLO), "", True),
        ((BLINKEN,), "", False),
        ((BLINKEN, AMLO), "2024-06-01", False),
        ((BLINKEN, AMLO), "2024-01-03", True),
        ((BLINKEN, AMLO), "2023-12", True),
    ],
)
def test_resolve_meetings_undated_report_needs_two_shared_people_and_a_recent_document(people_b, published, merged):
    _, a, b = _pair(dict(kind="meeting", date="2023-12-27"), dict(kind="meeting"), people_b=people_b, published=published)
    assert (a == b) is merged


def test_resolve_meetings_undated_reports_merge_with_each_other():
    _, a, b = _pair(dict(kind="call"), dict(kind="call"), published="2023-12-30")
    assert a == b


def test_resolve_meetings_same_name_merges_without_shared_people():
    first = dict(kind="summit", date="2023-01-10", name="North American Leaders' Summit")
    _, a, b = _pair(first, dict(first), (BIDEN,), (TRUDEAU,))
    assert a == b


def test_resolve_meetings_merged_attributes():
    res, a, b = _pair(dict(kind="visit", date="2023-12", place="Mexico"), dict(kind="meeting", date="2023-12-27", place="Mexico City"))
    info = res.meetings[a]
    assert a == b
    assert (info.kind, info.date, info.place, info.place_label) == ("meeting", "2023-12-27", "place:mexico-city", "Mexico City")


def test_resolve_meetings_vague_report_between_two_meetings_stays_apart():
    docs = [
        names_doc("a", [BLINKEN, AMLO], meetings=[dict(kind="meeting", people=[BLINKEN, AMLO], date="2023-12-03")]),
        names_doc("b", [BLINKEN, TRUDEAU], meetings=[dict(kind="meeting", people=[BLINKEN, TRUDEAU], date="2023-12-20")]),
        names_doc("c", [BLINKEN], meetings=[dict(kind="meeting", people=[BLINKEN], date="2023-12")]),
    ]
    res = resolve(docs)
    assert len({res.view(d).meeting(0) for d in docs}) == 3


@pytest.mark.parametrize(
    "second,same",
    [
        (dict(kind="meeting", trigger="meeting", sentence="the meeting was requested", people=[TRUDEAU]), True),
        (dict(kind="meeting", trigger="talks", sentence="talks were held", date="2023-12-27"), True),
        (dict(kind="meeting", trigger="met", sentence="Trudeau met Biden", people=[TRUDEAU, BIDEN]), False),
        (dict(kind="call", trigger="call", sentence="the call", people=[BLINKEN]), False),
        (dict(kind="meeting", trigger="meeting", sentence="the meeting", date="2023-10"), False),
    ],
)
def test_resolve_meetings_within_document(second, same):
    first = dict(kind="meeting", people=[BLINKEN, AMLO], date="2023-12-27", place="Mexico City", start=0)
    doc = names_doc("d", [BLINKEN, AMLO, TRUDEAU, BIDEN], meetings=[first, dict(start=5, **second)])
    view = resolve([doc], FakeGazetteer()).view(doc)
    assert (view.ctx.event_of[0] == view.ctx.event_of[1]) is same


def test_resolve_meetings_without_participants_or_name_are_dropped():
    doc = names_doc("d", [BLINKEN], meetings=[dict(kind="meeting", trigger="meetings", sentence="many meetings", date="2023-12-27")])
    res = resolve([doc])
    assert res.view(doc).meeting(0) == "" and res.meetings == {}


def test_resolve_meetings_role_only_participant_uses_document_holder():
    doc = names_doc("d", [BIDEN, AMLO, "López Obrador"], roles=[(AMLO, "President", "Mexico")],
                    meetings=[dict(kind="call", people=[BIDEN, MEXICAN_PRESIDENT], date="2023-12-20")])
    res = resolve([doc], FakeGazetteer())
    info = res.meetings[res.view(doc).meeting(0)]
    assert sorted(res.person_label[p] for p in info.participants) == [AMLO, BIDEN]
    assert info.label == "Call: Biden, López Obrador — 2023-12-20"


@pytest.mark.parametrize(
    "place,same",
    [
        ("National Palace", True),  # a venue the gazetteer does not know: the city's building
        ("Mexico City", True),
        ("Guadalajara", False),  # another known city: another meeting
    ],
)
def test_resolve_meetings_within_document_venue_fits_city(place, same):
    first = dict(kind="meeting", people=[BLINKEN, AMLO], date="2023-12-27", place="Mexico City", start=0)
    second = dict(kind="meeting", trigger="meeting", sentence="the meeting", people=[MAYORKAS], place=place, start=5)
    doc = names_doc("d", [BLINKEN, AMLO, MAYORKAS], meetings=[first, second])
    view = resolve([doc], FakeGazetteer()).view(doc)
    assert (view.ctx.event_of[0] == view.ctx.event_of[1]) is same


@pytest.mark.parametrize(
    "date,published,expected",
    [
        ("", "2023-12-28", "2023-12-28"),  # no date in the text: the report's date
        ("2023-12-27", "2023-12-28", "2023-12-27"),  # the text's own date wins
        ("", "", ""),
    ],
)
def test_resolve_meetings_undated_meeting_takes_publication_date(date, published, expected):
    doc = names_doc("d", [BLINKEN, AMLO], date=published, meetings=[dict(kind="meeting", people=[BLINKEN, AMLO], date=date)])
    res = resolve([doc], FakeGazetteer())
    assert res.meetings[res.view(doc).meeting(0)].date == expected
