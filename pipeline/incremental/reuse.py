"""Rule-layer results kept between runs, reused for every document a rule edit cannot change.

The parse cache (pipeline/incremental/cache.py) saves spaCy's work; this saves the rule layer's. Each
document's DocResult is stored under a key over the document (id, text, date, language given
by its metadata), the run's language option, the code of this package, the models and the
spaCy version, together with the rules digest it was computed under and the document's words.
A later run reuses an entry when its rules are the current ones, or when pipeline/incremental/rulediff.py
finds that no record changed since then needs a word of the document. Everything else goes
back through the rule layer (from the parse cache, so without parsing again).

Entries use the parse cache's framing (magic, format, length, sha256) around msgpack: plain
data (strings, numbers, lists, maps), read by the parse cache's `read_entry` (regular files
only, bounded size), never code. A bad one is deleted and its document re-run, never trusted.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import spacy

from pipeline.config import PROJECT_ROOT, Settings
from pipeline.incremental import rulediff
from pipeline.incremental.cache import BadEntry, discard, entry_payload, read_entry, write_entry
from pipeline.incremental.plain import dumps, loads
from pipeline.records import Counts, DocResult, Document, pack, unpack
from pipeline.rules.ruleset import RuleSet, rule_files

MAGIC = b"AGRR"
FORMAT = 3  # bump when the entry layout changes (3: msgpack, was pickle)
SNAPSHOT_MAGIC = b"AGRS"
SNAPSHOT_FORMAT = 100 + rulediff.FORMAT  # msgpack snapshots; pickled ones (rulediff.FORMAT alone) are misses
_DIGEST = re.compile(r"[0-9A-Za-z_-]{1,128}")  # a rules digest names a snapshot file: never a path
PACKAGE = Path(__file__).resolve().parent.parent  # the whole package, every subfolder (context hashes it)


@dataclass
class ReuseStats(Counts):
    """Documents whose results were reused, re-run after a rule edit, or computed afresh."""

    reused: int = 0
    rerun: int = 0
    new: int = 0


@dataclass
class Store:
    """Where entries live and what their keys cover; small, so it travels to worker processes."""

    folder: Path
    context: str  # digest of code, models, spaCy and the run's language option
    digest: str  # the current rules digest
    writable: bool = True  # False: a read-only cache, entries are read but never stored

    def key(self, document: Document) -> str:
        """Return the key of a document as read (before language detection)."""
        fields = [document.id, document.lang, document.date, document.text]
        sha = hashlib.sha256(self.context.encode())
        sha.update(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        return sha.hexdigest()

    def path(self, key: str) -> Path:
        """Return the file of the entry of `key`."""
        return Path(os.path.join(self.folder, "results", key[:2], key[2:]))  # one Path: read per document

    def put(self, key: str, result: DocResult, words: list[str], known_warnings: int) -> None:
        """Store `result` under `key`, with the warnings its document got after the first `known_warnings`."""
        if not self.writable:
            return
        document = result.document
        _share_sentences(result)
        entry = {
            "digest": self.digest,
            "words": "\n".join(words),  # one string: decoded in one piece, split only when needed
            "document": {"lang": document.lang, "status": document.status, "reason": document.reason},
            "warnings": document.warnings[known_warnings:],
            "result": pack(result),
        }
        write_entry(self.path(key), MAGIC, FORMAT, dumps(entry))


def _share_sentences(result: DocResult) -> None:
    """Make records quoting the same sentence hold one string (less memory while the entry is built)."""
    seen: dict[str, str] = {}
    for record in (*result.mentions, *result.role_links, *result.meetings):
        record.sentence = seen.setdefault(record.sentence, record.sentence)


@dataclass
class Memo:
    """Looks documents up in a Store and decides whether their entry still holds."""

    store: Store
    current: rulediff.Snapshot
    stats: ReuseStats = field(default_factory=ReuseStats)
    _probes: dict = field(default_factory=dict)

    def lookup(self, document: Document) -> DocResult | None:
        """Return the stored DocResult of `document` when it still holds, else None.

        On a hit the document gets the language, status and warnings the first run found.
        """
        path = self.store.path(self.store.key(document))
        try:
            data = read_entry(path)
        except BadEntry:
            data = b""  # not a regular file: a bad entry, removed below
        if data is None:
            self.stats.new += 1
            return None
        payload = entry_payload(data, MAGIC, FORMAT)
        entry = _entry(payload) if payload is not None else None
        if entry is None:
            if self.store.writable:
                discard(path)
            self.stats.new += 1
            return None
        if entry["digest"] != self.store.digest:
            probe = self._probe(entry["digest"])
            if probe is None or probe.affects(entry["document"]["lang"], entry["words"].split("\n")):
                self.stats.rerun += 1
                return None
        try:
            result = unpack(document, entry["result"])
        except (TypeError, ValueError):  # the right shape outside, not inside: a bad entry
            if self.store.writable:
                discard(path)
            self.stats.new += 1
            return None
        self.stats.reused += 1
        for name, value in entry["document"].items():
            setattr(document, name, value)
        document.warnings += entry["warnings"]
        return result

    def _probe(self, digest: str) -> rulediff.Probe | None:
        """Return what changed since the rules of `digest`; None when that snapshot is gone."""
        if digest not in self._probes:
            old = read_snapshot(self.store.folder, digest)
            self._probes[digest] = rulediff.diff(old, self.current) if old else None
        return self._probes[digest]


def _entry(payload: bytes) -> dict | None:
    """Return a stored entry's plain data when it has the shape `Store.put` writes, else None."""
    try:
        entry = loads(payload)
        document = entry["document"]
        if not (
            isinstance(entry["digest"], str) and _DIGEST.fullmatch(entry["digest"]) is not None and isinstance(entry["words"], str) and isinstance(entry["warnings"], list)
            and isinstance(document, dict) and set(document) <= {"lang", "status", "reason"}
            and all(isinstance(v, str) for v in document.values()) and len(entry["result"]) == 5
        ):
            return None
    except Exception:  # checksum passed but the bytes are not our msgpack: only a miss
        return None
    return entry


