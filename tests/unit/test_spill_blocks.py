"""spill: a long document's mentions written in blocks and read back, as often as needed,
one block at a time."""

from __future__ import annotations

import pickle
import tempfile
import tracemalloc

import pytest

from pipeline import spill
from pipeline.records import Mention


def mentions(count: int, start: int = 0) -> list[Mention]:
    return [
        Mention(doc="d", lang="en", label="PERSON", text=f"Name {n}", start=10 * n, end=10 * n + 6,
                sentence=f"Sentence {n // 3} names someone.", sent_start=30 * (n // 3), rules=["ent.person"])
        for n in range(start, start + count)
    ]


def spilled(records: list[Mention], file) -> spill.Spilled:
    writer = spill.Spiller(file)
    half = len(records) // 2
    writer.add(records[:half])  # added in two parts, as pieces come
    writer.add(iter(records[half:]))
    return writer.done()


@pytest.mark.parametrize("count", [0, 1, spill.BLOCK, spill.BLOCK + 1, 3 * spill.BLOCK + 5])
def test_spill_gives_back_every_mention_each_time(count):
    records = mentions(count)
    with tempfile.TemporaryFile() as file:
        stored = spilled(records, file)
        assert len(stored) == count
        assert list(stored) == records and list(stored) == records
        with tempfile.TemporaryFile() as other:
            other.write(b"before")
            copy = stored.copy_to(other)
            other.flush()
            assert copy.start == 6 and list(copy) == records
        assert pickle.loads(pickle.dumps(stored)) == records  # another process gets the records themselves


def test_spill_files_hold_two_documents_apart():
    with tempfile.TemporaryFile() as file:
        first, second = spilled(mentions(5), file), spilled(mentions(7, start=100), file)
        assert list(first) == mentions(5) and list(second) == mentions(7, start=100)


def _peak_while_reading(count: int) -> int:
    with tempfile.TemporaryFile() as file:
        stored = spilled(mentions(count), file)
        tracemalloc.start()
        try:
            for _ in stored:
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_spill_reading_holds_one_block_whatever_the_count():
    small, large = _peak_while_reading(4 * spill.BLOCK), _peak_while_reading(32 * spill.BLOCK)
    # a list of the large one's records alone would take eight times the small one's
    assert large < 1.5 * small
