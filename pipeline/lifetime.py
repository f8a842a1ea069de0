"""Child processes that die with their parent.

A worker or helper process the run started must not outlive it: when the main process is
killed (SIGKILL, the out-of-memory killer), Linux sends each child that asked for it the
parent-death signal (prctl PR_SET_PDEATHSIG). Elsewhere nothing is set up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; True when it could.

    `parent` is the pid the caller expects as its parent: if that one already died (the
    signal cannot be asked for retroactively), this process exits at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return True
