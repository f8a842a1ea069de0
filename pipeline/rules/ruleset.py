"""Load every rule family at once and stop with one report listing every problem."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import code_ids
from pipeline.config import Settings
from pipeline.resolve.actors import load_actors_rules
from pipeline.rules.entity_rules import load_entity_rules
from pipeline.rules.family import LANGS
from pipeline.rules.files import Problem, RuleError, duplicate_ids, read_text
from pipeline.rules.meetings.loader import load_meetings_rules
from pipeline.rules.persons import load_persons_rules
from pipeline.rules.places import load_places_rules
from pipeline.rules.roles.loader import load_roles_rules
from pipeline.rules.words import load_words_rules

# Each family's loader lives beside the code that uses the rules; this table is the only
# place that knows them all. A loader returns (rules, problems, [(rule id, file, line)]).
LOADERS = {
    "words": load_words_rules,
    "places": load_places_rules,
    "entities": load_entity_rules,
    "roles": load_roles_rules,
    "meetings": load_meetings_rules,
    "actors": load_actors_rules,
    "persons": load_persons_rules,
}


@dataclass
class RuleSet:
    """Every validated rule family, plus a digest of the rule files for summary.json."""

    words: Any
    places: Any
    entities: Any
    roles: Any
    meetings: Any
    actors: Any
    persons: Any
    digest: str
    count: int


PATTERN_FILES = ("entities.jsonl", "roles.jsonl", "meetings.jsonl")  # what the loaders read in patterns/<lang>/


def rule_files(settings: Settings) -> list[Path]:
    """Return the rule files the run reads, sorted, for hashing and listing: settings.toml, every
    file [rules] in settings.toml names, and patterns/<lang>/{entities,roles,meetings}.jsonl.
    Nothing else in the folder is read (see `unread_files`)."""
    named = [settings.config_dir / "settings.toml"]
    named += [settings.rule_path(name) for name in type(settings.rules).model_fields if name not in ("patterns", "words")]
    named += [settings.rule_path("words") / f"{lang}.yml" for lang in LANGS]
    named += [settings.rule_path("patterns") / lang / name for lang in LANGS for name in PATTERN_FILES]
    return sorted(p for p in dict.fromkeys(named) if os.path.lexists(p))


def unread_files(settings: Settings) -> list[Path]:
    """Return the rule-like files (.yml, .yaml, .jsonl, .toml) in the config folder that no run reads."""
    folder = settings.config_dir
    read = set(rule_files(settings))
    found = [p for p in folder.rglob("*") if p.suffix in {".yml", ".yaml", ".toml", ".jsonl"} and p not in read]
    return sorted(p for p in found if "train" not in p.relative_to(folder).parts)


def digest(settings: Settings) -> str:
    """Return a sha256 over the names and bytes of every rule file."""
    sha = hashlib.sha256()
    for path in rule_files(settings):
        sha.update(os.path.relpath(path, settings.config_dir).encode())
        sha.update(read_text(path).encode("utf-8"))
    return sha.hexdigest()


def load_ruleset(settings: Settings) -> RuleSet:
    """Validate and load all rule families; raise RuleError listing every problem at once."""
    loaded: dict[str, Any] = {}
    problems: list[Problem] = []
    ids: list[tuple[str, str, int]] = []
    for family, loader in LOADERS.items():
        rules, family_problems, family_ids = loader(settings)
        loaded[family] = rules
        problems += family_problems
        ids += family_ids
    problems += duplicate_ids(ids)
    problems += [Problem(path, line, f"{rule_id}: ids 'model' and 'code.*' are kept for the code's own decisions")
                 for rule_id, path, line in ids if code_ids.is_reserved(rule_id)]
    if problems:
        raise RuleError(problems)
    return RuleSet(**loaded, digest=digest(settings), count=len(ids))
