"""dates.resolve over a table of English and Spanish expressions and reference dates."""

import pytest

from pipeline.rules.dates import parse_ref, resolve


@pytest.mark.parametrize(
    "text, lang, ref, expected",
    [
        ("on Wednesday", "en", "2023-12-30", "2023-12-27"),
        ("Wednesday", "en", "2023-12-27", "2023-12-27"),
        ("Wednesday", "en", "2023-12", "2023-12"),
        ("Wednesday", "en", "2023", "2023"),
        ("Wednesday", "en", "", ""),
        ("last Wednesday", "en", "2023-12-27", "2023-12-20"),
        ("next Wednesday", "en", "2023-12-27", "2024-01-03"),
        ("last week", "en", "2023-12-30", "2023-12"),
        ("this week", "en", "2024-01-02", "2024-01"),
        ("yesterday", "en", "2023-12-30", "2023-12-29"),
        ("yesterday", "en", "2023-12", "2023-12"),
        ("the day before yesterday", "en", "2023-12-30", "2023-12-28"),
        ("in January", "en", "2023-12-30", "2023-01"),
        ("in January", "en", "2024-01-15", "2024-01"),
        ("December 24", "en", "2023-12-30", "2023-12-24"),
        ("December 24", "en", "2024-01-03", "2023-12-24"),
        ("Dec. 20, 2023", "en", "", "2023-12-20"),
        ("January 2021", "en", "", "2021-01"),
        ("the 2024 elections", "en", "", "2024"),
        ("next year", "en", "2023-12-30", "2024"),
        ("the previous year", "en", "2023-12-30", "2022"),
        ("three days ago", "en", "2023-12-30", "2023-12-27"),
        ("a year ago", "en", "2023-12-30", "2022"),
        ("the past two years", "en", "2023-12-30", ""),
        ("the 1990s", "en", "2023-12-30", ""),
        ("2023-12-19", "en", "", "2023-12-19"),
        ("este miércoles", "es", "2023-12-19", "2023-12-20"),
        ("este miércoles", "es", "2023-12", "2023-12"),
        ("el miércoles 20 de diciembre", "es", "2023-12-30", "2023-12-20"),
        ("la semana pasada", "es", "2023-12-30", "2023-12"),
        ("en enero", "es", "2023-12-30", "2023-01"),
        ("el 19 de diciembre de 2023", "es", "", "2023-12-19"),
        ("11 de mayo de 2023", "es", "", "2023-05-11"),
        ("5 de enero", "es", "2023-12-30", "2024-01-05"),
        ("este año", "es", "2023-12-30", "2023"),
        ("el año pasado", "es", "2023-12-30", "2022"),
        ("el 4 de junio del año pasado", "es", "2024-02-10", "2023-06-04"),
        ("el jueves día 7", "es", "2024-02-28", "2024-03-07"),
        ("el viernes 2", "es", "2024-02-06", "2024-02-02"),
        ("on Sunday the 31st", "en", "2024-04-02", "2024-03-31"),
        ("en octubre del próximo año", "es", "2024-02-10", "2025-10"),
        ("April 9 last year", "en", "2024-02-10", "2023-04-09"),
        ("in November this year", "en", "2024-02-10", "2024-11"),
        ("el domingo", "es", "2023-12-30", "2023-12-24"),
        ("hace dos semanas", "es", "2023-12-30", "2023-12-16"),
        ("ayer", "es", "2023-12-30", "2023-12-29"),
        ("esta mañana", "es", "2023-12-30", "2023-12-30"),
        ("mañana", "es", "2023-12-30", "2023-12-31"),
        ("fin de año", "es", "2023-12-30", ""),
    ],
)
def test_dates_resolve(text, lang, ref, expected):
    assert resolve(text, lang, ref) == expected


@pytest.mark.parametrize(
    "ref, parts",
    [("2023-12-30", (2023, 12, 30)), ("2023-12", (2023, 12, 0)), ("2023", (2023, 0, 0)), ("", (0, 0, 0))],
)
def test_dates_parse_ref(ref, parts):
    assert parse_ref(ref) == parts


@pytest.mark.parametrize(
    "text, lang, ref, expected",
    [
        ("en marzo", "es", "2024-01-18", "2024-03"),  # "se celebrará en marzo"
        ("el viernes", "es", "2024-01-17", "2024-01-19"),
        ("on Friday", "en", "2024-01-17", "2024-01-19"),  # "will meet on Friday"
        ("este miércoles", "es", "2023-12-30", "2023-12-27"),  # "este" already says which one
        ("last week", "en", "2023-12-30", "2023-12"),
    ],
)
def test_dates_resolve_future_points_forward(text, lang, ref, expected):
    assert resolve(text, lang, ref, future=True) == expected
