"""Persons found beside role phrases, and the links between them (apposition, patterns, context)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from pipeline import code_ids
from pipeline.nlp.extensions import PARTS
from pipeline.records import PersonRef, RoleLink
from pipeline.rules import caps
from pipeline.rules.persons import is_filtered
from pipeline.rules.roles.lexicon import DocView, Lexicon, _skip_det
from pipeline.rules.roles.phrases import Analysis, RolePhrase, _PhraseBuilder


def _persons(view: DocView, phrases: list[RolePhrase]) -> list[tuple[int, int]]:
    """Return token spans of person names: PERSON entities, title-case PROPN runs the model left
    unlabelled or MISC, and later bare surnames of people named in full elsewhere in the Doc."""
    doc = view.doc
    blocked = set()
    for phrase in phrases:
        blocked.update(range(phrase.start, phrase.end))
    blocked.update(i for i, org in enumerate(view.org_of) if org is not None)
    spans = []
    name_like = view.name_like
    for ent in doc.ents:
        if ent.label_ != "PERSON" or not blocked.isdisjoint(range(ent.start, ent.end)):
            continue
        if not any(name_like[ent.start : ent.end]):
            continue
        start, end = ent.start, ent.end
        # The model often cuts names short ("Andrés Manuel López" + "Obrador", "Antony" + "J. Blinken").
        while end < view.sent_end[ent.start] and name_like[end] and view.ent_of[end] is None and end not in blocked and not view.not_person(end, end + 1, False):
            end += 1
        while start > view.sent_start[ent.start] and name_like[start - 1] and view.ent_of[start - 1] is None and start - 1 not in blocked and not view.not_person(start - 1, start, False):
            start -= 1
        spans.append((start, end))
    taken = {i for s, e in spans for i in range(s, e)}
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and name_like[j] and view.label(j) in ("", "MISC") and j not in blocked and j not in taken:
            j += 1
        lead = i
        while lead < j - 1 and view.not_person(lead, lead + 1, False):
            lead += 1  # a title before the name ("Princess X", "Sheikh X") stays out of it
        if (j - lead >= 2 or lead > i) and view.sent_start[i] == view.sent_start[j - 1] and not _is_place(view, doc[lead:j]) and not view.not_person(lead, j):
            spans.append((lead, j))
            taken.update(range(lead, j))
        i = max(j, i + 1)
    for phrase in phrases:
        # A title right before a name makes it a person whatever the model called it
        # ("Chancellor Olaf Scholz" tagged ORG, "el presidente Biden" tagged LOC).
        j = phrase.end
        ent = view.ent_of[j] if j < len(doc) else None
        if ent is None or ent.start != j or ent.label_ not in ("ORG", "PLACE", "MISC") or j in taken or is_filtered(ent._.rules):
            continue
        if all(name_like[ent.start : ent.end]) and view.org_of[j] is None and not _is_place(view, ent):
            spans.append((ent.start, ent.end))
            taken.update(range(ent.start, ent.end))
    tails = {}
    texts = view.orths
    for s, e in spans:
        for k in range(s + 1, e):
            if all(name_like[k:e]):  # never a bare "1" or "Jr."
                tails[tuple(texts[k:e])] = True
    firsts = {tail[0] for tail in tails}
    if tails:
        longest = max(len(t) for t in tails)
        i = 0
        while i < len(doc):
            if texts[i] not in firsts:
                i += 1
                continue
            for n in range(min(longest, len(doc) - i), 0, -1):
                key = tuple(texts[i : i + n])
                window = range(i, i + n)
                if (
                    key in tails
                    and taken.isdisjoint(window)
                    and blocked.isdisjoint(window)
                    and view.label(i) not in ("DATE", "NUMBER", "NORP")
                    and not _is_place(view, doc[i : i + n])
                ):
                    spans.append((i, i + n))
                    taken.update(window)
                    i += n - 1
                    break
            i += 1
    return sorted(spans)


def _is_place(view: DocView, span: Span) -> bool:
    return view.gazetteer is not None and bool(view.gazetteer.canonical(span.text))


def _attached(doc: Doc, phrase: RolePhrase, person: tuple[int, int], copulas: frozenset[str]) -> bool:
    role_head = doc[phrase.core[0] : phrase.core[1]].root
    name_head = doc[person[0] : person[1]].root
    if role_head.head == name_head or name_head.head == role_head:
        return True
    if role_head.head != name_head.head:
        return False
    copula = role_head.head.lemma_.lower() in copulas
    return copula or {"appos", "flat"} & {role_head.dep_, name_head.dep_} != set()


def _link(view: DocView, phrases: list[RolePhrase], persons: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    doc, lex = view.doc, view.lex
    parts: dict[int, str] = {}
    phrase_at: dict[int, int] = {}
    person_at: dict[int, int] = {}
    for index, phrase in enumerate(phrases):
        for i in range(phrase.start, phrase.end):
            parts[i], phrase_at[i] = "ROLE", index
    for index, (start, end) in enumerate(persons):
        for i in range(start, end):
            parts[i], person_at[i] = "PERSON", index
    # A link pairs a role phrase and a person of one sentence, so only sentences holding both
    # are matched: the patterns test a custom attribute, which costs a Python call per token.
    both = {view.sent_start[i] for i in phrase_at} & {view.sent_start[i] for i in person_at}
    candidates = []
    doc.user_data[PARTS] = parts
    try:
        found = caps.matches(lex.links, doc, lex.link_names, lex.caps, only=both)
    finally:
        del doc.user_data[PARTS]
    for key, start, end in found:
        rule = lex.link_rules[lex.link_names[key]]
        roles = {phrase_at[i] for i in range(start, end) if i in phrase_at}
        people = {person_at[i] for i in range(start, end) if i in person_at}
        if len(roles) != 1 or len(people) != 1:
            continue
        p, q = roles.pop(), people.pop()
        phrase, person = phrases[p], persons[q]
        if phrase.start < start or phrase.end > end or person[0] < start or person[1] > end:
            continue
        if view.sent_start[phrase.start] != view.sent_start[person[0]]:
            continue
        if person[0] > phrase.end and doc[phrase.end].text == "," and _complement_of_noun(view, phrase, phrase_at):
            continue  # "la esposa del alcalde, X": X is the wife, not the mayor
        attached = _attached(doc, phrase, person, lex.copulas) or view.offices.attached(phrase, person)
        if rule.attached and not attached:
            continue
        gap = max(person[0] - phrase.end, phrase.start - person[1])
        candidates.append((-rule.priority, not attached, gap, p, q, rule.id))
    used_phrases, used_persons, links = set(), set(), []
    for *_, p, q, rule_id in sorted(set(candidates)):
        # A person may hold one office named before the name and one after it ("el jefe de la
        # delegación, X, ministro de Exteriores"); each office goes to one person.
        side = (q, phrases[p].start < persons[q][0])
        if p not in used_phrases and side not in used_persons:
            used_phrases.add(p)
            used_persons.add(side)
            links.append((p, q, rule_id))
    return sorted(links, key=lambda link: phrases[link[0]].start)


def _complement_of_noun(view: DocView, phrase: RolePhrase, phrase_at: dict[int, int]) -> bool:
    """True when the role phrase is the "of" complement of a relative's noun (connectors.relatives:
    "la esposa del alcalde", "the wife of the mayor"): a name set off after the phrase is the
    relative's. Not after other nouns: in "la dimisión del ministro, X" X is the minister."""
    doc, start = view.doc, phrase.start
    if start > 0 and doc[start - 1].pos_ == "DET":
        start -= 1  # "of the governor"
    if start < 2 or doc[start - 1].lower_ not in view.lex.words["of"]:
        return False
    noun = doc[start - 2]
    return noun.lower_ in view.lex.words["relatives"] and start - 2 not in phrase_at


