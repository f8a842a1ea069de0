"""Ties between people and a meeting trigger beyond the trigger's own arguments (hooks of the
_Participants and _Triggers mixins).

- reflexive and reciprocal clitics ("A y B se reunieron", "nos reunimos") are no direct object;
- two subjects of one trigger ("A and B signed", "A y B cenaron") make a meeting of their own,
  as a "with" phrase does;
- the agent of a passive trigger ("was received by X", "fue recibida por X") stands for the
  object an active one needs;
- the verb of a relative clause on a meeting noun ("la reunión que X mantuvo con Y", "the talks,
  which X attended", "el almuerzo en el que X entregó una carta a Y"), the main clause
  around a noun that frames the meeting in time ("al término de la reunión, X dijo"), the noun
  a participle modifies ("X, accompanied by Y") and the clause an indefinite meeting noun
  hangs in ("X spoke in a statement released with a visit to Y with Z") tie people to it;
- "a meeting between A, <a clause>, and B": B is the person right after the conjunction;
- a person right before a subjectless verb group is its subject (a parser's far apposition);
- an object pronoun ("la recibió", "lo llamó", "met her") stands for the last person named
  before it in its sentence who is not already taking part, else the previous sentence's subject;
- a subject pronoun with no antecedent in its sentence ("He was met by X") or a possessive
  ("su entrevista con X", "his talks with X") stands for the person who is the subject of the
  sentence before it in its paragraph.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

SUBJECTS = ("nsubj", "nsubjpass", "nsubj:pass", "csubj")
PASSIVE_DEPS = ("nsubjpass", "nsubj:pass", "auxpass", "aux:pass", "agent", "obl:agent")


def reflexive(token: Token, reflexives: frozenset[str]) -> bool:
    """True for a reflexive or reciprocal clitic (one of `reflexives`) parsed as an object ("se reunieron")."""
    return token.pos_ == "PRON" and token.lower_ in reflexives


def passive(token: Token, auxiliaries: frozenset[str]) -> bool:
    """True for a verb in the passive voice ("was received", "fue recibida", "será firmado");
    `auxiliaries` are the lemmas of the passive auxiliary of its language ("ser")."""
    if "Pass" in token.morph.get("Voice"):
        return any(c.dep_ in ("aux", "aux:pass", "auxpass", "cop") for c in token.children) or token.tag_ == "VBN"
    return any(child.dep_ in PASSIVE_DEPS for child in token.children) or (
        bool(auxiliaries) and "Part" in token.morph.get("VerbForm") and any(c.lemma_ in auxiliaries for c in token.children)
    )


def reciprocal(tied: list) -> bool:
    """True when at least two people are subjects of the trigger ("A and B met")."""
    return sum(1 for _, how in tied if how in ("subject", "listed")) >= 2


def relative_verbs(trigger: Token, support: set[str], frames: set[str]) -> set[Token]:
    """Return the verbs of relative clauses on a meeting noun that tie people to it: a support
    verb ("la reunión que mantuvo con X", "la reunión, a la que asistirán X", "the talks, which
    X attended") or any verb of a clause set in the meeting ("el almuerzo en el que X le
    entregó una carta a Y", "the meeting in which X told Y")."""
    if trigger.pos_ not in ("NOUN", "PROPN"):
        return set()
    found = set()
    for child in trigger.children:
        if child.dep_ not in ("relcl", "acl", "acl:relcl") or child.pos_ not in ("VERB", "AUX"):
            continue
        if child.lemma_.lower() in support or _set_in(child, trigger, frames):
            found.add(child)
    return found


def _set_in(verb: Token, trigger: Token, frames: set[str]) -> bool:
    """True for "en la que", "in which", "during which", "donde" opening the clause of `verb`."""
    for child in verb.children:
        if child.i < trigger.i or child.i > verb.i:
            continue
        if child.lower_ in frames and child.pos_ in ("ADV", "SCONJ"):  # where, donde
            return True
        words = [t.lower_ for t in child.subtree]
        if child.pos_ in ("PRON", "DET") or (words and words[-1] in ("which", "que", "cual", "quien")):
            if words and words[0] in frames:
                return True
            if child.dep_ == "pobj" and child.head.lower_ in frames:
                return True
        if child.dep_ == "prep" and child.lower_ in frames and any(g.lower_ == "which" for g in child.children):
            return True
    return False


def frame_noun(trigger: Token, words: set[str]) -> Token | None:
    """Return the noun that frames a meeting noun in time ("al término de la reunión", "at the
    end of the talks", "tras el final del encuentro"), or None; the meeting noun itself when
    the parser made the frame one fixed preposition with it."""
    head = trigger.head
    for case in (c for c in trigger.children if c.dep_ == "case"):
        if any(f.dep_ == "fixed" and f.lower_ in words for f in case.children):
            return trigger  # "al término de" parsed as one fixed preposition
    if trigger.dep_ == "pobj" and head.lower_ in ("of",) and _word(head.head) in words:
        return head.head
    if head.pos_ == "NOUN" and _word(head) in words and any(c.dep_ == "case" and c.lower_ in ("de", "del") for c in trigger.children):
        return head
    return None


def _word(token: Token) -> str:
    return (token.lemma_ or token.lower_).lower()


def modified_noun(trigger: Token) -> Token | None:
    """Return the noun a participle trigger modifies ("the president, accompanied by X",
    "el presidente, acompañado por X"): that noun's person takes part."""
    if trigger.dep_ in ("amod", "acl") and trigger.pos_ in ("VERB", "ADJ") and trigger.head.pos_ in ("NOUN", "PROPN"):
        return trigger.head
    return None


def sentence_before(view, doc, sent: Span) -> Span | None:
    """Return the sentence before `sent` when it lies in the same paragraph, else None (uses the
    DocView's sentence bounds: Token.sent would scan the Doc)."""
    if sent.start == 0:
        return None
    start = view.sent_start[sent.start - 1]
    last = sent.start - 1
    while last >= start and doc[last].is_space:
        last -= 1
    if last < start or any("\n" in doc[i].text_with_ws for i in range(last, sent.start)):
        return None  # a new paragraph starts a new topic
    return doc[start : sent.start]


def previous_subject(items_by_sentence: dict, sent: Span, doc, view) -> object | None:
    """Return the first person that is the subject of a clause in the sentence before `sent`,
    in the same paragraph: the antecedent of a subject pronoun that has none in its own
    sentence ("... where Tarek Olund had landed. He was being greeted by X")."""
    before = sentence_before(view, doc, sent)
    if before is None:
        return None
    # a headline glued to the sentence by the segmenter is not part of it
    start = max([t.i + 1 for t in before if "\n" in t.text_with_ws and t.i + 1 < before.end] + [before.start])
    people = [item for item in items_by_sentence.get(before.start, []) if not item.counterpart and item.start >= start]
    for item in people:
        if any(doc[i].dep_ in SUBJECTS for i in range(item.block[0], item.block[1])):
            return item
    # the parse lost the subject, but the sentence names one person only
    return people[0] if len({doc[i.start : i.end].text for i in people}) == 1 else None


BETWEEN = ("between", "entre")


def between_partner(tied: list, people: list, sent: Span, doc) -> list:
    """For "a meeting between A, claiming to represent X, and B": the person right after the
    conjunction that closes a "between" phrase whose second member the parser hung elsewhere.
    Returns [(item, "listed")] or []."""
    if len(tied) != 1 or tied[0][1] != "with":
        return []
    first = tied[0][0]
    root = doc[first.start : first.end].root
    while root.dep_ in ("appos", "flat", "flat:name", "compound") and root.head != root:
        root = root.head
    marker = root.head.lower_ if root.dep_ == "pobj" else next((c.lower_ for c in root.children if c.dep_ == "case"), "")
    if marker not in BETWEEN:
        return []
    for i in range(first.block[1], sent.end):
        if doc[i].pos_ == "CCONJ":
            after = next((item for item in people if item.start > i and not item.counterpart), None)
            if after is not None and all(t.pos_ in ("DET", "PUNCT") or t.i in range(after.block[0], after.block[1]) for t in doc[i + 1 : after.start]):
                return [(after, "listed")]
            return []
    return []


def possessive(trigger: Token, words: set[str]) -> Token | None:
    """Return the possessive pronoun of a meeting noun ("his meeting with X", "su reunión con
    X"), which stands for a person named before it, or None."""
    if trigger.pos_ not in ("NOUN", "PROPN"):
        return None
    return next((c for c in trigger.children if c.i < trigger.i and c.lower_ in words and c.dep_ in ("poss", "nmod:poss", "det")), None)


def adjacent_subject(trigger: Token, people: list) -> object | None:
    """For a verb whose subject the parser hung elsewhere ("..., del consejero Ibarlucea, Ana Mora
    fue recibida por X" with "Ana Mora" made an apposition far back): the person whose name ends
    right before the verb or its auxiliaries. None when the verb has a subject of its own."""
    if trigger.pos_ not in ("VERB", "AUX") or any(c.dep_ in SUBJECTS for c in trigger.children):
        return None
    start = trigger.i
    auxiliaries = sorted((c.i for c in trigger.children if c.dep_ in ("aux", "aux:pass", "auxpass", "cop") and c.i < trigger.i), reverse=True)
    for i in auxiliaries:
        if i == start - 1:
            start = i
    return next((item for item in people if item.end == start and not item.counterpart), None)


def governing_clause(trigger: Token) -> Token | None:
    """For an indefinite meeting noun or a subjectless gerund with a partner but no host ("X
    spoke in a statement released for a visit to Madrid with Y"; "X has met leaders, including
    giving an address and meeting with Y"): the nearest verb above it
    that has a subject, climbing only through phrases that hang on it (prepositions, objects,
    participles), never out of a relative or reported clause. None for a definite noun ("the
    meeting", someone else's meeting) or when no such verb is found."""
    gerund = trigger.tag_ == "VBG" or "Ger" in trigger.morph.get("VerbForm")
    if gerund and any(c.dep_ in SUBJECTS for c in trigger.children):
        return None
    if not gerund and (trigger.pos_ not in ("NOUN", "PROPN") or any(
        c.dep_ in ("det", "poss", "nmod:poss") and ("Def" in c.morph.get("Definite") or c.lower_ in ("the", "el", "la") or c.dep_ != "det")
        for c in trigger.children
    )):
        return None
    token = trigger
    for _ in range(10):
        if token.dep_ not in ("prep", "pobj", "obl", "nmod", "dobj", "obj", "acl", "xcomp", "advcl", "pcomp", "conj") or token.head == token:
            return None
        token = token.head
        if token.pos_ in ("VERB", "AUX") and any(c.dep_ in SUBJECTS for c in token.children):
            return token
    return None


def object_pronoun(trigger: Token, pronouns: frozenset[str]) -> Token | None:
    """Return a singular personal object pronoun (one of `pronouns`) of a trigger verb ("la
    recibió", "lo llamó", "met her"), which stands for a person named before it, or None."""
    if trigger.pos_ not in ("VERB", "AUX"):
        return None
    return next((c for c in trigger.children if c.dep_ in ("obj", "dobj", "iobj") and c.pos_ == "PRON" and c.lower_ in pronouns), None)
