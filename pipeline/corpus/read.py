"""Read a corpus of news articles (.txt and .jsonl files) into records.Document objects.

Every input (a .txt file, a JSONL line, a file or folder that cannot be read) yields exactly
one Document whose status is "ok", "skipped" or "error"; bad files never raise.
Reading streams: one file (or one JSONL line) is in memory at a time.
"""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.corpus.clean import _binary_reason, _clean, _decode
from pipeline.corpus.language import detect
from pipeline.corpus.meta import _apply_header, _failed, _norm_lang, _set_meta
from pipeline.records import Document

TEXT_SUFFIXES = (".txt",)


JSONL_SUFFIXES = (".jsonl", ".ndjson")


MAX_BYTES = 50 * 1024 * 1024


SNIFF_BYTES = 8192


def iter_documents(
    path: str | os.PathLike,
    lang_override: str | None = None,
    languages: Iterable[str] = ("en", "es"),
    max_bytes: int = MAX_BYTES,
    detect: bool = True,
    skip: Iterable[str | os.PathLike] = (),
) -> Iterator[Document]:
    """Yield one Document per .txt file and per JSONL line under `path` (a file or a folder).

    Folders are read recursively in sorted order; hidden entries and other suffixes are
    ignored, symlinks are followed once. `lang_override` sets the language of every document;
    otherwise a JSONL `lang` field or a `lang:` header wins over detection. Documents in a
    language outside `languages` are skipped. A missing `path` raises FileNotFoundError.
    With `detect` False, documents whose language is not given keep lang "" for `detect`
    to fill in later (a run that finds their results stored never needs it). Folders in
    `skip` are not read (an output folder inside the input).
    """
    languages = tuple(languages)
    if lang_override is not None:
        lang_override = _norm_lang(lang_override)
        if lang_override not in languages:
            raise ValueError(f"language {lang_override!r} is not one of {', '.join(languages)}")
    root = Path(path)
    if not os.path.lexists(root):
        raise FileNotFoundError(f"{root}: no such file or folder")
    seen: dict[str, str] = {}
    for source in walk(root, skip):
        for doc in _read_source(source, max_bytes):
            if doc.status == "ok":
                _finish(doc, lang_override, languages, detect)
            unique_id(doc, seen)
            yield doc


def document_from_text(
    text: str,
    doc_id: str,
    lang: str | None = None,
    date: str = "",
    languages: Iterable[str] = ("en", "es"),
) -> Document:
    """Return a Document for a text held in memory, cleaned and checked like a .txt file.

    `lang` and `date` (ISO, may be partial) win over a metadata header and detection.
    """
    doc = Document(id=doc_id)
    doc.text = _clean(text, doc)
    _apply_header(doc)
    if date:
        _set_meta(doc, "date", date)
    _finish(doc, _norm_lang(lang) if lang else None, tuple(languages))
    return doc


def walk(root: Path, skip: Iterable[str | os.PathLike] = ()) -> Iterator[Path | tuple[Path, str]]:
    """Yield input files depth first in name order; (folder, reason) for an unlistable folder.
    Folders in `skip` (the run's own output folder, when it lies inside the input) are not read."""
    if not root.is_dir():
        yield root
        return
    visited: set[str] = {os.path.realpath(folder) for folder in skip}
    stack = [(root, True)]
    while stack:
        path, is_folder = stack.pop()
        if not is_folder:
            yield path
            continue
        real = os.path.realpath(path)
        if real in visited:  # a symlink loop or a second link to a folder already read
            continue
        visited.add(real)
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            yield (path, f"cannot list folder: {exc.strerror or exc}")
            continue
        children = []
        for entry in entries:
            folder = _is_dir(entry)
            wanted = folder or entry.name.lower().endswith(TEXT_SUFFIXES + JSONL_SUFFIXES)
            if wanted and not entry.name.startswith("."):
                children.append((Path(entry.path), folder))
        stack.extend(reversed(children))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _read_source(source, max_bytes: int) -> Iterator[Document]:
    if isinstance(source, tuple):
        folder, reason = source
        yield _failed(_base(folder, folder.name), "error", reason)
        return
    if source.name.lower().endswith(JSONL_SUFFIXES):
        yield from _read_jsonl(source, max_bytes)
    else:
        yield _read_txt(source, max_bytes)


def _base(path: Path, name: str | None = None) -> Document:
    """Return an empty Document named after `path`, with a warning when the name is not UTF-8."""
    shown = _displayable(str(path))
    doc = Document(id=_displayable(name or path.stem), path=shown)
    if shown != str(path):
        doc.warnings.append("file name is not valid UTF-8")
    return doc


