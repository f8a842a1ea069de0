"""`actorgraph explain`: one text through the real pipeline, printed with the rules that fired."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    "text, lines",
    [
        (
            "Mexican President Andrés Manuel López Obrador received Secretary of State Antony Blinken in Mexico City on Wednesday.",
            [
                "'Andrés Manuel López Obrador' -> President of Mexico  from 'Mexican President'  rules: role_link.en.title_name, alias.en.president",
                "'Antony Blinken' -> Secretary of State (United States)",
                "participants [Andrés Manuel López Obrador, Antony Blinken] place=Mexico City date=2023-12-27 (Wednesday)",
            ],
        ),
        (
            "El presidente de Argentina, Alberto Fernández, se reunió este lunes en Santiago con su homólogo chileno, Gabriel Boric.",
            [
                "'Alberto Fernández' -> President of Argentina",
                "'Gabriel Boric' -> President of Chile",
                "date=2023-12-25 (este lunes)",
            ],
        ),
    ],
)
def test_e2e_explain_prints_roles_meetings_and_rule_ids(text, lines):
    result = CliRunner().invoke(app, ["explain", text, "--date", "2023-12-30"])
    assert result.exit_code == 0, result.output
    for line in lines:
        assert line in result.output


def test_e2e_explain_long_text_is_text_not_a_path():
    # longer than a file name may be: once crashed with "File name too long"
    text = "Secretary of State Antony Blinken will travel to China next week. " + "The talks will cover trade. " * 20
    result = CliRunner().invoke(app, ["explain", text, "--date", "2023-12-30"])
    assert result.exit_code == 0, result.output
    assert "'Antony Blinken' -> Secretary of State" in result.output


def test_e2e_explain_reads_a_file(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("German Chancellor Olaf Scholz met French President Emmanuel Macron in Paris.", encoding="utf-8")
    result = CliRunner().invoke(app, ["explain", str(path)])
    assert result.exit_code == 0, result.output
    assert "participants [Olaf Scholz, Emmanuel Macron] place=Paris" in result.output
