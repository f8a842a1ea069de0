"""Definite descriptions that stand for a person named earlier in the document.

"Marta Gil ganó la segunda vuelta. La presidenta electa conversó con X": "la presidenta electa"
is Marta Gil. A role phrase with no name of its own, introduced by a definite article
(meetings.yml definites: "the president-elect", "el Rey", "al ministro"), takes part in a
meeting as the person it stands for:

1. the one person named earlier in the document whom the roles layer linked to the same office
   ("King Olav Brenne ... al Rey"; "Foreign Minister Ana Ruiz ... the foreign minister"), or one
   whose office ends with the description's ("Foreign Minister" for "the minister");
2. else, for a description that is the subject of its clause, the subject of the sentence
   before it in the same paragraph, when the roles layer gave that person no other office.

A description that names its jurisdiction or organization ("la ministra de la Generalitat")
takes only the first way, and only a person of that jurisdiction or organization. Two or more
earlier people that fit leave the description as it is (a role reference the resolution layer
may still map to the office's holder).
"""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline.rules.meetings import ties
from pipeline.rules.roles.linking import person_ref

SUBJECTS = ("nsubj", "nsubjpass", "nsubj:pass")


def _definite(doc: Doc, start: int, articles: set[str]) -> bool:
    i = start
    while i > 0 and doc[i - 1].pos_ == "ADJ":
        i -= 1
    if i < len(doc) and doc[i].lower_ in articles:
        return True
    return i > 0 and doc[i - 1].lower_ in articles


def _fits(description, office) -> bool:
    for mine, theirs in ((description.jurisdiction, office.jurisdiction), (description.organization, office.organization)):
        if mine and theirs and mine != theirs:
            return False  # "the president of Chile" is not the president of Peru named before
    if description.role.id == office.role.id:
        return True
    return office.label.lower().endswith(" " + description.role.label.lower())


def resolve(finder, make_item) -> list:
    """Return items for the definite descriptions of `finder`'s Doc that stand for one earlier
    person; `make_item(start, end, anchors, ref)` builds an item."""
    doc, analysis = finder.doc, finder.analysis
    linked = {p for p, _, _ in analysis.links}
    offices = {q: analysis.phrases[p] for p, q, _ in analysis.links}
    found = []
    for p, phrase in enumerate(analysis.phrases):
        if p in linked or phrase.plural or not _definite(doc, phrase.start, finder.lex.words["definites"]):
            continue
        earlier = [
            (q, span) for q, span in enumerate(analysis.persons)
            if span[1] <= phrase.start and q in offices and _fits(phrase, offices[q])
        ]
        names = {doc[s:e].text.split()[-1] for _, (s, e) in earlier}
        span = earlier[-1][1] if len(names) == 1 else None
        core = doc[phrase.core[0] : phrase.core[1]].root
        if span is None and not names and not phrase.explicit and core.dep_ in SUBJECTS:
            sent = doc[finder.view.sent_start[core.i] : finder.view.sent_end[core.i]]
            before = ties.previous_subject(finder.by_sentence, sent, doc, finder.view)
            if before is not None and not before.ref.role:
                q = next((q for q, s in enumerate(analysis.persons) if s == (before.start, before.end)), None)
                if q is not None and q not in offices:
                    span = (before.start, before.end)
        if span is not None:
            found.append(make_item(phrase.start, phrase.end, [core.i], person_ref(doc, span)))
    return found
