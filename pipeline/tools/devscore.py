"""Development-set scorer: an extract run's graph against hand-made gold, as ../shared/dev/README.md says.

Persons, role links and meetings are scored from OUT/graph.graphml alone. A node's text is its
label, aliases and name joined with " | "; every gold regex is matched case-insensitively with
re.search, except `not_persons`, which must match a person node's label in full. Gold "file"
fields are carried into the miss lists for reading, never used to restrict matching.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import networkx as nx

LANGS = ("en", "es")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class GoldError(ValueError):
    """A gold file that does not follow the format of ../shared/dev/README.md."""


@dataclass(frozen=True)
class RoleLink:
    person: str
    role: re.Pattern
    optional: bool = False
    file: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class GoldMeeting:
    id: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    place: re.Pattern | None = None
    date: str = ""
    file: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class Gold:
    persons: dict[str, re.Pattern]
    roles: list[RoleLink]
    meetings: list[GoldMeeting]
    not_persons: re.Pattern | None = None


@dataclass
class Score:
    persons_gold: int = 0
    persons_found: int = 0
    person_nodes: int = 0
    person_nodes_true: int = 0
    roles_required: int = 0
    roles_found: int = 0
    role_edges: int = 0
    role_edges_true: int = 0
    meetings_gold: int = 0
    meetings_found: int = 0
    meetings_strict: int = 0
    missed_persons: list[dict] = field(default_factory=list)
    false_persons: list[dict] = field(default_factory=list)
    missed_roles: list[dict] = field(default_factory=list)
    false_roles: list[dict] = field(default_factory=list)
    missed_meetings: list[dict] = field(default_factory=list)
    loose_meetings: list[dict] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        """Return the six ratios (0.0 where the denominator is 0)."""
        return {
            "persons_recall": _ratio(self.persons_found, self.persons_gold),
            "persons_precision": _ratio(self.person_nodes_true, self.person_nodes),
            "roles_recall": _ratio(self.roles_found, self.roles_required),
            "roles_precision": _ratio(self.role_edges_true, self.role_edges),
            "meetings_found": _ratio(self.meetings_found, self.meetings_gold),
            "meetings_strict": _ratio(self.meetings_strict, self.meetings_gold),
        }


def _ratio(n: int, d: int) -> float:
    return n / d if d else 0.0


def load_gold(path: str | Path) -> Gold:
    """Read and validate a gold JSON file; return a Gold with compiled regexes, or raise GoldError."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{path}: cannot read gold: {exc}") from exc
    where = str(path)
    _need(isinstance(raw, dict), where, "the top level must be an object")
    unknown = sorted(k for k in raw if not k.startswith("_") and k not in ("persons", "roles", "meetings", "not_persons"))
    _need(not unknown, where, f"unknown key(s) {unknown}")
    persons_raw = raw.get("persons")
    _need(isinstance(persons_raw, dict), where, '"persons" must be an object of {"<key>": {"match": "<regex>"}}')
    persons = {}
    for key, entry in persons_raw.items():
        _need(isinstance(entry, dict), where, f"persons.{key} must be an object")
        persons[key] = _regex(entry.get("match"), f"{where}: persons.{key}.match")
    roles = []
    for i, entry in enumerate(_list(raw, "roles", where)):
        at = f"{where}: roles[{i}]"
        _need(isinstance(entry, dict), at, "must be an object")
        _need(entry.get("person") in persons, at, f"person {entry.get('person')!r} is not a key of persons")
        _need(isinstance(entry.get("optional", False), bool), at, "optional must be true or false")
        roles.append(RoleLink(entry["person"], _regex(entry.get("role"), f"{at}.role"), entry.get("optional", False),
                              _text(entry, "file", at), _text(entry, "evidence", at)))
    meetings = []
    for i, entry in enumerate(_list(raw, "meetings", where)):
        at = f"{where}: meetings[{i}]"
        _need(isinstance(entry, dict), at, "must be an object")
        required, optional = entry.get("required"), entry.get("optional", [])
        for name, keys in (("required", required), ("optional", optional)):
            _need(isinstance(keys, list) and all(k in persons for k in keys), at, f"{name} must list keys of persons")
        _need(bool(required), at, "required must name at least one person")
        date = _text(entry, "date", at)
        _need(not date or _DATE.fullmatch(date) is not None, at, f"date {date!r} is not YYYY[-MM[-DD]]")
        place = _regex(entry["place"], f"{at}.place") if entry.get("place") is not None else None
        meetings.append(GoldMeeting(_text(entry, "id", at) or f"meeting[{i}]", tuple(required), tuple(optional),
                                    place, date, _text(entry, "file", at), _text(entry, "evidence", at)))
    not_persons = raw.get("not_persons")
    not_persons = _regex(not_persons, f"{where}: not_persons") if not_persons is not None else None
    return Gold(persons, roles, meetings, not_persons)


