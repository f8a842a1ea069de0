"""The real models' attribute rulers, indexed, give the annotations spaCy's own ruler gives."""

from __future__ import annotations

import pytest
from spacy.tokens.doc import DOCBIN_ALL_ATTRS

from pipeline import corpus
from pipeline.config import PROJECT_ROOT, load_settings
from pipeline.nlp.attribute_ruler import IndexedAttributeRuler
from pipeline.nlp.lines import NAME as LINES
from pipeline.nlp.models import load_model, load_spacy

pytestmark = pytest.mark.model


@pytest.mark.parametrize("lang", ["en", "es"])
def test_attribute_ruler_models_annotate_as_spacy(lang):
    settings = load_settings()
    texts = [d.text for d in corpus.iter_documents(PROJECT_ROOT / "data" / "news") if d.lang == lang]
    texts += [" ".join(reversed(text.split())) for text in texts]  # odd tag sequences too
    ours, plain = load_model(lang, settings), load_spacy(settings.model_ref(lang))
    if LINES in ours.pipe_names:  # the same sentence starts on both sides: only the ruler differs
        plain.add_pipe(LINES, before="parser")
    assert isinstance(ours.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    attrs = [*DOCBIN_ALL_ATTRS, "SPACY"]
    for mine, theirs in zip(ours.pipe(texts), plain.pipe(texts), strict=True):
        assert mine.to_array(attrs).tolist() == theirs.to_array(attrs).tolist()
