"""Office grammar steps on one Doc: portfolios, organization complements, lists and the
attachments the link patterns need (configs/offices.yml, compiled by offices.Grammar).

The roles phrase builder and linker call these through small hooks: portfolios and complements
grow a role phrase ("ministro de Comercio e Industrias", "jefa del cuerpo de inspectores de la Liga
Costera (LC)"), plural heads link every name of their list ("Presidents A of N and B of M"), and
a link verb or a closed apposition ties a person to an office the parse hangs elsewhere.
Complements are in office_complements, lists in office_lists (mixins of Offices).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.rules.roles.office_complements import _Complements
from pipeline.rules.roles.office_lists import _Lists
from pipeline.rules.roles.offices import CONJUNCTIONS, Grammar, HeadEntry, Portfolio

def title_spans(matcher, doc: Doc, names: dict[int, str]) -> list[Span]:
    """Return the title matches as labelled spans, longest first, except that of two titles
    sharing a word the earlier wins: "Deputy [Prime Minister] for Finance" is not "Prime
    [Minister for Finance]"."""
    spans = sorted(
        (Span(doc, start, end, label=names[key]) for key, start, end in matcher(doc)),
        key=lambda s: (s.start, -len(s)),
    )
    kept, reach, start, reach_before = [], 0, -1, 0
    for span in spans:
        if span.start != start:  # the furthest end of the titles that start earlier
            start, reach_before = span.start, reach
        if not span.start < reach_before < span.end:
            kept.append(span)
        reach = max(reach, span.end)
    return filter_spans(kept)