def _need(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise GoldError(f"{where}: {message}")


def _list(raw: dict, name: str, where: str) -> list:
    value = raw.get(name, [])
    _need(isinstance(value, list), where, f'"{name}" must be a list')
    return value


def _text(entry: dict, name: str, at: str) -> str:
    value = entry.get(name, "")
    _need(isinstance(value, str), at, f"{name} must be a string")
    return value


def _regex(value: Any, at: str) -> re.Pattern:
    _need(isinstance(value, str) and value != "", at, "must be a non-empty regex string")
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise GoldError(f"{at}: bad regex {value!r}: {exc}") from exc


def _items(value: Any) -> list[str]:
    # In memory a list; read back from GraphML a "; "-joined string.
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value if v not in (None, "")]
    return [v for v in str(value).split("; ") if v]


def node_text(data: dict) -> str:
    """Return a node's text: its label, aliases and name joined with " | " (empty parts left out)."""
    parts = [str(data.get("label") or ""), *_items(data.get("aliases")), str(data.get("name") or "")]
    return " | ".join(p for p in parts if p)


def score_graph(graph: nx.Graph, gold: Gold) -> Score:
    """Score one extract run's graph against gold; return a Score with the counts and the miss lists."""
    nodes = graph.nodes
    kind = {n: d.get("type") for n, d in graph.nodes(data=True)}
    text = {n: node_text(d) for n, d in graph.nodes(data=True)}
    label = {n: str(d.get("label") or n) for n, d in graph.nodes(data=True)}
    score = Score(persons_gold=len(gold.persons), meetings_gold=len(gold.meetings))

    matched: dict[Any, set[str]] = {}  # person node -> gold person keys
    for node in (n for n in graph if kind[n] == "person"):
        keys = {k for k, rx in gold.persons.items() if rx.search(text[node])}
        fake = bool(gold.not_persons and gold.not_persons.fullmatch(label[node]))
        matched[node] = set() if fake else keys
        score.person_nodes += 1
        if matched[node]:
            score.person_nodes_true += 1
        else:
            score.false_persons.append({"label": label[node], "text": text[node], "not_persons": fake,
                                        "documents": _items(nodes[node].get("documents"))})
    found_keys = set().union(*matched.values()) if matched else set()
    score.persons_found = len(found_keys)
    score.missed_persons = [{"person": k, "match": rx.pattern, "files": _gold_files(gold, k)}
                            for k, rx in gold.persons.items() if k not in found_keys]

    def ends(relation: str, first: str, second: str) -> list[tuple[Any, Any, dict]]:
        out = []
        for u, v, data in graph.edges(data=True):
            if data.get("relation") == relation:
                if kind.get(u) == second and kind.get(v) == first:
                    u, v = v, u
                if kind.get(u) == first and kind.get(v) == second:
                    out.append((u, v, data))
        return out

    role_edges = ends("holds_role", "person", "role")
    pairs = [(matched[p], r) for p, r, _ in role_edges]
    score.role_edges = len(pairs)
    for person, role, data in role_edges:
        keys = matched[person]
        if any(link.person in keys and link.role.search(text[role]) for link in gold.roles):
            score.role_edges_true += 1
        else:
            score.false_roles.append({"person": label[person], "person_keys": sorted(keys), "role": label[role],
                                      "role_text": text[role],
                                      "documents": _items(data.get("documents")) or _items(nodes[person].get("documents")),
                                      "evidence": data.get("evidence", "")})
    for link in (link for link in gold.roles if not link.optional):
        score.roles_required += 1
        if any(link.person in keys and link.role.search(text[role]) for keys, role in pairs):
            score.roles_found += 1
        else:
            instead = sorted({label[role] for keys, role in pairs if link.person in keys})
            score.missed_roles.append({"person": link.person, "role": link.role.pattern, "file": link.file,
                                       "evidence": link.evidence, "graph_roles": instead,
                                       "person_in_graph": link.person in found_keys})

    participants: dict[Any, set[str]] = {n: set() for n in graph if kind[n] == "meeting"}
    for person, meeting, _ in ends("participated_in", "person", "meeting"):
        participants[meeting] |= matched[person]
    places: dict[Any, list[str]] = {n: [] for n in participants}
    for meeting, place, _ in ends("held_in", "meeting", "place"):
        places[meeting].append(text[place])
    for gm in gold.meetings:
        def checks(m: Any) -> tuple[bool, bool]:
            data = nodes[m]
            place_ok = gm.place is None or any(gm.place.search(t) for t in
                                                [*places[m], str(data.get("place") or ""), str(data.get("label") or "")])
            date_ok = not gm.date or str(data.get("date") or "").startswith(gm.date)
            return place_ok, date_ok
        candidates = sorted(participants, key=lambda m: (-len(participants[m] & set(gm.required)), str(m)))
        hits = [m for m in candidates if set(gm.required) <= participants[m]]
        entry = {"id": gm.id, "required": list(gm.required), "place": gm.place.pattern if gm.place else "",
                 "date": gm.date, "file": gm.file, "evidence": gm.evidence}
        if not hits:
            best = [m for m in candidates[:3] if participants[m] & set(gm.required)]
            entry["missing"] = [k for k in gm.required if k not in found_keys]
            entry["closest"] = [_meeting_view(m, nodes[m], participants[m], places[m]) for m in best]
            score.missed_meetings.append(entry)
            continue
        score.meetings_found += 1
        ranked = sorted(hits, key=lambda m: -sum(checks(m)))
        if all(checks(ranked[0])):
            score.meetings_strict += 1
        else:
            place_ok, date_ok = checks(ranked[0])
            entry.update(place_ok=place_ok, date_ok=date_ok,
                         best=_meeting_view(ranked[0], nodes[ranked[0]], participants[ranked[0]], places[ranked[0]]))
            score.loose_meetings.append(entry)
    return score


