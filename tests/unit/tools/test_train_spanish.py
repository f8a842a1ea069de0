"""Training data conversion and a few-step training run on small synthetic CoNLL files."""

import json
import warnings
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from pipeline.config import PROJECT_ROOT, load_settings
from pipeline.tools import train

DATA = Path(__file__).parents[1] / "data" / "ner"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def test_train_docbin_keeps_entities_and_sentences(tmp_path):
    out = tmp_path / "es.spacy"
    assert train.to_docbin([DATA / "conll2002-es/esp.testb"], out, doc_sentences=10) == 11
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("es").vocab))
    assert len(docs) == 1
    assert [[e.text, e.label_] for e in docs[0].ents] == EXPECTED["files"]["conll2002-es/esp.testb"]["entities"]
    assert [s.text for s in docs[0].sents] == ["La reina Victoria visitó Madrid .", "El Banco Mundial habló ."]


def test_train_convert_writes_into_work_dir(tmp_path):
    paths = train.convert(DATA, tmp_path, ("conll2002-es",))
    assert all(p.is_file() and p.is_relative_to(tmp_path) for p in paths)


def test_train_work_dir_is_outside_the_repo():
    assert not train.DEFAULT_WORK_DIR.resolve().is_relative_to(PROJECT_ROOT)


@pytest.mark.model
def test_train_spanish_few_steps_ships_parser_and_ner(tmp_path):
    tiny = {"training.max_steps": 2, "training.eval_frequency": 1}
    output = train.train_spanish(DATA, load_settings(), tmp_path / "model", work_dir=tmp_path / "work", overrides=tiny)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        nlp = spacy.load(output)
    assert nlp.pipe_names == [*train.BASE_PIPES, "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG", "MISC"}
    assert nlp.get_pipe("ner").model.get_ref("tok2vec") is not nlp.get_pipe("tok2vec").model
    assert nlp.meta["actorgraph_training"]["sources"] == ["conll2002-es"]
