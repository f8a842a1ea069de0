"""`actorgraph eval --dev`: extract a development set and score the graph against its gold."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

pytestmark = pytest.mark.model

ARTICLE = (
    " date 2031-05-12\n"
    "Finnish President Aino Lehtonen met Chilean Foreign Minister Tomás Urrutia in Helsinki on Monday.\n"
)
GOLD = {
    "persons": {"aino": {"match": "Lehtonen"}, "tomas": {"match": "Urrutia"}, "absent": {"match": "Kowalczyk"}},
    "roles": [
        {"person": "aino", "role": "president", "file": "a.txt"},
        {"person": "tomas", "role": "foreign", "file": "a.txt"},
    ],
    "meetings": [{"id": "m1", "required": ["aino", "tomas"], "place": "helsinki", "date": "2031-05-12", "file": "a.txt"}],
    "not_persons": "Helsinki",
}


def test_e2e_eval_dev_prints_table_and_writes_misses(tmp_path):
    dev = tmp_path / "dev"
    (dev / "en").mkdir(parents=True)
    (dev / "en" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (dev / "gold_en.json").write_text(json.dumps(GOLD), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--dev", str(dev), "--out", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    assert "en  0.67 / 1.00    1.00 (2/2) / 1.00" in result.output
    report = json.loads((tmp_path / "eval" / "dev-en.json").read_text(encoding="utf-8"))
    assert [miss["person"] for miss in report["missed_persons"]] == ["absent"]
    assert (tmp_path / "eval" / "dev-en" / "graph.graphml").is_file()


def test_e2e_eval_needs_something_to_score():
    result = CliRunner().invoke(app, ["eval"])
    assert result.exit_code == 2
    assert "nothing to score" in result.output