def _meeting_view(node: Any, data: dict, keys: set[str], places: list[str]) -> dict:
    return {"node": str(node), "label": data.get("label", ""), "place": data.get("place", ""),
            "held_in": places, "date": data.get("date", ""), "persons": sorted(keys),
            "documents": _items(data.get("documents"))}


def _gold_files(gold: Gold, key: str) -> list[str]:
    files = {r.file for r in gold.roles if r.person == key}
    files |= {m.file for m in gold.meetings if key in m.required or key in m.optional}
    return sorted(f for f in files if f)


def score_folder(out_dir: str | Path, gold_path: str | Path) -> Score:
    """Score OUT/graph.graphml of one extract run against the gold file; return the Score."""
    return score_graph(nx.read_graphml(Path(out_dir) / "graph.graphml"), load_gold(gold_path))


def format_table(scores: dict[str, Score]) -> str:
    """Return a plain-text table, one row per language: persons R/P, role links R (n/N)/P, meetings found (n/N)/strict."""
    rows = [("", "persons R / P", "role links R (found/required) / P", "meetings found (n/N) / strict")]
    for lang, s in scores.items():
        f = s.figures()
        rows.append((lang, f"{f['persons_recall']:.2f} / {f['persons_precision']:.2f}",
                     f"{f['roles_recall']:.2f} ({s.roles_found}/{s.roles_required}) / {f['roles_precision']:.2f}",
                     f"{f['meetings_found']:.2f} ({s.meetings_found}/{s.meetings_gold}) / {f['meetings_strict']:.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def write_report(score: Score, path: str | Path) -> Path:
    """Write the figures, counts and miss lists of a Score as JSON at `path`, atomically; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        temp.write_text(json.dumps({"figures": score.figures(), **asdict(score)}, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def evaluate_dev(dev_dir: str | Path, out_dir: str | Path,
                 extract_fn: Callable[[Path, Path], Any]) -> dict[str, Score]:
    """For each language with DEV/<lang>/ and DEV/gold_<lang>.json, run extract_fn(input, OUT/dev-<lang>),
    score it and write OUT/dev-<lang>.json; return the Scores by language."""
    dev_dir, out_dir = Path(dev_dir), Path(out_dir)
    scores = {}
    for lang in LANGS:
        source, gold = dev_dir / lang, dev_dir / f"gold_{lang}.json"
        if not (source.is_dir() and gold.is_file()):
            continue
        load_gold(gold)  # fail on a bad gold before the extract run
        run_dir = out_dir / f"dev-{lang}"
        extract_fn(source, run_dir)
        scores[lang] = score_folder(run_dir, gold)
        write_report(scores[lang], out_dir / f"dev-{lang}.json")
    return scores
