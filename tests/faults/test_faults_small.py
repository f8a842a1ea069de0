"""The smaller items of issue 15: an output folder inside the input is not read back; --cache naming
a file is refused before OUT is created; ids are NFC without bidirectional or zero-width characters,
and an id with nothing else left gets one."""

from __future__ import annotations

import json
import unicodedata

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.corpus import iter_documents


def test_faults_small_out_inside_input_not_read(tmp_path):
    corpus = tmp_path / "in"
    (corpus / "out").mkdir(parents=True)
    (corpus / "a.txt").write_text("Anna Smith spoke in London.\n")
    (corpus / "out" / "documents.jsonl").write_text(json.dumps({"id": "x", "text": "Read back."}) + "\n")
    ids = [d.id for d in iter_documents(corpus, skip=[corpus / "out"])]
    assert ids == ["a"]
    assert len(list(iter_documents(corpus))) == 2


def test_faults_small_cache_file_refused_before_out(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Anna Smith spoke.\n")
    (tmp_path / "cache").write_text("a file")
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                      "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 2 and "--cache" in result.output
    assert not (tmp_path / "out").exists()


def test_faults_small_ids_plain(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    decomposed = unicodedata.normalize("NFD", "Peña")
    (corpus / f"{decomposed}.txt").write_text("Anna Smith spoke.\n")
    (corpus / "ab\u202ecd.txt").write_text("Anna Smith spoke.\n")
    rows = [{"id": "\u200b\u200f", "text": "Anna Smith spoke."}]
    (corpus / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    docs = {d.id: d for d in iter_documents(corpus)}
    assert set(docs) == {"Peña", "abcd", "document"}
    assert all(any("normalised" in w for w in d.warnings) for d in docs.values())


def test_faults_small_other_language_skips_are_said(tmp_path, monkeypatch):
    from pipeline import run as orchestrator
    from pipeline.run import RunReport

    def fake(source, out, settings, **kwargs):
        report = RunReport(out_dir=out)
        report.counts.update(ok=1, skipped=2)
        report.other_languages = 2
        return report

    monkeypatch.setattr(orchestrator, "run", fake)
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "note: 2 document(s) skipped as written in another language" in result.output
