"""corpus.iter_documents on small hand-written files: metadata, JSONL fields, ids, order, language."""

import json

import pytest

from pipeline.corpus import document_from_text, iter_documents

EN = "The Secretary of State met the Mexican president in Mexico City on Wednesday to discuss migration."
ES = "El secretario de Estado se reunió el miércoles con el presidente de México para hablar de migración."


def read(path, **options):
    return list(iter_documents(path, **options))


def write(folder, name, content):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def jsonl(*records):
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


@pytest.mark.parametrize(
    "content, date, text",
    [
        (f" date 2023-12 (CNN) — {ES}", "2023-12", f"(CNN) — {ES}"),
        (f" date 2023-12-30 {EN}", "2023-12-30", EN),
        (f"date: 2023-12-30\n{EN}", "2023-12-30", EN),
        (f"Date: 2023\n\n{EN}", "2023", EN),
        (f"DATE:2023-1-5\n{EN}", "2023-01-05", EN),
        (f"\ufeffdate: 2023-12-30\r\n{EN}\r\n", "2023-12-30", EN),
        (f"Date night is a ritual for the president. {EN}", "", f"Date night is a ritual for the president. {EN}"),
        (f"Dated 2023-12-30, the letter said so. {EN}", "", f"Dated 2023-12-30, the letter said so. {EN}"),
        (f"date: 2023-13-45\n{EN}", "", EN),
        (EN, "", EN),
    ],
    ids=["seed-003", "seed-004", "colon", "year-only", "unpadded", "bom-crlf", "date-night", "dated", "invalid", "none"],
)
def test_corpus_reader_metadata_date(tmp_path, content, date, text):
    (doc,) = read(write(tmp_path, "a.txt", content))
    assert (doc.status, doc.date, doc.text) == ("ok", date, text)


def test_corpus_reader_invalid_date_warns(tmp_path):
    (doc,) = read(write(tmp_path, "a.txt", f"date: 2023-13-45\n{EN}"))
    assert doc.warnings == ["ignored invalid date '2023-13-45'"]


@pytest.mark.parametrize(
    "header, field, value",
    [
        ("title: Talks in Mexico City\n", "title", "Talks in Mexico City"),
        ("url: https://example.com/news/1\n", "url", "https://example.com/news/1"),
        ("Source: CNN\n", "source", "CNN"),
        ("lang: ES-mx\n", "lang", "es"),
    ],
)
def test_corpus_reader_metadata_fields(tmp_path, header, field, value):
    (doc,) = read(write(tmp_path, "a.txt", f"{header}date: 2023-12-27\n{ES}"))
    assert (getattr(doc, field), doc.date, doc.text) == (value, "2023-12-27", ES)


@pytest.mark.parametrize(
    "first_line",
    ["Title:", "url: see below", "lang: español de México", "Sources: officials said"],
)
def test_corpus_reader_metadata_lookalike_stays_text(tmp_path, first_line):
    (doc,) = read(write(tmp_path, "a.txt", f"{first_line}\n{EN}"))
    assert doc.text == f"{first_line}\n{EN}"


def test_corpus_reader_jsonl_fields(tmp_path):
    record = {"id": "n1", "text": EN, "title": "T", "date": "2023-12-27T10:00:00Z", "url": "https://x.org/a",
              "lang": "en", "source": "AP", "extra": 1}
    (doc,) = read(write(tmp_path, "a.jsonl", jsonl(record)))
    got = (doc.id, doc.text, doc.title, doc.date, doc.url, doc.lang, doc.source, doc.line, doc.status)
    assert got == ("n1", EN, "T", "2023-12-27", "https://x.org/a", "en", "AP", 1, "ok")


@pytest.mark.parametrize(
    "record, status, reason_or_warning",
    [
        ({"id": 7, "text": EN}, "ok", ""),
        ({"id": "a", "text": EN, "title": 3}, "ok", "ignored non-string field 'title'"),
        ({"id": "a", "text": EN, "date": "last week"}, "ok", "ignored invalid date 'last week'"),
        ({"id": "a", "text": ""}, "skipped", "no text (empty or whitespace only)"),
        ({"id": "a", "text": EN, "lang": "fr"}, "skipped", "language fr not supported (expected en, es)"),
        ({"text": EN}, "error", "line 1: missing or invalid 'id'"),
        ({"id": True, "text": EN}, "error", "line 1: missing or invalid 'id'"),
        ({"id": "a"}, "error", "line 1: missing 'text'"),
        ({"id": "a", "text": ["x"]}, "error", "line 1: 'text' is not a string (got list)"),
        ("[1, 2]", "error", "line 1: record is not a JSON object"),
        ('{"id": "a", "text": "cut', "error", "line 1: invalid JSON (Unterminated string starting at, column 21)"),
    ],
)
def test_corpus_reader_jsonl_records(tmp_path, record, status, reason_or_warning):
    (doc,) = read(write(tmp_path, "a.jsonl", jsonl(record)))
    assert doc.status == status
    if status == "ok":
        assert doc.warnings == ([reason_or_warning] if reason_or_warning else [])
    else:
        assert (doc.reason, doc.text) == (reason_or_warning, "")


