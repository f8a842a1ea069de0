"""Places of meetings beyond the place entities next to the trigger.

- in_clause: a place phrase anywhere in the trigger's clause counts, also one hung on a
  participant ("met the ambassador X in Beijing"), however deep, but not one in another clause
  ("met X, who had flown in from Lima").
- capital: "in the Polish capital", "en la capital de Chile": the country's capital city.
- venue: a building the text names as the place ("at the Kremlin", "en la Casa Rosada", "at
  the royal palace", "in the headquarters of NATO"), even when the model types it ORG or leaves
  it untyped: an ORG/FAC entity or a qualified noun phrase headed by a venue word (meetings.yml
  venues; "the royal palace", "la residencia oficial", not a bare "the hotel") after a place
  preposition of the clause. A city or country of the clause wins over the venue.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from pipeline.rules.geonames import capital_of

CLAUSE_STEPS = 8
_CLAUSES = ("relcl", "acl", "acl:relcl", "advcl", "ccomp", "parataxis")
VENUE_LABELS = ("ORG", "FAC", "MISC")


def in_clause(token: Token, heads: set[Token]) -> bool:
    """True when climbing from `token` reaches one of `heads` before any other verb."""
    for _ in range(CLAUSE_STEPS):
        if token in heads:
            return True
        if token.head == token or (token.pos_ in ("VERB", "AUX") and token.dep_ not in ("amod",)) or token.dep_ in _CLAUSES:
            return False  # another clause, also one headed by a noun ("que fue embajadora en Italia")
        token = token.head
    return token in heads


def crosses_clause(token: Token, heads: set[Token]) -> bool:
    """True when the way up from `token` to one of `heads` passes a clause headed by a noun or an
    adjective ("met X, que fue embajadora en Italia"): a place there is not the meeting's."""
    for _ in range(CLAUSE_STEPS):
        if token in heads or token.head == token:
            return False
        if token.dep_ in _CLAUSES and token.pos_ not in ("VERB", "AUX"):
            return True
        token = token.head
    return False


def preposition(token: Token) -> str:
    """Return the preposition that introduces the noun `token` ("at", "en"), or ""."""
    if token.dep_ == "pobj":
        return token.head.lower_
    return next((c.lower_ for c in token.children if c.dep_ == "case"), "")


def venue(doc, sent: Span, ents: list[Span], label_of, trigger: Token, heads: set[Token], preps: set[str], words: set[str]) -> Span | None:
    """Return the nearest venue of the trigger's clause: an ORG/FAC/MISC entity or a noun phrase
    headed by one of `words`, introduced by one of `preps`; the span leaves out determiners."""
    found = []
    for ent in ents:
        if ent.label_ in VENUE_LABELS and preposition(ent.root) in preps and in_clause(ent.root, heads):
            found.append(ent)
    for token in sent:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in words or label_of(token.i):
            continue
        # a bare "the hotel", "su despacho" says too little: a venue is named or qualified
        qualified = any(c.dep_ in ("amod", "compound", "flat", "nmod", "prep") for c in token.children)
        if qualified and preposition(token) in preps and in_clause(token, heads):
            start = min([c.i for c in token.children if c.dep_ in ("amod", "compound") and c.i < token.i] + [token.i])
            end = max([c.i + 1 for c in token.children if c.dep_ in ("compound", "flat") and c.i > token.i] + [token.i + 1])
            found.append(doc[start:end])
    if not found:
        return None
    best = min(found, key=lambda span: abs(span.start - trigger.i))
    # the venue's city or country, where its phrase gives one ("the hotel of the historic town
    # of Ardmore", "la sede de la OTAN en Bruselas")
    inside = {t.i for t in best.root.subtree}
    for ent in ents:
        if ent.label_ == "PLACE" and ent.root.i in inside:
            return ent
    while len(best) > 1 and best[0].pos_ == "DET":
        best = best[1:]
    return best


def paragraph_place(doc, view, ents: list[Span], sent: Span, people: list, by_sentence: dict, preps: set[str], reach: int = 2) -> Span | None:
    """For a meeting no place phrase of its own sentence places: the place of an earlier
    sentence of its paragraph whose subject is one of its participants, said of that
    sentence's main verb ("X confirmed today in Pamplona that ... X was received by Y")."""
    from pipeline.rules.meetings.ties import sentence_before

    surnames = {doc[item.start : item.end].text.split()[-1] for item in people if item.end > item.start}
    for _ in range(reach):
        before = sentence_before(view, doc, sent)
        if before is None:
            return None
        sent = before
        root = sent.root
        subjects = [item for item in by_sentence.get(sent.start, []) if any(_subject_of(doc[i], root) for i in range(*item.block))]
        if not any(doc[item.start : item.end].text.split()[-1:] and doc[item.start : item.end].text.split()[-1] in surnames for item in subjects):
            continue
        for ent in ents:
            if sent.start <= ent.start and ent.end <= sent.end and ent.label_ == "PLACE":
                attached = ent.root.head.head if ent.root.dep_ == "pobj" else ent.root.head
                if preposition(ent.root) in preps and attached == root:
                    return ent
    return None


def _subject_of(token: Token, root: Token) -> bool:
    """True when `token`, or the title it stands in apposition to, is the subject of `root`."""
    for _ in range(3):
        if token.dep_ in ("nsubj", "nsubj:pass", "nsubjpass"):
            return token.head == root
        if token.dep_ not in ("appos", "flat", "flat:name", "compound") or token.head == token:
            return False
        token = token.head
    return False


@dataclass(frozen=True)
class Capital:
    """The place of a meeting held in a capital the text names by its country: `text` is the city."""

    text: str


def capital(sent: Span, heads: set[Token], preps: set[str], words: set[str], gazetteer) -> Capital | None:
    """Return the capital of the trigger's clause named by its country ("in the Polish capital",
    "en la capital mexicana", "in the capital of Chile"), or None."""
    if gazetteer is None:
        return None
    for token in sent:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in words or preposition(token) not in preps or not in_clause(token, heads):
            continue
        for child in token.children:
            country = ""
            if child.dep_ == "amod":  # "the Polish capital", "la capital polaca"
                country = gazetteer.country_of(child.text) if gazetteer.demonym_place(child.text) else ""
            elif child.dep_ in ("prep", "nmod"):  # "the capital of Chile", "la capital de Chile"
                noun = next((g for g in child.children if g.dep_ == "pobj"), None) if child.dep_ == "prep" else child
                name = gazetteer.canonical(noun.text) if noun is not None else ""
                country = name if name and gazetteer.kind(name) == "country" else ""
            city = capital_of(country) if country else ""
            if city:
                return Capital(city)
    return None
