"""Files read back by the package (cache entries, the commit journal) come from regular files only.

`read_regular` never follows a symlink, never opens a FIFO or a device (no hang, no endless
read), never reads a directory, and never reads more than a limit: anything else where one
of our files belongs raises BadEntry, and the caller counts it, removes it (`discard`) or
refuses it.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class BadEntry(Exception):
    """Something where a file of ours belongs that is not a readable regular file of plausible size."""


def read_regular(path: Path | str, limit: int, follow: bool = False) -> bytes | None:
    """Return the bytes of the regular file at `path`, or None when nothing is there.

    Raise BadEntry for anything else: a symlink (never followed, unless `follow`: then its
    target must be a regular file), a FIFO or device (never opened, so no hang and no endless
    read), a directory, a file over `limit` bytes, or one that cannot be read.
    """
    flags = _OPEN_FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow else _OPEN_FLAGS
    try:
        info = os.stat(path) if follow else os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise BadEntry(f"{path}: {exc}") from exc
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        raise BadEntry(f"{path}: not a regular file of at most {limit} bytes")
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: swapped for a symlink since the lstat
        raise BadEntry(f"{path}: {exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else since the lstat
            raise BadEntry(f"{path}: not a regular file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 22, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise BadEntry(f"{path}: over {limit} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise BadEntry(f"{path}: {exc}") from exc
    finally:
        os.close(fd)


def discard(path: Path | str) -> None:
    """Remove a bad entry without following it: a link or file is unlinked, a directory removed
    (shutil.rmtree unlinks links inside it, never their targets). Failures leave it; it stays a miss."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass
