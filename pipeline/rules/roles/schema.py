"""The roles rule family's schema: configs/roles.yml and patterns/<lang>/roles.jsonl, validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline import code_ids

PATTERN_FILE = "roles.jsonl"


PERSON_RULE = code_ids.ROLE_PERSON_SPAN  # id recorded on entities the role layer made or fixed as PERSON


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoleEntry(_Strict):
    id: str
    label: str
    jurisdiction: str = ""
    organization: str = ""
    posted: bool = False
    local: bool = False
    counterpart: str = ""


class AliasEntry(_Strict):
    id: str
    role: str
    lang: Literal["en", "es"]
    terms: list[str] = Field(min_length=1)
    with_org: str = ""
    jurisdiction: str = ""  # implied by these words only ("canciller alemán")


class ModifierEntry(_Strict):
    id: str
    label: str
    rank: bool = False
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    glued: dict[str, list[str]] = {}


class OrgEntry(_Strict):
    id: str
    name: str
    jurisdiction: str = ""
    names: dict[str, list[str]] = {}


class Connectors(_Strict):
    of: dict[str, list[str]] = {}
    to: dict[str, list[str]] = {}
    name_of: dict[str, list[str]] = {}
    context: dict[str, list[str]] = {}
    possessive: dict[str, list[str]] = {}
    org_heads: dict[str, list[str]] = {}
    relatives: dict[str, list[str]] = {}


class RolesFile(_Strict):
    roles: list[RoleEntry]
    aliases: list[AliasEntry]
    modifiers: list[ModifierEntry] = []
    organizations: list[OrgEntry] = []
    connectors: Connectors = Connectors()


class ExpectedLink(_Strict):
    person: str
    role: str
    jurisdiction: str | None = None
    organization: str | None = None
    qualifier: str | None = None


class LinkExample(_Strict):
    text: str
    links: list[ExpectedLink] = []


class LinkRule(_Strict):
    id: str
    label: Literal["LINK"]
    pattern: list[dict[str, Any]] = Field(min_length=2)
    priority: int = 0
    attached: bool = False
    examples: list[LinkExample] = Field(min_length=1)


@dataclass
class RolesRules:
    """The validated roles lexicon and link patterns, indexed for the component."""

    roles: dict[str, RoleEntry]
    aliases: list[AliasEntry]
    modifiers: list[ModifierEntry]
    organizations: list[OrgEntry]
    connectors: Connectors
    links: dict[str, list[LinkRule]] = field(default_factory=dict)
    offices: Any = None  # offices.OfficesFile: the office grammar (typed loosely: offices imports this module)

    def words(self, kind: str, lang: str) -> list[str]:
        """Return the connector words of `kind` ("of", "to", ...) for `lang`."""
        return getattr(self.connectors, kind).get(lang, [])

    def counterpart(self, role_id: str) -> RoleEntry | None:
        """Return the role a counterpart of a `role_id` holder holds (the same role by default)."""
        role = self.roles.get(role_id)
        if role is None:
            return None
        return self.roles.get(role.counterpart) or role
