"""The entity layer: one label set for both languages, rule fixes, normalised values.

Rules come from configs/patterns/<lang>/entities.jsonl (one rule a line, each with an id and
an action, see EntityRule); places and demonyms from places.yml. The component reads the
model's entities, fixes them step by step in the order below, adds rule spans, and writes
doc.ents once; every span records the ids of the rules that made or changed it in
Span._.rules ("model" for a model span left as it was).
"""

from __future__ import annotations

import bisect
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

import pipeline.nlp.extensions  # noqa: F401  the Doc and Span extensions this layer sets
from pipeline import code_ids
from pipeline.config import Limits, load_settings
from pipeline.records import Mention
from pipeline.rules import caps, dates, numerals
from pipeline.rules.entity_fixes import Cand, _EntityFixes
from pipeline.rules.entity_rules import EntityRule, EntityRules, _rules_for
from pipeline.rules.matcher import TokenMatcher
from pipeline.rules.persons import person_filter


class EntityLayer(_EntityFixes):
    """spaCy component: unified labels, rule fixes, and values for NUMBER, DATE, PLACE, NORP."""

    def __init__(self, nlp: Language, name: str, config_dir: str):
        rules, self.gazetteer = _rules_for(str(Path(config_dir).resolve()))
        self.lang = nlp.lang
        self.rules = rules.get(nlp.lang) or EntityRules([])
        self.limits = load_settings(config_dir or None).limits
        self.matcher = TokenMatcher(nlp.vocab, {rule.id: rule.pattern for rule in self.rules.by_action["add"]})
        self.rule_ids = {nlp.vocab.strings.add(rule.id): rule.id for rule in self.rules.by_action["add"]}
        self.labels = {rule.id: rule.label for rule in self.rules.by_action["add"]}
        self.places, self.names = self._phrase_matchers(nlp)
        self.person_filter = person_filter(config_dir, nlp.lang)

    def _phrase_matchers(self, nlp: Language) -> tuple[tuple[PhraseMatcher, PhraseMatcher], dict[int, tuple[str, str]]]:
        """Compile place names and demonyms: abbreviations by exact spelling, the rest by lower case."""
        exact, lower = PhraseMatcher(nlp.vocab, attr="ORTH"), PhraseMatcher(nlp.vocab, attr="LOWER")
        names: dict[int, tuple[str, str]] = {}
        entries = [("place", surface, canon) for surface, canon in self.gazetteer.names()]
        entries += [("demonym", form, self.gazetteer.demonym_place(form)) for form in self.gazetteer.demonyms(self.lang)]
        for kind, surface, canon in entries:
            key = f"{kind}:{canon}"
            names[nlp.vocab.strings.add(key)] = (kind, canon)
            if "." in surface or (surface.isupper() and len(surface) <= 5):
                exact.add(key, [nlp.make_doc(surface)])
            else:
                lower.add(key, [nlp.make_doc(text) for text in {surface, numerals.plain(surface)}])
        return (exact, lower), names

    # -- steps -----------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        doc._.limits = self.limits
        doc._.warnings = None
        cands = self._from_model(doc)
        for rule in self.rules.by_action["cut"]:
            cands = [self._cut(doc, c, rule) for c in cands]
        for rule in self.rules.by_action["trim"]:
            cands = [t for c in cands for t in self._trim(doc, c, rule)]
        for rule in self.rules.by_action["drop"]:
            cands = [c for c in cands if not self._drops(doc, c, rule)]
        # Titles leave names, cut names are made whole (persons.yml; rules/persons/).
        self.person_filter.reshape(doc, cands)
        place_hits = self._place_hits(doc)
        for rule in self.rules.by_action["places"] + self.rules.by_action["demonyms"]:
            self._override(cands, place_hits, rule)
        for rule in self.rules.by_action["relabel"]:
            self._relabel(doc, cands, rule)
        self.person_filter.judge(doc, cands)  # places, agencies, events typed PERSON
        cands = self._merge(cands, self._added(doc, place_hits))
        for rule in self.rules.by_action["qualify"]:
            self._qualify(doc, cands, rule)
        for rule in self.rules.by_action["persons"]:
            cands = self._persons(doc, cands, rule)
        return self._write(doc, cands, place_hits)

    def _from_model(self, doc: Doc) -> list[Cand]:
        cands = []
        for ent in doc.ents:
            label, _ = self.rules.label_map.get(ent.label_, ("", ""))
            if label:
                cands.append(Cand(ent.start, ent.end, label, [code_ids.MODEL]))
        return cands

    def _place_hits(self, doc: Doc) -> dict[tuple[int, int], tuple[str, str]]:
        """Gazetteer matches (start, end) -> (kind, canonical); names must be capitalised."""
        hits: dict[tuple[int, int], tuple[str, str]] = {}
        for matcher in self.places:
            for match_id, start, end in matcher(doc):
                kind, canon = self.names[match_id]
                first = doc[start].text
                if kind == "place" and not first[:1].isupper():
                    continue
                if kind == "demonym" and self.lang == "en" and not first[:1].isupper():
                    continue
                if (start, end) not in hits or kind == "place":
                    hits[(start, end)] = (kind, canon)
        return hits

    def _override(self, cands: list[Cand], hits: dict, rule: EntityRule) -> None:
        """A span that is exactly a known place (or demonym) gets the rule's label."""
        wanted = "place" if rule.action == "places" else "demonym"
        for cand in cands:
            kind, canon = hits.get((cand.start, cand.end), ("", ""))
            if kind != wanted or cand.label == rule.label or cand.label not in rule.from_:
                continue
            single_region = cand.end - cand.start == 1 and self.gazetteer.kind(canon) == "region"
            if cand.label == "PERSON" and single_region:
                continue  # "Guerrero", "Hidalgo": surnames as often as states
            cand.label = rule.label
            cand.mark(rule.id)

    def _added(self, doc: Doc, hits: dict) -> list[Cand]:
        matches = caps.matches(self.matcher, doc, self.rule_ids, self.limits)
        added = [Cand(start, end, self.labels[self.rule_ids[mid]], [self.rule_ids[mid]]) for mid, start, end in matches]
        for rule in self.rules.by_action["places"] + self.rules.by_action["demonyms"]:
            wanted = "place" if rule.action == "places" else "demonym"
            added += [Cand(s, e, rule.label, [rule.id]) for (s, e), (kind, _) in hits.items() if kind == wanted]
        return added

    def _merge(self, cands: list[Cand], added: list[Cand]) -> list[Cand]:
        """Model spans keep their place; added spans fill the gaps, longest first."""
        taken = set()
        # Indexed by start token, so a document with thousands of names stays linear.
        by_start: dict[int, list[Cand]] = {}
        for cand in cands:
            taken.update(range(cand.start, cand.end))
            by_start.setdefault(cand.start, []).append(cand)
        for cand in sorted(added, key=lambda c: (c.start - c.end, c.start)):
            span = set(range(cand.start, cand.end))
            inside = [
                c for i in range(cand.start, cand.end) for c in by_start.get(i, ())
                if c.end <= cand.end and c.label == cand.label
            ]
            covered = {i for c in inside for i in range(c.start, c.end)}
            if (span & taken) - covered or any((c.start, c.end) == (cand.start, cand.end) for c in inside):
                continue  # it would cut through another span, or repeat one
            for c in inside:
                by_start[c.start] = [other for other in by_start[c.start] if other is not c]
            by_start.setdefault(cand.start, []).append(cand)
            taken |= span
        return sorted((c for found in by_start.values() for c in found), key=lambda c: c.start)

    def _write(self, doc: Doc, cands: list[Cand], hits: dict) -> Doc:
        spans = [(Span(doc, c.start, c.end, label=c.label), c) for c in cands if c.end > c.start]
        doc.ents = [span for span, _ in spans]
        self._set_ref_date(doc, [span for span, _ in spans])
        for span, cand in spans:
            span._.rules = list(cand.rules)
            if span.label_ == "PLACE":
                kind, canon = hits.get((span.start, span.end), ("", ""))
                span._.norm = canon if kind == "place" else self.gazetteer.canonical(span.text)
            elif span.label_ == "NORP":
                span._.norm = self.gazetteer.demonym_place(span.text) or self.gazetteer.canonical(span.text)
            elif span.label_ == "NUMBER":
                span._.value, span._.qualifier = numerals.parse_number(span.text, self.lang)
            elif span.label_ == "DATE":
                span._.norm = dates.resolve(span.text, self.lang, doc._.ref_date, _in_future(span))
        return doc

    def _set_ref_date(self, doc: Doc, ents: list[Span]) -> None:
        """Reference for relative dates: the publication date, else the latest full date among
        the Doc's entities `ents`.

        A publication date known only to the month is refined by a full date of the same month
        in the text, so "este miércoles" can still resolve to a day.
        """
        found = sorted(
            iso for ent in ents if ent.label_ == "DATE"
            for iso in [dates.resolve(ent.text, self.lang, "")] if len(iso) == 10
        )
        pub = doc._.pub_date or ""
        if pub and not (found and len(pub) < 10 and found[-1].startswith(pub)):
            doc._.ref_date, doc._.ref_date_source = pub, "metadata"
        elif found:
            doc._.ref_date, doc._.ref_date_source = found[-1], "text"
        else:
            doc._.ref_date, doc._.ref_date_source = "", ""


