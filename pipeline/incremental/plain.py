"""Plain data on disk: msgpack (srsly's copy) with no hooks, for the reuse entries, the rules
snapshots and the run's spool. Only strings, numbers, booleans, None, lists and maps go in and
come out; nothing read can name a class or a function, so a planted file is at worst a bad entry.
Lone surrogates (texts decoded with surrogateescape) round-trip.
"""

from __future__ import annotations

from typing import Any, BinaryIO, Iterator

import numpy
from srsly.msgpack._packer import Packer
from srsly.msgpack._unpacker import Unpacker, unpackb

_TEXT_ERRORS = "surrogatepass"
MAX_OBJECT_BYTES = 2**31 - 1  # one spooled object (a 50 MB document and its records) fits


def _default(value: Any) -> Any:
    if isinstance(value, numpy.generic):  # a numpy number that slipped into a record
        return value.item()
    raise TypeError(f"not plain data: {type(value).__name__}")


def packer() -> Packer:
    """Return a msgpack packer of plain data (tuples become lists)."""
    return Packer(use_bin_type=True, unicode_errors=_TEXT_ERRORS, default=_default)


def dumps(value: Any) -> bytes:
    """Return plain data as msgpack bytes."""
    return packer().pack(value)


def loads(payload: bytes) -> Any:
    """Return the plain data of msgpack bytes (lists for arrays); raise ValueError-like errors on bad bytes."""
    return unpackb(payload, raw=False, use_list=True, unicode_errors=_TEXT_ERRORS, strict_map_key=True)


def stream(source: BinaryIO) -> Iterator[Any]:
    """Yield the objects packed one after another into `source`."""
    yield from Unpacker(
        source, raw=False, use_list=True, unicode_errors=_TEXT_ERRORS.encode(), max_buffer_size=MAX_OBJECT_BYTES,
        read_size=1 << 20,
    )
