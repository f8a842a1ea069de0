"""`make bench` stages: CPU per document of each step, for every language of the corpus."""

from __future__ import annotations

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.tools.bench import probe_stages

pytestmark = pytest.mark.model


def test_bench_stages_times_every_step_of_each_language():
    figures = probe_stages(str(PROJECT_ROOT / "data" / "news"), 5, 32)
    assert figures["documents"] == {"all": 5, "en": 3, "es": 2}
    times = figures["ms_per_document"]
    for lang in ("en", "es"):
        for step in ("load pipeline", "tokenizer", "tok2vec", "parser", "attribute_ruler", "ner", "rule layer",
                     "attribute_ruler matching, spaCy's", "attribute_ruler matching, indexed",
                     "store parse, token table", "store parse, DocBin", "words for rule edits"):
            assert times[f"{lang} {step}"] > 0, (lang, step)
    assert times["load language detector"] > 0 and times["detect language"] > 0
