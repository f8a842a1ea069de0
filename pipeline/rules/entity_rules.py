"""The entity rule family: configs/patterns/<lang>/entities.jsonl validated, and loaded once per config folder."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.config import load_settings
from pipeline.records import LABELS
from pipeline.rules.files import Problem, RuleError, check_token_pattern, check_vocab, read_jsonl
from pipeline.rules.matcher import ambiguous
from pipeline.rules.places import Gazetteer, load_places_rules

NAME_LABELS = ("PERSON", "ORG", "PLACE", "MISC", "NORP")


ACTIONS = ("map", "cut", "trim", "drop", "places", "relabel", "add", "demonyms", "qualify", "persons")


class Example(BaseModel):
    """A sentence a rule must handle: `model` fakes the model's entities as [text, label]."""

    model_config = ConfigDict(extra="forbid")
    text: str
    model: list[tuple[str, str]] = []
    pos: dict[str, str] = {}  # token text -> POS, for rules that read POS
    pub_date: str = ""
    expect: list[dict[str, Any]] = []  # {"text", "label", and optionally "norm", "value", "qualifier"}
    absent: list[str] = []  # texts that must not be entities


class EntityRule(BaseModel):
    """One line of entities.jsonl. Fields used per action:

    map: from -> label ("" drops); cut: words (cut the span before them); trim: words (leading
    words to strip), connectors, pos; drop: words, pos; places/demonyms: from (labels an exact
    match overrides); relabel: first/last words -> label; add: pattern -> label; qualify: label;
    persons: from (labels a name seen as PERSON elsewhere in the document overrides).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str
    action: Literal[ACTIONS]
    label: Literal[LABELS + ("",)] = ""
    from_: list[str] = Field(default=[], alias="from")
    pattern: list[dict[str, Any]] = []
    words: list[str] = []
    first: list[str] = []
    last: list[str] = []
    connectors: list[str] = []
    pos: list[str] = []
    initial: bool = False  # drop: only sentence-initial words
    examples: list[Example] = []


class EntityRules:
    """The rules of one language: the label map, and the other rules grouped by action."""

    def __init__(self, rules: list[EntityRule]):
        self.all = rules
        self.label_map: dict[str, tuple[str, str]] = {}
        self.by_action: dict[str, list[EntityRule]] = {action: [] for action in ACTIONS}
        for rule in rules:
            self.by_action[rule.action].append(rule)
            for source in rule.from_ if rule.action == "map" else []:
                self.label_map[source] = (rule.label, rule.id)


def _check(rule: EntityRule, path: Path, line: int, vocab) -> list[Problem]:
    problems = []
    if rule.action == "add":
        complaint = (check_token_pattern(rule.pattern, vocab) or ambiguous(rule.pattern)) if rule.pattern else "empty pattern"
        if complaint:
            problems.append(Problem(str(path), line, f"{rule.id}: {complaint}"))
    if rule.action in ("add", "relabel", "qualify") and not rule.label:
        problems.append(Problem(str(path), line, f"{rule.id}: action {rule.action!r} needs a label"))
    return problems


def load_entity_rules(settings) -> tuple[dict[str, EntityRules] | None, list[Problem], list[tuple[str, str, int]]]:
    """Load patterns/<lang>/entities.jsonl of every language; return ({lang: rules} or None, problems, ids)."""
    found: dict[str, EntityRules] = {}
    problems: list[Problem] = []
    ids: list[tuple[str, str, int]] = []
    for lang in settings.run.languages:
        path = settings.rule_path("patterns") / lang / "entities.jsonl"
        rules, lang_problems = read_jsonl(path, EntityRule)
        vocab = check_vocab()
        for line, rule in rules:
            lang_problems += _check(rule, path, line, vocab)
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
        raise RuleError(problems + place_problems)
    return rules, gazetteer
