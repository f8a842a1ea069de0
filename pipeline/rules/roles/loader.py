"""Loading the roles rule family: roles.yml with its cross references, and the link patterns."""

from __future__ import annotations

import functools
from pathlib import Path

from pipeline.config import Settings
from pipeline.rules.family import LANGS, Loaded, load_family, load_link_rules, read_rule_file, stamp
from pipeline.rules.files import Problem, line_of
from pipeline.rules.roles.offices import load_offices
from pipeline.rules.roles.schema import PATTERN_FILE, LinkRule, RolesFile, RolesRules


def _check_refs(data: RolesFile, raw, path: Path) -> list[Problem]:
    problems = []
    roles = {role.id for role in data.roles}
    for index, role in enumerate(data.roles):
        if role.counterpart and role.counterpart not in roles:
            line = line_of(raw, ("roles", index, "counterpart"))
            problems.append(Problem(str(path), line, f"{role.id}: counterpart {role.counterpart!r} is not a role id"))
    owner: dict[tuple[str, str], str] = {}
    for index, alias in enumerate(data.aliases):
        for key in ("role", "with_org"):
            ref = getattr(alias, key)
            if ref and ref not in roles:
                line = line_of(raw, ("aliases", index, key))
                problems.append(Problem(str(path), line, f"{alias.id}: {key} {ref!r} is not a role id"))
        for term in alias.terms:
            key = (alias.lang, " ".join(term.lower().split()))
            if owner.get(key, alias.id) != alias.id:
                line = line_of(raw, ("aliases", index))
                problems.append(Problem(str(path), line, f"{alias.id}: term {term!r} already belongs to {owner[key]}"))
            owner.setdefault(key, alias.id)
    return problems


def _entry_ids(data: RolesFile, raw, path: Path) -> list[tuple[str, str, int]]:
    ids = []
    for section in ("roles", "aliases", "modifiers", "organizations"):
        for index, entry in enumerate(getattr(data, section)):
            ids.append((entry.id, str(path), line_of(raw, (section, index))))
    return ids


@functools.lru_cache(maxsize=8)
def _load(path: str, patterns: str, offices_path: str, stamp: tuple) -> tuple[RolesRules | None, tuple, tuple]:
    offices, office_problems, office_ids = load_offices(Path(offices_path))
    raw, data, problems = read_rule_file(Path(path), RolesFile)
    ids = []
    if data is not None:
        problems = _check_refs(data, raw, Path(path))
        ids = _entry_ids(data, raw, Path(path))
    # The pattern files are checked even when roles.yml is broken, so one report lists all.
    links: dict[str, list[LinkRule]] = {}
    for lang in LANGS:
        found, bad = load_link_rules(Path(patterns), lang, LinkRule, PATTERN_FILE)
        problems += bad
        links[lang] = [rule for _, rule in found]
        ids += [(rule.id, str(Path(patterns) / lang / PATTERN_FILE), line) for line, rule in found]
    problems += office_problems
    ids += office_ids
    if data is None or offices is None:
        return None, tuple(problems), tuple(ids)
    rules = RolesRules(
        roles={role.id: role for role in data.roles},
        aliases=data.aliases,
        modifiers=data.modifiers,
        organizations=data.organizations,
        connectors=data.connectors,
        links=links,
        offices=offices,
    )
    return rules, tuple(problems), tuple(ids)


def load_roles_rules(settings: Settings) -> Loaded:
    """Load roles.yml and patterns/<lang>/roles.jsonl; return (rules or None, problems, rule ids). Never raises
    for a bad or unreadable rule file."""
    # offices.yml is read with roles.yml: its changes must reach the cache key too.
    offices = settings.rule_path("offices")
    return load_family(settings, "roles", lambda path, patterns, key: _load(path, patterns, str(offices), key + stamp(offices)))
