"""Which token spans are persons: the person filter of the entity layer and the role layer.

Rules are word lists in configs/persons.yml (see its header), each with an id. The entity layer
calls `PersonFilter.reshape` on its candidates (a title or honorific leaves the name span, a
name cut at a hyphen or a particle is made whole) and `PersonFilter.judge` (a PERSON candidate
that is a place, organisation, event or common noun is relabelled); every change marks the
list's id on the candidate. The role layer asks `PersonFilter.run_check(doc)` whether a run of
capitalised words it would make a person is one.
capitalised words it would make a person is one.

Modules: lists (the persons.yml schema, its loader and word lists), shapes (the shape of a name
and the reshaping of candidates), evidence (what a span and its context say it is), judge
(PersonFilter: the run check, the judge and its decisions, one filter per language).
"""

from pipeline.rules.persons.judge import PersonFilter, person_filter
from pipeline.rules.persons.lists import CODE_PREFIX, RULE_PREFIX, PersonsFile, WordList, is_filtered, load_persons_rules
from pipeline.rules.persons.shapes import HYPHENS, headline

__all__ = [
    "CODE_PREFIX",
    "HYPHENS",
    "RULE_PREFIX",
    "PersonFilter",
    "PersonsFile",
    "WordList",
    "headline",
    "is_filtered",
    "load_persons_rules",
    "person_filter",
]
