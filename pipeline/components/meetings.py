"""Meetings (placeholder while being written)."""
from spacy.language import Language
from spacy.tokens import Doc

if not Doc.has_extension("meetings"):
    Doc.set_extension("meetings", default=None)


@Language.factory("actorgraph_meetings", default_config={"config_dir": ""})
def make_meetings(nlp, name, config_dir):
    def run(doc):
        doc._.meetings = []
        return doc
    return run
