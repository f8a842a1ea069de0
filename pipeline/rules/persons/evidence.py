"""What a span and the words around it say it is: places, hard reasons, context, rescues."""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline.rules.persons.lists import CODE_PREFIX, is_filtered
from pipeline.rules.persons.shapes import HYPHENS, _acronym, _is_name_word, _shouted

_SUBJECT = ("nsubj", "nsubjpass", "nsubj:pass")
_COMPLEMENTS = ("nmod", "pobj", "obl")  # a noun inside a prepositional phrase
_MODIFIER = ("compound", "nmod", "amod")
WEAK, STRONG, NAMED = 1, 2, 3  # weights of the evidence around one mention (see _context)


class _Evidence:
    """PersonFilter's evidence about one span (mixin: the word lists are PersonFilter's)."""

    def _place(self, text: str, strict: bool = True) -> str:
        """Return "places" / "world" when `text` is a known place ("" otherwise); `strict`
        asks the world gazetteer only for names of two words or more."""
        key = (text, strict)
        if key not in self._places:
            if len(self._places) > 50000:  # names repeat across a corpus; keep the memo bounded
                self._places.clear()
            self._places[key] = self._lookup_place(text, strict)
        return self._places[key]

    def _lookup_place(self, text: str, strict: bool) -> str:
        if self.gazetteer is not None and self.gazetteer.canonical(text):
            return "places"
        if self.world is not None and (not strict or " " in text.strip()) and self.world.lookup(text) is not None:
            return "world"
        return ""

    def _hard(self, doc: Doc, start: int, end: int, places: bool = True) -> tuple[str, str] | None:
        """(rule id, label) of a reason that holds whatever else the document says; `places`
        False leaves names of places to be weighed against signs of a person."""
        span = doc[start:end]
        if all(_acronym(t.text) or not t.is_alpha for t in span) and _acronym(span.text) and not _shouted(doc, start):
            return CODE_PREFIX + "acronym", "ORG"
        if not any(_is_name_word(t) for t in span):
            return CODE_PREFIX + "shape", "MISC"  # "[W]e", "’s"
        opened = start > 0 and (doc[start - 1].is_quote or (start > 1 and doc[start - 1].pos_ == "DET" and doc[start - 2].is_quote))
        if opened and end < len(doc) and (doc[end].is_quote or (end + 1 < len(doc) and doc[end].is_punct and doc[end + 1].is_quote)):
            return CODE_PREFIX + "quoted", "MISC"  # a "Witch Hunt", "a Surrender Deal.": a phrase in quotation marks, no one's name
        if end - start == 1 and any(h in span.text for h in HYPHENS):
            parts = [p for h in HYPHENS for p in span.text.split(h) if h in span.text]
            if all(self._place(p, strict=False) for p in parts):
                return CODE_PREFIX + "gazetteer", "PLACE"  # "Nerja-Adra": a road or a border between places
        for token in span:
            found = self.not_name.get(token.text)
            after_particle = token.i > start and doc[token.i - 1].lower_ in self.particles
            if found and not token.is_lower and not after_particle:  # "Ana de la Torre", "Marisa del Valle"
                return found
        # One word that is a place is left to the places rule of entities.jsonl, which keeps
        # surnames that are also regions ("Guerrero"); a longer name is a place when known.
        if places and end - start > 1 and self._place(span.text):
            return CODE_PREFIX + "gazetteer", "PLACE"
        return None

    def _context(self, doc: Doc, start: int, end: int) -> tuple[str, str, int] | None:
        """(rule id, label, weight) of what the words around one mention say it is: weight NAMED
        outweighs signs of a person, STRONG decides without them, WEAK needs most mentions."""
        span = doc[start:end]
        before = doc[start - 1] if start > 0 else None
        if before is not None and (before.is_lower or before.is_sent_start):  # "The Rovers beat ..."
            found = self.introducers.get(before.text)
            if found is None and start > 1 and before.pos_ == "ADJ" and doc[start - 2].is_lower:
                found = self.introducers.get(doc[start - 2].text)
            if found is None and start > 1 and before.text in self.of_words and doc[start - 2].is_lower:
                # "the island of X", "la ciudad de X"; not "el partido de X", a party's leader
                place = self.introducers.get(doc[start - 2].text)
                found = place if place is not None and place[1] == "PLACE" else None
            if found:
                return (*found, NAMED)
            found = self.articles.get(before.text)
            if found and end - start == 1 and not self.is_title(span.text):  # "la Reina" is a person
                return (*found, NAMED)
        root = span.root
        # "la agencia estatal, X"; not "la defensora del pueblo, X", where the noun is a complement
        if root.dep_ == "appos" and root.head.is_lower and root.head.dep_ not in _COMPLEMENTS and self.introducers.get(root.head.text):
            return (*self.introducers.get(root.head.text), NAMED)
        if root.dep_ == "pobj" or (root.dep_ in ("obl", "nmod") and any(c.dep_ == "case" for c in root.children)):
            prep = root.head if root.dep_ == "pobj" else next(c for c in root.children if c.dep_ == "case")
            found = self.place_preps.get(prep.text) if prep.i < start else None
            if found and self._place(span.text, strict=False):
                return (*found, STRONG)
            # "a camp at X", "entered ... in X"; not "confidence in Ana Ruiz"
            where = prep.head.pos_ in ("VERB", "AUX") or self._place_noun(prep.head.text)
            if found and (end - start == 1 or where):
                return (*found, WEAK)
            found = self.media_preps.get(prep.text) if prep.i < start else None
            verb = prep.head.head if prep.head.pos_ in ("NOUN", "PROPN") else prep.head  # "wrote Ana Ruiz on X"
            if found is None and prep.i < start and prep.text in self.media_verb_preps and verb.lemma_ in self.media_verbs:
                found = self.media_verb_preps.get(prep.text)  # "wrote on X"
            if found:
                return (*found, WEAK)
        head = root.head
        if root.dep_ in _MODIFIER and head.i == end and head.is_lower and self.introducers.get(head.text):
            return (*self.introducers.get(head.text), STRONG)  # "the X network", "the X pipeline"
        if end - start > 1:
            return None  # a full name before a noun or after a determiner is still a person ("a Rui Costa goal")
        if root.dep_ in _MODIFIER and head.i == end and head.pos_ == "NOUN" and head.is_lower and head.is_alpha and len(head) > 2:
            return CODE_PREFIX + "modifier", "MISC", WEAK  # "the X massacres", "the X affair"
        for child in root.children:
            found = self.determiners.get(child.text) if child.dep_ == "det" and child.i < start else None
            if found:
                return (*found, WEAK)
        return None

    def _rescued(self, doc: Doc, cand, where: "_Where") -> str:
        """Rule id when a full name the model typed ORG or MISC reads as a person: listed between
        persons ("Ana Ruiz, Omar Haddad and Li Wei") or in apposition to an office ("the
        president of Ghana, Kofi Mensah")."""
        if cand.label not in ("ORG", "MISC") or cand.end - cand.start < 2 or is_filtered(cand.rules):
            return ""
        span = doc[cand.start : cand.end]
        if not all(_is_name_word(t) or t.text in HYPHENS for t in span) or any(self.is_title(t.text) for t in span):
            return ""
        if self._hard(doc, cand.start, cand.end) or (self.gazetteer is not None and self.gazetteer.canonical(span.text)):
            return ""
        if span.text.lower() in self.portfolios or (cand.end < len(doc) and (self.is_title(doc[cand.end].text) or doc[cand.end].lower_ in self.office_heads)):
            return ""  # "Homeland Security Secretary X": a portfolio before its office
        root = span.root
        if root.dep_ == "appos" and root.head.i < cand.start and doc[cand.start - 1].text == ",":
            head = root.head
            for _ in range(2):  # "the president of Ghana, X": X hangs on Ghana, of, president
                if head.lower_ in self.office_heads:
                    return CODE_PREFIX + "appos_office"
                if head.dep_ != "pobj" or head.head.dep_ != "prep":
                    break
                head = head.head.head
        persons = where.person_at
        # A person on each side, joined by a comma or "and"/"y": "X, <name> and Y", or the last of
        # a list of persons: "X, Y, and <name>". One person on one side only is often an office
        # and its holder ("la ministra de Cultura, Irene Casares").
        ends = where.person_end
        i = cand.start - 1
        if i >= 0 and doc[i].lower_ in ("and", "y", "e"):
            i -= 1 if i > 0 and doc[i - 1].text == "," else 0
            before = ends.get(i)
            if before is not None and before.start > 1 and doc[before.start - 1].text == "," and before.start - 1 in ends:
                return CODE_PREFIX + "listed_with_persons"
            # "led by X and <name>", "Presidents X of Ghana and <name> of Senegal": a conjunction,
            # unlike a comma, does not join an office to its holder
            place = where.place_end.get(i)
            if place is not None and place.start > 1 and doc[place.start - 1].lower_ in self.of_words:
                i = place.start - 1
            before = ends.get(i)
            if before is not None and before.end - before.start >= 2:
                return CODE_PREFIX + "listed_with_persons"
        after = persons.get(cand.end + 1) if cand.end + 1 < len(doc) and doc[cand.end].lower_ in ("and", "y", "e") else None
        if after is not None and after.start == cand.end + 1 and after.end - after.start >= 2:
            return CODE_PREFIX + "listed_with_persons"
        sides = 0
        for other, step in ((cand.start - 1, -1), (cand.end, 1)):
            joined = 0 <= other < len(doc) and doc[other].text in (",", "and", "y", "e")
            if joined and persons.get(other + step, cand) is not cand:
                sides += 1
            elif joined and doc[other].text == "," and 0 <= other + step < len(doc) and doc[other + step].lower_ in ("and", "y", "e") and persons.get(other + 2 * step, cand) is not cand:
                sides += 1
        return CODE_PREFIX + "listed_with_persons" if sides == 2 else ""

    def _place_noun(self, word: str) -> bool:
        found = self.introducers.get(word)
        return found is not None and found[1] == "PLACE"

    def _beside_place(self, doc: Doc, cand, places: set[int]) -> bool:
        """True when "and"/"y" joins the name to a token of `places`, with no sign of a person."""
        joined = ("and", "y", "e")
        after = cand.end + 1 < len(doc) and doc[cand.end].lower_ in joined and cand.end + 1 in places
        before = cand.start > 1 and doc[cand.start - 1].lower_ in joined and cand.start - 2 in places
        return (after or before) and not self._personal(doc, cand.start, cand.end)

    def _office_of(self, doc: Doc, start: int) -> tuple[str, str] | None:
        """(rule id, label) when an office head and "of"/"de" come right before: "the president of X"."""
        if start < 2 or not doc[start - 1].is_lower or doc[start - 2].lower_ not in self.office_heads:
            return None
        found = self.of_words.get(doc[start - 1].text)
        if found and self.gazetteer is not None and self.gazetteer.canonical(doc[start].text):
            return found[0], "PLACE"  # "el gobernador de Guerrero": the state
        return found

    def _personal(self, doc: Doc, start: int, end: int) -> bool:
        """True when one mention reads as a person: subject of a verb, or after a title."""
        root = doc[start:end].root
        if root.dep_ in _SUBJECT and root.head.pos_ in ("VERB", "AUX"):
            return True
        return start > 0 and self.is_title(doc[start - 1].text)


class _Where:
    """Token -> PERSON candidate, and PERSON candidates by end, built once per Doc."""

    def __init__(self, cands: list):
        self.person_at = {i: c for c in cands if c.label == "PERSON" for i in range(c.start, c.end)}
        self.person_end = {c.end: c for c in cands if c.label == "PERSON"}
        self.place_end = {c.end: c for c in cands if c.label == "PLACE"}
