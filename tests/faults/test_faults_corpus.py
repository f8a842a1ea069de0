"""Hostile inputs for the corpus reader, generated in a temporary folder next to good articles.

Every hostile file must end as one Document with the expected status and a reason that names
the problem, and the good articles beside it must still be read intact.
"""

import json
import os
import random

import pytest

from pipeline.corpus import iter_documents, split_text

EN = (
    "The Secretary of State met the Mexican president in Mexico City on Wednesday. "
    "Both governments promised to work together on migration and security.\n\n"
    "Officials said the talks would continue next month in Washington."
)
ES = (
    "El secretario de Estado se reunió el miércoles con el presidente de México. "
    "Ambos gobiernos prometieron trabajar juntos en migración y seguridad.\n\n"
    "Según los funcionarios, las conversaciones seguirán el próximo mes en Washington."
)
FR = (
    "Le président de la République a reçu hier à l'Élysée le chancelier allemand. "
    "Les deux dirigeants ont évoqué la guerre en Ukraine et l'avenir de l'Union européenne. "
    "Une conférence de presse commune est prévue dans l'après-midi."
)
DE = (
    "Bundeskanzler Olaf Scholz hat am Mittwoch den französischen Präsidenten in Berlin empfangen. "
    "Die beiden Politiker sprachen über die Lage in der Ukraine und die Zukunft der Europäischen Union. "
    "Am Nachmittag ist eine gemeinsame Pressekonferenz geplant."
)
CP1252_EN = "The minister’s “productive” meeting — in Mexico City — ended early…"
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NEEDS_PERMISSIONS = pytest.mark.skipif(AS_ROOT, reason="root reads files whatever their mode")

# name -> (content, status, reason (exact, or prefix ending with "…"), text, warnings that must appear)
CASES = {
    "good_en.txt": (EN, "ok", "", EN, []),
    "good_es.txt": (ES.encode("utf-8"), "ok", "", ES, []),
    "random.txt": (random.Random(7).randbytes(4096), "error", "binary content (…", "", []),
    "fake_pdf.txt": (PDF, "error", "binary file (PDF)", "", []),
    "zero.txt": (b"", "skipped", "empty file", "", []),
    "blank.txt": (" \n\t\r\n  \n\x0b", "skipped", "no text (empty or whitespace only)", "", []),
    "digits.txt": ("2023 — 12 / 30\n", "skipped", "no text (no letters)", "", []),
    "french.txt": (FR, "skipped", "language fr not supported (expected en, es)", "", []),
    "german.txt": (DE, "skipped", "language de not supported (expected en, es)", "", []),
    "latin1.txt": (ES.encode("latin-1"), "ok", "", ES, ["decoded as cp1252 where the bytes are not valid UTF-8"]),
    "cp1252.txt": (CP1252_EN.encode("cp1252"), "ok", "", CP1252_EN,
                   ["decoded as cp1252 where the bytes are not valid UTF-8"]),
    "mixed.txt": (ES.encode("utf-8") + " — Méx".encode("cp1252"), "ok", "", ES + " — Méx",
                  ["decoded as cp1252 where the bytes are not valid UTF-8"]),
    "mojibake.txt": (ES.encode("utf-8").decode("cp1252").encode("utf-8"), "ok", "", ES, ["repaired mojibake (ftfy)"]),
    "controls.txt": (EN.replace(" met ", " met\x00 ").replace("Both", "\x0bBoth\x1b"), "ok", "", EN,
                     ["removed 3 control character(s)"]),
    "surrogates.txt": (EN.encode("utf-8").replace(b"Wednesday", b"Wednes\xed\xa0\x80day"), "ok", "", EN,
                       ["removed 1 lone surrogate(s)"]),
    "utf16.txt": (EN.encode("utf-16"), "ok", "", EN, ["decoded as UTF-16 (byte order mark)"]),
    "crlf.txt": (EN.replace("\n", "\r\n"), "ok", "", EN, []),
    "with space.txt": (EN, "ok", "", EN, []),
    "méxico ñandú.txt": (ES, "ok", "", ES, []),
    "new\nline.txt": (EN, "ok", "", EN, []),
    "zip.txt": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), "error", "binary file (ZIP archive)", "", []),
    "pdf.jsonl": (PDF, "error", "binary file (PDF)", "", []),
}
# JSONL lines: (record line, id, status, reason, text, warnings)
LINES = [
    (json.dumps({"id": "j-en", "text": EN, "date": "2023-12-27"}), "j-en", "ok", "", EN, []),
    ('{"id": "j-broken", "text": "cut here', "feed:2", "error",
     "line 2: invalid JSON (Unterminated string starting at, column 28)", "", []),
    (json.dumps({"id": "j-no-text", "title": "Missing"}), "j-no-text", "error", "line 3: missing 'text'", "", []),
    (json.dumps({"id": "j-number", "text": 12}), "j-number", "error", "line 4: 'text' is not a string (got int)", "", []),
    (json.dumps({"id": "j-null", "text": None}), "j-null", "error", "line 5: 'text' is not a string (got NoneType)", "", []),
    (json.dumps({"id": "j-surrogate", "text": ES.replace("México", "Méx\ud800ico\udfff")}), "j-surrogate", "ok", "", ES,
     ["removed 2 lone surrogate(s)"]),
    ('{"id": "j-tab", "text": "' + ES.replace("\n", "\\n").replace(" seguirán", "\tseguirán\x07") + '"}',
     "j-tab", "ok", "", ES.replace(" seguirán", "\tseguirán"), ["removed 1 control character(s)"]),
    ("\x00\x01\x02 garbage", "feed:8", "error", "line 8: invalid JSON (Expecting value, column 1)", "", []),
    (json.dumps({"id": "j-es", "text": ES}), "j-es", "ok", "", ES, []),
]


