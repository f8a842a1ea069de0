"""A document's metadata and status: the optional metadata line at the top of a text (date,
language, title, source), and the mark of a document that is not ok."""

from __future__ import annotations

import re
from datetime import date

from pipeline.records import Document

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


def _failed(doc: Document, status: str, reason: str) -> Document:
    doc.status, doc.reason, doc.text = status, reason, ""
    return doc
