"""records.pack / unpack: the tuples the cache, the spool and the workers exchange."""

from __future__ import annotations

import pickle

import pytest

from pipeline.records import DocResult, Document, MeetingMention, Mention, PersonRef, RoleLink, pack, unpack

BLINKEN = PersonRef(text="Antony Blinken", start=20, end=34)
COUNTERPART = PersonRef(text="su homóloga", start=50, end=61, role="Foreign Minister", jurisdiction="Mexico")

CASES = {
    "empty": DocResult(Document(id="a")),
    "everything": DocResult(
        Document(id="b", lang="en", warnings=["language guessed"]),
        mentions=[
            Mention("b", "en", "PERSON", "Antony Blinken", 20, 34, "Secretary of State Antony Blinken met...", 0, rules=["en.map.person"]),
            Mention("b", "en", "NUMBER", "more than 10,000", 70, 86, "", 60, value=10000.0, qualifier="more than"),
        ],
        role_links=[RoleLink("b", "en", BLINKEN, "Secretary of State", "role.secretary_of_state", "United States", text="Secretary of State", rules=["r1"])],
        meetings=[MeetingMention("b", "en", "meeting", "met", 35, 38, [BLINKEN, COUNTERPART], place="Mexico City", date="2023-12-27", rules=["t1", "t2"])],
        ref_date="2023-12-28",
        ref_date_source="metadata",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_records_pack_round_trips_through_pickle(name):
    result = CASES[name]
    back = unpack(result.document, pickle.loads(pickle.dumps(pack(result))))
    assert back == result
    assert all(isinstance(p, PersonRef) for m in back.meetings for p in m.participants)
