"""PersonFilter: the run check of the role layer, the judge of PERSON candidates and its
decisions, and the filter of one language built from the rule files."""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from typing import Callable

import numpy
from spacy.attrs import IS_LOWER, LOWER, ORTH
from spacy.tokens import Doc

from pipeline.config import load_settings
from pipeline.rules.files import RuleError
from pipeline.rules.persons.evidence import NAMED, STRONG, _Evidence, _Where
from pipeline.rules.persons.lists import CODE_PREFIX, PersonsFile, _Words, is_filtered, load_persons_rules
from pipeline.rules.persons.shapes import _is_name_word, _NameShapes, headline


class PersonFilter(_NameShapes, _Evidence):
    """Person decisions for one language: reshape names, relabel candidates that are not persons."""

    def __init__(self, rules: PersonsFile, lang: str, office_heads: set[str], gazetteer=None, world=None,
                 portfolios: frozenset[str] = frozenset(), posted: frozenset[str] = frozenset(), glued: tuple[str, ...] = ()):
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
        self.portfolios = portfolios  # lower-cased portfolio terms of offices.yml ("economía", "foreign affairs")
        self.posted = posted  # words before an office's place: roles.yml connectors.to, offices.yml from_words
        self.glued = glued  # prefixes written onto an office head (roles.yml modifiers' glued), longest first
        self.gazetteer = gazetteer
        self.world = world
        self._places: dict[tuple[str, bool], str] = {}
        ids = {wl.id for wl in rules.honorifics + rules.lead_titles if wl.lang == lang}
        self.title_rule = min(ids) if ids else CODE_PREFIX + "titles"
        particle_ids = [wl.id for wl in rules.particles if wl.lang == lang]
        self.particle_rule = particle_ids[0] if particle_ids else CODE_PREFIX + "particles"

    def is_title(self, word: str) -> bool:
        """True for an honorific, a lead title or an office head ("Cde", "King", "Minister")."""
        lower = word.lower()
        return word in self.honorifics or word in self.lead or lower in self.office_heads

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
    heads |= {term.lower() for head in roles.offices.heads for term in head.terms.get(lang, []) if " " not in term and not head.verb}
    portfolios = frozenset(term.lower() for item in roles.offices.portfolios for term in item.terms.get(lang, []))
    posted = frozenset(w.lower() for w in [*roles.words("to", lang), *roles.offices.from_words.get(lang, [])])
    glued = tuple(sorted({p.lower() for m in roles.modifiers for p in m.glued.get(lang, [])}, key=len, reverse=True))
    return PersonFilter(rules, lang, heads, gazetteer, world(), portfolios, posted, glued)
