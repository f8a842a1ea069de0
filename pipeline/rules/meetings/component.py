"""Meetings, visits, calls and summits: who met whom, where and when, around a trigger word.

Triggers come from meetings.yml (lemmas per language) and patterns/<lang>/meetings.jsonl
(multi-word triggers and exclusions such as "so-called" or "call for"). Participants are the
people the parse ties to the trigger: its subject and object, a "with/between/by" phrase, the
subject of a support verb ("attend the meeting") or of a clause framing the noun ("in a call
with"), coordinated names and appositions, "together with" phrases, and role-only references
("Mexico's president", "his Mexican counterpart") the resolution layer maps to a person.
Mentions with no participant give their date and place to the nearest same-kind mention in
the document ("Wednesday's meeting"), or to the meeting they are part of ("for talks").
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

import pipeline.nlp.extensions  # noqa: F401  the Doc extensions this module reads and sets
from pipeline.config import Settings, load_settings
from pipeline.records import MeetingMention
from pipeline.rules.files import RuleError
from pipeline.rules.meetings.finder import _Finder
from pipeline.rules.meetings.lexicon import _Lexicon
from pipeline.rules.meetings.loader import load_meetings_rules
from pipeline.rules.roles.lexicon import Lexicon
from pipeline.rules.roles.linking import analyse
from pipeline.rules.roles.loader import load_roles_rules
from pipeline.rules.words import load_words_rules


def meetings_from_doc(doc: Doc) -> list[MeetingMention]:
    """Return the MeetingMentions the meetings component stored on `doc` (empty when it did not run)."""
    return list(doc._.meetings or [])


class MeetingsComponent:
    """spaCy component: sets doc._.meetings (MeetingMention list). Runs after actorgraph_roles."""

    def __init__(self, nlp: Language, settings: Settings):
        from pipeline.rules.places import load_places_rules

        rules, problems, _ = load_meetings_rules(settings)
        roles, role_problems, _ = load_roles_rules(settings)
        words, word_problems, _ = load_words_rules(settings)
        if problems or role_problems or word_problems or rules is None or roles is None or words is None:
            raise RuleError(problems + role_problems + word_problems)
        self.lexicon = _Lexicon(nlp, rules, roles, nlp.lang, settings.limits, words)
        self.roles_lexicon = Lexicon(nlp, roles, nlp.lang, settings.limits, words)
        self.gazetteer = load_places_rules(settings)[0]

    def __call__(self, doc: Doc) -> Doc:
        analysis = doc._.actorgraph_roles
        if analysis is None or analysis.view is None or analysis.view.doc is not doc:
            analysis = analyse(doc, self.roles_lexicon, self.gazetteer)
        finder = _Finder(doc, self.lexicon, analysis, self.gazetteer)
        doc._.meetings = [finder.record(draft) for draft in finder.find()]
        known = {(link.person.start, link.role) for link in doc._.role_links or []}
        extra = []
        for link in finder.role_links:  # two mentions of one meeting may teach the same office
            if (link.person.start, link.role) not in known:
                known.add((link.person.start, link.role))
                extra.append(link)
        doc._.role_links = [*(doc._.role_links or []), *extra]
        return doc


@Language.factory(
    "actorgraph_meetings",
    default_config={"config_dir": ""},
    requires=["doc.ents", "doc.sents", "token.dep", "token.lemma", "token.pos", "doc._.actorgraph_roles"],
    assigns=["doc._.meetings", "doc._.role_links", "doc._.warnings"],
)
def make_meetings(nlp: Language, name: str, config_dir: str) -> MeetingsComponent:
    """Create the meetings component from the rule files under `config_dir`."""
    return MeetingsComponent(nlp, load_settings(config_dir or None))
