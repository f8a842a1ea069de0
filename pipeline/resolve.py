"""Cross-document, cross-lingual resolution of persons, organizations, places, roles and meetings.

Two passes keep memory bounded. `Resolver.add` folds each DocResult into compact corpus
aggregates (name counts, role holders, one small record per meeting of a document);
`Resolver.finish` decides the nodes and returns a `Resolution`; on the second pass
`Resolution.view(result)` re-derives one document's links to those nodes. Every decision
sorts its inputs, so the outcome does not depend on the order documents arrive in.

Persons. A name's key drops accents, case, titles ("Secretary", "Mr.", "presidente"), a
possessive "'s" and initials. A key that ends another key ("blinken", "lopez obrador") or
starts one ("andres manuel lopez", the maternal surname dropped) is a partial name: it
attaches to the one full name of its document it is part of, else to the one person of the
corpus; a partial name that fits several persons in the corpus and none uniquely in its
document is left out of the graph (no node; its mention rows carry node ""). A bare surname
with no full name anywhere becomes a node of its own. Full names with the same surname merge
when their first names differ by one inserted letter (Antony/Anthony, four letters or more)
and every name of the merged group is such a variant of every other.

Meetings. Within a document, mentions merge when kinds, dates and places agree and they share
a participant, have none, or point back ("the meeting", "la reunión"). Across documents a
meeting merges into the single best earlier group when dates agree at the precision each has
(two full dates at most DAY_SLACK days apart), places agree (equal, one unknown, or a city in
a country), and they share at least half of the smaller participant set (or the same event
name). An undated report needs two shared participants and, when its document is dated, a
group of that month or the one before. Two equally good groups: no merge. Candidates come from
blocks (participant, month), so the search is not quadratic. A call never merges with an
in-person meeting; visits and meetings merge; a summit merges with a meeting only on the same
day at the same place. Merged kind by priority summit > call > meeting > visit; date the most
precise, place the most specific (city > region > country). Meetings without a resolved
participant or a name are dropped.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date as Date, timedelta
from pathlib import Path
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.records import DocResult, MeetingMention, PersonRef, RoleLink
from pipeline.rules import Problem, line_of, read_yaml, validate
from pipeline.text import strip_accents

_TITLES = frozenset(
    """mr mrs ms miss dr sr sra srta don dona senor senora sir dame lord lady
    gov governor gobernador gobernadora sen senator senador senadora rep representative
    congressman congresswoman diputado diputada president presidente presidenta vice
    vicepresident vicepresidente vicepresidenta secretary secretario secretaria minister ministro
    ministra canciller chancellor premier prime primer primera ambassador embajador embajadora
    amb mayor alcalde alcaldesa judge juez jueza justice gen general adm admiral col colonel capt
    captain lt sgt rev pope papa king queen rey reina prince princess principe princesa
    deputy acting former ex interim then advisor adviser asesor asesora""".split()
)
# Words that belong to a title phrase ("Secretary of State", "Homeland Security Secretary").
_TITLE_WORDS = frozenset(
    """of de del the el la los las state estado homeland national nacional security seguridad
    foreign exteriores relaciones interior white house casa blanca us eeuu""".split()
)
_SUFFIXES = frozenset("jr sr ii iii iv".split())
_DEFINITE = frozenset(
    "the this that these those la el las los esta este estas estos esa ese dicha dicho al del aquella aquel".split()
)
KIND_PRIORITY = ("summit", "call", "meeting", "visit")
DAY_SLACK = 1  # days two full dates may differ and still name one event (time zones, late copy)


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Return `text` lower-cased, without accents, with curly quotes made straight."""
    return strip_accents(text.replace("’", "'").replace("‘", "'")).lower()


