"""Office grammar steps on one Doc for lists: coordinated offices ("vicepresidenta de A y
comisaria de B, X") and plural heads with a list of holders ("Presidents A of N and B of M")
(a mixin of office_steps.Offices)."""

from __future__ import annotations

import copy

from pipeline import code_ids
from pipeline.rules.roles.offices import CONJUNCTIONS


class _Lists:
    """Offices' list steps (mixin: doc, view, grammar and portfolio_after are Offices')."""

    def coordinated_links(self, phrases: list, links: list, persons: list) -> None:
        """Give a person linked to the second of two coordinated offices the first one too:
        "la vicepresidenta de la Comisión y comisaria de Transportes, X", an office before a
        military or clerical rank: "el ministro de Defensa, general X", and one linked to the
        first of two offices after the name the second too: "X, ministro de A y portavoz de B"."""
        doc = self.doc
        ends = {phrase.end: p for p, phrase in enumerate(phrases)}
        starts = {phrase.start: p for p, phrase in enumerate(phrases)}
        linked = {p for p, _, _ in links}
        for p, q, _ in list(links):
            start = phrases[p].start
            rank = self.doc[phrases[p].start : phrases[p].core[1]].text.lower() in self.grammar.ranks
            joined = doc[start - 1].lower_ in CONJUNCTIONS or (rank and doc[start - 1].text == ",")
            if (start >= 2 and joined and start - 1 in ends) or (start in ends and not phrases[ends[start]].plural):
                # "A and B, X", or two titles side by side: "party chairwoman President X"
                first = ends[start - 1] if joined else ends[start]
                if first not in linked and phrases[first].start < start:
                    links.append((first, q, code_ids.OFFICE_COORDINATED))
                    linked.add(first)
            # after the name: "X, ministro de Cultura y portavoz del Gobierno"
            end = phrases[p].end
            if persons[q][1] <= phrases[p].start and end + 1 < len(doc) and doc[end].lower_ in CONJUNCTIONS:
                second = starts.get(end + 1, starts.get(end + 2) if doc[end + 1].pos_ == "DET" else None)
                head = self.head_of(phrases[second]) if second is not None else None
                # not a membership ("y miembro del Wilson Center"): an office that needs a complement is weaker evidence
                if second is not None and second not in linked and not phrases[second].plural and not (head is not None and head.complement):
                    links.append((second, q, code_ids.OFFICE_COORDINATED))
                    linked.add(second)

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
