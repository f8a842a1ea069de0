"""Bytes -> clean text: binary files refused, decoding with a cp1252 fallback, mojibake and
control characters repaired.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy

from pipeline.records import Document

BINARY_RATIO = 0.05  # share of control bytes above which a file is binary; text has almost none


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


# A UTF-8 lead byte followed by a continuation byte, both read as cp1252: the mark of mojibake.
_MOJIBAKE_LINE = re.compile(
    r"^.*[\u00c2-\u00f4][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ].*$", re.MULTILINE
)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


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


codecs.register_error("actorgraph-cp1252", _cp1252_fallback)
