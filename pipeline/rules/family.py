"""One way to load a rule family made of a YAML file and per-language JSONL patterns
(roles.yml with patterns/<lang>/roles.jsonl, meetings.yml with patterns/<lang>/meetings.jsonl).

A family's own code parses and cross-checks its files (`load`, cached by the files' mtimes);
`load_family` finds the files, and turns the errors reading them can raise into problems, so a
loader reports and never stops the run by itself. Any other exception is a bug of the loader
and propagates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.config import Settings
from pipeline.rules.files import Problem, check_token_pattern, check_vocab, read_jsonl, read_yaml, validate
from pipeline.rules.matcher import ambiguous

LANGS = ("en", "es")  # the languages with pattern files
# What reading a family's files may raise besides the problems its readers return.
READ_ERRORS = (OSError, UnicodeError, yaml.YAMLError, ValidationError)

Loaded = tuple[Any, list[Problem], list[tuple[str, str, int]]]


def read_rule_file(path: Path, model: type[BaseModel]) -> tuple[Any, BaseModel | None, list[Problem]]:
    """Read a family's YAML file and validate it; return (data with line info, model or None, problems)."""
    raw, problems = read_yaml(path)
    data = None
    if not problems:
        data, problems = validate(model, raw or {}, path)
    return raw, data, problems


def load_link_rules(folder: Path, lang: str, model: type[BaseModel], name: str):
    """Read patterns/<lang>/<name>; return ([(line, rule)], problems) with spaCy-checked patterns."""
    path = folder / lang / name
    if not path.exists():
        return [], []
    rules, problems = read_jsonl(path, model)
    vocab = check_vocab()
    for line, rule in rules:
        complaint = check_token_pattern(rule.pattern, vocab)
        complaint = f"pattern rejected by spaCy: {complaint}" if complaint else ambiguous(rule.pattern)
        if complaint:
            problems.append(Problem(str(path), line, f"{rule.id}: {complaint}"))
    return rules, problems


def stamp(*paths: Path) -> tuple:
    """Return the (file, mtime) of every file under `paths`: the cache key of a family's load."""
    found = []
    for path in paths:
        for item in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if item.is_file():
                found.append((str(item), item.stat().st_mtime_ns))
    return tuple(found)


def load_family(settings: Settings, family: str, load: Callable[[str, str, tuple], tuple]) -> Loaded:
    """Load the family `family` (its file settings.rule_path(family) and the pattern folder)
    with `load(path, patterns, stamp)`; return (rules or None, problems, rule ids)."""
    path = settings.rule_path(family)
    patterns = settings.rule_path("patterns")
    if not path.exists():
        return None, [Problem(str(path), 0, "cannot read: file not found")], []
    try:
        rules, problems, ids = load(str(path), str(patterns), stamp(path, patterns))
    except READ_ERRORS as exc:
        return None, [Problem(str(path), 0, f"cannot load: {exc}")], []
    return rules, list(problems), list(ids)
