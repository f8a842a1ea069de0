"""Which documents a rule edit can change: the rule files as records, and the words each needs.

A rule can only change what the rule layer finds in a document that contains its words: an
alias, a demonym, a trigger lemma, the literal tokens of a pattern. A snapshot lists every
record of the rule files (a JSONL line, an item of a YAML list, a YAML mapping) with a
fingerprint and the words it needs. Two snapshots give the records that changed; a document
is affected when it contains the words of one of them, and every other document keeps its
earlier rule-layer results. Anything the records cannot vouch for (a pattern without literal
tokens, a setting, a change of order) affects every document.

Words are compared folded (lower case, no accents) and by prefix, so that the forms the rule
layer derives from a lexicon entry ("mexicano" -> "mexicanas", "adviser" -> "advisers") still
count as containing it: a rule's word w is present when some word of the document starts
with w minus its last letter. That errs towards re-running a document, never the other way.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from pipeline.rules.files import MAX_YAML_VALUES, expanded_size, read_text
from pipeline.rules.matcher import required_literals
from pipeline.text import strip_accents

try:  # the C loader is ~10x faster; the pure-Python one reads the same YAML
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader

FORMAT = 1  # bump when records or conditions are derived differently
_WORD = re.compile(r"\w+")
# YAML keys whose values the rule layer never looks for in the text: ids, codes, examples.
NON_TEXT_KEYS = frozenset({"id", "lang", "pos", "kind", "kind_with_place", "object", "examples"})

# A condition is None (every document) or a list of requirements that must all hold; a
# requirement is a list of alternatives, one of which must be present; an alternative is
# the tuple of word stems it needs.
Condition = list[list[tuple[str, ...]]] | None


def words(text: str) -> list[str]:
    """Return the folded words of `text` ("Ciudad de México" -> ["ciudad", "de", "mexico"])."""
    return _WORD.findall(strip_accents(text.lower()))


def _stem(word: str) -> str:
    return word[:-1] if len(word) >= 3 else word


def _alternative(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_stem(w) for w in words(text)))


@dataclass
class Record:
    """One rule record: where it is, the language it is limited to, its ids, refs and condition."""

    file: str
    lang: str  # "" = any language
    ids: list[str] = field(default_factory=list)  # its "id" values
    names: list[str] = field(default_factory=list)  # its "name" values: places are named, not numbered
    strings: list[str] = field(default_factory=list)  # every string value it holds
    refs: list[str] = field(default_factory=list)  # values naming another record (set by `snapshot`)
    condition: Condition = None
    fingerprint: str = ""


@dataclass
class Snapshot:
    """Every record of a rule set by fingerprint, the order of each file, and the rest's digest."""

    records: dict[str, Record]
    order: dict[str, list[str]]
    fixed: str  # digest of everything that is not a record (settings, top-level values)

    def to_data(self) -> dict:
        """Return the snapshot as plain data (dicts, lists, strings) for msgpack; see `from_data`."""
        return {
            "records": {fp: [getattr(r, f) for f in _RECORD_FIELDS] for fp, r in self.records.items()},
            "order": self.order,
            "fixed": self.fixed,
        }

    @classmethod
    def from_data(cls, data) -> "Snapshot":
        """Rebuild a snapshot from `to_data`'s plain data; raise ValueError when it does not fit."""
        try:
            records = {}
            for fp, values in data["records"].items():
                record = Record(**dict(zip(_RECORD_FIELDS, values, strict=True)))
                if record.condition is not None:
                    record.condition = [[tuple(alt) for alt in req] for req in record.condition]
                records[fp] = record
            order = {name: list(fps) for name, fps in data["order"].items()}
            return cls(records=records, order=order, fixed=str(data["fixed"]))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"not a rules snapshot: {exc}") from exc


_RECORD_FIELDS = tuple(f.name for f in fields(Record))


def snapshot(config_dir: Path, files: list[Path]) -> Snapshot:
    """Read the rule files under `config_dir` into a Snapshot (files must already be valid)."""
    records: dict[str, Record] = {}
    order: dict[str, list[str]] = {}
    fixed = hashlib.sha256(str(FORMAT).encode())
    for path in files:
        name = Path(os.path.relpath(path, config_dir)).as_posix()
        if path.suffix == ".jsonl":
            found = _jsonl_records(path, name)
        elif path.suffix in (".yml", ".yaml"):
            found = _yaml_records(path, name, fixed)
        else:  # settings and any other file: no records, every change counts everywhere
            fixed.update(name.encode() + b"\0" + read_text(path).encode("utf-8"))
            found = []
        order[name] = []
        for record in found:
            records.setdefault(record.fingerprint, record)
            order[name].append(record.fingerprint)
    ids = {i for record in records.values() for i in record.ids}
    names = {n for record in records.values() for n in record.names}
    for record in records.values():
        if not record.file.endswith(".jsonl"):
            _set_text_condition(record, ids, names)
    return Snapshot(records=records, order=order, fixed=fixed.hexdigest())