@Language.factory(
    "actorgraph_entities",
    default_config={"config_dir": ""},
    requires=["doc.ents", "doc.sents", "token.lemma", "token.pos"],
    assigns=["doc.ents", "span._.value", "span._.qualifier", "span._.norm", "span._.rules", "doc._.ref_date",
             "doc._.ref_date_source", "doc._.limits", "doc._.warnings"],
)
def make_entities(nlp: Language, name: str, config_dir: str) -> EntityLayer:
    """Build the entity layer for `nlp`, reading rules from `config_dir`."""
    return EntityLayer(nlp, name, config_dir)


def _in_future(span: Span) -> bool:
    """True when the verb a date hangs on is in the future tense ("se celebrará en marzo",
    "will meet on Friday"), so a bare weekday or month points forward."""
    verb = span.root.head
    for _ in range(3):
        if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
            break
        verb = verb.head
    if "Fut" in verb.morph.get("Tense"):
        return True
    return any(child.lower_ in ("will", "'ll", "shall") for child in verb.children)


def mentions_from_doc(doc: Doc) -> list[Mention]:
    """Return one Mention record per entity of `doc`, with its sentence and normalised values."""
    mentions = []
    limit = (doc._.limits or Limits()).max_sentence_chars
    # Span.sent walks the sentence; looking each one up once keeps 10,000 names in one
    # sentence linear.
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    starts = [sent.start for sent in sents]
    texts: dict[int, str] = {}
    for ent in doc.ents:
        sent = sents[bisect.bisect_right(starts, ent.start) - 1]
        if sent.start not in texts:
            texts[sent.start] = sent.text
        mentions.append(
            Mention(
                doc=doc._.doc_id,
                lang=doc.lang_,
                label=ent.label_,
                text=ent.text,
                start=ent.start_char,
                end=ent.end_char,
                sentence=caps.sentence_text(doc, texts[sent.start], sent.start_char, ent.start_char, ent.end_char, limit),
                sent_start=sent.start_char,
                value=ent._.value,
                qualifier=ent._.qualifier or "",
                norm=ent._.norm or "",
                rules=list(ent._.rules or [code_ids.MODEL]),
            )
        )
    return mentions
