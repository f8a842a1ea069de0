"""Benchmark readers, label mapping and scoring on small synthetic CoNLL files."""

import json
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.config import load_settings
from pipeline.tools import evaluate

DATA = Path(__file__).parents[1] / "data" / "ner"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _spans(doc: Doc) -> list[list[str]]:
    return [[e.text, e.label_] for e in doc.ents]


def _doc_with(nlp, text: str, ents: list[list[str]]) -> Doc:
    doc = nlp.make_doc(text)
    spans = []
    for surface, label in ents:
        start = text.index(surface)
        spans.append(doc.char_span(start, start + len(surface), label=label))
    doc.ents = spans
    return doc


@pytest.mark.parametrize("tags, want", EXPECTED["to_iob2"])
def test_evaluate_to_iob2(tags, want):
    assert evaluate.to_iob2(tags) == want


@pytest.mark.parametrize("name", sorted(EXPECTED["files"]))
def test_evaluate_reads_gold_entities(name):
    case = EXPECTED["files"][name]
    sentences = evaluate.read_sentences(DATA / name, doc_marker=case["doc_marker"])
    assert [s.doc_start for s in sentences] == case["doc_starts"]
    vocab = spacy.blank("xx").vocab
    assert [e for s in sentences for e in _spans(evaluate.gold_doc(vocab, [s]))] == case["entities"]


@pytest.mark.parametrize("dataset, label, want", EXPECTED["label_maps"])
def test_evaluate_label_maps(dataset, label, want):
    assert evaluate.LABEL_MAPS[dataset].get(label) == want


def test_evaluate_datasets_match_reader_options():
    for dataset in evaluate.DATASETS:
        assert dataset.path in EXPECTED["files"]
        assert dataset.doc_marker == EXPECTED["files"][dataset.path]["doc_marker"]
        assert dataset.name in evaluate.LABEL_MAPS


def test_evaluate_groups_at_doc_starts_and_size():
    sentences = evaluate.read_sentences(DATA / "conll2003-en/eng.testb", doc_marker="-DOCSTART-")
    assert [len(g) for g in evaluate.group_documents(sentences, 5)] == [1, 1]
    unmarked = evaluate.read_sentences(DATA / "conll2002-es/esp.testb")
    assert [len(g) for g in evaluate.group_documents(unmarked, 1)] == [1, 1]
    assert [len(g) for g in evaluate.group_documents(unmarked, 5)] == [2]


def test_evaluate_scores_mapped_labels():
    case = EXPECTED["scoring"]
    nlp = spacy.blank("es")
    gold = _doc_with(nlp, case["text"], case["gold"])
    predicted = _doc_with(nlp, case["text"], case["predicted"])
    result = evaluate.score([predicted], [gold], evaluate.LABEL_MAPS["conll2002-es"])
    assert result["p"] == pytest.approx(case["p"])
    assert result["r"] == pytest.approx(case["r"])
    assert {k: v["f"] for k, v in result["per_type"].items()} == pytest.approx(case["per_type_f"])


def test_evaluate_run_writes_json_and_table(tmp_path, monkeypatch, capsys):
    nlp = spacy.blank("es")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Victoria"}, {"label": "PLACE", "pattern": "Madrid"},
                        {"label": "NUMBER", "pattern": "40"}])
    monkeypatch.setattr(evaluate, "load_for_eval", lambda lang, settings, rules: (nlp, "test ruler"))
    results = evaluate.run_eval(DATA, tmp_path, load_settings(), ["conll2002-es", "ancora-es"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ancora-es.json", "conll2002-es.json"]
    written = json.loads((tmp_path / "ancora-es.json").read_text())
    assert written["per_type"]["NUM"]["f"] == 1.0
    assert results["conll2002-es"]["per_type"]["LOC"]["f"] == 1.0
    assert "baseline F1 0.858" in capsys.readouterr().out


def test_evaluate_run_without_data_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="no benchmark file"):
        evaluate.run_eval(tmp_path, tmp_path / "out", load_settings())


@pytest.mark.model
@pytest.mark.data
@pytest.mark.skipif(not (SHARED / "conll2002-es" / "esp.testb").is_file(), reason="needs ../shared/data")
def test_evaluate_reads_full_benchmarks():
    counts = {d.name: len(evaluate.read_sentences(SHARED / d.path, doc_marker=d.doc_marker)) for d in evaluate.DATASETS}
    assert counts == {"conll2002-es": 1517, "ancora-es": 2983, "conll2003-en": 3453}


@Language.component("test_evaluate_boom")
def _boom(doc):
    if "Madrid" in doc.text:
        raise ValueError("rule bug")
    doc.ents = [Span(doc, 0, 1, label="PERSON")]
    return doc


def test_evaluate_rule_failure_is_reported_not_fatal(monkeypatch):
    nlp = spacy.blank("es")
    nlp.add_pipe("test_evaluate_boom", name="boom")
    monkeypatch.setattr(evaluate, "RULE_PIPES", ("boom",))
    gold = [nlp.make_doc("Ana llegó ."), nlp.make_doc("Visitó Madrid .")]
    predicted, failures = evaluate.predict(nlp, gold)
    assert [[e.text for e in d.ents] for d in predicted] == [["Ana"], []]
    assert [(f["doc"], f["pipe"], f["error"]) for f in failures] == [(1, "boom", "ValueError: rule bug")]


def test_evaluate_predict_runs_function_components():
    import pipeline.nlp.lines  # noqa: F401  (registers actorgraph_lines, a function component)

    nlp = spacy.blank("en")
    nlp.add_pipe("actorgraph_lines")
    gold = [Doc(nlp.vocab, words=["Headline", "\n\n", "Text", "."], spaces=[False, False, False, False])]
    predicted, failures = evaluate.predict(nlp, gold)
    assert failures == [] and [t.text for t in predicted[0] if t.is_sent_start] == ["Headline", "Text"]