def test_corpus_reader_jsonl_blank_lines_keep_line_numbers(tmp_path):
    docs = read(write(tmp_path, "a.jsonl", jsonl({"id": "a", "text": EN}, "", "  ", {"id": "b", "text": ES})))
    assert [(d.id, d.line) for d in docs] == [("a", 1), ("b", 4)]


def test_corpus_reader_error_ids_name_file_and_line(tmp_path):
    docs = read(write(tmp_path, "feed.jsonl", jsonl({"id": "a", "text": EN}, "{oops")))
    assert [(d.id, d.status) for d in docs] == [("a", "ok"), ("feed:2", "error")]


@pytest.mark.parametrize(
    "files, ids",
    [
        ({"x/000_ab.txt": EN}, ["000_ab"]),
        ({"a/same.txt": EN, "b/same.txt": ES, "c/same.txt": EN}, ["same", "same#2", "same#3"]),
        ({"a.jsonl": jsonl({"id": "n1", "text": EN}, {"id": "n1", "text": ES}), "n1.txt": EN}, ["n1", "n1#2", "n1#3"]),
        ({"a/k.txt": EN, "b.jsonl": jsonl({"id": "k#2", "text": EN}, {"id": "k", "text": ES})}, ["k", "k#2", "k#3"]),
    ],
    ids=["stem", "three-files", "jsonl-and-txt", "suffix-taken"],
)
def test_corpus_reader_ids_unique(tmp_path, files, ids):
    for name, content in files.items():
        write(tmp_path, name, content)
    docs = read(tmp_path)
    assert [d.id for d in docs] == ids
    assert all(d.status == "ok" for d in docs)


def test_corpus_reader_duplicate_id_warns(tmp_path):
    write(tmp_path, "a/same.txt", EN)
    write(tmp_path, "b/same.txt", ES)
    first, second = read(tmp_path)
    assert first.warnings == []
    assert second.warnings == [f"duplicate id 'same' (first in {tmp_path / 'a' / 'same.txt'}); renamed 'same#2'"]


def test_corpus_reader_walk_order_and_suffixes(tmp_path):
    for name in ["b.txt", "a.TXT", "sub/z.txt", "sub/deeper/y.txt", "c.jsonl", "README.md", "notes.json",
                 ".hidden.txt", ".git/x.txt", "d.ndjson"]:
        content = jsonl({"id": name, "text": EN}) if name.endswith("json") else EN
        write(tmp_path, name, content)
    assert [d.path for d in read(tmp_path)] == [
        str(tmp_path / name)
        for name in ["a.TXT", "b.txt", "c.jsonl", "d.ndjson", "sub/deeper/y.txt", "sub/z.txt"]
    ]


def test_corpus_reader_single_file_any_suffix(tmp_path):
    (doc,) = read(write(tmp_path, "article.md", EN))
    assert (doc.id, doc.text) == ("article", EN)


def test_corpus_reader_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "nothing")


@pytest.mark.parametrize(
    "content, options, lang, status",
    [
        (EN, {}, "en", "ok"),
        (ES, {}, "es", "ok"),
        (EN, {"lang_override": "es"}, "es", "ok"),
        (EN, {"lang_override": "ES"}, "es", "ok"),
        (f"lang: es\n{EN}", {}, "es", "ok"),
        (f"lang: es\n{EN}", {"lang_override": "en"}, "en", "ok"),
        (ES, {"languages": ("en",)}, "es", "skipped"),
    ],
)
def test_corpus_reader_language(tmp_path, content, options, lang, status):
    (doc,) = read(write(tmp_path, "a.txt", content), **options)
    assert (doc.lang, doc.status) == (lang, status)


def test_corpus_reader_override_wins_over_jsonl_lang(tmp_path):
    (doc,) = read(write(tmp_path, "a.jsonl", jsonl({"id": "a", "text": EN, "lang": "fr"})), lang_override="en")
    assert (doc.lang, doc.status) == ("en", "ok")


def test_corpus_reader_unsupported_override_raises(tmp_path):
    with pytest.raises(ValueError, match="'fr'"):
        read(write(tmp_path, "a.txt", EN), lang_override="fr")


@pytest.mark.parametrize(
    "options, lang, date, status, reason",
    [
        ({}, "en", "", "ok", ""),
        ({"date": "2024-01-02"}, "en", "2024-01-02", "ok", ""),
        ({"lang": "es"}, "es", "", "ok", ""),
        ({"lang": "de"}, "de", "", "skipped", "language de not supported (expected en, es)"),
    ],
)
def test_corpus_reader_document_from_text(options, lang, date, status, reason):
    doc = document_from_text(EN, "x", **options)
    assert (doc.id, doc.lang, doc.date, doc.status, doc.reason) == ("x", lang, date, status, reason)