class Offices(_Complements, _Lists):
    """Per-Doc office grammar steps the phrase builder calls (one instance per Doc)."""

    def __init__(self, grammar: Grammar, view):
        self.grammar = grammar
        self.view = view
        self.doc = view.doc
        self.spans = grammar.portfolio_spans(view.doc)
        self.ends = {end: (start, entry) for start, (end, entry) in self.spans.items()}

    # ------------------------------------------------------------------ portfolios
    def _one(self, i: int, ceiling: int) -> Portfolio | None:
        """A table portfolio at i (after an optional article), or title-case words of the text."""
        doc, view = self.doc, self.view
        j = i + 1 if i < ceiling and doc[i].pos_ == "DET" else i
        if j in self.spans and self.spans[j][0] <= ceiling and not self._named(j):
            end, entry = self.spans[j]
            return Portfolio(entry.label, entry.short or entry.label, end, entry.id)
        if j != i:
            return None
        # A portfolio the table does not know, in the text's own words: title-case words that
        # name no place, person or known organization ("de Obras Sanitarias").
        end = i
        while end < ceiling and end - i < 5:
            tok = doc[end]
            ent = view.ent_of[end]
            if ent is not None and ent.label_ in ("PERSON", "PLACE", "NORP", "DATE", "NUMBER"):
                break
            if view.org_of[end] is not None or not tok.is_title or tok.pos_ not in ("PROPN", "NOUN", "ADJ"):
                break
            if tok.lower_ in self.grammar.head_by_term:
                break
            end += 1
        first = view.ent_of[i]
        if end == i or first is not None and first.label_ == "ORG" and first.end > end:
            return None
        text = doc[i:end].text
        if view.gazetteer is not None and view.gazetteer.canonical(text):
            return None  # "de Ghana" is a jurisdiction
        return Portfolio(text, text, end)

    def _places(self, start: int, end: int) -> bool:
        """True when a token of start..end is a known place ("de España" inside a MISC span)."""
        gazetteer = self.view.gazetteer
        return gazetteer is not None and any(
            self.doc[k].pos_ == "PROPN" and gazetteer.canonical(self.doc[k].text) for k in range(start, end)
        )

    def _named(self, j: int) -> bool:
        """True when token j starts a person's or place's name, never a portfolio."""
        ent = self.view.ent_of[j]
        return ent is not None and ent.label_ in ("PERSON", "PLACE") and ent.text.lower() != self.doc[j].lower_

    def portfolio_after(self, phrase, i: int, ceiling: int) -> int:
        """Read a portfolio list at i ("de Comercio e Industrias"); relabel the phrase; return its end or 0."""
        head = self.head_of(phrase, exact=True)
        if head is None or not head.portfolio or phrase.portfolio:
            return 0
        first = self._one(i, ceiling)
        if first is None:
            return 0
        parts, end = [first], first.end
        while end + 1 < ceiling and self.doc[end].lower_ in CONJUNCTIONS:
            more = self._one(end + 1, ceiling)
            if more is None:
                break
            parts.append(more)
            end = more.end
        self._relabel(phrase, head, parts)
        return end

    def portfolio_before(self, phrase, j: int) -> int | None:
        """Read a table portfolio ending at token j before the head ("finance minister"); return its start."""
        head = self.head_of(phrase, exact=True)
        hit = self.ends.get(j + 1)
        if head is None or not head.portfolio or phrase.portfolio or hit is None:
            return None
        start, entry = hit
        self._relabel(phrase, head, [Portfolio(entry.label, entry.short or entry.label, j + 1, entry.id)])
        return start

    def coordinated_core(self, phrase, ceiling: int) -> int:
        """Extend a lexicon title ending inside an organization's name to its end, or one ending in
        a portfolio ("ministro de Comercio") by a coordinated one ("e Industrias"); return the new
        end or 0."""
        i = phrase.end
        ent = self.view.ent_of[i - 1]
        exact = self.head_of(phrase, exact=True)
        if exact is not None and exact.portfolio and i + 1 < ceiling and self.doc[i].lower_ in ("de", "del", "of", "for"):
            if self._one(i + 1, ceiling) is not None:
                return 0  # "secretario de Estado" + "de Comercio": a portfolio follows
        if ent is not None and ent.label_ in ("ORG", "MISC") and phrase.start < ent.start < i < ent.end <= ceiling and not self._places(i, ent.end):
            # "vicepresidenta del consejo" + "Nórdico": the organization the title ends in goes on
            return ent.end
        hit = self.ends.get(phrase.core[1])
        head = self.head_of(phrase)
        if hit is None or head is None or not head.portfolio or i + 1 >= ceiling or self.doc[i].lower_ not in CONJUNCTIONS:
            return 0
        more = self._one(i + 1, ceiling)
        if more is None:
            return 0
        entry = hit[1]
        self._relabel(phrase, head, [Portfolio(entry.label, entry.short or entry.label, hit[0], entry.id), more])
        return more.end

    def _relabel(self, phrase, head: HeadEntry, parts: list[Portfolio]) -> None:
        label = " and ".join(p.label for p in parts)
        short = " and ".join(p.short for p in parts)
        title = head.portfolio.format(portfolio=label, short=short)
        phrase.portfolio = label
        phrase.explicit = True
        phrase.rules += [head.id, *(p.id for p in parts)]
        role = self.grammar.roles_by_label.get(title)
        if role is not None:
            phrase.role, phrase.title = role, ""
        else:
            # the head's own office, not a lexicon title's ("secretario de Estado" + "de Comercio"
            # is no United States Secretary of State)
            phrase.role, phrase.title = self.grammar.head_roles[head.id], title

    def head_of(self, phrase, exact: bool = False) -> HeadEntry | None:
        """Return the office head of a phrase, None for a lexicon title no head names; with
        `exact`, only when the title is the bare head (a lexicon title holds its portfolio)."""
        return self.grammar.head(self.doc, phrase.core, phrase.glued, exact)

    # ------------------------------------------------------------------ attachment
    def _closed_apposition(self, phrase, person: tuple[int, int]) -> bool:
        """True for "the <office>, NAME," with the apposition closed by punctuation: the parse
        often hangs such a name on a conjunct instead."""
        doc = self.doc
        closing = (",", ")", ".", ";", ":", '"', "”", "»")
        if phrase.end + 1 == person[0] and doc[phrase.end].text == ",":
            before = doc[phrase.start - 1] if phrase.start > 0 else None
            if person[1] < len(doc) and doc[person[1]].text in closing and (before is None or before.pos_ != "PROPN"):
                return True
            # "A delegate to the Moldovan Senate, X warned": the office opens the sentence
            start = phrase.start - (1 if before is not None and before.pos_ == "DET" else 0)
            return start == self.view.sent_start[phrase.start]
        return False

    def attached(self, phrase, person: tuple[int, int]) -> bool:
        """True when the parse ties the person to the office beyond what roles._attached reads:
        a name in apposition to a word of a long office phrase ("la jefa del cuerpo de inspectores de
        la Liga Costera, X"), or an office hanging on a link verb whose subject is the person ("became
        prime minister", "quien fue nombrado ministro", "who heads the agency", "que era tesorera")."""
        doc = self.doc
        role = doc[phrase.core[0] : phrase.core[1]].root
        name = doc[person[0] : person[1]].root
        if name.dep_ == "appos" and phrase.start <= name.head.i < phrase.end:
            return True
        if name.head.dep_ == "appos" and phrase.start <= name.head.head.i < phrase.end and name.head.i < person[0]:
            # "el primer ministro, el socialista X": the name hangs on the party word before it
            return True
        if self._closed_apposition(phrase, person):
            return True
        if role.dep_ == "appos" and role.head.head == name and person[1] <= role.head.i < phrase.start:
            return True  # "X, de 45 años, alcalde de Y": the office hangs on the age between them
        one = role.head.head if role.dep_ == "pobj" else role.head
        if one.head == name and one.dep_ == "appos" and one.pos_ in ("NUM", "PRON") and person[1] <= one.i < phrase.start:
            return True  # "X, one of Berg's advisers", "X, uno de los asesores del ministro"
        head = self.head_of(phrase)
        verb = role if head is not None and head.verb else role.head
        if verb.pos_ == "ADP" and verb.lower_ in ("as", "como", "de", "en"):
            verb = verb.head
        relative = ("relcl", "acl", "acl:relcl")
        if role.dep_ in relative and role.head == name:
            # "Ferrán, que era tesorera": the office is the predicate of a clause about the name
            return any(child.lemma_.lower() in self.grammar.verbs for child in role.children)
        lemma = verb.lemma_.lower()
        if verb is not role and lemma not in self.grammar.verbs and lemma not in self.grammar.appoint:
            return False
        if lemma in self.grammar.appoint:
            if name.head == verb and name.dep_ in ("dobj", "obj", "oprd"):
                return True  # "named X as treasurer"
            if not self._passive(verb):
                return False  # "X named the minister": X appoints, holds nothing
        if name.head == verb or (verb.head == name and verb.dep_ in relative):
            return True
        # "X was re-elected as", "X, serving as": the subject hangs on the verb's governor
        near = (verb, verb.head, verb.head.head)
        return name.dep_.startswith("nsubj") and (name.head in near or name.head.head in near[:2])

    @staticmethod
    def _passive(verb) -> bool:
        """True for a verb in the passive ("was named", "fue nombrado") or a bare participle."""
        if verb.tag_ == "VBN" or "Part" in verb.morph.get("VerbForm"):
            return True
        return any(child.dep_ in ("auxpass", "aux:pass", "nsubjpass", "nsubj:pass") for child in verb.children)
