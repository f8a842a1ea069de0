"""Role phrases: a title grown into its full phrase (qualifier, rank, jurisdiction, organization)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span

from pipeline import code_ids
from pipeline.rules.roles.lexicon import DocView, _skip_det, match_words
from pipeline.rules.roles.office_steps import title_spans
from pipeline.rules.roles.schema import AliasEntry, ModifierEntry, RoleEntry


@dataclass
class RolePhrase:
    """A title grown into its full phrase, with what the text says about the office."""

    start: int  # token span of the whole phrase
    end: int
    core: tuple[int, int]  # token span of the alias itself
    role: RoleEntry
    alias: AliasEntry
    jurisdiction: str = ""
    organization: str = ""
    qualifier: str = ""
    rank: str = ""
    posted_to: str = ""
    explicit: bool = False  # the text names a jurisdiction or organization
    rules: list[str] = field(default_factory=list)
    portfolio: str = ""  # "Finance", "Obras Sanitarias" (office grammar)
    title: str = ""  # label built from head and portfolio when no role has it ("Tourism Minister")
    plural: bool = False  # "Presidents": links every name of the list after it
    glued: str = ""  # prefix glued onto the title ("ex", "vice")

    @property
    def label(self) -> str:
        """Return the canonical label, with its rank and host country ("Ambassador to Mexico")."""
        base = self.title or self.role.label
        label = f"{self.rank} {base}" if self.rank else base
        return f"{label} to {self.posted_to}" if self.posted_to else label


@dataclass
class Analysis:
    """What the roles component found in a Doc; the meetings component reads it."""

    phrases: list[RolePhrase]
    persons: list[tuple[int, int]]  # token spans of person names
    links: list[tuple[int, int, str]]  # (phrase index, person index, link rule id)
    view: Any = None  # the DocView: entities, organizations and places per token

    def role_of(self, text: str) -> RolePhrase | None:
        """Return the role phrase linked to a person named `text` (full name or surname) in this Doc."""
        last = text.split()[-1] if text.split() else ""
        for p, q, _ in self.links:
            name = self.view.doc[self.persons[q][0] : self.persons[q][1]].text
            if name == text or name.split()[-1] == last:
                return self.phrases[p]
        return None


class _PhraseBuilder:
    """Grows alias matches into role phrases."""

    def __init__(self, view: DocView):
        self.view = view
        self.doc = view.doc
        self.lex = view.lex

    def build(self) -> list[RolePhrase]:
        phrases = []
        taken: set[int] = set()
        titles = title_spans(self.lex.aliases, self.doc, self.lex.alias_names)
        self.title_starts = {span.start: span.end for span in titles}
        self.title_words = {i for span in titles for i in range(span.start, span.end)}
        for span in titles:
            if any(self.view.label(i) == "PERSON" for i in range(span.start, span.end)):
                continue
            alias = self.lex.alias_by_key[span.label_]
            phrase = RolePhrase(span.start, span.end, (span.start, span.end), self.lex.roles[alias.role], alias)
            phrase.rules.append(alias.id)
            phrase.plural = span.label_ in self.lex.grammar.plural_keys
            glued = self.lex.glued.get(span.label_)
            if glued is not None:
                phrase.glued = span.label_.rsplit("|", 1)[-1].lower()
                self._modify(phrase, glued)
            self._grow_left(phrase, self.view.sent_start[span.start])
            self._grow_right(phrase, self.view.sent_end[span.start])
            self._context(phrase, self.view.sent_start[span.start])
            if not self.view.offices.complete(phrase):
                continue
            if taken.isdisjoint(range(phrase.start, phrase.end)):
                taken.update(range(phrase.start, phrase.end))
                phrases.append(phrase)
        return phrases

    def _modify(self, phrase: RolePhrase, modifier: ModifierEntry) -> None:
        if modifier.rank:
            phrase.rank = modifier.label
        elif not phrase.qualifier:
            phrase.qualifier = modifier.label
        phrase.rules.append(modifier.id)

    def _set_place(self, phrase: RolePhrase, name: str) -> None:
        if name and not phrase.jurisdiction:
            phrase.jurisdiction = name
            phrase.explicit = True

    def _set_org(self, phrase: RolePhrase, name: str, jurisdiction: str, rule: str = "") -> None:
        if name and not phrase.organization:
            phrase.organization = name
            phrase.explicit = True
            if jurisdiction and not phrase.jurisdiction:
                phrase.jurisdiction = jurisdiction
            if rule:
                phrase.rules.append(rule)
            if phrase.alias.with_org:
                phrase.role = self.lex.roles[phrase.alias.with_org]
                phrase.title = ""

    def _grow_left(self, phrase: RolePhrase, floor: int) -> None:
        doc, view = self.doc, self.view
        i = phrase.start
        while i > floor:
            j = i - 1
            if doc[j].text in ("-", "–"):
                j -= 1
                if j < floor:
                    break
            hit = next(((w, m) for w, m in self.lex.before if match_words(view.lowers, j - len(w) + 1, w)), None)
            if hit:
                self._modify(phrase, hit[1])
                i = j - len(hit[0]) + 1
                continue
            if doc[j].lower_ in self.lex.words["possessive"] and j - 1 >= floor:
                owner = view.ent_of[j - 1]
                if owner is not None and owner.label_ == "PLACE":
                    self._set_place(phrase, view.place_name(owner))
                    i = owner.start
                    continue
                org = view.org_at(j - 1)
                if org is not None:
                    self._set_org(phrase, org[1], org[2], self._org_rule(j - 1))
                    i = org[0].start
                    continue
                owner_start = view.offices.common_owner(j)
                if owner_start is not None and j - 1 not in self.title_starts:  # "the governor's": an office of its own
                    i = owner_start
                elif owner is not None and owner.label_ == "PERSON" and owner.end == j and owner.start - 1 not in self.title_words:
                    # "X, Berg's spokesman": the office serves Berg; the phrase takes the possessor
                    # in, so that X, not Berg, is the one linked ("President Berg's aide" keeps Berg's title)
                    i = owner.start
                    if code_ids.OFFICE_POSSESSOR not in phrase.rules:
                        phrase.rules.append(code_ids.OFFICE_POSSESSOR)
                break
            portfolio = view.offices.portfolio_before(phrase, j)
            if portfolio is not None:
                i = portfolio
                continue
            if view.offices.noun_before(phrase, j):
                i = j
                continue
            demonym = view.demonym_at(j)
            if demonym is not None:
                self._set_place(phrase, demonym[1])
                i = demonym[0].start
                continue
            ent = view.ent_of[j]
            if ent is not None and ent.label_ == "PLACE" and doc[j].pos_ == "PROPN":
                self._set_place(phrase, view.place_name(ent))
                i = ent.start
                continue
            org = view.org_at(j)
            if org is not None and doc[j].pos_ in ("PROPN", "NOUN"):
                self._set_org(phrase, org[1], org[2], self._org_rule(j))
                i = org[0].start
                continue
            if j not in self.title_words and view.offices.descriptor_before(phrase, j):
                i = j  # "the trade envoy", "the city's first female mayor": words that describe the office
                continue
            break
        phrase.start = i

    def _org_rule(self, i: int) -> str:
        known = self.view.org_of[i]
        return known[1].id if known is not None else ""

    def _grow_right(self, phrase: RolePhrase, ceiling: int) -> None:
        doc, view, words = self.doc, self.view, self.lex.words
        i = view.offices.coordinated_core(phrase, ceiling) or phrase.end
        head = view.offices.head_of(phrase)
        if head is not None and head.verb:
            # "who heads the agency", "que preside el sindicato": the object is the organization
            i = view.offices.complement(phrase, i, ceiling) or i
        while i < ceiling:
            hit = next(((w, m) for w, m in self.lex.after if match_words(view.lowers, i, w)), None)
            if hit:
                self._modify(phrase, hit[1])
                i += len(hit[0])
                continue
            demonym = view.demonym_at(i)
            if demonym is not None and not phrase.jurisdiction:
                self._set_place(phrase, demonym[1])
                i = demonym[0].end
                continue
            lower = doc[i].lower_
            if lower in words["of"] or (phrase.role.posted and lower in words["to"]):
                after = self._after_connector(phrase, i + 1, ceiling, posting=lower not in words["of"])
                if after:
                    i = after
                    continue
            if lower in words["context"] and phrase.explicit and not phrase.role.posted:
                # "la vocera de la Liga Agraria en la Comisión de Pesca": where the office is held
                after = self._after_connector(phrase, i + 1, ceiling, posting=False)
                if after:
                    i = after
                    continue
            phrase.end = i
            after = view.offices.trailing_adjectives(phrase, ceiling) or view.offices.after_title(phrase, i, ceiling)
            if after:
                i = after
                continue
            break
        phrase.end = i

    def _after_connector(self, phrase: RolePhrase, i: int, ceiling: int, posting: bool) -> int:
        """Attach the place or organization after "of"/"to"; return the new phrase end or 0."""
        view = self.view
        if not posting:
            portfolio = view.offices.portfolio_after(phrase, i, ceiling)
            if portfolio:
                return portfolio
        start = i
        i = _skip_det(self.doc, i, ceiling)
        if i >= ceiling or self._office_at(i, ceiling):
            return 0
        ent = view.ent_of[i]
        org = view.org_at(i)
        if ent is not None and ent.label_ == "ORG" and ent.start == i and view.org_of[i] is None and view.place_of_org(ent):
            org = None  # "alcaldesa de Toledo" with the city typed ORG: a place the gazetteer knows
        if ent is not None and (ent.label_ == "PLACE" or org is None and ent.label_ == "ORG") and ent.start == i and org is None:
            if posting:
                if phrase.posted_to:
                    return 0
                phrase.posted_to = view.place_name(ent)
            else:
                if phrase.jurisdiction:
                    return 0
                phrase.jurisdiction = view.place_name(ent)
            phrase.explicit = True
            return ent.end
        if org is not None and not phrase.organization:
            self._set_org(phrase, org[1], org[2], self._org_rule(i))
            return org[0].end
        tail = self._country_in_tail(ent, i)
        if tail and not posting and not phrase.jurisdiction:
            # "ministra de Defensa de España" tagged MISC as a whole: the country still counts.
            phrase.jurisdiction = tail
            phrase.explicit = True
            phrase.rules.append(code_ids.ROLE_PLACE_IN_ENTITY_TAIL)
            return ent.end
        if not posting:
            return self._described_org(phrase, i, ceiling) or view.offices.complement(phrase, start, ceiling)
        return 0

    def _office_at(self, i: int, ceiling: int) -> bool:
        """True when another office title starts at token i (or after one adjective: "del nuevo
        ministro") and a name follows it: "the spokesman for Minister X", "el asesor del
        presidente X" name the office of the person the office serves, and that title is a
        phrase of its own. Without a name ("el abogado del presidente, X") it stays a complement."""
        if i + 1 < ceiling and self.doc[i].pos_ == "ADJ" and i not in self.title_starts:
            i += 1
        end = self.title_starts.get(i)
        return end is not None and end < ceiling and self.view.label(end) == "PERSON"

    def _country_in_tail(self, ent: Span | None, i: int) -> str:
        """Return the country that tokens i..end of a non-place entity begun earlier name, or ""."""
        if ent is None or ent.label_ not in ("ORG", "MISC") or ent.start >= i or self.view.gazetteer is None:
            return ""
        name = self.view.gazetteer.canonical(self.doc[i : ent.end].text)
        return name if name and self.view.gazetteer.kind(name) == "country" else ""

    def _described_org(self, phrase: RolePhrase, i: int, ceiling: int) -> int:
        """Handle "of the border agency": take the latest earlier organization that fits."""
        doc = self.doc
        end = i
        while end < ceiling and end - i < 4 and doc[end].pos_ in ("NOUN", "ADJ") and self.view.ent_of[end] is None:
            end += 1
        words = [t.lower_ for t in doc[i:end]]
        heads = self.lex.words["org_heads"]
        if not any(w in heads for w in words) or phrase.organization:
            return 0
        cues = [w for w in words if w not in heads]
        name = " ".join(t.text for t in doc[i:end])
        for j in range(phrase.start - 1, -1, -1):
            org = self.view.org_at(j)
            if org is not None and cues and all(cue in org[0].text.lower() for cue in cues):
                name = org[1]
                break
        self._set_org(phrase, name, "", code_ids.ROLE_DESCRIBED_ORG)
        return end

    def _context(self, phrase: RolePhrase, sent_start: int) -> None:
        if not phrase.role.local or phrase.jurisdiction:
            return
        for i in range(sent_start, phrase.start - 1):
            ent = self.view.ent_of[i + 1]
            if self.doc[i].lower_ in self.lex.words["context"] and ent is not None and ent.label_ == "PLACE" and ent.start == i + 1:
                self._set_place(phrase, self.view.place_name(ent))
                phrase.rules.append(code_ids.ROLE_CONTEXT_PLACE)
                return
