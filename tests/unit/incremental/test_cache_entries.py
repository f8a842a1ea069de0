"""The parse cache: hits, keys that change with the text or the model, bad entries rebuilt."""

from __future__ import annotations

import shutil

import pytest
import spacy
from spacy.tokens import Doc, Span

from pipeline.incremental.cache import FORMAT, HEADER, ParseCache
from pipeline.nlp.analysis import parse

WORDS = ["Blinken", "met", "López", "Obrador", "in", "Mexico", "City", "."]
HEADS = [1, 1, 3, 1, 1, 6, 4, 1]
DEPS = ["nsubj", "ROOT", "compound", "obj", "prep", "compound", "pobj", "punct"]


@pytest.fixture()
def nlp():
    return spacy.blank("en")


def parsed(nlp) -> Doc:
    """A hand-annotated Doc, as the statistical pipes would leave it."""
    doc = Doc(nlp.vocab, words=WORDS, heads=HEADS, deps=DEPS, tags=["NNP", "VBD", "NNP", "NNP", "IN", "NNP", "NNP", "."])
    doc.ents = [Span(doc, 0, 1, "PERSON"), Span(doc, 2, 4, "PERSON"), Span(doc, 5, 7, "GPE")]
    for token in doc:
        token.lemma_ = token.text.lower()
        token.pos_ = "PROPN" if token.tag_ == "NNP" else "X"
    doc[2].set_morph("Gender=Masc|Number=Sing")
    doc[2].norm_ = "lopez"
    return doc


def annotations(doc: Doc) -> list[tuple]:
    ents = [(e.start, e.end, e.label_) for e in doc.ents]
    sents = [(s.start, s.end) for s in doc.sents]
    tokens = [(t.text, t.whitespace_, t.tag_, t.pos_, str(t.morph), t.lemma_, t.norm_, t.dep_, t.head.i, t.ent_iob_) for t in doc]
    return [tokens, ents, sents]


def entries(cache: ParseCache) -> list:
    return sorted(p for p in cache.folder.rglob("*") if p.is_file())


def test_cache_hit_returns_same_annotations(nlp, tmp_path):
    cache = ParseCache(tmp_path / "cache")
    doc = parsed(nlp)
    assert cache.get(nlp, doc.text) is None
    cache.put(nlp, doc.text, doc)
    again = cache.get(nlp, doc.text)
    assert again is not None and again.text == doc.text
    assert annotations(again) == annotations(doc)
    assert (cache.stats.hits, cache.stats.misses, cache.stats.rebuilt) == (1, 1, 0)


def test_cache_round_trips_an_empty_doc(nlp, tmp_path):
    cache = ParseCache(tmp_path)
    cache.put(nlp, "", nlp(""))
    again = cache.get(nlp, "")
    assert again is not None and len(again) == 0 and cache.stats.hits == 1


def test_cache_leaves_no_temporary_files(nlp, tmp_path):
    cache = ParseCache(tmp_path)
    doc = parsed(nlp)
    cache.put(nlp, doc.text, doc)
    cache.put(nlp, doc.text, doc)  # a second writer of the same entry replaces it whole
    assert [p.name for p in entries(cache)] == [cache.path(cache.key(nlp, doc.text)).name]


def test_cache_key_changes_with_text(nlp, tmp_path):
    cache = ParseCache(tmp_path)
    doc = parsed(nlp)
    cache.put(nlp, doc.text, doc)
    assert cache.get(nlp, doc.text + " ") is None
    assert cache.key(nlp, "a") != cache.key(nlp, "b")


@pytest.mark.parametrize("field,value", [("version", "9.9.9"), ("name", "other_model"), ("performance", {"ents_f": 0.5})])
def test_cache_key_changes_with_model(nlp, tmp_path, field, value):
    doc = parsed(nlp)
    ParseCache(tmp_path).put(nlp, doc.text, doc)
    other = spacy.blank("en")
    other.meta[field] = value
    assert ParseCache(tmp_path).get(other, doc.text) is None


