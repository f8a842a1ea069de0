"""The entity layer: one label set for both languages, rule fixes, normalised values.

Rules come from configs/patterns/<lang>/entities.jsonl; places and demonyms from places.yml.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.config import load_settings
from pipeline.places import Gazetteer, load_places_rules
from pipeline.records import LABELS, Mention
from pipeline.rules import Problem, read_jsonl

for _name, _default in (("value", None), ("qualifier", ""), ("norm", ""), ("rules", None)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_default)
for _name in ("doc_id", "pub_date", "ref_date", "ref_date_source"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default="")


class EntityRule(BaseModel):
    """One line of entities.jsonl; which fields apply depends on `action`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str
    action: Literal["map"]
    label: Literal[LABELS + ("",)] = ""
    from_: list[str] = Field(default=[], alias="from")
    examples: list[dict[str, Any]] = []


class EntityRules:
    """The rules of one language, grouped by action."""

    def __init__(self, rules: list[EntityRule]):
        self.label_map: dict[str, tuple[str, str]] = {}
        for rule in rules:
            if rule.action == "map":
                for source in rule.from_:
                    self.label_map[source] = (rule.label, rule.id)


def load_entity_rules(settings) -> tuple[dict[str, EntityRules] | None, list[Problem], list[tuple[str, str, int]]]:
    """Load patterns/<lang>/entities.jsonl for every language; return ({lang: rules} or None, problems, ids)."""
    found: dict[str, EntityRules] = {}
    problems: list[Problem] = []
    ids: list[tuple[str, str, int]] = []
    for lang in settings.run.languages:
        path = settings.rule_path("patterns") / lang / "entities.jsonl"
        rules, lang_problems = read_jsonl(path, EntityRule)
        problems += lang_problems
        ids += [(rule.id, str(path), line) for line, rule in rules]
        found[lang] = EntityRules([rule for _, rule in rules])
    return (None if problems else found), problems, ids


@functools.lru_cache(maxsize=4)
def _rules_for(config_dir: str) -> tuple[dict[str, EntityRules], Gazetteer]:
    settings = load_settings(config_dir)
    rules, problems, _ = load_entity_rules(settings)
    gazetteer, place_problems, _ = load_places_rules(settings)
    if problems or place_problems:
        from pipeline.rules import RuleError

        raise RuleError(problems + place_problems)
    return rules, gazetteer


class EntityLayer:
    """spaCy component: maps model labels to the unified set and normalises PLACE/NORP."""

    def __init__(self, nlp: Language, name: str, config_dir: str):
        rules, self.gazetteer = _rules_for(str(Path(config_dir).resolve()))
        self.rules = rules.get(nlp.lang) or EntityRules([])

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for ent in doc.ents:
            label, rule_id = self.rules.label_map.get(ent.label_, ("", ""))
            if label:
                spans.append((Span(doc, ent.start, ent.end, label=label), ["model"]))
        doc.ents = [span for span, _ in spans]
        for span, rules in spans:
            span._.rules = rules
            if span.label_ == "PLACE":
                span._.norm = self.gazetteer.canonical(span.text)
            elif span.label_ == "NORP":
                span._.norm = self.gazetteer.country_of(span.text)
        return doc


@Language.factory("actorgraph_entities", default_config={"config_dir": ""})
def make_entities(nlp: Language, name: str, config_dir: str) -> EntityLayer:
    """Build the entity layer for `nlp`, reading rules from `config_dir`."""
    return EntityLayer(nlp, name, config_dir)


def mentions_from_doc(doc: Doc) -> list[Mention]:
    """Return one Mention record per entity of `doc`, with its sentence and normalised values."""
    mentions = []
    for ent in doc.ents:
        sent = ent.sent if doc.has_annotation("SENT_START") else doc[:]
        mentions.append(
            Mention(
                doc=doc._.doc_id,
                lang=doc.lang_,
                label=ent.label_,
                text=ent.text,
                start=ent.start_char,
                end=ent.end_char,
                sentence=sent.text,
                sent_start=sent.start_char,
                value=ent._.value,
                qualifier=ent._.qualifier or "",
                norm=ent._.norm or "",
                rules=list(ent._.rules or []),
            )
        )
    return mentions
