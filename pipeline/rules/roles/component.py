"""Person–role links: "Secretary of State Antony Blinken", "Mayorkas, the homeland security
secretary", "el presidente de México, Andrés Manuel López Obrador" and their mirror images.

Titles come from the roles.yml lexicon (PhraseMatcher on lower case); each title grows into a
role phrase with its modifiers ("former", "acting"), its jurisdiction ("Mexican", "of Mexico",
"Mexico's", "U.S.") and its organization ("White House", "of the border agency"). Role phrase
and person tokens are then tagged on the Doc, and the link shapes of patterns/<lang>/roles.jsonl
(Matcher patterns over those tags) pair them. Competing pairings in one sentence are settled
greedily by pattern priority and syntactic attachment, so coordinated lists never cross.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

import pipeline.nlp.extensions  # noqa: F401  the Doc extensions this module reads and sets
from pipeline import code_ids
from pipeline.config import Settings, load_settings
from pipeline.records import RoleLink
from pipeline.rules.files import RuleError
from pipeline.rules.persons import person_filter
from pipeline.rules.roles.lexicon import Lexicon
from pipeline.rules.roles.linking import analyse, records
from pipeline.rules.roles.loader import load_roles_rules
from pipeline.rules.roles.phrases import Analysis
from pipeline.rules.roles.schema import PERSON_RULE
from pipeline.rules.words import load_words_rules

LANGS = ("en", "es")


def role_links_from_doc(doc: Doc) -> list[RoleLink]:
    """Return the RoleLinks the roles component stored on `doc` (empty when it did not run)."""
    return list(doc._.role_links or [])


class RolesComponent:
    """spaCy component: sets doc._.role_links (RoleLink list) and doc._.actorgraph_roles (Analysis)."""

    def __init__(self, nlp: Language, settings: Settings):
        from pipeline.rules.places import load_places_rules

        rules, problems, _ = load_roles_rules(settings)
        words, word_problems, _ = load_words_rules(settings)
        if problems or word_problems or rules is None or words is None:
            raise RuleError(problems + word_problems)
        self.rules = rules
        self.lexicon = Lexicon(nlp, rules, nlp.lang, settings.limits, words)
        self.gazetteer = load_places_rules(settings)[0]
        self.persons = person_filter(str(settings.config_dir), nlp.lang)

    def __call__(self, doc: Doc) -> Doc:
        analysis = analyse(doc, self.lexicon, self.gazetteer, self.persons.run_check(doc))
        doc._.actorgraph_roles = analysis
        doc._.role_links = records(doc, analysis)
        sync_entities(doc, analysis)
        return doc


def sync_entities(doc: Doc, analysis: Analysis) -> None:
    """Align doc.ents with the person names the role layer settled on, as PERSON entities.

    The role layer sees what the model cannot: a title right before a name, a name the model cut
    short ("J. Blinken" of "Antony J. Blinken"), a surname repeating a full name. Mentions and
    graph nodes must use the same spans as the role links. A name overrides another label only
    when a title is linked to it ("Chancellor Olaf Scholz" tagged ORG); otherwise it may only
    grow a PERSON entity or fill a gap, so "Dow Jones" (MISC) stays what the model said.
    """
    ents = list(doc.ents)
    linked = {analysis.persons[q] for _, q, _ in analysis.links}
    # Token -> entity map keeps this linear in a document naming thousands of people.
    ent_at = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    spans = []
    for span in sorted(set(analysis.persons)):
        covered = {ent_at[i] for i in range(*span) if i in ent_at}
        if span in linked or all(ent.label_ == "PERSON" for ent in covered):
            spans.append((span, covered))
    replaced = {ent for _, covered in spans for ent in covered}
    added = []
    for (start, end), covered in spans:
        previous = [rule for ent in sorted(covered, key=lambda e: e.start) for rule in (ent._.rules or [code_ids.MODEL])]
        same = any((ent.start, ent.end, ent.label_) == (start, end, "PERSON") for ent in covered)
        added.append((Span(doc, start, end, label="PERSON"), previous if same else [*previous, PERSON_RULE]))
    # Two person spans of the role layer may overlap on odd text (a table of abbreviations):
    # the longer one stands, and no other entity may overlap it.
    longest = {(span.start, span.end) for span in filter_spans([span for span, _ in added])}
    added = [(span, rules) for span, rules in added if (span.start, span.end) in longest]
    taken = {i for span, _ in added for i in range(span.start, span.end)}
    kept = [ent for ent in ents if ent not in replaced and taken.isdisjoint(range(ent.start, ent.end))]
    doc.ents = sorted(kept + [span for span, _ in added], key=lambda e: e.start)
    for span, rules in added:
        span._.rules = list(dict.fromkeys(rules)) or [code_ids.MODEL]


@Language.factory(
    "actorgraph_roles",
    default_config={"config_dir": ""},
    requires=["doc.ents", "doc.sents", "token.dep", "token.pos", "span._.rules"],
    assigns=["doc.ents", "doc._.role_links", "doc._.actorgraph_roles", "doc._.warnings"],
)
def make_roles(nlp: Language, name: str, config_dir: str) -> RolesComponent:
    """Create the roles component from the rule files under `config_dir`."""
    return RolesComponent(nlp, load_settings(config_dir or None))