def test_cache_key_changes_with_pipes(nlp, tmp_path):
    doc = parsed(nlp)
    ParseCache(tmp_path).put(nlp, doc.text, doc)
    other = spacy.blank("en")
    other.add_pipe("sentencizer")
    assert ParseCache(tmp_path).get(other, doc.text) is None


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def flip(data: bytes) -> bytes:
    return data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:]


def bad_magic(data: bytes) -> bytes:
    return b"XXXX" + data[4:]


def header_only(data: bytes) -> bytes:
    return data[: HEADER.size]


def empty(data: bytes) -> bytes:
    return b""


def garbage_with_valid_header(data: bytes) -> bytes:
    import hashlib

    payload = b"not a token table"
    return HEADER.pack(b"AGPC", FORMAT, len(payload), hashlib.sha256(payload).digest()) + payload


@pytest.mark.parametrize("damage", [truncate, flip, bad_magic, header_only, empty, garbage_with_valid_header])
def test_cache_bad_entry_is_discarded_and_rebuilt(nlp, tmp_path, damage):
    cache = ParseCache(tmp_path)
    doc = parsed(nlp)
    cache.put(nlp, doc.text, doc)
    path = cache.path(cache.key(nlp, doc.text))
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get(nlp, doc.text) is None
    assert not path.exists()
    assert cache.stats.rebuilt == 1
    cache.put(nlp, doc.text, doc)
    assert annotations(cache.get(nlp, doc.text)) == annotations(doc)


def test_cache_folder_deleted_between_runs(nlp, tmp_path):
    cache = ParseCache(tmp_path / "cache")
    doc = parsed(nlp)
    cache.put(nlp, doc.text, doc)
    shutil.rmtree(tmp_path / "cache")
    assert cache.get(nlp, doc.text) is None
    cache.put(nlp, doc.text, doc)
    assert cache.get(nlp, doc.text) is not None


def test_cache_parse_stores_then_reuses(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    texts = ["One sentence. Another one.", "Una frase más.", "A third text here."]
    cache = ParseCache(tmp_path)
    first = {ctx: [t.is_sent_start for t in doc] for doc, ctx in parse(nlp, [(t, i) for i, t in enumerate(texts)], 2, cache)}
    assert (cache.stats.hits, cache.stats.misses) == (0, 3)
    nlp.get_pipe("sentencizer").punct_chars = set()  # a parse now would differ: hits must not parse
    second = {ctx: [t.is_sent_start for t in doc] for doc, ctx in parse(nlp, [(t, i) for i, t in enumerate(texts)], 2, cache)}
    assert second == first
    assert cache.stats.hits == 3


def test_cache_read_entry_reads_regular_files_only(tmp_path):
    import errno
    import os

    from pipeline.incremental import cache

    regular = tmp_path / "regular"
    regular.write_bytes(b"abc")
    assert cache.read_entry(regular) == b"abc"
    assert cache.read_entry(tmp_path / "absent") is None
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "link").symlink_to(regular)
    for name in ("fifo", "folder", "zero", "link"):
        with pytest.raises(cache.BadEntry):
            cache.read_entry(tmp_path / name)
    with pytest.raises(cache.BadEntry):
        cache.read_entry(regular, limit=2)
    for name in ("fifo", "folder", "zero", "link"):
        cache.discard(tmp_path / name)
        assert not os.path.lexists(tmp_path / name)
    assert regular.read_bytes() == b"abc"  # the link's target stays

    class ReadOnly(cache.ParseCache):
        def path(self, key):
            raise OSError(errno.EROFS, "Read-only file system")

    store = ReadOnly(tmp_path / "ro")
    store.put(type("N", (), {"meta": {}, "pipe_names": []})(), "text", None)  # no raise: stops storing
    assert store.store is False
    assert cache.writable(regular / "below-a-file") is False