def _place_after_name(view: DocView, phrase: RolePhrase, person: tuple[int, int]) -> None:
    """Give "President X of Mexico" its jurisdiction from the place after the name."""
    doc = view.doc
    i = person[1]
    if phrase.explicit or i + 1 >= len(doc) or doc[i].lower_ not in view.lex.words["name_of"]:
        return
    j = _skip_det(doc, i + 1, len(doc))
    ent = view.ent_of[j] if j < len(doc) else None
    if ent is not None and ent.label_ == "PLACE" and ent.start == j:
        phrase.jurisdiction = view.place_name(ent)
        phrase.explicit = True
        phrase.rules.append(code_ids.ROLE_PLACE_AFTER_NAME)


def analyse(doc: Doc, lex: Lexicon, gazetteer, person_check=None) -> Analysis:
    """Find role phrases, person names and the links between them in `doc`; `person_check`
    (rules.persons.PersonFilter.run_check) vetoes capitalised runs that are no person."""
    view = DocView(doc, lex, gazetteer, person_check)
    phrases = _PhraseBuilder(view).build()
    persons = _persons(view, phrases)
    links = _link(view, phrases, persons)
    view.offices.list_links(phrases, persons, links)
    view.offices.coordinated_links(phrases, links, persons)
    for p, q, _ in links:
        _place_after_name(view, phrases[p], persons[q])
    for phrase in phrases:
        if not phrase.jurisdiction:
            phrase.jurisdiction = phrase.alias.jurisdiction or phrase.role.jurisdiction
        if not phrase.organization and phrase.role.organization:
            phrase.organization = phrase.role.organization
    return Analysis(phrases, persons, links, view)


def person_ref(doc: Doc, span: tuple[int, int]) -> PersonRef:
    """Return the PersonRef of a token span (character offsets)."""
    name = doc[span[0] : span[1]]
    return PersonRef(name.text, name.start_char, name.end_char)


def records(doc: Doc, analysis: Analysis) -> list[RoleLink]:
    """Turn an Analysis into RoleLink records."""
    links = []
    for p, q, rule_id in analysis.links:
        phrase, person = analysis.phrases[p], analysis.persons[q]
        start = min(phrase.start, person[0])
        end = max(phrase.end, person[1])
        evidence = doc[start:end]
        links.append(
            RoleLink(
                doc=doc._.doc_id if Doc.has_extension("doc_id") else "",
                lang=doc.lang_,
                person=person_ref(doc, person),
                role=phrase.label,
                role_id=phrase.role.id,
                jurisdiction=phrase.jurisdiction,
                organization=phrase.organization,
                qualifier=phrase.qualifier,
                text=doc[phrase.start : phrase.end].text,
                start=evidence.start_char,
                end=evidence.end_char,
                sentence=analysis.view.sentence(evidence),
                rules=[rule_id, *phrase.rules],
            )
        )
    return links