def _fingerprint(name: str, value) -> str:
    canonical = json.dumps([name, value], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _jsonl_records(path: Path, name: str) -> list[Record]:
    lang = path.parent.name
    found = []
    for line in read_text(path).splitlines():
        if not line.strip():
            continue
        value = json.loads(line)
        record = Record(file=name, lang=lang, ids=[str(value.get("id", ""))], fingerprint=_fingerprint(name, value))
        record.condition = _pattern_condition(value.get("pattern"))
        found.append(record)
    return found


def _pattern_condition(pattern) -> Condition:
    """Return the words a token or phrase pattern needs; None when it needs none (or is absent)."""
    if isinstance(pattern, str):
        return [[_alternative(pattern)]]
    if not isinstance(pattern, list):
        return None
    requirements = []
    # LEMMA and NORM tests count too: a document's words include its lemmas and norms.
    for _, values in required_literals(pattern):
        alternatives = [_alternative(v) for v in values]
        if all(alternatives):  # punctuation needs no word: no requirement
            requirements.append(alternatives)
    return requirements or None


def _yaml_records(path: Path, name: str, fixed) -> list[Record]:
    data = yaml.load(read_text(path), Loader=_Loader) or {}
    if expanded_size(data) > MAX_YAML_VALUES:  # validated files never are: this one changed since
        raise ValueError(f"{path}: more than {MAX_YAML_VALUES} values once its aliases are expanded")
    found = []
    items = data.items() if isinstance(data, dict) else [("", data)]
    for section, value in items:
        if isinstance(value, list):
            members = value
        elif isinstance(value, dict):
            members = [value]
        else:
            fixed.update(json.dumps([name, section, value], default=str).encode())
            continue
        for member in members:
            record = Record(file=name, lang="", fingerprint=_fingerprint(f"{name}:{section}", member))
            _collect(member, record)
            found.append(record)
    return found


def _collect(value, record: Record) -> None:
    """Gather a YAML record's ids, names and string values (keys in NON_TEXT_KEYS hold no text)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("id", "name") and isinstance(item, str):
                (record.ids if key == "id" else record.names).append(item)
            if key not in NON_TEXT_KEYS:
                _collect(item, record)
    elif isinstance(value, list):
        for item in value:
            _collect(item, record)
    elif isinstance(value, str):
        record.strings.append(value)


def _set_text_condition(record: Record, ids: set[str], names: set[str]) -> None:
    """A YAML record needs any one of its texts. A value naming another record (by id, or a
    place by name) also makes it depend on that record; ids are codes, not text."""
    own = set(record.ids) | set(record.names)
    record.refs = [s for s in record.strings if (s in ids or s in names) and s not in own]
    texts = [s for s in record.strings if s not in ids]
    record.condition = [[_alternative(t) for t in texts]] if texts else None


@dataclass
class Probe:
    """The conditions of the records changed between two snapshots; None = every document."""

    conditions: list[tuple[str, Condition]] | None

    def affects(self, lang: str, doc_words: list[str]) -> bool:
        """Return True when a document in `lang` with these sorted words may change."""
        if self.conditions is None:
            return True
        for record_lang, condition in self.conditions:
            if record_lang and record_lang != lang:
                continue
            if condition is None or all(any(_present(alt, doc_words) for alt in req) for req in condition):
                return True
        return False


def _present(alternative: tuple[str, ...], doc_words: list[str]) -> bool:
    for stem in alternative:
        at = bisect.bisect_left(doc_words, stem)
        if at == len(doc_words) or not doc_words[at].startswith(stem):
            return False
    return True


def diff(old: Snapshot, new: Snapshot) -> Probe:
    """Return the Probe of the records that differ between `old` and `new`.

    Records referring to a changed record by id, or to a place by name, count as changed too
    (an alias whose role was relabelled, a city whose country was renamed). Settings or
    top-level values that differ, or unchanged records that moved relative to each other,
    make every document affected.
    """
    if old.fixed != new.fixed or not _same_order(old, new):
        return Probe(None)
    both = {**old.records, **new.records}
    # An unchanged record may name a record under the old rules only (a renamed country).
    refs = {fp: {*getattr(old.records.get(fp), "refs", ()), *getattr(new.records.get(fp), "refs", ())} for fp in both}
    todo = list(old.records.keys() ^ new.records.keys())
    seen = set(todo)
    while todo:
        source = both[todo.pop()]
        ids = set(source.ids) | set(source.names)
        for fp in both:
            if fp not in seen and ids & refs[fp]:
                seen.add(fp)
                todo.append(fp)
    return Probe([(both[fp].lang, both[fp].condition) for fp in sorted(seen)])


def _same_order(old: Snapshot, new: Snapshot) -> bool:
    if old.order.keys() != new.order.keys():
        return False
    for name, fps in new.order.items():
        common = set(fps) & set(old.order[name])
        if [fp for fp in fps if fp in common] != [fp for fp in old.order[name] if fp in common]:
            return False
    return True


def doc_words(doc) -> list[str]:
    """Return the sorted folded words of a Doc's text, lemmas and norms (what rules can match)."""
    from spacy.attrs import LEMMA, NORM

    strings = doc.vocab.strings
    pieces = set(doc.text.split())
    pieces.update(strings[v] for v in set(doc.to_array([LEMMA, NORM]).ravel().tolist()))
    # No word spans whitespace, so folding each distinct piece once gives the same words.
    return sorted(set(words(" ".join(pieces))))