def _write(folder, name, content):
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Write every hostile and good file into one folder and read it once: (folder, documents)."""
    folder = tmp_path_factory.mktemp("hostile")
    for name, (content, *_rest) in CASES.items():
        _write(folder, name, content)
    _write(folder, "feed.jsonl", "\n".join(line for line, *_rest in LINES) + "\n")
    nested = folder / "nested"
    nested.mkdir()
    _write(nested, "good_en.txt", EN)
    os.symlink(folder, nested / "loop")  # a folder that contains itself
    os.symlink("self.txt", folder / "self.txt")  # a link to itself
    os.symlink("missing.txt", folder / "dangling.txt")
    os.mkfifo(folder / "fifo.txt")  # opening it for reading would block forever
    _write(folder, os.fsdecode(b"bad\xff.txt"), EN)
    locked = _write(folder, "locked.txt", EN)
    locked_dir = folder / "locked_dir"
    locked_dir.mkdir()
    _write(locked_dir, "inside.txt", EN)
    locked.chmod(0)
    locked_dir.chmod(0)
    try:
        docs = list(iter_documents(folder))
    finally:
        locked.chmod(0o644)
        locked_dir.chmod(0o755)
    return folder, docs


def _one(docs, path, line=0):
    (doc,) = [d for d in docs if d.path == str(path) and d.line == line]
    return doc


def _matches(reason, expected):
    return reason.startswith(expected[:-1]) if expected.endswith("…") else reason == expected


@pytest.mark.parametrize("name", CASES)
def test_faults_corpus_file(corpus, name):
    folder, docs = corpus
    _content, status, reason, text, warnings = CASES[name]
    doc = _one(docs, folder / name)
    assert doc.id == name.rsplit(".", 1)[0]
    assert (doc.status, doc.text) == (status, text)
    assert _matches(doc.reason, reason), doc.reason
    assert set(warnings) <= set(doc.warnings)


@pytest.mark.parametrize("index", range(len(LINES)))
def test_faults_corpus_jsonl_line(corpus, index):
    folder, docs = corpus
    _line, ident, status, reason, text, warnings = LINES[index]
    doc = _one(docs, folder / "feed.jsonl", index + 1)
    assert (doc.id, doc.status, doc.reason, doc.text) == (ident, status, reason, text)
    assert set(warnings) <= set(doc.warnings)


@pytest.mark.parametrize(
    "name, status, reason",
    [
        ("self.txt", "error", "cannot read file: Too many levels of symbolic links"),
        ("dangling.txt", "error", "cannot read file: No such file or directory"),
        ("fifo.txt", "error", "not a regular file"),
        pytest.param("locked.txt", "error", "cannot read file: Permission denied", marks=NEEDS_PERMISSIONS),
        pytest.param("locked_dir", "error", "cannot list folder: Permission denied", marks=NEEDS_PERMISSIONS),
    ],
)
def test_faults_corpus_unreadable(corpus, name, status, reason):
    folder, docs = corpus
    doc = _one(docs, folder / name)
    assert (doc.status, doc.reason, doc.text) == (status, reason, "")


def test_faults_corpus_symlink_loop_read_once(corpus):
    folder, docs = corpus
    assert _one(docs, folder / "nested" / "good_en.txt").status == "ok"
    assert not any("/loop/" in d.path for d in docs)


def test_faults_corpus_name_not_utf8(corpus):
    folder, docs = corpus
    doc = _one(docs, folder / "bad\ufffd.txt")
    assert (doc.id, doc.status, doc.text) == ("bad\ufffd", "ok", EN)
    assert "file name is not valid UTF-8" in doc.warnings


def test_faults_corpus_duplicate_stem_renamed(corpus):
    folder, docs = corpus
    first, second = _one(docs, folder / "good_en.txt"), _one(docs, folder / "nested" / "good_en.txt")
    assert (first.id, second.id, second.status, second.text) == ("good_en", "good_en#2", "ok", EN)
    assert any(w.startswith("duplicate id 'good_en'") for w in second.warnings)


def test_faults_corpus_every_input_once(corpus):
    folder, docs = corpus
    ids = [d.id for d in docs]
    assert len(ids) == len(set(ids))
    # files, JSONL lines, the nested article, the three links, the fifo, the odd name, the locked pair
    assert len(docs) == len(CASES) + len(LINES) + 1 + 3 + 1 + 2


def test_faults_corpus_huge_article(tmp_path):
    paragraph = EN.replace("\n\n", " ") + "\n\n"
    size = 20 * 1024 * 1024
    path = _write(tmp_path, "huge.txt", paragraph * (size // len(paragraph)))
    (doc,) = iter_documents(path)
    assert (doc.status, doc.lang) == ("ok", "en")
    assert len(doc.text) > size * 0.99
    pieces = split_text(doc.text, 200_000)
    assert all(len(chunk) <= 200_000 for _, chunk in pieces)
    assert all(chunk.endswith("\n\n") for _, chunk in pieces[:-1])
    assert "".join(chunk for _, chunk in pieces) == doc.text


def test_faults_corpus_huge_unbroken_text(tmp_path):
    text = "x" * 1_000_003
    pieces = split_text(text, 100_000)
    assert [len(chunk) for _, chunk in pieces] == [100_000] * 10 + [3]
    assert [offset for offset, _ in pieces] == list(range(0, 1_000_001, 100_000))


def test_faults_corpus_over_cap(tmp_path):
    big = _write(tmp_path, "big.txt", EN * 1000)
    feed = _write(tmp_path, "feed.jsonl", json.dumps({"id": "big", "text": EN * 1000}) + "\n"
                  + json.dumps({"id": "small", "text": EN}) + "\n")
    docs = list(iter_documents(tmp_path, max_bytes=100_000))
    assert [(d.path, d.id, d.status, d.reason) for d in docs] == [
        (str(big), "big", "error", f"file too large: {big.stat().st_size} bytes (limit 100000)"),
        (str(feed), "feed:1", "error", "line 1: record over 100000 bytes"),
        (str(feed), "small", "ok", ""),
    ]


def test_faults_corpus_permission_denied_even_as_root(tmp_path, monkeypatch):
    """Root ignores file modes, so the refusals are simulated where the reader meets them."""
    import pipeline.corpus.read as corpus

    good = _write(tmp_path, "a_good.txt", EN)
    locked = _write(tmp_path, "b_locked.txt", EN)
    (tmp_path / "c_locked_dir").mkdir()
    real_open, real_scandir = open, os.scandir

    def guarded_open(path, *args, **kwargs):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def guarded_scandir(path):
        if str(path).endswith("c_locked_dir"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(corpus, "open", guarded_open, raising=False)
    monkeypatch.setattr(corpus.os, "scandir", guarded_scandir)
    docs = list(iter_documents(tmp_path))
    assert [(d.path, d.status, d.reason) for d in docs] == [
        (str(good), "ok", ""),
        (str(locked), "error", "cannot read file: Permission denied"),
        (str(tmp_path / "c_locked_dir"), "error", "cannot list folder: Permission denied"),
    ]
