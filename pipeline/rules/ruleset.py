"""Load every rule family at once and stop with one report listing every problem."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import code_ids
from pipeline.config import Settings
from pipeline.resolve.actors import load_actors_rules
from pipeline.rules.entity_rules import load_entity_rules
from pipeline.rules.files import Problem, RuleError, duplicate_ids
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


def rule_files(settings: Settings) -> list[Path]:
    """Return every rule file under the config folder, sorted, for hashing and listing."""
    folder = settings.config_dir
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".toml", ".jsonl"}]
    return sorted(p for p in found if "train" not in p.relative_to(folder).parts)


def digest(settings: Settings) -> str:
    """Return a sha256 over the names and bytes of every rule file."""
    sha = hashlib.sha256()
    for path in rule_files(settings):
        sha.update(str(path.relative_to(settings.config_dir)).encode())
        sha.update(path.read_bytes())
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
