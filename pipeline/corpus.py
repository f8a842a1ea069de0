"""Read a corpus of news articles (.txt and .jsonl files) into records.Document objects.

Every input (a .txt file, a JSONL line, a file or folder that cannot be read) yields exactly
one Document whose status is "ok", "skipped" or "error"; bad files never raise.
Reading streams: one file (or one JSONL line) is in memory at a time.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path

import ftfy

from pipeline.records import Document

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MAX_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192
BINARY_RATIO = 0.05  # share of control bytes above which a file is binary; text has almost none
MIN_LETTERS = 20  # below this many letters the language detector only picks among `languages`
# Short Spanish often ranks Galician or Aragonese first, short English Pidgin or Scots: a
# supported language with at least this share of the winner's probability is taken instead.
NEAR_TOP = 0.5
# Varieties the detector ranks first for short texts in a language close to them, above all
# English sentences full of West African or South Asian names ranked Nigerian Pidgin. When one
# of these wins, its related language is taken with only this share of its probability: one-
# sentence English news items measured 0.03-0.4 of Pidgin's, real Pidgin sentences under 0.01.
VARIETIES = {"pcm": "en", "an": "es", "ext": "es"}
VARIETY_NEAR = 0.02
LANG_SAMPLE = 3000  # characters per window shown to the detector
# A first look at two short windows settles most documents at a third of the cost; only an
# unsure or unsupported answer sends the text to the full detection.
QUICK_WINDOW = 300
QUICK_CONFIDENCE = 0.999

MAGIC = {
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip archive",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\xd0\xcf\x11\xe0": "MS Office file",
    b"\x7fELF": "executable",
}
CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])

_DATE = r"(?P<date>\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)"
# ` date 2023-12 (CNN) ...` shares its line with the text; `key: value` fills its own line.
_HEADER = re.compile(
    rf"date(?:[ \t]*:[ \t]*|[ \t]+){_DATE}(?=\s|$)\s*"
    r"|(?P<key>date|title|url|source|lang)[ \t]*:[ \t]*(?P<value>[^\n]*)\s*",
    re.IGNORECASE,
)
_VALUE_CHECKS = {
    "url": re.compile(r"https?://\S+$"),
    "lang": re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?$"),
    "title": re.compile(r"\S"),
    "source": re.compile(r"\S"),
    "date": re.compile(r"\S"),
}
# A UTF-8 lead byte followed by a continuation byte, both read as cp1252: the mark of mojibake.
_MOJIBAKE_LINE = re.compile(
    r"^.*[\u00c2-\u00f4][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ].*$", re.MULTILINE
)
_BREAKS = (("\n\n",), ("\n",), (". ", "! ", "? ", '." ', ".” ", ".» ", "。"), (" ", "\t"))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def iter_documents(
    path: str | os.PathLike,
    lang_override: str | None = None,
    languages: Iterable[str] = ("en", "es"),
    max_bytes: int = MAX_BYTES,
    detect: bool = True,
) -> Iterator[Document]:
    """Yield one Document per .txt file and per JSONL line under `path` (a file or a folder).

    Folders are read recursively in sorted order; hidden entries and other suffixes are
    ignored, symlinks are followed once. `lang_override` sets the language of every document;
    otherwise a JSONL `lang` field or a `lang:` header wins over detection. Documents in a
    language outside `languages` are skipped. A missing `path` raises FileNotFoundError.
    With `detect` False, documents whose language is not given keep lang "" for `detect`
    to fill in later (a run that finds their results stored never needs it).
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
    for source in walk(root):
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


