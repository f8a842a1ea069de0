"""A crafted or corrupt OUT/.commit.json moves nothing: the journal may only rename the writer's own
temporary files onto its own output file names, inside OUT. Any other journal is refused with a
message saying how to clear it, and a run reports it before doing any work.

Generated: relative, absolute and `..` paths, symlinked temporary files, foreign names and
malformed JSON, each as a journal of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from pipeline.export import commit as export

ROOT = Path(__file__).resolve().parents[2]


def _outputs(out: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_edge("person:a", "person:b", relation="met_with", weight=1)
    export.write_outputs(out, graph, mentions=[], relations=[], documents=[{"id": "d", "warnings": []}],
                         summary={"version": "old"})


def _state(root: Path) -> dict[str, bytes | str]:
    """Every path under `root` with its bytes (or link target): what must not change."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        found[key] = os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else "dir"
    return found


def _cases(root: Path, out: Path) -> dict[str, object]:
    """name -> journal value (or raw bytes); files it names are planted by `_plant`."""
    victim = root / "victim.txt"
    return {
        "relative-out": [["../victim.txt", "summary.json"]],
        "relative-in": [[".summary.json.tmp-1", "../planted.txt"]],
        "absolute-source": [[str(victim), "nodes.csv"]],
        "absolute-target": [[".nodes.csv.tmp-1", str(root / "planted.txt")]],
        "foreign-name": [[".evil.sh.tmp-1", "evil.sh"]],
        "mismatched": [[".nodes.csv.tmp-1", "edges.csv"]],
        "separator": [[".nodes.csv.tmp-1/x", "nodes.csv"]],
        "symlink-temp": [[".nodes.csv.tmp-7", "nodes.csv"]],
        "duplicate": [[".nodes.csv.tmp-1", "nodes.csv"], [".nodes.csv.tmp-2", "nodes.csv"]],
        "not-a-list": {"a": "b"},
        "corrupt": b"[[\".nodes.csv.tmp-1\", \"nod",
        "binary": b"\xff\xfe\x00",
    }


def _plant(root: Path, out: Path, name: str, value) -> None:
    (root / "victim.txt").write_text("someone else's file")
    (out / ".nodes.csv.tmp-1").write_text("planted,row\n")
    (out / ".summary.json.tmp-1").write_text("{}")
    (out / ".evil.sh.tmp-1").write_text("echo hi\n")
    if name == "symlink-temp":
        (out / ".nodes.csv.tmp-7").symlink_to(root / "victim.txt")
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    (out / export.JOURNAL).write_bytes(data)


CASES = list(_cases(Path("/r"), Path("/r/out")))


@pytest.mark.parametrize("name", CASES)
def test_faults_journal_crafted_moves_nothing(tmp_path, name):
    out = tmp_path / "out"
    _outputs(out)
    _plant(tmp_path, out, name, _cases(tmp_path, out)[name])
    before = _state(tmp_path)
    with pytest.raises(export.JournalError) as raised:
        export.recover(out)
    assert f"delete {out / export.JOURNAL}" in str(raised.value)
    with pytest.raises(export.JournalError):
        _outputs(out)  # the writer recovers first: refused before writing anything
    assert _state(tmp_path) == before


def test_faults_journal_own_renames_still_finish(tmp_path):
    out = tmp_path / "out"
    _outputs(out)
    (out / ".nodes.csv.tmp-1").write_text("new,row\n")
    (out / export.JOURNAL).write_text(json.dumps([[".nodes.csv.tmp-1", "nodes.csv"], [".edges.csv.tmp-1", "edges.csv"]]))
    assert export.recover(out) is True
    assert (out / "nodes.csv").read_text() == "new,row\n" and not (out / export.JOURNAL).exists()


def test_faults_journal_corrupt_reported_before_work(tmp_path):
    """extract stops at once with exit 2 and one line, not after parsing the corpus."""
    out = tmp_path / "out"
    out.mkdir()
    (out / export.JOURNAL).write_text("{not json")
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Secretary of State Antony Blinken met President Tomas Berg.\n")
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "commit journal" in done.stderr and "delete" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in out.iterdir()) == [export.JOURNAL, export.LOCK]
