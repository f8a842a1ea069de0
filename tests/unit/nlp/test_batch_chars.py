"""Memory bounded by design: spaCy is handed batches of at most [run] batch_chars characters (a long
document's chunks one budget at a time, not 32 chunks at once), and long texts are cut into chunks
no longer than the budget, so what one parser holds does not depend on a document's length."""

from __future__ import annotations

import spacy

from pipeline.config import RunSettings
from pipeline.nlp import analysis


class _Recording:
    """A blank English pipeline whose pipe records the characters of every batch it is handed."""

    def __init__(self):
        self.nlp = spacy.blank("en")
        self.batches: list[int] = []

    def pipe(self, tasks, as_tuples, batch_size, disable):
        tasks = list(tasks)
        self.batches.append(sum(len(text) for text, _ in tasks))
        assert batch_size >= len(tasks)
        return ((self.nlp.make_doc(text), context) for text, context in tasks)


def test_batch_chars_bound_every_spacy_batch():
    budget = 50_000
    texts = [("word " * 2_000, i) for i in range(40)]  # 40 texts of 10,000 characters
    recording = _Recording()
    parsed = list(analysis.parse(recording, texts, 32, None, budget))
    assert len(parsed) == 40 and [context for _, context in parsed] == list(range(40))
    assert max(recording.batches) <= budget and len(recording.batches) == 8
    # without the budget the 32-text count alone decides: 320,000 characters at once
    recording = _Recording()
    list(analysis.parse(recording, texts, 32, None, None))
    assert max(recording.batches) == 320_000


def test_batch_chars_cut_long_texts_to_the_budget():
    run = RunSettings(max_chars=200_000, batch_chars=50_000)
    assert run.chunk_chars == 50_000
    text = ("A sentence of words. " * 20 + "\n\n") * 500  # 212,000 characters
    from pipeline.corpus import iter_split

    chunks = list(iter_split(text, run.chunk_chars))
    assert max(len(chunk) for _, chunk in chunks) <= 50_000 and "".join(c for _, c in chunks) == text
    assert RunSettings().chunk_chars == 50_000  # texts under 50,000 characters are parsed whole, as before


def test_batch_chars_one_long_text_is_its_own_batch():
    recording = _Recording()
    list(analysis.parse(recording, [("x " * 40_000, 0), ("y", 1), ("z", 2)], 32, None, 1_000))
    assert recording.batches == [80_000, 2]
