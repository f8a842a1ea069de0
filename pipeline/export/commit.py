"""Writers: the actor graph as GraphML, GEXF and Gephi CSV tables, the records as JSONL, and a summary.

The files of a run are replaced as one set. Each is first written (and synced) to a hidden
temporary file in the output folder; summary.json records the sha256 of every other file. Then a
journal, .commit.json, listing the renames is written atomically, the temporary files are renamed
into place, summary.json last, and the journal is removed. A run that fails or is killed before
the journal exists leaves the previous outputs untouched; one killed after it has committed to
the new set, and the next write (`recover`) finishes the renames. While a journal is present the
folder is mid-commit; otherwise every file matches the hashes in summary.json. Formats not
requested in a run are left as they are.

The journal is trusted only as far as it names this module's own files: each entry renames
`.<name>.tmp-<pid>` to `<name>`, `<name>` one of the output file names, both inside the folder
(no separator, no `..`, no absolute path) and the temporary file a regular one. Any other
journal is refused (JournalError) before anything moves, with the way to clear it.

One writer per folder: a run holds an exclusive lock on OUT/.lock (`writer_lock`, flock) from
its first write to its commit; a second run stops at once with OutputBusy naming the holder's
pid, or waits for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import networkx as nx

from pipeline import view
from pipeline.export.formats import _flatten, _write_edges_csv, _write_gexf, _write_graphml, _write_nodes_csv
from pipeline.config import ConfigError
from pipeline.export.jsonl import _json, _write_jsonl
from pipeline.regular import BadEntry, read_regular

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no lock
    fcntl = None

DEFAULT_FORMATS = ("graphml", "gexf", "csv", "jsonl")


FILES = {
    "graphml": (("graphml", "graph.graphml"),),
    "gexf": (("gexf", "graph.gexf"),),
    "csv": (("nodes", "nodes.csv"), ("edges", "edges.csv")),
    "jsonl": (
        ("mentions", "mentions.jsonl"),
        ("relations", "relations.jsonl"),
        ("documents", "documents.jsonl"),
    ),
    "view": (("html", "graph.html"), ("picture", "graph.svg")),  # pipeline/view (extract --view)
}


JOURNAL = ".commit.json"
LOCK = ".lock"
OWN_FILES = frozenset({filename for entries in FILES.values() for _, filename in entries} | {"summary.json"})
MAX_JOURNAL_BYTES = 64 * 1024


class JournalError(ConfigError):
    """An OUT/.commit.json this module did not write: refused, nothing moved."""


class OutputBusy(ConfigError):
    """Another run holds the output folder's lock."""


_TEMP = re.compile(r"^\..+\.tmp-(\d+)$")