def _displayable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _open_checked(path: Path, max_bytes: int | None):
    """Open a regular file for binary reading; return (file, None) or (None, reason)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file"
        if max_bytes is not None and info.st_size > max_bytes:
            return None, f"file too large: {info.st_size} bytes (limit {max_bytes})"
        handle = open(path, "rb")
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror or exc}"
    return handle, None


def _read_txt(path: Path, max_bytes: int) -> Document:
    doc = _base(path)
    handle, problem = _open_checked(path, max_bytes)
    if handle is None:
        return _failed(doc, "error", problem)
    with handle:
        try:
            head = handle.read(SNIFF_BYTES)
            problem = _binary_reason(head)
            data = head if problem else head + handle.read(max_bytes + 1 - len(head))
        except OSError as exc:
            return _failed(doc, "error", f"cannot read file: {exc.strerror or exc}")
    if problem:
        return _failed(doc, "error", problem)
    if len(data) > max_bytes:
        return _failed(doc, "error", f"file too large: over {max_bytes} bytes")
    if not data:
        return _failed(doc, "skipped", "empty file")
    doc.text = _clean(_decode(data, doc), doc)
    _apply_header(doc)
    return doc


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Document]:
    base = _base(path)
    handle, problem = _open_checked(path, None)  # streamed: only single lines are capped
    if handle is None:
        yield _failed(base, "error", problem)
        return
    with handle:
        try:
            problem = _binary_reason(handle.read(SNIFF_BYTES))
            handle.seek(0)
        except OSError as exc:
            problem = f"cannot read file: {exc.strerror or exc}"
        if problem:
            yield _failed(base, "error", problem)
            return
        number = 0
        try:
            for number, raw in enumerate(_lines(handle, max_bytes), start=1):
                if raw is not None and not raw.strip():
                    continue  # blank lines separate nothing and are not records
                doc = Document(id=f"{base.id}:{number}", path=base.path, line=number)
                doc.warnings.extend(base.warnings)
                if raw is None:
                    yield _failed(doc, "error", f"line {number}: record over {max_bytes} bytes")
                else:
                    yield _jsonl_record(doc, raw, number)
        except OSError as exc:
            reason = f"cannot read file after line {number}: {exc.strerror or exc}"
            yield _failed(base, "error", reason)


def _lines(handle, max_bytes: int) -> Iterator[bytes | None]:
    """Yield each line of a binary file, or None for a line over max_bytes (never held whole)."""
    while line := handle.readline(max_bytes + 1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 20)
            yield None
        else:
            yield line


def _jsonl_record(doc: Document, raw: bytes, number: int) -> Document:
    try:
        # strict=False: a raw tab or control character inside a string is cleaned, not fatal
        record = json.loads(_decode(raw, doc), strict=False)
    except json.JSONDecodeError as exc:
        return _failed(doc, "error", f"line {number}: invalid JSON ({exc.msg}, column {exc.colno})")
    if not isinstance(record, dict):
        return _failed(doc, "error", f"line {number}: record is not a JSON object")
    ident = record.get("id")
    if isinstance(ident, (str, int)) and not isinstance(ident, bool) and str(ident).strip():
        doc.id = _clean(str(ident).strip(), doc, warn=False)
    else:
        return _failed(doc, "error", f"line {number}: missing or invalid 'id'")
    if "text" not in record:
        return _failed(doc, "error", f"line {number}: missing 'text'")
    if not isinstance(record["text"], str):
        kind = type(record["text"]).__name__
        return _failed(doc, "error", f"line {number}: 'text' is not a string (got {kind})")
    doc.text = _clean(record["text"], doc)
    _apply_header(doc)
    for key in ("title", "url", "source", "lang", "date"):
        value = record.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            doc.warnings.append(f"ignored non-string field '{key}'")
        elif value.strip():
            _set_meta(doc, key, _clean(value.strip(), doc, warn=False))
    return doc




def _finish(doc: Document, lang_override: str | None, languages: tuple[str, ...], detect_now: bool = True) -> None:
    """Skip documents without text or in an unsupported language; set doc.lang otherwise."""
    doc.text = doc.text.strip()
    if not doc.text:
        _failed(doc, "skipped", "no text (empty or whitespace only)")
        return
    if lang_override:
        doc.lang = lang_override
    if doc.lang or detect_now:
        detect(doc, languages)


def plain_id(ident: str) -> str:
    """Return an id in Unicode NFC without format characters (bidirectional marks and overrides,
    zero-width characters); "" when nothing but those and white space is left."""
    ident = unicodedata.normalize("NFC", ident)
    plain = "".join(c for c in ident if unicodedata.category(c) != "Cf")
    return plain if plain.strip() else ""


def unique_id(doc: Document, seen: dict[str, str]) -> None:
    """Make a document's id plain (`plain_id`; "document" when nothing is left), then rename one
    whose id was already used to `id#2`, `id#3`... and warn."""
    where = doc.path + (f":{doc.line}" if doc.line else "")
    plain = plain_id(doc.id) or "document"
    if plain != doc.id:
        doc.warnings.append(f"id {doc.id!r} normalised to {plain!r} (Unicode NFC, no format characters)")
        doc.id = plain
    if doc.id in seen:
        number = 2
        while f"{doc.id}#{number}" in seen:
            number += 1
        new = f"{doc.id}#{number}"
        doc.warnings.append(f"duplicate id {doc.id!r} (first in {seen[doc.id]}); renamed {new!r}")
        doc.id = new
    seen[doc.id] = where
