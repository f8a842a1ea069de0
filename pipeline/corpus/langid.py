"""The language detector (py3langid), mapped from a plain copy of its model.

py3langid ships its model LZMA-compressed, and decompressing it takes about half a second and
~70 MB of private memory in every process that detects languages. The first load writes the
model's arrays, uncompressed, into the user's cache folder as .npy files; later loads map them
into memory, which takes milliseconds, and processes share the pages the detector reads. The
copy is named by a digest of the shipped file, so another py3langid release gets its own copy;
a copy that does not load is written again, and where no copy can be written the detector
loads the way py3langid does.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import numpy

# The arrays of py3langid 0.4's model file, in the order its LanguageIdentifier is built from.
KEYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def cache_folder() -> Path:
    """Return the folder for the plain model copy: $XDG_CACHE_HOME/actorgraph or ~/.cache/actorgraph."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "actorgraph"


def load_identifier(folder: Path | None = None):
    """Return py3langid's LanguageIdentifier (normalised probabilities), mapped from the plain copy
    of its model in `folder` (default `cache_folder()`), which is written first when missing."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    arrays = _plain_model(Path(MODEL_DIR) / MODEL_FILE, folder or cache_folder())
    if arrays is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ptc, pc, classes, nextmove, row, output = arrays
    # py3langid's tokenizer indexes the state tables one item at a time: a memoryview answers
    # with plain ints as fast as a stdlib array, without copying the mapped file.
    return LanguageIdentifier(ptc, numpy.array(pc), classes.tolist(), memoryview(nextmove), output.tolist(),
                              norm_probs=True, tk_row=memoryview(row))


def _plain_model(source: Path, folder: Path) -> tuple | None:
    """Return the model's arrays mapped from the plain copy in `folder`, writing it first when
    missing or unreadable; None when the model has another layout or no copy can be written."""
    try:
        plain = folder / f"langid-{hashlib.sha256(source.read_bytes()).hexdigest()[:16]}"
        arrays = _read(plain)
        if arrays is None:
            _write(source, plain)
            arrays = _read(plain)
        return arrays
    except (OSError, lzma.LZMAError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def _read(plain: Path) -> tuple | None:
    """Return the arrays of a plain copy, memory-mapped, or None when it is absent or damaged."""
    try:
        arrays = tuple(numpy.load(plain / f"{key}.npy", mmap_mode="r", allow_pickle=False) for key in KEYS)
    except (OSError, ValueError, EOFError):
        return None
    ptc, pc, classes, nextmove, row, output = arrays
    shapes_agree = ptc.ndim == 2 and ptc.shape[1] == len(pc) == len(classes) and len(row) == len(output)
    native = all(a.dtype.isnative for a in (nextmove, row))  # memoryview needs native byte order
    return arrays if shapes_agree and native and nextmove.ndim == row.ndim == 1 else None


def _write(source: Path, plain: Path) -> None:
    """Decompress `source` into the plain copy `plain`."""
    with lzma.open(source) as compressed, numpy.load(compressed, allow_pickle=False) as model:
        write_arrays(plain, ((key, model[key]) for key in KEYS), lambda folder: _read(folder) is not None)


def write_arrays(folder: Path, arrays, finished: Callable[[Path], bool]) -> None:
    """Save (name, array) pairs as `folder`/<name>.npy, built beside it and renamed into place, so
    no reader sees half a copy; a damaged copy already there is replaced. `finished(folder)` tells
    whether another process's rename won the race (then its copy stands)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".tmp-{folder.name}-"))
    try:
        for name, array in arrays:
            numpy.save(temp / f"{name}.npy", array, allow_pickle=False)
        shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(temp, folder)
        except OSError:
            if not finished(folder):
                raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)