@functools.lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """Return a readable id fragment of `text`: "Andrés López" -> "andres-lopez"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def plain_key(text: str) -> str:
    """Return the key of an organization or unknown place: folded, no punctuation or leading article."""
    words = re.sub(r"[^\w\s&-]", "", fold(text).replace("-", " ")).split()
    if len(words) > 1 and words[0] in ("the", "la", "el", "los", "las"):
        words = words[1:]
    return " ".join(words)


# ---------------------------------------------------------------------------- dates


def date_precision(iso: str) -> int:
    """Return 0 for "", 1 for a year, 2 for a month, 3 for a day."""
    return len(iso.split("-")) if iso else 0


def dates_compatible(a: str, b: str, slack: int = DAY_SLACK) -> bool:
    """Return True when ISO dates a and b can name the same day at the precision each has.

    An empty date fits anything; two full dates fit when at most `slack` days apart.
    """
    if not a or not b:
        return True
    pa, pb = a.split("-"), b.split("-")
    n = min(len(pa), len(pb))
    if pa[:n] == pb[:n]:
        return True
    if len(pa) == len(pb) == 3 and slack:
        try:
            return abs((Date.fromisoformat(a) - Date.fromisoformat(b)).days) <= slack
        except ValueError:
            return False
    return False


def _shift(day: str, days: int) -> str:
    try:
        return (Date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except ValueError:
        return day


def _previous_month(iso: str) -> str:
    try:
        year, month = int(iso[:4]), int(iso[5:7])
    except ValueError:
        return iso[:7]
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _recent_months(anchor: str) -> list[str]:
    """Return the periods an undated report published on `anchor` most likely speaks of."""
    if date_precision(anchor) < 2:
        return [anchor]
    return [anchor[:7], _previous_month(anchor)]


# ---------------------------------------------------------------------------- known actors


class _Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^actor\.[a-z0-9_.-]+$")
    name: str = Field(min_length=1)
    type: Literal["person", "organization"] = "person"
    aliases: list[str] = []
    do_not_merge: list[str] = []


class ActorsFile(BaseModel):
    """configs/actors.yml: known actors with their aliases and names they must never merge with."""

    model_config = ConfigDict(extra="forbid")
    actors: list[_Actor] = []


def load_actors_rules(settings) -> tuple[ActorsFile | None, list[Problem], list[tuple[str, str, int]]]:
    """Load actors.yml named by settings; return (actors or None, problems, rule ids). Never raises.

    A missing file gives an empty ActorsFile: the known-actors list is optional.
    """
    path = Path(settings.rule_path("actors"))
    if not path.exists():
        return ActorsFile(), [], []
    raw, problems = read_yaml(path)
    if problems:
        return None, problems, []
    data, problems = validate(ActorsFile, raw or {}, path)
    if data is None:
        return None, problems, []
    ids, owner = [], {}
    for index, actor in enumerate(data.actors):
        line = line_of(raw, ("actors", index))
        ids.append((actor.id, str(path), line))
        for name in [actor.name, *actor.aliases]:
            key = (actor.type, fold(name))
            if owner.setdefault(key, actor.id) != actor.id:
                problems.append(Problem(str(path), line, f"{name!r} already names {owner[key]}"))
    return (None if problems else data), problems, ids


# ---------------------------------------------------------------------------- names


@dataclass(frozen=True)
class _Token:
    orig: str
    bare: str  # folded, without dots and apostrophes


class Names:
    """Turns person and organization texts into keys, with known actors and a place gazetteer."""

    def __init__(self, gazetteer=None, actors: ActorsFile | None = None, organizations=()):
        self.gazetteer = gazetteer
        self._persons: dict[str, tuple[str, str]] = {}
        self.person_alias: dict[str, str] = {}
        self.person_label: dict[str, str] = {}
        self.org_alias: dict[str, str] = {}
        self.org_label: dict[str, str] = {}
        self.never: set[frozenset[str]] = set()
        for actor in actors.actors if actors else ():
            if actor.type == "person":
                canon = self._raw_person_key(actor.name)
                self.person_label[canon] = actor.name
                for alias in actor.aliases:
                    self.person_alias[self._raw_person_key(alias)] = canon
                for other in actor.do_not_merge:
                    self.never.add(frozenset((canon, self._raw_person_key(other))))
            else:
                self._add_org(actor.name, actor.aliases)
        for org in organizations:  # roles.yml's bilingual names: "Casa Blanca" is "White House"
            self._add_org(org.name, [name for names in org.names.values() for name in names])

    def _add_org(self, name: str, aliases) -> None:
        canon = plain_key(name)
        self.org_label[canon] = name
        for alias in aliases:
            self.org_alias[plain_key(alias)] = canon

    def _is_place(self, bare: str) -> bool:
        gaz = self.gazetteer
        return bool(gaz and (gaz.canonical(bare) or gaz.country_of(bare)))

    def _tokens(self, text: str) -> list[_Token]:
        tokens = []
        for word in text.split(",")[0].split():
            word = re.sub(r"['’]s$", "", word.strip("\"'“”«»()[]:;")).rstrip("'’")
            bare = re.sub(r"[.'’]", "", fold(word))
            if bare:
                tokens.append(_Token(word, bare))
        return tokens

    def _strip(self, tokens: list[_Token]) -> list[_Token]:
        # A leading title phrase ("Mexican President", "el secretario de Estado") ends at its
        # last title word; only title words, places, demonyms and lower-case words may precede it.
        last = -1
        for i, tok in enumerate(tokens[:-1]):
            if tok.bare in _TITLES:
                last = i
            elif not (tok.bare in _TITLE_WORDS or tok.orig[:1].islower() or self._is_place(tok.bare)):
                break
        start = last + 1
        while last >= 0 and start < len(tokens) - 1 and (
            tokens[start].bare in _TITLE_WORDS or tokens[start].orig[:1].islower() or self._is_place(tokens[start].bare)
        ):
            start += 1
        tokens = tokens[start:]
        while tokens and (tokens[-1].orig[:1].islower() or tokens[-1].bare in _SUFFIXES) and len(tokens) > 1:
            tokens = tokens[:-1]
        if any(len(t.bare) > 1 for t in tokens):  # initials: "Antony J. Blinken", "J. Blinken"
            tokens = [t for t in tokens if len(t.bare) > 1]
        if any(ch.isdigit() for t in tokens for ch in t.bare) or (tokens and tokens[0].orig[:1].islower()):
            return []
        if all(t.bare in _TITLES or t.bare in _TITLE_WORDS for t in tokens):
            return []
        return tokens

    def _raw_person_key(self, text: str) -> str:
        return " ".join(t.bare for t in self._strip(self._tokens(text)))

    def person(self, text: str) -> tuple[str, str]:
        """Return (key, display form) of a person's name; ("", "") when it holds no name."""
        if text not in self._persons:  # names repeat across a corpus; keys are pure functions of text
            tokens = self._strip(self._tokens(text))
            key = " ".join(t.bare for t in tokens)
            self._persons[text] = (self.person_alias.get(key, key), " ".join(t.orig for t in tokens))
        return self._persons[text]

    def org(self, text: str) -> str:
        """Return the key of an organization name ("The White House" -> "white house")."""
        key = plain_key(text)
        return self.org_alias.get(key, key)

    def place(self, text: str, norm: str = "") -> str:
        """Return the canonical name of a place: norm, else the gazetteer's, else the text without article."""
        if norm:
            return norm
        canonical = self.gazetteer.canonical(text) if self.gazetteer and text else ""
        if canonical:
            return canonical
        words = text.strip().split()
        if len(words) > 1 and fold(words[0]) in ("the", "la", "el", "los", "las"):
            words = words[1:]
        return " ".join(words).strip(".,;:")

    def place_rank(self, name: str) -> int:
        """Return how specific a place is: city 3, unknown 2 (towns, venues), region 2, country 1."""
        kind = self.gazetteer.kind(name) if self.gazetteer and name else ""
        return {"city": 3, "region": 2, "country": 1}.get(kind, 2 if name else 0)

    def places_compatible(self, a: str, b: str) -> bool:
        """Return True when place names a and b can be one place (equal, one unknown, or nested)."""
        if not a or not b or slug(a) == slug(b):
            return True
        gaz = self.gazetteer
        return bool(gaz) and (gaz.country_of(a) == b or gaz.country_of(b) == a)

    def blocked(self, a: str, b: str) -> bool:
        """Return True when actors.yml says keys a and b never name one person."""
        return frozenset((a, b)) in self.never


