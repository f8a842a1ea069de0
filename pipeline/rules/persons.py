"""Which token spans are persons: the person filter of the entity layer and the role layer.

Rules are word lists in configs/persons.yml (see its header), each with an id. The entity layer
calls `PersonFilter.reshape` on its candidates (a title or honorific leaves the name span, a
name cut at a hyphen or a particle is made whole) and `PersonFilter.judge` (a PERSON candidate
that is a place, organisation, event or common noun is relabelled); every change marks the
list's id on the candidate. The role layer asks `PersonFilter.run_check(doc)` whether a run of
capitalised words it would make a person is one.
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from pathlib import Path
from typing import Callable, Literal

import numpy
from pydantic import BaseModel, ConfigDict
from spacy.attrs import IS_LOWER, LOWER, ORTH
from spacy.tokens import Doc

from pipeline import code_ids
from pipeline.config import load_settings
from pipeline.rules.files import Problem, RuleError, line_of, read_yaml, validate

HYPHENS = ("-", "‐", "–")
_SUBJECT = ("nsubj", "nsubjpass", "nsubj:pass")
_COMPLEMENTS = ("nmod", "pobj", "obl")  # a noun inside a prepositional phrase
_MODIFIER = ("compound", "nmod", "amod")
RULE_PREFIX = "persons."  # ids of persons.yml lists
CODE_PREFIX = code_ids.PREFIX + "persons."  # built-in reasons: code.persons.acronym, .headline, ...
_SUFFIXES = {"JR", "SR", "II", "III", "IV", "V"}
WEAK, STRONG, NAMED = 1, 2, 3  # weights of the evidence around one mention (see _context)


class WordList(BaseModel):
    """One list of persons.yml: id, language, the label it gives, its words."""

    model_config = ConfigDict(extra="forbid")
    id: str
    lang: str
    label: Literal["", "ORG", "PLACE", "MISC", "NORP"] = ""
    words: list[str]


class PersonsFile(BaseModel):
    """configs/persons.yml."""

    model_config = ConfigDict(extra="forbid")
    honorifics: list[WordList] = []
    lead_titles: list[WordList] = []
    particles: list[WordList] = []
    not_name: list[WordList] = []
    introducers: list[WordList] = []
    place_preps: list[WordList] = []
    media_preps: list[WordList] = []
    media_verb_preps: list[WordList] = []
    media_verbs: list[WordList] = []
    determiners: list[WordList] = []
    articles: list[WordList] = []
    of_words: list[WordList] = []


def load_persons_rules(settings) -> tuple[PersonsFile | None, list[Problem], list[tuple[str, str, int]]]:
    """Load persons.yml named by settings; return (rules or None, problems, rule ids). Never raises."""
    path = Path(settings.rule_path("persons"))
    raw, problems = read_yaml(path)
    if problems:
        return None, problems, []
    data, problems = validate(PersonsFile, raw or {}, path)
    if data is None:
        return None, problems, []
    ids = []
    for kind in PersonsFile.model_fields:
        for index, wordlist in enumerate(getattr(data, kind)):
            line = line_of(raw, (kind, index))
            ids.append((wordlist.id, str(path), line))
            if wordlist.lang not in settings.run.languages:
                problems.append(Problem(str(path), line, f"{wordlist.id}: unknown language {wordlist.lang!r}"))
            if not wordlist.id.startswith(RULE_PREFIX):
                problems.append(Problem(str(path), line, f"{wordlist.id}: ids start with {RULE_PREFIX!r}"))
            if kind not in ("honorifics", "lead_titles", "particles") and not wordlist.label:
                problems.append(Problem(str(path), line, f"{wordlist.id}: {kind} needs a label"))
    return (None if problems else data), problems, ids


class _Words:
    """The words of one kind for one language: word -> (list id, label)."""

    def __init__(self, lists: list[WordList], lang: str):
        self.map: dict[str, tuple[str, str]] = {}
        for wordlist in lists:
            if wordlist.lang == lang:
                for word in wordlist.words:
                    self.map.setdefault(word.lower(), (wordlist.id, wordlist.label))

    def get(self, word: str) -> tuple[str, str] | None:
        return self.map.get(word.lower()) or self.map.get(word.lower().rstrip("."))

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None


def _is_name_word(token) -> bool:
    """A capitalised word ("Olav", "O'Neill", "Wei-lin") or an initial ("J.")."""
    text = token.text
    if len(text) == 2 and text[0].isupper() and text[1] == ".":
        return True
    word = text.replace("-", "").replace("'", "").replace("’", "")
    return text[:1].isupper() and word.isalpha()


def _acronym(text: str) -> bool:
    """An all-capitals word ("NDF", "PESC"); initials ("J. A. A.") are a person's."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters) and "." not in text


