"""numbers.parse_number and parse_digits over a table of English and Spanish expressions."""

import pytest

from pipeline.rules.numerals import parse_digits, parse_number, split_qualifier


@pytest.mark.parametrize(
    "text, lang, value, qualifier",
    [
        ("más de 11.000", "es", 11000, "more than"),
        ("680,000", "es", 680000, ""),
        ("about 6,000", "en", 6000, "about"),
        ("more than 10,000", "en", 10000, "more than"),
        ("11 percent", "en", 11, ""),
        ("about 11 percent", "en", 11, "about"),
        ("two", "en", 2, ""),
        ("dos", "es", 2, ""),
        ("1.5 million", "en", 1500000, ""),
        ("1,5 millones", "es", 1500000, ""),
        ("mil millones", "es", 1000000000, ""),
        ("a dozen", "en", 12, ""),
        ("at least a dozen", "en", 12, "at least"),
        ("half a million", "en", 500000, ""),
        ("two hundred thousand", "en", 200000, ""),
        ("dos mil quinientos", "es", 2500, ""),
        ("ciento cincuenta", "es", 150, ""),
        ("twenty-five", "en", 25, ""),
        ("$1.5 billion", "en", 1500000000, ""),
        ("unos 400 mil", "es", 400000, "about"),
        ("al menos 32.000", "es", 32000, "at least"),
        ("680,000 migrants", "en", 680000, ""),
        ("thousands", "en", None, ""),
        ("miles", "es", None, ""),
        ("tens of thousands", "en", None, ""),
        ("the caravan", "en", None, ""),
    ],
)
def test_numbers_parse_number(text, lang, value, qualifier):
    assert parse_number(text, lang) == (value, qualifier)


@pytest.mark.parametrize(
    "token, lang, value",
    [
        ("11.000", "es", 11000.0),
        ("11.000", "en", 11.0),
        ("680,000", "en", 680000.0),
        ("1.234.567", "es", 1234567.0),
        ("1,234.5", "en", 1234.5),
        ("1.234,5", "es", 1234.5),
        ("2,5", "es", 2.5),
        ("1.5", "en", 1.5),
        ("560", "en", 560.0),
        ("abc", "en", None),
    ],
)
def test_numbers_parse_digits_separators(token, lang, value):
    assert parse_digits(token, lang) == value


@pytest.mark.parametrize(
    "text, expected",
    [
        ("más de 11.000", ("más de", "more than", "11.000")),
        ("close to 10,000", ("close to", "nearly", "10,000")),
        ("11.000", ("", "", "11.000")),
        ("más", ("", "", "más")),
    ],
)
def test_numbers_split_qualifier(text, expected):
    assert split_qualifier(text) == expected
