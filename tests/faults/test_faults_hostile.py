"""Adversarial content finishes in bounded time and memory: the work is capped ([limits] in
settings.toml) and each document that hit a cap says so in documents.jsonl.

One extract per rule set: 10,000 names in one sentence and a sentence of 5,000 tokens with the
shipped rules, then the long sentence again under rules that match everywhere.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = (
    "date: 2023-12-27\n"
    "Secretary of State Antony Blinken met President Andrés Manuel López Obrador in Mexico City on Wednesday.\n"
)
FIRST = ["Anna", "Boris", "Carla", "Diego", "Elena", "Felipe", "Greta", "Hugo", "Irene", "Jorge"]
SECONDS = 120  # the machine this runs on parses the 10,000 names in about 15 s
MEGABYTES = 2000
# A researcher's rules that match everywhere: a token pattern of any tokens, a one-token
# pattern of any word, and a role alias that is a common word.
EVERYWHERE = {
    "patterns/en/meetings.jsonl": {"id": "meeting.en.anything", "label": "TRIGGER", "kind": "meeting",
                                   "pattern": [{"OP": "*"}], "examples": [{"text": "x"}]},
    "patterns/en/entities.jsonl": {"id": "en.add.words", "action": "add", "label": "MISC",
                                   "pattern": [{"IS_ALPHA": True, "OP": "+"}]},
    "patterns/en/roles.jsonl": {"id": "role_link.en.anything", "label": "LINK",
                                "pattern": [{"OP": "*"}, {"_": {"actorgraph_part": "PERSON"}}], "examples": [{"text": "x"}]},
}


def names_sentence(count: int) -> str:
    names = [f"{FIRST[i % 10]} {chr(65 + i // 10 % 26)}{chr(97 + i // 260 % 26)}{chr(97 + i // 6760 % 26)}son" for i in range(count)]
    return "President Joe Biden met " + ", ".join(names) + " and Secretary of State Antony Blinken in Washington on Monday.\n"


def long_sentence(tokens: int) -> str:
    words = "the minister met President Lopez and the ambassador in Lima and".split()
    return " ".join(words[i % len(words)] for i in range(tokens - 1)) + " ended.\n"


# The child writes its own peak (VmHWM) as it exits: ru_maxrss carries over exec from the
# forked parent, so a child of a large test process would report at least the parent's size.
PEAK = (
    "import atexit, runpy, sys\n"
    "from pipeline.tools.bench import peak_rss_mib\n"
    "path = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(path, 'w').write(str(peak_rss_mib())))\n"
    "runpy.run_module('pipeline', run_name='__main__')\n"
)


def extract(corpus: Path, out: Path, config: Path) -> tuple[int, float, int]:
    """Run extract in a child process (English forced: a list of names has no language to
    detect); return (exit status, seconds, peak memory in MB of the child)."""
    peak = out.parent / f"{out.name}.peak"
    command = [sys.executable, "-c", PEAK, str(peak), "extract", str(corpus), "--out", str(out), "--no-cache",
               "--workers", "1", "--config", str(config), "--lang", "en"]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    megabytes = float(peak.read_text()) if peak.exists() else usage.ru_maxrss / 1024
    return os.waitstatus_to_exitcode(status), time.monotonic() - started, int(megabytes)


def documents(out: Path) -> dict[str, dict]:
    rows = (json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines())
    return {row["id"]: row for row in rows}


def caps_hit(row: dict) -> set[str]:
    return {cap for warning in row["warnings"] for cap in (warning.rsplit("(", 1)[-1].split()[0].rstrip(")"),)}


@pytest.mark.model
def test_faults_hostile_huge_sentences(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "names.txt").write_text(names_sentence(10_000), encoding="utf-8")
    (corpus / "long.txt").write_text(long_sentence(5_000), encoding="utf-8")
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    code, seconds, megabytes = extract(corpus, out, ROOT / "configs")
    assert code == 0 and seconds < SECONDS and megabytes < MEGABYTES
    rows = documents(out)
    assert {row["status"] for row in rows.values()} == {"ok"}
    assert caps_hit(rows["names"]) == {"max_participants", "max_cooccurring", "max_sentence_chars", "max_match_window"}
    assert caps_hit(rows["long"]) >= {"max_sentence_chars", "max_match_window"}
    assert rows["good"]["warnings"] == []
    with open(out / "edges.csv", encoding="utf-8", newline="") as fh:
        edges = list(csv.DictReader(fh))
    # Without the caps: 50 million co_occurs and met_with pairs; with them, the met_with pairs
    # of the 50 participants kept (max_participants) and a few others.
    assert len(edges) < 50 * 50
    pairs = {(e["Source"], e["Target"]) for e in edges if e["relation"] == "holds_role"}
    assert ("person:antony-blinken", "role:secretary-of-state") in {(s, t.split("-united")[0]) for s, t in pairs}
    relations = (out / "mentions.jsonl").read_text(encoding="utf-8").splitlines()
    assert max(len(json.loads(line)["sentence"]) for line in relations) <= 2002


@pytest.mark.model
def test_faults_hostile_rules_matching_everywhere(tmp_path):
    config = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", config)
    for name, rule in EVERYWHERE.items():
        with open(config / name, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rule) + "\n")
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "long.txt").write_text(long_sentence(5_000), encoding="utf-8")
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    code, seconds, megabytes = extract(corpus, out, config)
    assert code == 0 and seconds < SECONDS and megabytes < MEGABYTES
    rows = documents(out)
    assert {row["status"] for row in rows.values()} == {"ok"}
    assert {"max_rule_matches", "max_pairings", "max_match_window"} <= caps_hit(rows["long"])
    assert any("meeting.en.anything" in warning for warning in rows["long"]["warnings"])
