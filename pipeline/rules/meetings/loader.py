"""Loading the meetings rule family: meetings.yml and the trigger and exclusion patterns."""

from __future__ import annotations

import functools
from pathlib import Path

from pipeline.config import Settings
from pipeline.rules.family import LANGS, Loaded, load_family, load_link_rules, read_rule_file
from pipeline.rules.files import Problem, line_of
from pipeline.rules.meetings.schema import PATTERN_FILE, MeetingPattern, MeetingsFile, MeetingsRules


@functools.lru_cache(maxsize=8)
def _load(path: str, patterns: str, stamp: tuple) -> tuple[MeetingsRules | None, tuple, tuple]:
    raw, data, problems = read_rule_file(Path(path), MeetingsFile)
    ids = []
    if data is not None:
        ids = [(t.id, path, line_of(raw, ("triggers", i))) for i, t in enumerate(data.triggers)]
        for name in MeetingsFile.model_fields:
            if name != "triggers":
                ids.append((getattr(data, name).id, path, line_of(raw, (name,))))
    # The pattern files are checked even when meetings.yml is broken, so one report lists all.
    found: dict[str, list[MeetingPattern]] = {}
    for lang in LANGS:
        rules, bad = load_link_rules(Path(patterns), lang, MeetingPattern, PATTERN_FILE)
        file = str(Path(patterns) / lang / PATTERN_FILE)
        for line, rule in rules:
            if rule.label == "TRIGGER" and rule.kind is None:
                bad.append(Problem(file, line, f"{rule.id}: a TRIGGER needs a kind"))
        problems += bad
        found[lang] = [rule for _, rule in rules]
        ids += [(rule.id, file, line) for line, rule in rules]
    return (MeetingsRules(data, found) if data is not None else None), tuple(problems), tuple(ids)


def load_meetings_rules(settings: Settings) -> Loaded:
    """Load meetings.yml and patterns/<lang>/meetings.jsonl; return (rules or None, problems, rule ids). Never raises
    for a bad or unreadable rule file."""
    return load_family(settings, "meetings", _load)
