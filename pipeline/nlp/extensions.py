"""Every Doc, Span and Token extension of the package, registered once, here.

Modules that read or write one of them import this module (or a name from it), so the
extensions exist whichever part of the package is imported first.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

PART = "actorgraph_part"  # token tag the role link patterns match on: "ROLE", "PERSON" or ""
# While roles are linked, doc.user_data[PARTS] maps token index -> PART tag. The Matcher reads
# PART for every token it visits, so the getter goes to the dict without a doc._ lookup.
PARTS = "actorgraph_parts"
_NONE: dict[int, str] = {}

# Set by the analysis before the rule layer runs (doc_id, pub_date: relative dates resolve
# against pub_date), and by the entity layer (ref_date and its source).
for _name in ("doc_id", "pub_date", "ref_date", "ref_date_source"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default="")
# What the rule layer leaves on a Doc: the caps it hit (pipeline/rules/caps.py), the Limits it
# ran with, and each component's results.
for _name in ("warnings", "limits", "role_links", "actorgraph_roles", "meetings"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
# Entity spans: a number's value and qualifier, a place's normal form, the ids of the rules that made them.
for _name, _default in (("value", None), ("qualifier", ""), ("norm", ""), ("rules", None)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_default)
if not Token.has_extension(PART):
    Token.set_extension(PART, getter=lambda tok: tok.doc.user_data.get(PARTS, _NONE).get(tok.i, ""))