def _shouted(doc: Doc, i: int) -> bool:
    """True when token i stands among words written in capitals (a headline such as
    "LIMA - TOLEDO PIDE AYUDA"), where a name in capitals is no acronym."""
    window = doc[max(0, i - 4) : i + 5]
    return sum(1 for t in window if t.i != i and t.is_alpha and len(t.text) >= 3 and t.is_upper) >= 2


def headline(sent) -> bool:
    """True for a title-case line: at least four words, most words of four letters or more
    capitalised, no lower-case verb, and not a list (a line of names with commas or numbers is a roster)."""
    words = [t for t in sent if t.is_alpha]
    long = [t for t in words if len(t.text) >= 4]
    if len(words) < 4 or len(long) < 3:
        return False
    if sum(t.text in (",", ";") for t in sent) > 1 or sum(t.like_num for t in sent) > 1:
        return False
    if any(t.pos_ == "VERB" and t.is_lower for t in long):
        return False  # title case capitalises verbs too: a lower-case verb is a sentence full of names
    return sum(t.text[:1].isupper() for t in long) >= 0.75 * len(long)


class PersonFilter:
    """Person decisions for one language: reshape names, relabel candidates that are not persons."""

    def __init__(self, rules: PersonsFile, lang: str, office_heads: set[str], gazetteer=None, world=None):
        self.lang = lang
        self.honorifics = _Words(rules.honorifics, lang)
        self.lead = _Words(rules.lead_titles, lang)
        self.particles = _Words(rules.particles, lang)
        self.not_name = _Words(rules.not_name, lang)
        self.introducers = _Words(rules.introducers, lang)
        self.place_preps = _Words(rules.place_preps, lang)
        self.media_preps = _Words(rules.media_preps, lang)
        self.media_verb_preps = _Words(rules.media_verb_preps, lang)
        self.media_verbs = _Words(rules.media_verbs, lang)
        self.determiners = _Words(rules.determiners, lang)
        self.articles = _Words(rules.articles, lang)
        self.of_words = _Words(rules.of_words, lang)
        self.office_heads = {w.lower() for w in office_heads}
        self.gazetteer = gazetteer
        self.world = world
        self._places: dict[tuple[str, bool], str] = {}
        ids = {wl.id for wl in rules.honorifics + rules.lead_titles if wl.lang == lang}
        self.title_rule = min(ids) if ids else CODE_PREFIX + "titles"
        particle_ids = [wl.id for wl in rules.particles if wl.lang == lang]
        self.particle_rule = particle_ids[0] if particle_ids else CODE_PREFIX + "particles"

    # -- shapes ----------------------------------------------------------------------

    def is_title(self, word: str) -> bool:
        """True for an honorific, a lead title or an office head ("Cde", "King", "Minister")."""
        lower = word.lower()
        return word in self.honorifics or word in self.lead or lower in self.office_heads

    def reshape(self, doc: Doc, cands: list) -> None:
        """Split titles out of names and make hyphenated and particle names whole, in place."""
        owner = {i: c for c in cands for i in range(c.start, c.end)}
        for cand in cands:
            if cand.label == "PERSON" or (cand.label in ("ORG", "MISC", "PLACE") and self._led_by_title(doc, cand)):
                self._split_title(doc, cand)
            if cand.label == "PERSON":
                self._whole(doc, cand, owner)

    def _led_by_title(self, doc: Doc, cand) -> bool:
        """A non-PERSON span that is a title and a name: "King Olav", "Presidential Spokesperson Ana Ruiz"."""
        if not any(self.is_title(doc[k].text) for k in range(cand.start, cand.end - 1)):
            return False
        first = doc[cand.start].text
        last = max((k for k in range(cand.start, cand.end - 1) if self.is_title(doc[k].text)), default=-1)
        rest = doc[last + 1 : cand.end]
        lead = first in self.honorifics or first in self.lead
        return (
            last >= 0
            and (len(rest) >= 2 or (lead and last == cand.start))
            and all(_is_name_word(t) or t.lower_ in self.particles or t.text in HYPHENS for t in rest)
            and not any(t.text in self.not_name for t in rest)
            and not self._place(rest.text)
        )

    def _split_title(self, doc: Doc, cand) -> None:
        last = -1
        for k in range(cand.start, cand.end - 1):
            if self.is_title(doc[k].text):
                last = k
        if last < 0:
            return
        if self.lang != "en" and not all(self.is_title(doc[k].text) or doc[k].is_lower for k in range(cand.start, last)):
            return  # Spanish writes titles in lower case: a capitalised "Mayor" inside a name is a surname
        rest = doc[last + 1 : cand.end]
        if all(t.text.rstrip(".").upper() in _SUFFIXES for t in rest):
            return  # "Martin Luther King III", "King Jr.": the title word is the surname
        if self.gazetteer is not None and self.gazetteer.demonym_place(rest[0].text):
            return  # "Comisario Europeo de Competencia": the rest of a title, no name
        if self._hard(doc, last + 1, cand.end) and not _acronym(rest.text):
            return  # "Sultan Rashid Grand Mosque": the filter relabels the whole
        if not rest or not _is_name_word(rest[0]) or _acronym(rest.text):
            if rest and _acronym(rest.text):
                cand.start, cand.label = last + 1, "ORG"
                cand.mark(self.title_rule)
            return
        cand.start, cand.label = last + 1, "PERSON"
        cand.mark(self.title_rule)

    def _whole(self, doc: Doc, cand, owner: dict) -> None:
        """Extend a name over "-jung", "al-Harbi", "bin Salman", "de la Vega" after it; `owner`
        maps each token to the candidate holding it."""
        end = cand.end
        while end < len(doc):
            prev = doc[end - 1]
            if doc[end].text in HYPHENS and not prev.whitespace_ and not doc[end].whitespace_ and end + 1 < len(doc) and doc[end + 1].is_alpha:
                step = 2
            elif self._particle_word(doc[end].text):
                step = 1
            else:
                step = 0
                while end + step < len(doc) and doc[end + step].lower_ in self.particles and doc[end + step].is_lower and step < 3:
                    step += 1
                if step and end + step < len(doc) and doc[end + step].text in HYPHENS and not doc[end + step].whitespace_:
                    step += 1
                if not step or end + step >= len(doc) or not _is_name_word(doc[end + step]) or self._place(doc[end + step].text):
                    break
                step += 1
            if any(owner.get(k, cand) is not cand for k in range(end, end + step)):
                break
            end += step
        if end != cand.end:
            cand.end = end
            cand.mark(self.particle_rule)

    def _particle_word(self, text: str) -> bool:
        """A particle glued to a name in one token: "al-Harbi", "el-Sisi", "d'Estaing"."""
        for mark in ("-", "'", "’"):
            head, sep, tail = text.partition(mark)
            if sep and head in self.particles and tail[:1].isupper() and tail.replace("-", "").isalpha():
                return True
        return False

    # -- decisions -------------------------------------------------------------------

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

    def run_check(self, doc: Doc) -> Callable[[int, int], str]:
        """Return check(start, end) -> the id of the rule that says doc[start:end] is no person
        ("" when none does), for runs of capitalised words the model did not call PERSON."""
        lower_words: set[int] = set()

        def lowered() -> set[int]:  # words written in lower case somewhere in the Doc, on first use
            if not lower_words:
                table = doc.to_array([LOWER, IS_LOWER])
                lower_words.update(table[table[:, 1] == 1, 0].tolist())
            return lower_words
        heads: dict[int, bool] = {}
        sents: list = []
        starts: list[int] = []

        def in_headline(i: int) -> bool:
            if not sents:  # Token.sent walks its sentence: list them once, on first use
                sents.extend(doc.sents)
                starts.extend(s.start for s in sents)
            sent = sents[bisect.bisect_right(starts, i) - 1]
            if sent.start not in heads:
                heads[sent.start] = headline(sent)
            return heads[sent.start]

        def check(start: int, end: int, whole: bool = True) -> str:
            """`whole` False: doc[start:end] would only extend a name, so only its own words count."""
            span = doc[start:end]
            reason = self._hard(doc, start, end)
            if reason:
                return reason[0]
            if any(self.is_title(t.text) for t in span):
                return self.title_rule
            if not whole:
                return ""
            if end < len(doc) and doc[end].lower_ in self.office_heads and doc[end].is_title:
                return self.title_rule  # "Special Presidential Envoy": the words of a title
            joined = ("and", "y", "e", ",")
            if (end + 1 < len(doc) and doc[end].lower_ in joined and doc[end + 1].ent_type_ == "PLACE") or (
                start > 1 and doc[start - 1].lower_ in joined and doc[start - 2].ent_type_ == "PLACE"
            ):
                return CODE_PREFIX + "conj_place"  # "entered Tall Hamra and Ras Kefir"
            if doc.has_annotation("SENT_START") and in_headline(start):
                return CODE_PREFIX + "headline"
            if all(t.lower in lowered() for t in span):
                return CODE_PREFIX + "common_words"
            after = doc[end + 1] if end + 1 < len(doc) else None
            if end < len(doc) and doc[end].lower_ in self.of_words and (after is None or not after.is_title or after.lower_ in self.articles):
                # "Order of the Sun", "Policy of reconciliation"; "X of Nigeria" stays a name
                return self.of_words.get(doc[end].lower_)[0]
            return ""

        return check

    def _hard(self, doc: Doc, start: int, end: int, places: bool = True) -> tuple[str, str] | None:
        """(rule id, label) of a reason that holds whatever else the document says; `places`
        False leaves names of places to be weighed against signs of a person."""
        span = doc[start:end]
        if all(_acronym(t.text) or not t.is_alpha for t in span) and _acronym(span.text) and not _shouted(doc, start):
            return CODE_PREFIX + "acronym", "ORG"
        if not any(_is_name_word(t) for t in span):
            return CODE_PREFIX + "shape", "MISC"  # "[W]e", "’s"
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
        if before is not None and before.is_lower:
            found = self.introducers.get(before.text)
            if found is None and start > 1 and before.pos_ == "ADJ" and doc[start - 2].is_lower:
                found = self.introducers.get(doc[start - 2].text)
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

    def judge(self, doc: Doc, cands: list) -> None:
        """Relabel PERSON candidates that are not persons, deciding once per name text."""
        by_text: dict[str, list] = defaultdict(list)
        model_labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for cand in cands:
            text = doc[cand.start : cand.end].text
            model_labels[text][cand.label] += 1
            if cand.label == "PERSON":
                by_text[text].append(cand)
        decided: dict[str, tuple[str, str]] = {}
        # Where each word of the PERSON names occurs: one pass over the Doc, not one per name.
        firsts = {doc[group[0].start].orth: doc[group[0].start].text for group in by_text.values()}
        orths = doc.to_array(ORTH)
        at: dict[str, list[int]] = defaultdict(list)
        for i in numpy.flatnonzero(numpy.isin(orths, numpy.array(list(firsts), dtype=orths.dtype))).tolist():
            at[firsts[int(orths[i])]].append(i)
        for text, group in by_text.items():
            decision = self._decide(doc, text, group, model_labels[text], at)
            if decision:
                decided[text] = decision
        for text, (rule_id, label) in decided.items():
            for cand in by_text[text]:
                cand.label = label
                cand.mark(rule_id)
        for cand in (c for group in by_text.values() for c in group if c.label == "PERSON"):
            found = self._office_of(doc, cand.start)
            if found:  # per mention: "el gobernador de Guerrero habló con Guerrero"
                cand.label = found[1]
                cand.mark(found[0])
        # "entered Tall Hamra and Ras Kefir ... a camp at Ras Kefir": a name coordinated with one
        # the document itself showed to be a place (not only the model's label) is one too.
        places = {i for text, (_, label) in decided.items() if label == "PLACE" for c in by_text[text] for i in range(c.start, c.end)}
        for text, group in by_text.items():
            if text not in decided and places and any(self._beside_place(doc, c, places) for c in group):
                for cand in group:
                    cand.label = "PLACE"
                    cand.mark(CODE_PREFIX + "conj_place")
        where = _Where(cands)
        for cand in cands:
            found = self._rescued(doc, cand, where)
            if found:
                cand.label = "PERSON"
                cand.mark(found)
        self._surnames(doc, cands)

    def _surnames(self, doc: Doc, cands: list) -> None:
        """A single capitalised word typed ORG or MISC that is the last word of a person named in
        full earlier in the Doc is that person ("Tomás Arjona ... dijo Arjona")."""
        seen: set[str] = set()
        for cand in sorted(cands, key=lambda c: c.start):
            if cand.label == "PERSON" and cand.end - cand.start >= 2:
                seen.add(doc[cand.end - 1].text)
            elif cand.label in ("ORG", "MISC") and cand.end - cand.start == 1 and not is_filtered(cand.rules):
                token = doc[cand.start]
                if token.text not in seen or not token.is_alpha or not _is_name_word(token) or self.is_title(token.text):
                    continue
                before = doc[cand.start - 1] if cand.start else None
                if self._hard(doc, cand.start, cand.end) or (before is not None and (before.text in self.introducers or before.text in self.articles)):
                    continue
                cand.label = "PERSON"
                cand.mark(CODE_PREFIX + "surname")

    def _decide(self, doc: Doc, text: str, group: list, labels: dict[str, int], at: dict[str, list[int]]) -> tuple[str, str] | None:
        first = group[0]
        span = doc[first.start : first.end]
        if all(self.is_title(t.text) for t in span):
            # "Cde", "el Rey": a title with no name; as MISC it stays free to be read as a title
            return CODE_PREFIX + "title_only", "MISC"
        if len(span) > 2 and self.is_title(span[0].text) and span[1].lower_ in self.of_words:
            return CODE_PREFIX + "title_of", "MISC"  # "Príncipe de Asturias", "Prince of Wales": a title
        hard = self._hard(doc, first.start, first.end, places=False)
        if hard:
            return hard
        other = max((n, label) for label, n in labels.items() if label != "PERSON") if len(labels) > 1 else (0, "")
        if other[1] in ("ORG", "PLACE") and other[0] > labels["PERSON"]:
            return CODE_PREFIX + "document_label", other[1]
        # Every occurrence of the text counts, not only those the model tagged.
        words = [t.text for t in doc[first.start : first.end]]
        mentions = [(i, i + len(words)) for i in at[words[0]] if [t.text for t in doc[i : i + len(words)]] == words]
        contexts = [self._context(doc, s, e) for s, e in mentions]
        named = [c for c in contexts if c and c[2] == NAMED]
        if named:  # "the agency X said": the noun before the name outweighs X being a subject
            return named[0][:2]
        if any(self._personal(doc, s, e) for s, e in mentions):
            return None
        if first.end - first.start > 1 and self._place(span.text):
            return CODE_PREFIX + "gazetteer", "PLACE"  # "Harpers Ferry", "Ciudad del Este"
        strong = [c for c in contexts if c and c[2] >= STRONG]
        if strong:
            return strong[0][:2]
        weak = [c for c in contexts if c]
        if weak and 2 * len(weak) >= len(mentions):
            return weak[0][:2]
        return None