def split_text(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Split `text` into (offset, chunk) pairs of at most `max_chars` characters that cover it.

    Cuts fall after a paragraph break, else a line break, else sentence-ending punctuation,
    else a space, preferably in the second half of each window; a hard cut is the last resort.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    chunks = []
    start = 0
    while len(text) - start > max_chars:
        end = _cut(text, start, start + max_chars)
        chunks.append((start, text[start:end]))
        start = end
    if start < len(text):
        chunks.append((start, text[start:]))
    return chunks


def _cut(text: str, start: int, limit: int) -> int:
    # a break in the second half of the window keeps chunks large; any break beats a hard cut
    for low in (start + (limit - start) // 2, start + 1):
        for marks in _BREAKS:
            found = [pos + len(mark) for mark in marks if (pos := text.rfind(mark, low, limit)) >= 0]
            if found:
                return max(found)
    return limit


def walk(root: Path) -> Iterator[Path | tuple[Path, str]]:
    """Yield input files depth first in name order; (folder, reason) for an unlistable folder."""
    if not root.is_dir():
        yield root
        return
    visited: set[str] = set()
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


def _failed(doc: Document, status: str, reason: str) -> Document:
    doc.status, doc.reason, doc.text = status, reason, ""
    return doc


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


def _binary_reason(head: bytes) -> str:
    """Return why the first bytes of a file look binary, or '' when they look like text."""
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return f"binary file ({kind})"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ""
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if head and controls / len(head) > BINARY_RATIO:
        return f"binary content ({controls} of the first {len(head)} bytes are control bytes)"
    return ""


def _decode(data: bytes, doc: Document) -> str:
    """Decode bytes as UTF-8 (BOM aware), taking cp1252 for each invalid byte, and warn."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        doc.warnings.append("decoded as UTF-16 (byte order mark)")
        return data.decode("utf-16", "replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        # surrogatepass lets encoded lone surrogates through to _clean, which drops them
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        # per byte rather than the whole file: a UTF-8 file with one stray cp1252 byte keeps
        # its valid characters
        doc.warnings.append("decoded as cp1252 where the bytes are not valid UTF-8")
        return data.decode("utf-8", "actorgraph-cp1252")


def _cp1252_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    byte = exc.object[exc.start : exc.start + 1]
    try:
        return byte.decode("cp1252"), exc.start + 1
    except UnicodeDecodeError:  # five bytes cp1252 leaves undefined: latin-1 controls, stripped later
        return byte.decode("latin-1"), exc.start + 1


codecs.register_error("actorgraph-cp1252", _cp1252_fallback)


def _clean(text: str, doc: Document, warn: bool = True) -> str:
    """Normalise newlines and Unicode, repair mojibake and strip control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text, surrogates = _SURROGATE.subn("", text)
    # ftfy before stripping controls: latin-1 mojibake carries C1 controls ("â\x80\x94")
    repaired = _MOJIBAKE_LINE.sub(lambda m: ftfy.fix_encoding(m.group()), text)
    cleaned, controls = _CONTROL.subn("", repaired)
    if warn:
        if repaired != text:
            doc.warnings.append("repaired mojibake (ftfy)")
        if surrogates:
            doc.warnings.append(f"removed {surrogates} lone surrogate(s)")
        if controls:
            doc.warnings.append(f"removed {controls} control character(s)")
    return unicodedata.normalize("NFC", cleaned)


def _apply_header(doc: Document) -> None:
    """Move leading `date 2023-12` / `key: value` metadata out of the text into fields."""
    text = doc.text
    pos = len(text) - len(text.lstrip())
    while match := _HEADER.match(text, pos):
        key = "date" if match.group("date") else match.group("key").lower()
        value = (match.group("date") or match.group("value")).strip()
        if not _VALUE_CHECKS[key].match(value):
            break  # "Title:" followed by nothing, "url: see below": leave it as text
        _set_meta(doc, key, value)
        pos = match.end()
    doc.text = text[pos:]


def _set_meta(doc: Document, key: str, value: str) -> None:
    if key == "date":
        iso = _iso_date(value)
        if iso is None:
            doc.warnings.append(f"ignored invalid date {value!r}")
        else:
            doc.date = iso
    elif key == "lang":
        doc.lang = _norm_lang(value)
    else:
        setattr(doc, key, value)


def _iso_date(value: str) -> str | None:
    """Return an ISO date (YYYY, YYYY-MM or YYYY-MM-DD) from the start of `value`, or None."""
    match = re.match(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:$|[T\s])", value)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return "-".join(
        [f"{year:04d}"] + [f"{part:02d}" for part in (month, day) if part is not None]
    )


def _norm_lang(value: str) -> str:
    return re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]


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


def detect(doc: Document, languages: Iterable[str]) -> None:
    """Set the language of an ok document read without one; skip it when unsupported."""
    languages = tuple(languages)
    if doc.status != "ok":
        return
    if not doc.lang:
        doc.lang, note = detect_language(doc.text, languages)
        if not doc.lang:
            _failed(doc, "skipped", note)
            return
        if note:
            doc.warnings.append(note)
    if doc.lang not in languages:
        _failed(doc, "skipped", f"language {doc.lang} not supported (expected {', '.join(languages)})")


def detect_language(text: str, languages: Iterable[str]) -> tuple[str, str]:
    """Return (language, note) for `text`; the language is "" or unsupported when skipped.

    The detector ranks all languages it knows. Its winner is taken when it is in `languages`,
    or when the text is long enough and no language in `languages` comes near it (then the
    text is reported in the winning language and skipped). Texts with fewer than MIN_LETTERS
    letters get the best of `languages` and a note saying the language was guessed.
    """
    languages = tuple(languages)
    if len(text) > 4 * QUICK_WINDOW:
        middle = len(text) // 2
        top, prob = _identifier().classify(text[:QUICK_WINDOW] + "\n" + text[middle : middle + QUICK_WINDOW])
        if top in languages and prob >= QUICK_CONFIDENCE:
            return top, ""
    sample = _lang_sample(text)
    letters = sum(1 for char in sample if char.isalpha())
    if not letters:
        return "", "no text (no letters)"
    ranking = _identifier().rank(sample)
    top, top_prob = ranking[0]
    probs = dict(ranking)
    best = max(languages, key=lambda lang: probs.get(lang, 0.0))
    if top in languages:
        return top, ""
    if letters < MIN_LETTERS:
        return best, f"language guessed as {best}: too little text to detect"
    if probs.get(best, 0.0) >= NEAR_TOP * top_prob:
        return best, ""
    related = VARIETIES.get(top)
    if related in languages and probs.get(related, 0.0) >= VARIETY_NEAR * top_prob:
        return related, ""
    return top, ""


def _lang_sample(text: str) -> str:
    if len(text) <= 3 * LANG_SAMPLE:
        return text
    middle = len(text) // 2
    return "\n".join(
        (text[:LANG_SAMPLE], text[middle : middle + LANG_SAMPLE], text[-LANG_SAMPLE:])
    )


@lru_cache(maxsize=1)
def _identifier():
    from pipeline.langid import load_identifier

    return load_identifier()


def unique_id(doc: Document, seen: dict[str, str]) -> None:
    """Rename a document whose id was already used to `id#2`, `id#3`... and warn."""
    where = doc.path + (f":{doc.line}" if doc.line else "")
    if doc.id in seen:
        number = 2
        while f"{doc.id}#{number}" in seen:
            number += 1
        new = f"{doc.id}#{number}"
        doc.warnings.append(f"duplicate id {doc.id!r} (first in {seen[doc.id]}); renamed {new!r}")
        doc.id = new
    seen[doc.id] = where
