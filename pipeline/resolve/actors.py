"""The optional actors file (configs/actors.yml): known actors and their aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.rules.files import Problem, line_of, read_yaml, validate
from pipeline.text import fold


class _Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^actor\.[a-z0-9_.-]+$")
    name: str = Field(min_length=1)
    type: Literal["person", "organization"] = "person"
    aliases: list[str] = []
    do_not_merge: list[str] = []


class ActorsFile(BaseModel):
    """configs/actors.yml: known actors with their aliases and names they must never merge with."""

    model_config = ConfigDict(extra="forbid")
    actors: list[_Actor] = []


def load_actors_rules(settings) -> tuple[ActorsFile | None, list[Problem], list[tuple[str, str, int]]]:
    """Load actors.yml named by settings; return (actors or None, problems, rule ids). Never raises.

    A missing file gives an empty ActorsFile: the known-actors list is optional.
    """
    path = Path(settings.rule_path("actors"))
    if not path.exists():
        return ActorsFile(), [], []
    raw, problems = read_yaml(path)
    if problems:
        return None, problems, []
    data, problems = validate(ActorsFile, raw or {}, path)
    if data is None:
        return None, problems, []
    ids, owner = [], {}
    for index, actor in enumerate(data.actors):
        line = line_of(raw, ("actors", index))
        ids.append((actor.id, str(path), line))
        for name in [actor.name, *actor.aliases]:
            key = (actor.type, fold(name))
            if owner.setdefault(key, actor.id) != actor.id:
                problems.append(Problem(str(path), line, f"{name!r} already names {owner[key]}"))
    return (None if problems else data), problems, ids