class _Where:
    """Token -> PERSON candidate, and PERSON candidates by end, built once per Doc."""

    def __init__(self, cands: list):
        self.person_at = {i: c for c in cands if c.label == "PERSON" for i in range(c.start, c.end)}
        self.person_end = {c.end: c for c in cands if c.label == "PERSON"}


def is_filtered(rules: list[str] | None) -> bool:
    """True when the person filter decided that an entity is not a person."""
    return any(rule.startswith((RULE_PREFIX, CODE_PREFIX)) for rule in rules or ())


@functools.lru_cache(maxsize=8)
def person_filter(config_dir: str, lang: str) -> PersonFilter:
    """Return the PersonFilter of `lang` built from the rule files under `config_dir`."""
    from pipeline.rules.geonames import world
    from pipeline.rules.places import load_places_rules
    from pipeline.rules.roles.loader import load_roles_rules

    settings = load_settings(config_dir or None)
    rules, problems, _ = load_persons_rules(settings)
    roles, role_problems, _ = load_roles_rules(settings)
    gazetteer, place_problems, _ = load_places_rules(settings)
    if problems or role_problems or place_problems:
        raise RuleError(problems + role_problems + place_problems)
    heads = {term.lower() for alias in roles.aliases if alias.lang == lang for term in alias.terms if " " not in term}
    return PersonFilter(rules, lang, heads, gazetteer, world())
