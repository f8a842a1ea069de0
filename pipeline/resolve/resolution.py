"""The resolution: `Resolver` folds DocResults into corpus aggregates and decides the nodes;
`Resolution` holds them, and its `NodeView` gives one document's links to them (see the
package's docstring for the rules).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.records import DocResult, PersonRef, RoleLink
from pipeline.resolve.actors import ActorsFile
from pipeline.resolve.events import DAY_SLACK, _DocContext, _Record
from pipeline.resolve.meetings import MeetingInfo, _Meetings
from pipeline.resolve.names import Names, _best, _best_name, _org_form, group_names, slug


class Resolver:
    """Pass 1: collect compact name, role and meeting aggregates; `finish` decides the nodes."""

    def __init__(self, gazetteer=None, actors: ActorsFile | None = None, day_slack: int = DAY_SLACK, organizations=(), words=None):
        self.names = Names(gazetteer, actors, organizations, words)
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


def _short(label: str, node: str, res: "Resolution") -> str:
    """Return the surname form of a label that the corpus uses alone ("López Obrador"), else the last word."""
    words = label.split()
    for i in range(1, len(words)):
        tail = " ".join(words[i:])
        if res.person_map.get(res.names.person(tail)[0]) == node:
            return tail
    return words[-1] if words else label


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
    _last: "NodeView | None" = field(default=None, repr=False, compare=False)

    def view(self, result: DocResult) -> "NodeView":
        """Return the node lookups of one document (pass 2)."""
        # The graph, mentions.jsonl and relations.jsonl each ask for the same document in turn.
        if self._last is None or self._last.result is not result:
            self._last = NodeView(self, result)
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


class NodeView:
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
