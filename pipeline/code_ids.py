"""Ids the code itself records beside rule ids, for decisions no rule file makes.

Every one starts with PREFIX (or is MODEL), which no rule file may use (`reserved_problems`),
so an id in the output says at once whether a rule author or the code decided. The README's
"Rule ids in the output" lists them.
"""

from __future__ import annotations

PREFIX = "code."
MODEL = "model"  # an entity as the statistical model found it, no rule changed it

ROLE_PERSON_SPAN = "code.role.person_span"  # the role layer made or fixed a PERSON span
ROLE_PLACE_IN_ENTITY_TAIL = "code.role.place_in_entity_tail"  # "ministra de Defensa de España" typed MISC as a whole
ROLE_DESCRIBED_ORG = "code.role.described_org"  # "of the border agency": an organisation named earlier
ROLE_CONTEXT_PLACE = "code.role.context_place"  # "In Texas, Gov. X": the sentence's opening place
ROLE_PLACE_AFTER_NAME = "code.role.place_after_name"  # "President X of Mexico"
OFFICE_COMPLEMENT = "code.office.complement"  # a portfolio or organisation after an open office head
OFFICE_HONORIFIC = "code.office.honorific"  # an honorific between title and name
OFFICE_FROM_PLACE = "code.office.from_place"  # "Senator from X", "diputado por X"
OFFICE_COMPOUND = "code.office.compound"  # an institution noun before the head ("committee member")
OFFICE_POSSESSOR = "code.office.possessor"  # a person's office: "X, Berg's spokesman"
OFFICE_DESCRIPTOR = "code.office.descriptor"  # another noun compounded onto the head ("trade envoy", "security officer")
OFFICE_COORDINATED = "code.office.coordinated"  # "vicepresidenta de A y comisaria de B, X"
OFFICE_LIST = "code.office.list"  # one plural head, a list of holders
GRAPH_ROLE_JURISDICTION = "code.graph.role_jurisdiction"  # a role's jurisdiction implied by its office
GRAPH_CO_OCCURS = "code.graph.co_occurs"  # persons named in one meeting's sentence
GRAPH_MET_WITH = "code.graph.met_with"  # two participants of one meeting


def is_reserved(rule_id: str) -> bool:
    """Return True when `rule_id` is one the code keeps for itself."""
    return rule_id == MODEL or rule_id.startswith(PREFIX)