def _near(a: str, b: str) -> bool:
    """Return True for first names one inserted letter apart (Antony/Anthony), four letters or more."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1 or len(short) < 4:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def group_names(counts: Counter, names: Names) -> tuple[dict[str, str], set[str]]:
    """Group person keys into persons; return ({key: representative key}, ambiguous partial keys).

    Full keys with one surname and near first names share the most frequent key. A partial key
    maps to the representative of the one person it is part of: first a key that starts a
    longer name ("andres manuel lopez" of "andres manuel lopez obrador": the maternal surname
    dropped), then a key that ends one ("blinken", "lopez obrador").
    """
    keys = sorted(counts)
    suffixes: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        words = key.split()
        for i in range(1, len(words)):
            suffixes[" ".join(words[i:])].add(key)
            if i > 1:
                prefixes[" ".join(words[:i])].add(key)
    full = [k for k in keys if k not in suffixes and k not in prefixes]
    rep: dict[str, str] = {}
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key in full:
        if " " in key:
            by_surname[key.rsplit(" ", 1)[1]].append(key)
        else:
            rep[key] = key
    for group in by_surname.values():
        clusters: list[list[str]] = []
        for key in sorted(group, key=lambda k: (-counts[k], -len(k), k)):
            first = key.rsplit(" ", 1)[0]
            for cluster in clusters:
                if all(_near(first, other.rsplit(" ", 1)[0]) and not names.blocked(key, other) for other in cluster):
                    cluster.append(key)
                    break
            else:
                clusters.append([key])
        for cluster in clusters:
            for key in cluster:
                rep[key] = cluster[0]

    def owners(key: str, known: dict[str, str], tables) -> set[str]:
        return {known[o] for table in tables for o in table.get(key, ()) if o in known and not names.blocked(key, o)}

    whole = dict(rep)
    for key in keys:
        if key not in rep and key in prefixes:
            found = owners(key, whole, (prefixes,))
            if len(found) == 1:
                rep[key] = found.pop()
    known = dict(rep)
    ambiguous = set()
    for key in keys:
        if key in known:
            continue
        found = owners(key, known, (prefixes, suffixes))
        if len(found) > 1:
            ambiguous.add(key)
        else:
            rep[key] = found.pop() if found else key
    return rep, ambiguous


def _attach_single_words(rep: dict[str, str]) -> dict[str, str]:
    """Within one document, map a one-word name that is a word of exactly one longer name to
    that person ("Lula" of "Luiz Inácio Lula da Silva", "Yoon" of "Yoon Suk Yeol"); return rep.

    Only document-wide: across a corpus a lone given name or family name is too weak a clue.
    """
    longer = sorted({target for target in rep.values() if " " in target})
    for key, target in rep.items():
        if " " not in key and target == key:
            found = [name for name in longer if key in name.split()]
            if len(found) == 1:
                rep[key] = found[0]
    return rep


# ---------------------------------------------------------------------------- events


@dataclass
class _Event:
    """A meeting being assembled: counts of kinds, dates, places, names and participants."""

    kinds: Counter = field(default_factory=Counter)
    dates: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    names: Counter = field(default_factory=Counter)  # (is English, name) -> count
    anchors: Counter = field(default_factory=Counter)  # dates of the documents reporting it
    people: Counter = field(default_factory=Counter)
    members: list = field(default_factory=list)
    docs: set = field(default_factory=set)
    last: int = -1  # start of the latest mention merged in (within a document)

    def kind(self) -> str:
        return min(self.kinds, key=KIND_PRIORITY.index) if self.kinds else "meeting"

    def date(self) -> str:
        return min(self.dates, key=lambda d: (-date_precision(d), -self.dates[d], d), default="")

    def anchor(self) -> str:
        return min(self.anchors, key=lambda d: (-date_precision(d), -self.anchors[d], d), default="")

    def place(self, names: Names) -> str:
        return min(self.places, key=lambda p: (-names.place_rank(p), -self.places[p], p), default="")

    def name(self) -> str:
        best = min(self.names, key=lambda n: (not n[0], -self.names[n], n[1]), default=(False, ""))
        return best[1]

    def absorb(self, other: "_Event") -> None:
        for mine, theirs in (
            (self.kinds, other.kinds), (self.dates, other.dates), (self.places, other.places),
            (self.names, other.names), (self.people, other.people), (self.anchors, other.anchors),
        ):
            mine.update(theirs)
        self.members.extend(other.members)
        self.docs |= other.docs
        self.last = max(self.last, other.last)


def _family(kind: str) -> str:
    return {"call": "call", "summit": "summit"}.get(kind, "in-person")


def _fits(a: _Event, b: _Event, names: Names, slack: int) -> bool:
    """Return True when kinds, dates and places of two events allow them to be one."""
    fa, fb = _family(a.kind()), _family(b.kind())
    da, db, pa, pb = a.date(), b.date(), a.place(names), b.place(names)
    if fa != fb:
        if "call" in (fa, fb):
            return False
        # summit and talks: only the same day at the same place
        if not (date_precision(da) == date_precision(db) == 3 and pa and pb):
            return False
    return dates_compatible(da, db, slack) and names.places_compatible(pa, pb)


def _anaphoric(mention: MeetingMention) -> bool:
    """Return True when the trigger is introduced as known ("the meeting", "la reunión", "Wednesday's talks")."""
    sentence, trigger = fold(mention.sentence), fold(mention.trigger)
    at = sentence.find(trigger) if trigger else -1
    before = sentence[:at].split() if at > 0 else []
    return bool(before) and (before[-1] in _DEFINITE or before[-1].endswith("'s"))


class _DocContext:
    """What one document says about names, role holders and meetings, derived from it alone."""

    def __init__(self, result: DocResult, names: Names, slack: int):
        self.result = result
        self.names = names
        self.persons: list[tuple[int, int, str, str, str]] = []  # start, end, text, key, display
        spans = []
        for m in result.mentions:
            if m.label == "PERSON":
                key, display = names.person(m.text)
                self.persons.append((m.start, m.end, m.text, key, display))
                spans.append((m.start, m.end))
        refs = [link.person for link in result.role_links] + [p for mm in result.meetings for p in mm.participants]
        for ref in sorted(refs, key=lambda r: (r.start, r.end, r.text)):
            if ref.role or any(s < ref.end and ref.start < e for s, e in spans):
                continue
            key, display = names.person(ref.text)
            self.persons.append((ref.start, ref.end, ref.text, key, display))
            spans.append((ref.start, ref.end))
        counts = Counter(key for *_, key, _ in self.persons if key)
        # Ambiguous partial names stay as they are here and are decided corpus-wide.
        self.local = _attach_single_words(group_names(counts, names)[0])
        self.place_norms = {fold(m.text): m.norm for m in result.mentions if m.label == "PLACE" and m.norm}
        self.titles = sorted(
            (link.start, link.end) for link in result.role_links if not link.person.start <= link.start < link.person.end
        )
        self.holders: dict[tuple[str, str], set[str]] = defaultdict(set)
        for link in result.role_links:
            key = self.key(link.person)
            if key and not link.person.role and link.qualifier != "former":
                self.holders[(link.role, self.place(link.jurisdiction))].add(key)
        self.events, self.event_of = self._cluster(slack)

    def in_title(self, mention) -> bool:
        """True for an organization named inside a linked title ("State" of "Secretary of
        State"): the office, not the organization, is the actor there."""
        return any(start <= mention.start and mention.end <= end for start, end in self.titles)

    def key(self, ref: PersonRef | str) -> str:
        """Return the document-level key of a named person ("" for role-only refs)."""
        if isinstance(ref, PersonRef):
            if ref.role:
                return ""
            ref = ref.text
        key = self.names.person(ref)[0]
        return self.local.get(key, key)

    def place(self, text: str, norm: str = "") -> str:
        """Return the canonical name of a place text, using the norms this document's mentions carry."""
        if not (text or norm):
            return ""
        return self.names.place(text, norm or self.place_norms.get(fold(text), ""))

    def participant(self, ref: PersonRef) -> tuple:
        """Return ("p", key) for a named or locally resolvable person, ("r", role, place) for a role."""
        if not ref.role:
            key = self.key(ref)
            return ("p", key) if key else ()
        jurisdiction = self.place(ref.jurisdiction)
        holders = {
            key for (role, place), keys in self.holders.items() for key in keys
            if role == ref.role and (place == jurisdiction or not jurisdiction)
        }
        if len(holders) == 1:
            return ("p", holders.pop())
        return ("r", ref.role, jurisdiction) if jurisdiction else ()

    def _cluster(self, slack: int) -> tuple[list[_Event], list[int]]:
        events: list[_Event] = []
        event_of = [0] * len(self.result.meetings)
        order = sorted(range(len(self.result.meetings)), key=lambda i: (self.result.meetings[i].start, i))
        english = self.result.document.lang == "en"
        for i in order:
            m = self.result.meetings[i]
            one = _Event(kinds=Counter([m.kind]), last=m.start)
            one.people.update(p for p in map(self.participant, m.participants) if p)
            if m.date:
                one.dates[m.date] += 1
            if m.place:
                one.places[self.place(m.place)] += 1
            if m.name:
                one.names[(english, m.name)] += 1
            fitting = [e for e in events if _fits(e, one, self.names, slack)]
            shared = [e for e in fitting if set(e.people) & set(one.people)]
            target = None
            if shared:
                target = max(shared, key=lambda e: (len(set(e.people) & set(one.people)), e.last))
            elif fitting and _anaphoric(m):
                target = max(fitting, key=lambda e: e.last)
            elif len(fitting) == 1 and not (one.people and fitting[0].people):
                target = fitting[0]
            if target is None:
                target = _Event()
                events.append(target)
            target.absorb(one)
            target.members.append(i)
            event_of[i] = events.index(target)
        return events, event_of


# ---------------------------------------------------------------------------- pass 1


@dataclass(frozen=True)
class _Record:
    """One meeting of one document, as the corpus reduce needs it."""

    doc: str
    index: int
    kind: str
    people: tuple
    date: str
    place: str
    names: tuple  # ((is English, name), count) pairs
    anchor: str  # the document's date, placing an undated meeting


class Resolver:
    """Pass 1: collect compact name, role and meeting aggregates; `finish` decides the nodes."""

    def __init__(self, gazetteer=None, actors: ActorsFile | None = None, day_slack: int = DAY_SLACK, organizations=()):
        self.names = Names(gazetteer, actors, organizations)
        self.slack = day_slack
        self.person_counts: Counter = Counter()
        self.person_forms: dict[str, Counter] = defaultdict(Counter)
        self.org_forms: dict[str, Counter] = defaultdict(Counter)
        self.place_forms: dict[str, Counter] = defaultdict(Counter)
        self.holders: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.person_roles: dict[str, Counter] = defaultdict(Counter)  # person key -> (role, place)
        self.records: list[_Record] = []

    def add(self, result: DocResult) -> None:
        """Fold one document's names, role holders and meetings into the corpus aggregates."""
        if result.document.status != "ok":
            return
        ctx = _DocContext(result, self.names, self.slack)
        for *_, key, display in ctx.persons:
            if key:
                self.person_counts[key] += 1
                self.person_forms[key][display] += 1
        for m in result.mentions:
            if m.label == "ORG" and not ctx.in_title(m):
                self.org_forms[slug(self.names.org(m.norm or m.text))][_org_form(m.text)] += 1
            elif m.label == "PLACE" or (m.label == "NORP" and m.norm):
                name = ctx.place(m.text, m.norm) if m.label == "PLACE" else m.norm
                self.place_forms[slug(name)][name] += 1
        for link in result.role_links:
            if link.organization:
                self.org_forms[slug(self.names.org(link.organization))][_org_form(link.organization)] += 1
            name = ctx.place(link.jurisdiction) if link.jurisdiction else ""
            if name:
                self.place_forms[slug(name)][name] += 1
            key = ctx.key(link.person)
            if key:
                self.person_roles[key][(link.role, name)] += 1
        for (role, place), keys in ctx.holders.items():
            for key in keys:
                self.holders[(role, place)][key] += 1
        for index, event in enumerate(ctx.events):
            place = event.place(self.names)
            if place:
                self.place_forms[slug(place)][place] += 1
            self.records.append(
                _Record(
                    result.document.id, index, event.kind(), tuple(sorted(event.people)), event.date(), place,
                    tuple(sorted(event.names.items())), result.document.date or result.ref_date,
                )
            )

    def merge(self, other: "Resolver") -> "Resolver":
        """Add another Resolver's aggregates (from another worker) to this one; return self."""
        self.person_counts.update(other.person_counts)
        for mine, theirs in (
            (self.person_forms, other.person_forms), (self.org_forms, other.org_forms),
            (self.place_forms, other.place_forms), (self.holders, other.holders),
            (self.person_roles, other.person_roles),
        ):
            for key, counter in theirs.items():
                mine[key].update(counter)
        self.records.extend(other.records)
        return self

    def finish(self) -> "Resolution":
        """Decide every node from the aggregates; return the Resolution for pass 2."""
        res = Resolution(self.names, self.slack)
        self._persons(res)
        known = {slug(key): label for key, label in self.names.org_label.items()}
        for key, forms in self.org_forms.items():
            res.org_label[key] = known.get(key) or _best(forms)
        for key, forms in self.place_forms.items():
            res.place_label[key] = _best(forms)
        for (role, place), keys in sorted(self.holders.items()):
            nodes = {res.person_map.get(k, "") for k in keys} - {""}
            if place and len(nodes) == 1:
                res.holders[(role, place)] = nodes.pop()
        self._implied_jurisdictions(res)
        _Meetings(res, self.slack).build(sorted(self.records, key=lambda r: (r.doc, r.index)))
        return res

    def _implied_jurisdictions(self, res: "Resolution") -> None:
        # "President López Obrador" and "the president of Mexico, López Obrador" name one office:
        # a bare title takes the jurisdiction the same person's title has elsewhere, when only one.
        places: dict[tuple[str, str], set[str]] = defaultdict(set)
        for key, roles in self.person_roles.items():
            node = res.person_map.get(key, "")
            for role, place in roles:
                if node and place:
                    places[(node, role)].add(place)
        res.implied = {pair: found.pop() for pair, found in sorted(places.items()) if len(found) == 1}

    def _persons(self, res: "Resolution") -> None:
        rep, ambiguous = group_names(self.person_counts, self.names)
        forms: dict[str, Counter] = defaultdict(Counter)
        partial: dict[str, Counter] = defaultdict(Counter)
        for key in sorted(rep):
            node = "person:" + slug(rep[key])
            res.person_map[key] = node
            target = forms if rep[key] == key or len(key.split()) == len(rep[key].split()) else partial
            target[node].update(self.person_forms[key])
        for key in ambiguous:
            res.person_map[key] = ""
        for key in sorted(set(rep.values())):
            node = "person:" + slug(key)
            res.person_label[node] = self.names.person_label.get(key) or _best_name(forms[node] or partial[node])
        for node, label in res.person_label.items():
            res.person_short[node] = _short(label, node, res)


def _org_form(text: str) -> str:
    return re.sub(r"^(the|la|el|los|las)\s+", "", text.strip(), flags=re.IGNORECASE)


def _best(forms: Counter) -> str:
    return min(forms, key=lambda f: (-forms[f], f)) if forms else ""


def _best_name(forms: Counter) -> str:
    """Return the most complete, accented, frequent form ("Andrés Manuel López Obrador")."""
    return min(
        forms,
        key=lambda f: (-len(f.split()), f.isupper(), fold(f) == f.lower(), -forms[f], f),
    )


def _short(label: str, node: str, res: "Resolution") -> str:
    """Return the surname form of a label that the corpus uses alone ("López Obrador"), else the last word."""
    words = label.split()
    for i in range(1, len(words)):
        tail = " ".join(words[i:])
        if res.person_map.get(res.names.person(tail)[0]) == node:
            return tail
    return words[-1] if words else label


# ---------------------------------------------------------------------------- meetings across documents


@dataclass
class MeetingInfo:
    """A meeting node as resolution decided it."""

    id: str
    kind: str
    date: str
    place: str  # place node id, or ""
    place_label: str
    name: str
    label: str
    participants: list[str]  # person node ids


class _Meetings:
    """Greedy, blocked merge of per-document meetings into corpus meeting nodes."""

    def __init__(self, res: "Resolution", slack: int):
        self.res = res
        self.slack = slack
        self.groups: list[_Event] = []
        self.by_person: dict[tuple[str, str, str], set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)

    def _resolve(self, token: tuple) -> str:
        if token[0] == "p":
            return self.res.person_map.get(token[1], "")
        return self.res.holders.get((token[1], token[2]), "")

    def _event(self, record: _Record) -> _Event:
        event = _Event(kinds=Counter([record.kind]), members=[(record.doc, record.index)], docs={record.doc})
        event.people.update(p for p in map(self._resolve, record.people) if p)
        if record.date:
            event.dates[record.date] += 1
        if record.place:
            event.places[record.place] += 1
        event.names.update(dict(record.names))
        if record.anchor:
            event.anchors[record.anchor] += 1
        return event

    def _index_keys(self, event: _Event) -> Iterable[tuple[str, str, str]]:
        day = event.date()
        for person in event.people:
            yield person, "all", ""
            if not day:
                yield person, "undated", ""
                continue
            yield person, "any", day[:4]
            yield (person, "month", day[:7]) if date_precision(day) > 1 else (person, "year", day[:4])

    def _query_keys(self, event: _Event) -> Iterable[tuple[str, str, str]]:
        day, anchor = event.date(), event.anchor()
        months = {day[:7]}
        if date_precision(day) == 3:
            months |= {_shift(day, -self.slack)[:7], _shift(day, self.slack)[:7]}
        elif not day and date_precision(anchor) > 1:
            months = {anchor[:7], _previous_month(anchor)}
        for person in event.people:
            if not day and not anchor:
                yield person, "all", ""
            elif date_precision(day or anchor) == 1:
                yield person, "any", (day or anchor)[:4]
            else:
                yield person, "year", (day or anchor)[:4]
                yield from ((person, "month", month) for month in sorted(months))
            if not day:
                yield person, "undated", ""

    def _candidates(self, event: _Event) -> set[int]:
        found: set[int] = set()
        for block in self._query_keys(event):
            found |= self.by_person.get(block, set())
        for _, name in event.names:
            found |= self.by_name.get(plain_key(name), set())
        return found

    def _score(self, group: _Event, event: _Event) -> tuple | None:
        day, anchor = event.date(), event.anchor()
        if group.docs & event.docs or not _fits(group, event, self.res.names, self.slack):
            return None
        if not day:
            # An undated report is placed by its document's date: that month or the one before.
            other = group.date() or group.anchor()
            if anchor and other and not any(dates_compatible(other, m, 0) for m in _recent_months(anchor)):
                return None
        elif not group.date():
            return None
        same_name = bool({plain_key(n) for _, n in group.names} & {plain_key(n) for _, n in event.names})
        shared = len(set(group.people) & set(event.people))
        needed = max(1 if day else 2, math.ceil(min(len(group.people), len(event.people)) / 2))
        if not same_name and shared < needed:
            return None
        return (same_name, shared, group.date() == day, group.place(self.res.names) == event.place(self.res.names))

    def build(self, records: list[_Record]) -> None:
        events = [self._event(r) for r in records]
        names = self.res.names
        events.sort(key=lambda e: (
            -date_precision(e.date()), -bool(e.anchor()), -len(e.people), -names.place_rank(e.place(names)), e.members,
        ))
        for event in events:
            scores = {}
            for index in sorted(self._candidates(event)):
                score = self._score(self.groups[index], event)
                if score is not None:
                    scores[index] = score
            top = max(scores.values(), default=None)
            winners = [i for i, s in scores.items() if s == top]
            best = winners[0] if len(winners) == 1 else len(self.groups)
            if best == len(self.groups):
                self.groups.append(_Event())
            group = self.groups[best]
            group.absorb(event)
            for block in self._index_keys(group):
                self.by_person[block].add(best)
            for _, name in group.names:
                self.by_name[plain_key(name)].add(best)
        self._nodes()

    def _nodes(self) -> None:
        res, names = self.res, self.res.names
        kept = [g for g in self.groups if g.people or g.names]
        infos = []
        for group in kept:
            people = sorted(group.people, key=lambda p: (fold(res.person_short.get(p, p)), p))
            place = group.place(names)
            place_id = "place:" + slug(place) if place else ""
            place_label = res.place_label.get(slug(place), place)
            shorts = [res.person_short.get(p, p) for p in people]
            if len(shorts) > 5:
                shorts = shorts[:5] + [f"+{len(people) - 5}"]
            where = ", ".join(x for x in (place_label, group.date()) if x)
            label = group.name() or f"{group.kind().capitalize()}: {', '.join(shorts)}" + (f" — {where}" if where else "")
            infos.append((group, MeetingInfo("", group.kind(), group.date(), place_id, place_label, group.name(), label, people)))
        infos.sort(key=lambda x: (x[1].date, x[1].place, x[1].label, sorted(x[0].members)))
        width = max(4, len(str(len(infos))))
        for number, (group, info) in enumerate(infos, start=1):
            info.id = f"meeting:{number:0{width}d}"
            res.meetings[info.id] = info
            for member in group.members:
                res.meeting_of[member] = info.id


# ---------------------------------------------------------------------------- resolution and pass 2


@dataclass
class Resolution:
    """Every node decision of the corpus; `view` maps one document onto these nodes."""

    names: Names
    slack: int = DAY_SLACK
    person_map: dict[str, str] = field(default_factory=dict)  # key -> node id ("" ambiguous)
    person_label: dict[str, str] = field(default_factory=dict)
    person_short: dict[str, str] = field(default_factory=dict)
    org_label: dict[str, str] = field(default_factory=dict)  # org slug -> label
    place_label: dict[str, str] = field(default_factory=dict)  # place slug -> label
    holders: dict[tuple[str, str], str] = field(default_factory=dict)  # (role, place) -> person node
    implied: dict[tuple[str, str], str] = field(default_factory=dict)  # (person node, role) -> place
    meetings: dict[str, MeetingInfo] = field(default_factory=dict)
    meeting_of: dict[tuple[str, int], str] = field(default_factory=dict)  # (doc, event index) -> node
    _last: "DocView | None" = field(default=None, repr=False, compare=False)

    def view(self, result: DocResult) -> "DocView":
        """Return the node lookups of one document (pass 2)."""
        # The graph, mentions.jsonl and relations.jsonl each ask for the same document in turn.
        if self._last is None or self._last.result is not result:
            self._last = DocView(self, result)
        return self._last

    def label(self, node: str) -> str:
        """Return the label of any node id."""
        kind, _, key = node.partition(":")
        if kind == "person":
            return self.person_label.get(node, key)
        if kind == "place":
            return self.place_label.get(key, key)
        if kind == "org":
            return self.org_label.get(key, key)
        if kind == "meeting" and node in self.meetings:
            return self.meetings[node].label
        return key

    def place_node(self, name: str) -> str:
        """Return the node id of a canonical place name ("" for none)."""
        return "place:" + slug(name) if slug(name) else ""

    def org_node(self, text: str) -> str:
        """Return the node id of an organization name ("" for none)."""
        key = slug(self.names.org(text))
        return "org:" + key if key else ""

    def role_node(self, link: RoleLink, jurisdiction: str) -> tuple[str, str]:
        """Return (node id, label) of the role a link names: one per role, jurisdiction, organization."""
        org = slug(self.names.org(link.organization)) if link.organization else ""
        label = role_label(link.role, jurisdiction, (self.org_label.get(org) or link.organization) if org else "")
        return "role:" + slug(" ".join((link.role, jurisdiction, org))), label


def role_label(role: str, jurisdiction: str = "", organization: str = "") -> str:
    """Return the label of an office: "President of Mexico", "Secretary of State (United States)",
    "Homeland Security Adviser of United States, White House"."""
    label = role
    if jurisdiction:
        label = f"{label} ({jurisdiction})" if " of " in label else f"{label} of {jurisdiction}"
    return f"{label}, {organization}" if organization else label


class DocView:
    """One document mapped onto the corpus nodes: persons, places, organizations, roles, meetings."""

    def __init__(self, res: Resolution, result: DocResult):
        self.res = res
        self.result = result
        self.ctx = _DocContext(result, res.names, res.slack)

    def person(self, ref: PersonRef | str) -> str:
        """Return the person node of a name or PersonRef ("" when unresolved or ambiguous)."""
        if isinstance(ref, PersonRef) and ref.role:
            token = self.ctx.participant(ref)
            if not token:
                return ""
            if token[0] == "r":
                return self.res.holders.get((token[1], token[2]), "")
            return self.res.person_map.get(token[1], "")
        key = self.ctx.key(ref)
        return self.res.person_map.get(key, "") if key else ""

    def place(self, text: str, norm: str = "") -> tuple[str, str]:
        """Return (node id, canonical name) of a place text."""
        name = self.ctx.place(text, norm)
        return self.res.place_node(name), name

    def meeting(self, index: int) -> str:
        """Return the meeting node of the document's meeting mention `index` ("" when dropped)."""
        return self.res.meeting_of.get((self.result.document.id, self.ctx.event_of[index]), "")

    def mention_node(self, mention) -> str:
        """Return the node of an entity mention: person, organization or place; "" for other labels."""
        if mention.label == "PERSON":
            return self.person(mention.text)
        if mention.label == "ORG":
            return "" if self.ctx.in_title(mention) else self.res.org_node(mention.norm or mention.text)
        if mention.label == "PLACE":
            return self.place(mention.text, mention.norm)[0]
        if mention.label == "NORP" and mention.norm:
            return self.res.place_node(mention.norm)
        return ""
