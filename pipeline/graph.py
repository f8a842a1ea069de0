"""The actor graph: DocResults and a Resolution -> networkx.MultiDiGraph, plus the JSONL rows. Pure, no I/O.

`GraphBuilder.add` is the second streaming pass: it folds one document into node and edge
aggregates (counts, sets of documents, one evidence sentence chosen by document id and offset,
so the graph does not depend on document order); `graph()` derives met_with edges from shared
meetings and returns the MultiDiGraph with nodes and edges sorted by id.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterator

import networkx as nx

from pipeline import code_ids
from pipeline.config import Limits
from pipeline.records import UNDIRECTED, DocResult, Document
from pipeline.resolve.resolution import NodeView, Resolution

NODE_TYPES = {"person": "person", "org": "organization", "place": "place", "role": "role", "meeting": "meeting"}
# Rule id of a bare title given the jurisdiction the same person's title has elsewhere.
IMPLIED_JURISDICTION_RULE = code_ids.GRAPH_ROLE_JURISDICTION


@dataclass
class Relation:
    """One relation instance found in one document."""

    relation: str
    source: str
    target: str
    source_text: str
    target_text: str
    start: int
    end: int
    sentence: str
    rules: list[str]
    date: str
    qualifier: str = ""
    label: str = ""  # label of the target node when the resolution does not keep it (roles)


def relations(result: DocResult, view: NodeView) -> Iterator[Relation]:
    """Yield every relation instance of a document: role links, affiliations, meeting participation and places."""
    res = view.res
    day = result.document.date or result.ref_date
    for link in result.role_links:
        person = view.person(link.person)
        jurisdiction = view.ctx.place(link.jurisdiction)
        rules = list(link.rules)
        if not jurisdiction and (person, link.role) in res.implied:
            jurisdiction = res.implied[(person, link.role)]
            rules.append(IMPLIED_JURISDICTION_RULE)
        role, label = res.role_node(link, jurisdiction)
        where = (link.start, link.end, link.sentence, rules, day)
        yield Relation("holds_role", person, role, link.person.text, link.text or link.role, *where, link.qualifier, label)
        if jurisdiction:
            yield Relation("jurisdiction_of", role, res.place_node(jurisdiction), link.text or link.role, link.jurisdiction, *where)
        if link.organization:
            yield Relation("affiliated_with", person, res.org_node(link.organization), link.person.text, link.organization, *where)
    for index, mention in enumerate(result.meetings):
        meeting = view.meeting(index)
        info = res.meetings.get(meeting)
        when = (info.date if info else "") or mention.date
        for ref in mention.participants:
            yield Relation(
                "participated_in", view.person(ref), meeting, ref.text, mention.trigger,
                ref.start, ref.end, mention.sentence, list(mention.rules), when,
            )
        if mention.place:
            yield Relation(
                "held_in", meeting, view.place(mention.place)[0], mention.trigger, mention.place,
                mention.start, mention.end, mention.sentence, list(mention.rules), when,
            )


def mention_rows(result: DocResult, resolution: Resolution) -> Iterator[dict]:
    """Yield one mentions.jsonl row per entity mention, with the node it resolved to ("" if none)."""
    view = resolution.view(result)
    for m in result.mentions:
        yield {
            "doc": m.doc, "lang": m.lang, "label": m.label, "text": m.text, "start": m.start, "end": m.end,
            "sentence": m.sentence, "value": m.value, "norm": m.norm, "qualifier": m.qualifier,
            "rules": list(m.rules), "node": view.mention_node(m),
        }


def relation_rows(result: DocResult, resolution: Resolution) -> Iterator[dict]:
    """Yield one relations.jsonl row per relation instance; unresolved ends have node id ""."""
    doc = result.document
    for r in relations(result, resolution.view(result)):
        yield {
            "relation": r.relation, "doc": doc.id, "lang": doc.lang, "source": r.source, "target": r.target,
            "source_text": r.source_text, "target_text": r.target_text, "start": r.start, "end": r.end,
            "sentence": r.sentence, "rules": r.rules, "date": r.date,
        }


def _in_sentence_order(mentions) -> bool:
    """Return True when the mentions of one sentence follow each other: sentence starts never decrease."""
    last = -1
    for m in mentions:
        if m.sent_start < last:
            return False
        last = m.sent_start
    return True


@dataclass
class _Node:
    type: str
    label: str
    mentions: int = 0
    aliases: Counter = field(default_factory=Counter)
    documents: set = field(default_factory=set)
    languages: set = field(default_factory=set)


@dataclass
class _Edge:
    relation: str
    source: str
    target: str
    qualifier: str = ""
    weight: int = 0
    documents: set = field(default_factory=set)
    evidence: tuple = ()  # (doc, start, sentence): the smallest one is kept
    rules: set = field(default_factory=set)
    dates: set = field(default_factory=set)

    def add(self, doc: str, start: int, sentence: str, rules, day: str, weight: int = 1) -> None:
        self.weight += weight
        self.documents.add(doc)
        if sentence and (not self.evidence or (doc, start, sentence) < self.evidence):
            self.evidence = (doc, start, sentence)
        self.rules.update(rules)
        if day:
            self.dates.add(day)

    def absorb(self, other: "_Edge") -> None:
        self.weight += other.weight
        self.documents |= other.documents
        if other.evidence and (not self.evidence or other.evidence < self.evidence):
            self.evidence = other.evidence
        self.rules |= other.rules
        self.dates |= other.dates


class GraphBuilder:
    """Pass 2: aggregate nodes and edges of every document, then build the MultiDiGraph."""

    def __init__(self, resolution: Resolution, caps: Limits | None = None):
        self.res = resolution
        self.caps = caps or Limits()
        self.nodes: dict[str, _Node] = {}
        self.edges: dict[tuple, _Edge] = {}
        self.warnings: dict[str, list[str]] = defaultdict(list)  # document id -> caps it hit

    def _warn(self, doc_id: str, message: str) -> None:
        if message not in self.warnings[doc_id]:
            self.warnings[doc_id].append(message)

    def annotate(self, document: Document) -> Document:
        """Add the warnings of the caps this document hit while the graph was built; return it."""
        document.warnings = [*document.warnings, *self.warnings.get(document.id, [])]
        return document

    def _node(self, node: str, doc, alias: str = "", mentions: int = 0, label: str = "") -> None:
        agg = self.nodes.get(node)
        if agg is None:
            agg = self.nodes[node] = _Node(NODE_TYPES[node.partition(":")[0]], label or self.res.label(node))
        agg.mentions += mentions
        if alias:
            agg.aliases[alias] += 1
        agg.documents.add(doc.id)
        if doc.lang:
            agg.languages.add(doc.lang)

    def _edge(self, relation: str, source: str, target: str, qualifier: str = "") -> _Edge:
        if relation in UNDIRECTED:
            source, target = sorted((source, target))
        key = (relation, source, target, qualifier)
        if key not in self.edges:
            self.edges[key] = _Edge(relation, source, target, qualifier)
        return self.edges[key]

    def add(self, result: DocResult) -> None:
        """Fold one document's mentions and relations into the node and edge aggregates."""
        doc = result.document
        if doc.status != "ok":
            return
        view = self.res.view(result)
        day = doc.date or result.ref_date
        for _, _, text, key, _ in view.ctx.persons:
            node = self.res.person_map.get(view.ctx.local.get(key, key), "") if key else ""
            if node:
                self._node(node, doc, alias=text, mentions=1)
        # The persons of each sentence, folded as they come: {sent_start: [nodes, first mention, rules]}.
        sentences: dict[int, list] = {}
        # Mentions come in text order (spaCy's entities, chunk after chunk): a sentence is then
        # complete once a later one starts, and a long document's sentences never wait together.
        ordered = _in_sentence_order(result.mentions)
        for m in result.mentions:
            node = view.mention_node(m)
            if node and m.label != "PERSON":
                self._node(node, doc, alias=m.text, mentions=1)
            elif node:
                if ordered and sentences and m.sent_start not in sentences:
                    self._co_occurs(sentences.popitem()[1], doc.id, day)
                found = sentences.setdefault(m.sent_start, [set(), m, set()])
                found[0].add(node)
                if m.start < found[1].start:
                    found[1] = m
                found[2].update(m.rules)
        for found in sentences.values():
            self._co_occurs(found, doc.id, day)
        for index, mention in enumerate(result.meetings):
            meeting = view.meeting(index)
            if meeting:
                self._node(meeting, doc, alias=mention.name or mention.trigger, mentions=1)
        for r in relations(result, view):
            if not (r.source and r.target):
                continue
            if r.relation == "held_in":
                r.target = self.res.meetings[r.source].place or r.target
            self._node(r.source, doc)
            self._node(r.target, doc, label=r.label)
            if r.relation == "holds_role":
                self._node(r.target, doc, alias=r.target_text, mentions=1)
            self._edge(r.relation, r.source, r.target, r.qualifier).add(doc.id, r.start, r.sentence, r.rules, r.date)

    def _co_occurs(self, found: list, doc_id: str, day: str) -> None:
        """Add the co_occurs edges of one sentence's persons: [nodes, first mention, rules]."""
        nodes, first, rules = found
        if len(nodes) > self.caps.max_cooccurring:
            # Pairs grow with the square of the names: a list of thousands says nothing of who
            # was named with whom.
            self._warn(doc_id, f"a sentence naming {len(nodes)} persons gives no co_occurs edges "
                               f"(max_cooccurring {self.caps.max_cooccurring})")
            return
        rules = rules | {code_ids.GRAPH_CO_OCCURS}
        for a, b in combinations(sorted(nodes), 2):
            self._edge("co_occurs", a, b).add(doc_id, first.sent_start, first.sentence, rules, day)

    def merge(self, other: "GraphBuilder") -> "GraphBuilder":
        """Add another builder's aggregates (from another worker) to this one; return self."""
        for node, agg in other.nodes.items():
            mine = self.nodes.setdefault(node, _Node(agg.type, agg.label))
            mine.mentions += agg.mentions
            mine.aliases.update(agg.aliases)
            mine.documents |= agg.documents
            mine.languages |= agg.languages
        for key, edge in other.edges.items():
            self.edges.setdefault(key, _Edge(edge.relation, edge.source, edge.target, edge.qualifier)).absorb(edge)
        for doc_id, messages in other.warnings.items():
            for message in messages:
                self._warn(doc_id, message)
        return self

    def _met_with(self) -> dict[tuple, _Edge]:
        attendees: dict[str, list[_Edge]] = defaultdict(list)
        for edge in self.edges.values():
            if edge.relation == "participated_in":
                attendees[edge.target].append(edge)
        derived: dict[tuple, _Edge] = {}
        cap = self.caps.max_participants
        for meeting, found in sorted(attendees.items()):
            date = self.res.meetings[meeting].date
            documents = set().union(*(e.documents for e in found))
            if len(found) > cap:
                for doc_id in sorted(documents):
                    self._warn(doc_id, f"{meeting} has {len(found)} participants: no met_with edges (max_participants {cap})")
                continue
            evidence = min(e.evidence for e in found if e.evidence) if any(e.evidence for e in found) else ()
            rules = set().union(*(e.rules for e in found)) | {code_ids.GRAPH_MET_WITH}
            for a, b in combinations(sorted({e.source for e in found}), 2):
                edge = derived.setdefault(("met_with", a, b, ""), _Edge("met_with", a, b))
                edge.absorb(_Edge("met_with", a, b, "", 1, documents, evidence, rules, {date} if date else set()))
        return derived

    def graph(self) -> nx.MultiDiGraph:
        """Return the actor graph: typed nodes, and edges keyed by a readable unique id."""
        graph = nx.MultiDiGraph()
        participants: dict[str, list[str]] = defaultdict(list)
        for edge in self.edges.values():
            if edge.relation == "participated_in":
                participants[edge.target].append(edge.source)
        for node in sorted(self.nodes):
            agg = self.nodes[node]
            attrs = {
                "type": agg.type, "label": agg.label,
                "aliases": sorted(agg.aliases, key=lambda a: (-agg.aliases[a], a)),
                "mentions": agg.mentions, "documents": sorted(agg.documents), "languages": sorted(agg.languages),
            }
            if agg.type == "meeting":
                info = self.res.meetings[node]
                people = sorted(self.nodes[p].label for p in participants[node])
                attrs.update(kind=info.kind, date=info.date, place=info.place_label, name=info.name, participants=people)
            graph.add_node(node, **attrs)
        edges = {**self.edges, **self._met_with()}
        for key in sorted(edges):
            edge = edges[key]
            relation, source, target, qualifier = key
            link = "--" if relation in UNDIRECTED else "->"
            edge_id = f"{relation}:{source}{link}{target}" + (f":{qualifier}" if qualifier else "")
            dates = sorted(edge.dates)
            attrs = {
                "relation": relation, "weight": edge.weight, "directed": relation not in UNDIRECTED,
                "documents": sorted(edge.documents), "evidence": edge.evidence[2] if edge.evidence else "",
                "rules": sorted(edge.rules), "first_date": dates[0] if dates else "", "last_date": dates[-1] if dates else "",
            }
            if relation == "holds_role":
                attrs["qualifier"] = qualifier
            graph.add_edge(source, target, key=edge_id, **attrs)
        return graph
