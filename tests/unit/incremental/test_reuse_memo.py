"""reuse: stored rule-layer results are found, trusted only when intact and still valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.incremental import reuse, rulediff
from pipeline.records import DocResult, Document, Mention

ROLES = "aliases:\n  - {id: alias.en.minister, role: role.minister, lang: en, terms: [foreign minister]}\n"


def _snapshot(folder: Path, terms: str) -> rulediff.Snapshot:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "roles.yml").write_text(ROLES.replace("foreign minister", terms), encoding="utf-8")
    return rulediff.snapshot(folder, [folder / "roles.yml"])


def _document() -> Document:
    return Document(id="a", text="The foreign minister met the press.", date="2023-12-01")


def _stored(tmp_path: Path) -> reuse.Store:
    """A store holding the results of _document() computed under rules "d0"."""
    store = reuse.Store(tmp_path / "cache", context="c", digest="d0")
    reuse.save_snapshot(store.folder, "d0", _snapshot(tmp_path / "rules0", "foreign minister"))
    document = _document()
    key = store.key(document)
    document.lang = "en"
    document.warnings.append("language guessed")
    mention = Mention(doc="a", lang="en", label="MISC", text="press", start=29, end=34, sentence="", sent_start=0)
    store.put(key, DocResult(document, mentions=[mention], ref_date="2023-12-01"), ["foreign", "minister", "press"], 0)
    return store


def test_reuse_memo_returns_stored_result_with_document_fields(tmp_path):
    store = _stored(tmp_path)
    memo = reuse.Memo(store, _snapshot(tmp_path / "rules1", "foreign minister"))
    document = _document()
    result = memo.lookup(document)
    assert result is not None and result.document is document
    assert (document.lang, document.warnings) == ("en", ["language guessed"])
    assert [m.text for m in result.mentions] == ["press"] and result.ref_date == "2023-12-01"
    assert vars(memo.stats) == {"reused": 1, "rerun": 0, "new": 0}


@pytest.mark.parametrize(
    "terms, expected",
    [
        ("foreign minister", "reused"),  # same records under a new digest (a comment was added)
        ("foreign minister, chancellor", "rerun"),  # the edited record names words the document has
    ],
)
def test_reuse_memo_reruns_documents_an_edit_can_change(tmp_path, terms, expected):
    store = _stored(tmp_path)
    edited = reuse.Store(store.folder, context="c", digest="d1")
    memo = reuse.Memo(edited, _snapshot(tmp_path / "rules1", terms))
    found = memo.lookup(_document())
    assert (found is not None) == (expected == "reused")
    assert getattr(memo.stats, expected) == 1


def test_reuse_memo_reruns_when_the_old_snapshot_is_gone(tmp_path):
    store = _stored(tmp_path)
    (store.folder / "rules" / "d0").unlink()
    memo = reuse.Memo(reuse.Store(store.folder, context="c", digest="d1"), _snapshot(tmp_path / "rules1", "x"))
    assert memo.lookup(_document()) is None and memo.stats.rerun == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_reuse_memo_deletes_damaged_entries(tmp_path, damage):
    store = _stored(tmp_path)
    path = store.path(store.key(_document()))
    data = path.read_bytes()
    damaged = {"truncate": data[:-10], "flip": data[:-1] + bytes([data[-1] ^ 1]), "empty": b""}[damage]
    path.write_bytes(damaged)
    memo = reuse.Memo(store, _snapshot(tmp_path / "rules1", "foreign minister"))
    assert memo.lookup(_document()) is None and memo.stats.new == 1
    assert not path.exists()


@pytest.mark.parametrize("field, value", [("text", "Another text."), ("id", "b"), ("date", "2024-01-01"), ("lang", "es")])
def test_reuse_key_covers_what_the_results_depend_on(field, value):
    store = reuse.Store(Path("."), context="c", digest="d0")
    changed = _document()
    setattr(changed, field, value)
    assert store.key(changed) != store.key(_document())
    assert reuse.Store(Path("."), context="other", digest="d0").key(_document()) != store.key(_document())
