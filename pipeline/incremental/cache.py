"""The parse cache: spaCy's statistical analysis of each text, stored once and reused by later runs.

One entry per parsed text (a document, or one chunk of a long one), named by a key over the
text, the model (name, version, pipes) and the spaCy version, in a two-level fan-out folder.
Entries need no index, so any number of processes or Dask workers can share one folder
without locks, and an interrupted run keeps every entry written before it stopped.

An entry is a header (magic, format, payload length, sha256 of the payload) followed by the
Doc's token table (see `encode`). It is written to a temporary file and renamed into place,
so readers never see half an entry; one that fails the checks anyway (truncated by a crash,
edited) is deleted and the text is parsed again.

Entries are data, never code: every one is read by `read_entry` from a regular file only
(no symlink is followed, no FIFO or device opened, nothing larger than MAX_ENTRY_BYTES read),
and decoded as a token table or as msgpack (pipeline/incremental/reuse.py). Anything else in
an entry's place (a directory, a FIFO, a link) is a bad entry: counted, removed, rebuilt.
A cache folder that cannot be written is read without storing (`writable`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import struct
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy
import spacy
from spacy.attrs import (
    DEP,
    ENT_ID,
    ENT_IOB,
    ENT_KB_ID,
    ENT_TYPE,
    HEAD,
    LEMMA,
    MORPH,
    NORM,
    ORTH,
    POS,
    SENT_START,
    SPACY,
    TAG,
)
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp.models import RULE_PIPES
from pipeline.regular import BadEntry, discard, read_regular
from pipeline.records import Counts

MAGIC = b"AGPC"
FORMAT = 2  # bump when the entry layout or the stored attributes change
HEADER = struct.Struct(">4sHQ32s")  # magic, format, payload length, sha256 of payload
# What a parse is, per token: attributes whose values are strings (stored as indexes into the
# entry's own string table, ORTH first) and small integers (HEAD is relative, SPACY a flag).
STRING_ATTRS = (ORTH, NORM, TAG, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID, LEMMA, MORPH)
NUMBER_ATTRS = (SPACY, HEAD, ENT_IOB, POS, SENT_START)
TABLE = struct.Struct(">III")  # tokens, strings, bytes of string text
DEFAULT_NAME = ".cache"
MAX_ENTRY_BYTES = 1 << 30  # no entry of a 50 MB document comes near; a larger file is not ours


def read_entry(path: Path | str, limit: int = MAX_ENTRY_BYTES) -> bytes | None:
    """Return an entry's bytes (None when absent); raise BadEntry when its place holds anything
    but a regular file of at most `limit` bytes (see pipeline/regular.py)."""
    return read_regular(path, limit)


def writable(folder: Path | str | None) -> bool:
    """True when entries can be stored in `folder` (created if missing); False, after one warning
    line on stderr, when it is read-only: the run then reads the cache and stores nothing."""
    if folder is None:
        return False
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        os.close(fd)
        os.unlink(temp)
        return True
    except OSError as exc:
        print(f"warning: cache {folder} is not writable ({exc.strerror or exc}): reading it, storing nothing",
              file=sys.stderr)
        return False


def default_folder(out_dir: Path) -> Path:
    """Return the cache folder used when none is given: `.cache` inside the output folder."""
    return Path(out_dir) / DEFAULT_NAME


@dataclass
class CacheStats(Counts):
    """What the cache did during a run: texts found, parsed and stored, bad entries rebuilt."""

    hits: int = 0
    misses: int = 0
    rebuilt: int = 0


class ParseCache:
    """A folder of parsed Docs keyed by text and model; `get` misses rather than trust a bad entry."""

    def __init__(self, folder: Path | str, store: bool = True):
        self.folder = Path(folder)
        self.store = store  # False: a read-only cache, looked up but never written
        self.stats = CacheStats()
        self._models: dict[int, bytes] = {}

    def key(self, nlp: Language, text: str) -> str:
        """Return the hex key of `text` parsed by `nlp`."""
        sha = hashlib.sha256(self._model_digest(nlp))
        sha.update(text.encode("utf-8", "surrogatepass"))
        return sha.hexdigest()

    def path(self, key: str) -> Path:
        """Return where the entry of `key` lives."""
        return self.folder / key[:2] / key[2:]

    def get(self, nlp: Language, text: str) -> Doc | None:
        """Return the cached Doc of `text` (vocab of `nlp`), or None when absent or invalid."""
        path = self.path(self.key(nlp, text))
        try:
            data = read_entry(path)
        except BadEntry:
            data = b""  # decodes to None: counted, removed and rebuilt below
        if data is None:
            self.stats.misses += 1
            return None
        doc = _decode(data, nlp)
        if doc is None or _length(doc) != len(text):
            if self.store:
                discard(path)
            self.stats.rebuilt += 1
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        return doc

    def put(self, nlp: Language, text: str, doc: Doc) -> None:
        """Store the parse of `text` atomically; a failed write leaves no entry behind."""
        if not self.store:
            return
        try:
            write_entry(self.path(self.key(nlp, text)), MAGIC, FORMAT, encode(doc))
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            self.store = False  # a read-only cache (run.run warned once): read it, store nothing

    def _model_digest(self, nlp: Language) -> bytes:
        if id(nlp) not in self._models:
            meta = nlp.meta
            identity = {
                "format": FORMAT,
                "spacy": spacy.__version__,
                "model": {k: meta.get(k) for k in ("lang", "name", "version", "spacy_version", "performance")},
                "pipes": [name for name in nlp.pipe_names if name not in RULE_PIPES],
            }
            self._models[id(nlp)] = json.dumps(identity, sort_keys=True, default=str).encode()
        return self._models[id(nlp)]


def write_entry(path: Path, magic: bytes, version: int, payload: bytes) -> None:
    """Write header + payload to `path` through a temporary file, so no reader sees half of it."""
    header = HEADER.pack(magic, version, len(payload), hashlib.sha256(payload).digest())
    if path.parent.is_symlink() or (path.parent.exists() and not path.parent.is_dir()):
        discard(path.parent)  # a planted link or file where a fan-out folder belongs
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        discard(path)  # rename would fail on a directory, or replace a link (never write through it)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + payload)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def entry_payload(data: bytes, magic: bytes, version: int) -> bytes | None:
    """Return the payload of an entry's bytes, or None when the header or checksum is wrong."""
    if len(data) < HEADER.size:
        return None
    found, found_version, length, digest = HEADER.unpack_from(data)
    payload = data[HEADER.size :]
    if found != magic or found_version != version or length != len(payload):
        return None
    if hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def _decode(data: bytes, nlp: Language) -> Doc | None:
    """Return the Doc stored in an entry's bytes, or None when any check fails."""
    payload = entry_payload(data, MAGIC, FORMAT)
    if payload is None:
        return None
    try:
        return _table_doc(zlib.decompress(payload), nlp.vocab)
    except Exception:  # a payload that passed the checksum but does not load is still only a miss
        return None


