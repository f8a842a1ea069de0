"""Office grammar steps on one Doc: portfolios, organization complements, lists and the
attachments the link patterns need (configs/offices.yml, compiled by offices.Grammar).

The roles phrase builder and linker call these through small hooks: portfolios and complements
grow a role phrase ("ministro de Comercio e Industrias", "jefa del cuerpo de inspectores de la Liga
Costera (LC)"), plural heads link every name of their list ("Presidents A of N and B of M"), and
a link verb or a closed apposition ties a person to an office the parse hangs elsewhere.
"""

from __future__ import annotations

import copy

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import code_ids
from pipeline.rules.roles.offices import CONJUNCTIONS, INNER, Grammar, HeadEntry, Portfolio


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


class Offices:
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

    # ------------------------------------------------------------------ organizations
    def complement(self, phrase, i: int, ceiling: int) -> int:
        """Take the noun phrase after "of"/"de" (or after a verb head) as the organization the
        office belongs to, in the text's words ("del sindicato", "of the Baltic Council",
        "del cuerpo de inspectores de la Liga Costera (LC)"); return its end or 0."""
        doc, view = self.doc, self.view
        end, last, j = i, 0, i
        while j < ceiling and j - i < 14:
            tok, ent = doc[j], view.ent_of[j]
            if ent is not None and ent.label_ == "PERSON" and ent.end - ent.start == 1 and last and doc[j - 1].is_lower:
                # "del diario socialista Libération": a one-word name after a common noun names it
                j = last = end = ent.end
                continue
            if ent is not None and ent.label_ in ("PERSON", "DATE", "NUMBER"):
                break
            if self.grammar.head_by_term.get(tok.lower_) is not None and j > i:
                break  # another office begins ("y comisaria de Transportes")
            if ent is not None and ent.label_ in ("ORG", "MISC", "PLACE") or view.org_of[j] is not None:
                j = max(j + 1, ent.end if ent is not None else j + 1)
                last = end = j
                continue
            if tok.text in ("(", "-", "–") and last:
                close = self._closing(j, ceiling)
                if close:
                    j = last = end = close
                    continue
                break
            if tok.pos_ in ("NOUN", "PROPN", "ADJ"):
                j += 1
                last = end = j
                continue
            if tok.lower_ in INNER or tok.pos_ == "DET":
                j += 1
                continue
            break
        if not last:
            return 0
        head = self.head_of(phrase)
        span = doc[i:end]
        words = [t for t in span if t.pos_ in ("NOUN", "PROPN") or view.ent_of[t.i] is not None]
        if not words:
            return 0
        if head is not None and head.complement and not any(view.ent_of[t.i] is not None or t.is_title for t in words):
            # "who led the protests", "responsable del atentado", "miembro del jurado": a head that
            # is an office only with a complement needs an organization the text names
            return 0
        if not phrase.organization:
            start = i + (1 if doc[i].pos_ == "DET" else 0)
            phrase.organization = doc[start:end].text
            phrase.explicit = True
            phrase.rules.append(code_ids.OFFICE_COMPLEMENT)
        return end

    def _closing(self, j: int, ceiling: int) -> int:
        """Return the end of a bracketed aside after an organization ("(OEA)", "- Aetinape -",
        "(policía federal de Estados Unidos)") that names no person; 0 when there is none."""
        close = {"(": ")", "-": "-", "–": "–"}[self.doc[j].text]
        for k in range(j + 1, min(ceiling, j + 10)):
            if self.doc[k].text == close:
                return k + 1 if k > j + 1 else 0
            ent = self.view.ent_of[k]
            if ent is not None and ent.label_ == "PERSON" or self.doc[k].pos_ in ("VERB", "AUX"):
                return 0
        return 0

    def trailing_adjectives(self, phrase, ceiling: int) -> int:
        """Take party or descriptive adjectives right after a Spanish title ("el portavoz
        demócrata, X", "el senador socialista X"); return the new end or 0."""
        doc, view = self.doc, self.view
        j = phrase.end
        while j < ceiling and j - phrase.end < 2 and doc[j].is_lower and doc[j].pos_ == "ADJ" and view.ent_of[j] is None:
            j += 1
        if j == phrase.end or j >= ceiling:
            return 0
        nxt = doc[j]
        if nxt.text == "," or (nxt.pos_ == "PROPN" and nxt.is_title) or nxt.lower_ in ("de", "del", "en"):
            return j
        return 0

    def after_title(self, phrase, i: int, ceiling: int) -> int:
        """Take what may follow a title before the name: an honorific ("archbishop Monsignor X")
        or where the office is held ("Senator from Vermont", "diputado por Madrid"); return the
        new end or 0."""
        doc, view = self.doc, self.view
        ent = view.ent_of[i]
        lower = doc[i].lower_
        if lower in self.grammar.honorifics and (ent is None or ent.label_ != "PERSON" or ent.end == i + 1):
            nxt = view.ent_of[i + 1] if i + 1 < ceiling else None
            if nxt is not None and nxt.label_ in ("PERSON", "ORG", "MISC", "PLACE") or (i + 1 < ceiling and view.name_like[i + 1]):
                phrase.rules.append(code_ids.OFFICE_HONORIFIC)
                return i + 1
        if lower == "(" and i + 2 < ceiling and doc[i + 2].text == ")" and doc[i + 1].is_upper:
            return i + 3  # "Member of Parliament (MP) X"
        if lower in ("(", "-", "–") and phrase.explicit and i > phrase.core[1]:
            close = self._closing(i, ceiling)  # "director del FBI (policía federal), X"
            if close:
                return close
        if lower in self.grammar.from_words and i + 1 < ceiling:
            place = view.ent_of[i + 1]
            if place is not None and place.label_ == "PLACE" and place.start == i + 1:
                if not phrase.jurisdiction or phrase.jurisdiction == phrase.role.jurisdiction:
                    phrase.jurisdiction = view.place_name(place)
                phrase.explicit = True
                phrase.rules.append(code_ids.OFFICE_FROM_PLACE)
                return place.end
        if lower in ("'s", "’s") and i > phrase.end - 1 and view.label(i - 1) == "PLACE":
            # "the chair of Norway's Fjord Heritage Trust"
            return self.complement(phrase, i + 1, ceiling)
        return 0

    def common_owner(self, j: int) -> int | None:
        """Return where "the kingdom's" / "the union's" begins when token j is the possessive of a
        common noun: the office phrase takes it in, naming no place ("X, the kingdom's interior
        minister"); None otherwise."""
        doc = self.doc
        owner = j - 1
        if owner < 1 or not doc[owner].is_lower or doc[owner].pos_ != "NOUN" or doc[owner - 1].pos_ != "DET":
            return None
        return owner - 1

    def noun_before(self, phrase, j: int) -> bool:
        """Take an institution noun (connectors.org_heads) compounded onto an office head as its
        organization ("committee member X", "party leader X"); True when taken."""
        tok = self.doc[j]
        head = self.head_of(phrase)
        if head is None or phrase.organization or not tok.is_lower or tok.pos_ != "NOUN" or tok.dep_ != "compound":
            return False
        if tok.lower_ not in self.view.lex.words["org_heads"]:
            return False  # "gang member" names no institution
        if tok.head.i < phrase.core[0] or tok.head.i >= phrase.core[1] or self.view.ent_of[j] is not None:
            return False
        phrase.organization = tok.text
        phrase.explicit = True
        phrase.rules.append(code_ids.OFFICE_COMPOUND)
        return True

    def complete(self, phrase) -> bool:
        """False for a head that is an office only with a complement and has none ("titular")."""
        head = self.head_of(phrase, exact=True)
        if head is None or not head.complement:
            return True
        return bool(phrase.portfolio or phrase.organization)

    # ------------------------------------------------------------------ lists
    def coordinated_links(self, phrases: list, links: list) -> None:
        """Give a person linked to the second of two coordinated offices the first one too:
        "la vicepresidenta de la Comisión y comisaria de Transportes, X", and an office before a
        military or clerical rank: "el ministro de Defensa, general X"."""
        doc = self.doc
        ends = {phrase.end: p for p, phrase in enumerate(phrases)}
        linked = {p for p, _, _ in links}
        for p, q, _ in list(links):
            start = phrases[p].start
            rank = self.doc[phrases[p].start : phrases[p].core[1]].text.lower() in self.grammar.ranks
            joined = doc[start - 1].lower_ in CONJUNCTIONS or (rank and doc[start - 1].text == ",")
            if start >= 2 and joined and start - 1 in ends:
                first = ends[start - 1]
                if first not in linked and phrases[first].start < start:
                    links.append((first, q, code_ids.OFFICE_COORDINATED))
                    linked.add(first)

    def list_links(self, phrases: list, persons: list, links: list) -> None:
        """Link every name of a list after a plural head: "Presidents A of N and B of M",
        "ministers A (Economy), B (Agriculture)", "Representatives A, B, and C"."""
        doc, view = self.doc, self.view
        person_at = {s: q for q, (s, _) in enumerate(persons)}
        linked = {q: p for p, q, _ in links}
        for p in range(len(phrases)):
            phrase = phrases[p]
            if not phrase.plural:
                continue
            template = copy.deepcopy(phrase)
            ceiling = view.sent_end[phrase.start]
            j = phrase.end + (1 if phrase.end < ceiling and doc[phrase.end].text in (",", ":") else 0)
            while j < ceiling:
                place = self._place_comma(j, ceiling, person_at)
                prepared = None if place is not None else self._portfolio_comma(j, ceiling, person_at, template)
                if place is not None:
                    # "los presidentes de Chile, A; Perú, B, y Bolivia, C"
                    j = place[1]
                elif prepared is not None:
                    # "los ministros de Economía, A, y de Trabajo, B"
                    j = prepared[1]
                if j not in person_at:
                    break
                q = person_at[j]
                j = persons[q][1]
                own = linked.get(q) == p
                target = phrase if own else prepared[0] if prepared is not None else self._clone(template)
                if place is not None:
                    target.jurisdiction, target.explicit = place[0], True
                if j + 2 < ceiling and doc[j].text == "(":
                    end = self.portfolio_after(target, j + 1, ceiling)
                    if end and end < ceiling and doc[end].text == ")":
                        j = end + 1
                if j + 1 < ceiling and doc[j].lower_ in ("of", "de", "del") and not target.jurisdiction:
                    ent = view.ent_of[j + 1]
                    if ent is not None and ent.label_ == "PLACE" and ent.start == j + 1:
                        target.jurisdiction = view.place_name(ent)
                        target.explicit = True
                        j = ent.end
                if q not in linked:
                    phrases.append(target)
                    links.append((len(phrases) - 1, q, code_ids.OFFICE_LIST))
                    linked[q] = len(phrases) - 1
                while j < ceiling and (doc[j].text in (",", ";") or doc[j].lower_ in CONJUNCTIONS):
                    j += 1
            if j == phrase.end:
                self._portfolio_list(p, template, persons, person_at, linked, phrases, links)

    @staticmethod
    def _clone(template):
        """Return a copy of a plural office for one more name of its list, its text the head
        alone: "presidentes de Chile" is not the text of Peru's president."""
        clone = copy.deepcopy(template)
        clone.plural = False
        clone.start, clone.end = clone.core
        return clone

    def _portfolio_comma(self, j: int, ceiling: int, person_at: dict, template):
        """Return (the office with its own portfolio, index of the name) for "(de) <portfolio>,
        <name>" at j in a list after a plural head; None otherwise."""
        k = j + 1 if self.doc[j].lower_ in ("de", "del", "of", "for") else j
        clone = self._clone(template)
        clone.portfolio = clone.title = ""
        clone.rules = clone.rules[:1]  # the head's alias; the portfolio is this item's own
        end = self.portfolio_after(clone, k, ceiling)
        if not end or end + 1 >= ceiling or self.doc[end].text != "," or end + 1 not in person_at:
            return None
        clone.start, clone.end = k, end  # its own words, not the first item's
        return clone, end + 1

    def _place_comma(self, j: int, ceiling: int, person_at: dict) -> tuple[str, int] | None:
        """Return (place, index of the name) for "<place>, <name>" at j, None otherwise."""
        ent = self.view.ent_of[j]
        if ent is None or ent.label_ != "PLACE" or ent.start != j or ent.end + 1 >= ceiling:
            return None
        if self.doc[ent.end].text != "," or ent.end + 1 not in person_at:
            return None
        return self.view.place_name(ent), ent.end + 1

    def _portfolio_list(self, p: int, template, persons, person_at, linked, phrases, links) -> None:
        """Link "los comisarios responsables de Competencia (A), Deportes (B) y Pesca (C)": a
        plural head followed by portfolios, each with its holder in brackets."""
        doc = self.doc
        phrase = phrases[p]
        ceiling = self.view.sent_end[phrase.start]
        j = phrase.end
        if not template.portfolio:
            # a plural word of charge and its "of" ("responsables de", "in charge of", "for")
            while j < ceiling and j - phrase.end < 3 and doc[j].is_lower and doc[j].lower_ not in ("de", "of", "for", "del"):
                j += 1
            if j >= ceiling or doc[j].lower_ not in ("de", "of", "for", "del"):
                return
            j += 1
        first = bool(template.portfolio)  # the phrase already holds the first portfolio
        while j < ceiling:
            target = copy.deepcopy(template) if first else self._clone(template)
            target.plural = False
            if first:
                end, first = j, False
            else:
                target.portfolio = ""
                end = self.portfolio_after(target, j, ceiling)
            if not end or end + 2 >= ceiling or doc[end].text != "(" or end + 1 not in person_at:
                return
            q = person_at[end + 1]
            close = persons[q][1]
            if close >= ceiling or doc[close].text != ")":
                return
            if q not in linked:
                phrases.append(target)
                links.append((len(phrases) - 1, q, code_ids.OFFICE_LIST))
                linked[q] = len(phrases) - 1
            j = close + 1
            while j < ceiling and (doc[j].text in (",", ";") or doc[j].lower_ in CONJUNCTIONS):
                j += 1

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
            if name.head == verb and name.dep_ in ("dobj", "obj"):
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
