"""Office grammar steps on one Doc around an office head: the organization it belongs to
("del sindicato"), adjectives, honorifics and places after it, an owner or institution noun
before it (a mixin of office_steps.Offices)."""

from __future__ import annotations

from pipeline import code_ids
from pipeline.rules.roles.offices import INNER


class _Complements:
    """Offices' organization steps (mixin: doc, view, grammar and head_of are Offices')."""

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

    def descriptor_before(self, phrase, j: int) -> bool:
        """Take a lower-case word that describes the office head into the phrase: another noun
        compounded onto it ("the trade envoy, X", "a security officer"; it names no organization)
        or an adjective ("the city's first female mayor"). True when taken."""
        tok = self.doc[j]
        shape = (tok.pos_, tok.dep_) in (("NOUN", "compound"), ("ADJ", "amod"))
        if self.head_of(phrase) is None or not shape or not tok.is_lower or not tok.is_alpha:
            return False
        if not j < tok.head.i < phrase.core[1] or self.view.ent_of[j] is not None:
            return False  # the word hangs on the head or on a word already taken ("airport protocol officer")
        if code_ids.OFFICE_DESCRIPTOR not in phrase.rules:
            phrase.rules.append(code_ids.OFFICE_DESCRIPTOR)
        return True

    def complete(self, phrase) -> bool:
        """False for a head that is an office only with a complement and has none ("titular")."""
        head = self.head_of(phrase, exact=True)
        if head is None or not head.complement:
            return True
        return bool(phrase.portfolio or phrase.organization)
