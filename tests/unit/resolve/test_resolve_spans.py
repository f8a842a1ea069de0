"""events._Spans: whether a span overlaps any span added, as a scan of all of them would say."""

from __future__ import annotations

import random

import pytest

from pipeline.resolve.events import _Spans


@pytest.mark.parametrize("spans,query,expected", [
    ([], (0, 5), False),
    ([(0, 5)], (5, 9), False),  # touching is not overlapping
    ([(0, 5)], (4, 9), True),
    ([(0, 100), (10, 12)], (50, 60), True),  # inside a long span that starts earlier
    ([(10, 12), (20, 30)], (12, 20), False),
    ([(10, 12), (20, 30)], (0, 11), True),
])
def test_resolve_spans_overlap(spans, query, expected):
    assert _Spans(spans).overlaps(*query) is expected


def test_resolve_spans_agree_with_a_scan():
    rng = random.Random(7)
    for _ in range(200):
        spans = sorted((s, s + rng.randrange(1, 30)) for s in rng.sample(range(500), 20))
        found = _Spans(spans)
        for _ in range(20):
            start = rng.randrange(520)
            end = start + rng.randrange(1, 40)
            assert found.overlaps(start, end) == any(s < end and start < e for s, e in spans)
