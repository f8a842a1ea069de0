"""The language detector (py3langid), loaded from a plain copy of its model.

py3langid ships its model LZMA-compressed, and decompressing it takes about half a second,
paid by every worker process of every run. The first load writes the decompressed model
(a ~70 MB npz) into the user's cache folder; later loads read that copy in a few hundredths of
a second. The copy is named by a digest of the shipped file, so another py3langid release gets
its own copy; a copy that does not load is written again, and where no copy can be written
the detector loads the way py3langid does.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import tempfile
import zipfile
from array import array
from pathlib import Path

import numpy

# The arrays of py3langid 0.4's model file, in the order its LanguageIdentifier is built from.
KEYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")
_TYPECODES = {2: "H", 4: "I", 8: "L"}


def cache_folder() -> Path:
    """Return the folder for the plain model copy: $XDG_CACHE_HOME/actorgraph or ~/.cache/actorgraph."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "actorgraph"


def load_identifier(folder: Path | None = None):
    """Return py3langid's LanguageIdentifier (normalised probabilities), read from the plain copy
    of its model in `folder` (default `cache_folder()`), which is written first when missing."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    arrays = _plain_model(Path(MODEL_DIR) / MODEL_FILE, folder or cache_folder())
    if arrays is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ptc, pc, classes, nextmove, row, output = arrays
    return LanguageIdentifier(ptc, pc, classes.tolist(), _as_array(nextmove), output.tolist(),
                              norm_probs=True, tk_row=_as_array(row))


def _plain_model(source: Path, folder: Path) -> tuple | None:
    """Return the model's arrays from the plain copy in `folder`, writing it first when missing or
    unreadable; None when the model has another layout or no copy can be written."""
    try:
        plain = folder / f"langid-{hashlib.sha256(source.read_bytes()).hexdigest()[:16]}.npz"
        arrays = _read(plain)
        if arrays is None:
            _write(source, plain)
            arrays = _read(plain)
        return arrays
    except (OSError, lzma.LZMAError):
        return None


def _read(path: Path) -> tuple | None:
    """Return the arrays of a plain model file, or None when it is absent, damaged or another layout."""
    try:
        with numpy.load(path, allow_pickle=False) as data:
            if not set(KEYS) <= set(data.files):
                return None
            return tuple(data[key] for key in KEYS)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def _write(source: Path, plain: Path) -> None:
    """Decompress `source` into `plain` through a temporary file, so no reader sees half a copy."""
    plain.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=plain.parent, prefix=".tmp-langid-")
    try:
        with os.fdopen(fd, "wb") as out, lzma.open(source) as compressed:
            shutil.copyfileobj(compressed, out, length=1 << 20)
        os.replace(temp, plain)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _as_array(values: numpy.ndarray) -> array:
    """Return unsigned integers as a stdlib array: py3langid's tokenizer indexes them one by one,
    which is much faster on an array than on numpy."""
    result = array(_TYPECODES[values.dtype.itemsize])
    result.frombytes(memoryview(numpy.ascontiguousarray(values)).cast("B"))  # no third copy
    return result
