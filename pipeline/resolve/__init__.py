"""Cross-document, cross-lingual resolution of persons, organizations, places, roles and meetings.

Two passes keep memory bounded. `Resolver.add` folds each DocResult into compact corpus
aggregates (name counts, role holders, one small record per meeting of a document);
`Resolver.finish` decides the nodes and returns a `Resolution`; on the second pass
`Resolution.view(result)` re-derives one document's links to those nodes. Every decision
sorts its inputs, so the outcome does not depend on the order documents arrive in.

Persons. A name's key drops accents, case, titles ("Secretary", "Mr.", "presidente"), a
possessive "'s" and initials. A key that ends another key ("blinken", "lopez obrador") or
starts one ("andres manuel lopez", the maternal surname dropped) is a partial name: it
attaches to the one full name of its document it is part of, else to the one person of the
corpus; a partial name that fits several persons in the corpus and none uniquely in its
document is left out of the graph (no node; its mention rows carry node ""). A bare surname
with no full name anywhere becomes a node of its own. Full names with the same surname merge
when their first names differ by one inserted letter (Antony/Anthony, four letters or more)
and every name of the merged group is such a variant of every other.

Meetings. Within a document, mentions merge when kinds, dates and places agree and they share
a participant, have none, or point back ("the meeting", "la reunión"). Across documents a
meeting merges into the single best earlier group when dates agree at the precision each has
(two full dates at most DAY_SLACK days apart), places agree (equal, one unknown, or a city in
a country), and they share at least half of the smaller participant set (or the same event
name). An undated report needs two shared participants and, when its document is dated, a
group of that month or the one before. Two equally good groups: no merge. Candidates come from
blocks (participant, month), so the search is not quadratic. A call never merges with an
in-person meeting; visits and meetings merge; a summit merges with a meeting only on the same
day at the same place. Merged kind by priority summit > call > meeting > visit; date the most
precise, place the most specific (city > region > country). Meetings without a resolved
participant or a name are dropped.
"""