def write_outputs(
    out_dir: Path,
    graph: nx.MultiDiGraph,
    *,
    mentions: Iterable[dict],
    relations: Iterable[dict],
    documents: Iterable[dict],
    summary: dict,
    formats: Iterable[str] = DEFAULT_FORMATS,
) -> dict[str, Path]:
    """Write the requested formats and summary.json into `out_dir`, atomically as a set.

    Returns the written files by name: graphml, gexf, nodes, edges, mentions, relations,
    documents, summary. `formats` may also be one comma-separated string ("graphml,csv").
    Rows may be dicts, dataclasses or blocks of rows from `encode_rows`, and are streamed,
    not collected. Raises ValueError for
    an unknown format before anything is written.
    """
    if isinstance(formats, str):
        formats = formats.split(",")
    formats = list(dict.fromkeys(name.strip().lower() for name in formats))
    unknown = [name for name in formats if name not in FILES]
    if unknown:
        raise ValueError(f"unknown output format(s): {', '.join(unknown)}; known: {', '.join(FILES)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    flat = _flatten(graph) if {"graphml", "gexf", "csv"} & set(formats) else None
    hashes: dict[str, str] = {}  # filename -> sha256, filled as the files are written
    warned = [0]  # documents rows with warnings, counted as they stream past
    writers: dict[str, Callable[[Any], None]] = {
        "graphml": lambda fh: _write_graphml(fh, flat),
        "gexf": lambda fh: _write_gexf(fh, flat),
        "nodes": lambda fh: _write_nodes_csv(fh, flat),
        "edges": lambda fh: _write_edges_csv(fh, flat),
        "mentions": lambda fh: _write_jsonl(fh, mentions),
        "relations": lambda fh: _write_jsonl(fh, relations),
        "documents": lambda fh: _write_jsonl(fh, _count_warned(documents, warned)),
        "html": lambda fh: view.write_html(fh, graph),
        "picture": lambda fh: view.write_svg(fh, graph),
        "summary": lambda fh: fh.write(_json(_final_summary(summary, hashes, warned[0], "jsonl" in formats), indent=2) + "\n"),
    }
    plan = [entry for name in formats for entry in FILES[name]] + [("summary", "summary.json")]
    temps: dict[str, Path] = {}
    try:
        for name, filename in plan:
            temps[name] = out_dir / f".{filename}.tmp-{os.getpid()}"
            _write_file(temps[name], writers[name], binary=name in ("graphml", "gexf"))
            if name != "summary":
                hashes[filename] = file_sha256(temps[name])
        _write_json_atomic(out_dir / JOURNAL, [[temps[name].name, filename] for name, filename in plan])
        written = {}
        for name, filename in plan:
            written[name] = out_dir / filename
            os.replace(temps[name], written[name])
        _sync_folder(out_dir)
        (out_dir / JOURNAL).unlink()
        _sync_folder(out_dir)
        return written
    finally:
        # After the journal is written the temporary files belong to it, even if a rename failed.
        if not (out_dir / JOURNAL).exists():
            for temp in temps.values():
                temp.unlink(missing_ok=True)


def _count_warned(rows: Iterable[Any], warned: list[int]) -> Iterator[Any]:
    for row in rows:
        values = row if isinstance(row, dict) else vars(row)
        warned[0] += bool(values.get("warnings"))
        yield row


def _final_summary(summary: dict, hashes: dict[str, str], warned: int, with_documents: bool) -> dict:
    final = dict(summary)
    if with_documents:
        final["documents_with_warnings"] = warned
    final["files"] = hashes
    return final


def recover(out_dir: Path) -> bool:
    """Finish the commit of a run killed while renaming its files into `out_dir`, and remove the
    temporary files of runs that died before committing. Returns True when a commit was finished.

    Raises JournalError, moving nothing, when the journal names anything but our own files.
    """
    out_dir = Path(out_dir)
    journal = out_dir / JOURNAL
    renames = read_journal(out_dir)
    finished = renames is not None
    if finished:
        for temp, final in renames:
            if os.path.lexists(out_dir / temp):
                os.replace(out_dir / temp, out_dir / final)
        _sync_folder(out_dir)
        journal.unlink()
    for path in out_dir.iterdir() if out_dir.is_dir() else ():
        match = _TEMP.match(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
    return finished


_JOURNAL_TEMP = re.compile(r"^\.(?P<final>[a-z]+\.[a-z]+)\.tmp-[0-9]{1,10}$")


def read_journal(out_dir: Path) -> list[tuple[str, str]] | None:
    """Return the renames of `out_dir`'s journal (None when there is none), checked: each renames
    a regular `.<name>.tmp-<pid>` to `<name>`, `<name>` one of OWN_FILES. Raise JournalError otherwise."""
    out_dir = Path(out_dir)
    path = out_dir / JOURNAL
    clear = (f"nothing was moved. If no run is writing {out_dir}, delete {path} and the hidden "
             f".*.tmp-* files beside it, then run again (the previous outputs stay as they were)")
    try:
        data = read_regular(path, MAX_JOURNAL_BYTES)
        if data is None:
            return None
        renames = json.loads(data.decode("utf-8"))
    except (BadEntry, UnicodeDecodeError, ValueError) as exc:
        raise JournalError(f"{path}: unreadable commit journal ({exc}); {clear}") from exc
    problem = _journal_problem(out_dir, renames)
    if problem:
        raise JournalError(f"{path}: not a journal this program writes ({problem}); {clear}")
    return [(temp, final) for temp, final in renames]


def _journal_problem(out_dir: Path, renames) -> str:
    if not isinstance(renames, list) or not renames:
        return "not a list of renames"
    finals = set()
    for entry in renames:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(name, str) for name in entry)):
            return f"entry {entry!r:.80}"
        temp, final = entry
        match = _JOURNAL_TEMP.match(temp)
        if final not in OWN_FILES or final in finals or not match or match.group("final") != final:
            return f"rename {temp!r:.80} -> {final!r:.80}: not one of its own output files"
        finals.add(final)
        try:
            mode = os.lstat(out_dir / temp).st_mode
        except FileNotFoundError:
            continue  # renamed already
        if not stat.S_ISREG(mode):
            return f"{temp} is not a regular file"
    return ""


@contextmanager
def writer_lock(out_dir: Path, wait: bool = False) -> Iterator[None]:
    """Hold the exclusive lock of `out_dir` (OUT/.lock, which records the holder's pid).

    Raises OutputBusy at once when another process holds it, unless `wait`: then one line on
    stderr says whom it waits for. The lock goes with the process: a killed run frees it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = out_dir / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputBusy(f"{path}: cannot open the output folder's lock: {exc.strerror or exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputBusy(f"{path}: not a regular file; remove it and run again")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise OutputBusy(
                    f"{out_dir}: another run ({holder}) is writing this folder; wait for it to finish, "
                    "pass --wait to wait for it, or choose another --out"
                ) from None
            print(f"waiting for {holder} to finish writing {out_dir}", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f"process {pid}" if pid.isdigit() else "another process"


def file_sha256(path: Path) -> str:
    """Return the sha256 of a file's bytes, as summary.json records it."""
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _write_json_atomic(path: Path, value: Any) -> None:
    temp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        _write_file(temp, lambda fh: fh.write(_json(value)), binary=False)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # A rename is durable only once the folder itself is synced; not every platform allows it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_file(path: Path, write: Callable[[Any], None], *, binary: bool) -> None:
    # Lone surrogates cannot be encoded as UTF-8; backslashreplace turns them into "\udXXX",
    # which inside a JSON string is the exact escape for the same code point.
    if binary:
        fh = open(path, "wb")
    else:
        fh = open(path, "w", encoding="utf-8", errors="backslashreplace", newline="")
    with fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
