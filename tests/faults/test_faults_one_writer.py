"""One writer per output folder: of two runs started together into one OUT, one writes and the
other stops at once (exit status 2, naming the pid that holds OUT), or waits with --wait; the
folder never ends with the files of both, and every file matches its summary.json.

20 pairs that stop and 10 that wait (forked from this process, the per-document work replaced by ready-made results and the
renames slowed, so the runs overlap where they would collide), then the CLI's line and status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import run as orchestrator
from pipeline.config import load_settings
from pipeline.export import commit as export
from pipeline.records import DocResult, Document, Mention

ROOT = Path(__file__).resolve().parents[2]
PAIRS = {False: 20, True: 10}  # wait: pairs
BUSY = 2


def _fake_results(tag: str, count: int):
    def results(source, settings, engine, **kwargs):
        for i in range(count):
            time.sleep(0.01)
            document = Document(id=f"{tag}-{i}", text="Anna Smith spoke.", lang="en")
            mention = Mention(doc=document.id, lang="en", label="PERSON", text=f"Anna {tag}", start=0, end=10,
                              sentence="Anna Smith spoke.", sent_start=0)
            yield DocResult(document, mentions=[mention])
    return results


def _child(corpus: Path, out: Path, tag: str, wait: bool) -> int:
    """Fork a run writing `tag`'s documents into `out`; return the child's pid."""
    pid = os.fork()
    if pid:
        return pid
    code = 3
    try:
        orchestrator._results = _fake_results(tag, 5 if tag.endswith("a") else 7)
        real = os.replace

        def slow(*args):
            time.sleep(0.005)
            return real(*args)

        export.os.replace = slow
        orchestrator.run(corpus, out, load_settings(), use_cache=False, progress=False, workers=1, wait=wait)
        code = 0
    except export.OutputBusy:
        code = BUSY
    finally:
        os._exit(code)


def _check(out: Path) -> str:
    """Assert `out` holds one complete, verifiable set; return the tag of the run that wrote it."""
    assert not (out / export.JOURNAL).exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {name: export.file_sha256(out / name) for name in summary["files"]} == summary["files"]
    ids = [json.loads(line)["id"] for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    tags = {i.rsplit("-", 1)[0] for i in ids}
    assert len(tags) == 1 and summary["documents"] == len(ids)
    mentions = (out / "mentions.jsonl").read_text(encoding="utf-8")
    assert all(f'"{tag}-' in mentions for tag in tags) and mentions.count('"doc"') == len(ids)
    return tags.pop()


@pytest.mark.parametrize("wait", [False, True], ids=["stop", "wait"])
def test_faults_one_writer_pairs(tmp_path, wait):
    corpus = tmp_path / "in"
    corpus.mkdir()
    out = tmp_path / "out"
    for pair in range(PAIRS[wait]):
        tags = (f"p{pair}a", f"p{pair}b")
        pids = {_child(corpus, out, tag, wait): tag for tag in tags}
        codes = {}
        for pid, tag in pids.items():
            _, status = os.waitpid(pid, 0)
            codes[tag] = os.waitstatus_to_exitcode(status)
        winner = _check(out)
        if wait:
            assert set(codes.values()) == {0}
        else:
            assert sorted(codes.values()) in ([0, 0], [0, BUSY]), codes
            assert codes[winner] == 0


def test_faults_one_writer_cli_names_the_holder(tmp_path):
    """A second extract into a held OUT exits 2 at once with one line naming the holder's pid."""
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pipeline.export import commit as e\n"
         "with e.writer_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        corpus = tmp_path / "in"
        corpus.mkdir()
        (corpus / "a.txt").write_text("Anna Smith spoke.\n")
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--no-cache"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and time.monotonic() - started < 30
        assert f"process {holder.pid}" in done.stderr and "--wait" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert sorted(p.name for p in out.iterdir()) == [export.LOCK]
    finally:
        holder.kill()
        holder.wait()
