"""spaCy components of the rule layer; importing this package registers their factories."""

from spacy.tokens import Doc

# Set by the batch before the rule layer runs: relative dates resolve against pub_date.
for _name in ("doc_id", "pub_date"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default="")

from pipeline.components import entities, meetings, roles  # noqa: E402,F401