def open_memo(
    cache_dir: Path, settings: Settings, ruleset: RuleSet, lang_override: str | None, writable: bool = True
) -> Memo:
    """Return the Memo of `cache_dir` for this run, saving the current rules' snapshot there
    (unless the cache is read-only: not `writable`)."""
    store = Store(Path(cache_dir), context(settings, lang_override), ruleset.digest, writable=writable)
    current = read_snapshot(store.folder, ruleset.digest)
    if current is None:
        current = rulediff.snapshot(settings.config_dir, rule_files(settings))
        if writable:
            save_snapshot(store.folder, ruleset.digest, current)
    return Memo(store, current)


def _snapshot_path(folder: Path, digest: str) -> Path:
    return folder / "rules" / digest


def save_snapshot(folder: Path, digest: str, snapshot: rulediff.Snapshot) -> None:
    """Keep the snapshot of the rules of `digest`, for later runs to compare their rules with."""
    write_entry(_snapshot_path(folder, digest), SNAPSHOT_MAGIC, SNAPSHOT_FORMAT, dumps(snapshot.to_data()))


def read_snapshot(folder: Path, digest: str) -> rulediff.Snapshot | None:
    """Return the saved snapshot of the rules of `digest`, or None when absent or damaged."""
    path = _snapshot_path(folder, digest)
    try:
        data = read_entry(path)
    except BadEntry:
        data = b""
    if data is None:
        return None
    payload = entry_payload(data, SNAPSHOT_MAGIC, SNAPSHOT_FORMAT)
    try:
        return rulediff.Snapshot.from_data(loads(payload)) if payload is not None else None
    except Exception:  # checksum passed but not a snapshot: rebuilt by the caller
        discard(path)
        return None


def context(settings: Settings, lang_override: str | None) -> str:
    """Return a digest of what besides the document and the rules decides its results."""
    sha = hashlib.sha256(f"{FORMAT}|{spacy.__version__}|{lang_override or ''}".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        sha.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    for lang in settings.run.languages:
        sha.update(_model_identity(settings.model_ref(lang)).encode())
    return sha.hexdigest()


def _model_identity(ref: str) -> str:
    """A model folder is identified by its files' contents, an installed package by its version."""
    folder = Path(ref) if Path(ref).is_absolute() else PROJECT_ROOT / ref
    if folder.is_dir():
        sha = hashlib.sha256()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            sha.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
        return f"{ref}:{sha.hexdigest()}"
    try:
        return f"{ref}=={importlib.metadata.version(ref)}"
    except importlib.metadata.PackageNotFoundError:
        return ref
