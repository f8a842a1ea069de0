"""JSONL rows: records and plain values as one JSON object a line."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterable


class Encoded(str):
    """JSONL text made by `encode_rows`, written to its file as it is."""


def encode_rows(rows: Iterable[Any]) -> Encoded:
    """Return rows (dicts or dataclasses) as JSONL text, one object a line, to be written later."""
    encode = _ROW_ENCODER.encode  # one encoder for every row: json.dumps builds one per call
    return Encoded("".join(encode(row) + "\n" for row in rows))


def _write_jsonl(fh, rows: Iterable[Any]) -> None:
    encode = _ROW_ENCODER.encode
    for row in rows:
        fh.write(row if isinstance(row, Encoded) else encode(row) + "\n")


def _json(value: Any, **options: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, **options)


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default)