def encode(doc: Doc) -> bytes:
    """Return a Doc's token table: its distinct strings, then per token their indexes and the numbers.

    Not DocBin: its Python loop over tokens and msgpack's per-call registry scan cost more
    than the rest of storing a parse, and indexes into one string table compress better
    than 64-bit hashes.
    """
    table, index = numpy.unique(doc.to_array(STRING_ATTRS), return_inverse=True)
    strings = doc.vocab.strings
    texts = [strings[h].encode("utf-8", "surrogatepass") if h else b"" for h in table.tolist()]
    numbers = doc.to_array(NUMBER_ATTRS).view(numpy.int64).astype("<i4")
    return zlib.compress(
        b"".join((
            TABLE.pack(len(doc), len(texts), sum(map(len, texts))),
            numpy.array([len(t) for t in texts], dtype="<u4").tobytes(),
            *texts,
            index.reshape(-1).astype("<u4").tobytes(),
            numbers.tobytes(),
        )),
        1,  # the fastest level: entries are small and written once per text
    )


def _table_doc(data: bytes, vocab) -> Doc:
    """Return the Doc of a token table made by `encode`; raise ValueError when it does not add up."""
    tokens, count, size = TABLE.unpack_from(data)
    offset = TABLE.size
    lengths = numpy.frombuffer(data, "<u4", count, offset).tolist()
    offset += 4 * count
    blob = data[offset : offset + size]
    offset += size
    index = numpy.frombuffer(data, "<u4", tokens * len(STRING_ATTRS), offset).reshape(tokens, len(STRING_ATTRS))
    offset += index.nbytes
    numbers = numpy.frombuffer(data, "<i4", tokens * len(NUMBER_ATTRS), offset).reshape(tokens, len(NUMBER_ATTRS))
    if offset + numbers.nbytes != len(data) or sum(lengths) != size:
        raise ValueError("token table size mismatch")
    texts, start = [], 0
    for length in lengths:
        texts.append(blob[start : start + length].decode("utf-8", "surrogatepass"))
        start += length
    hashes = numpy.array([vocab.strings.add(t) if t else 0 for t in texts], dtype=numpy.uint64)
    doc = Doc(vocab, words=[texts[i] for i in index[:, 0].tolist()], spaces=numbers[:, 0].astype(bool).tolist())
    values = numpy.hstack((hashes[index[:, 1:]], numbers[:, 1:].astype(numpy.int64).view(numpy.uint64)))
    return doc.from_array(STRING_ATTRS[1:] + NUMBER_ATTRS[1:], values)


def _length(doc: Doc) -> int:
    """Return the length of a Doc's text without building the text (the checksum vouches for the rest)."""
    if not len(doc):
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)
