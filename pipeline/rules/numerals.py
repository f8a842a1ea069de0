"""Turn number expressions ("más de 11.000", "about 6,000", "two million") into values.

The tables here are closed word classes of English and Spanish (number words, scale
words, qualifiers), not tunable rules. Vague quantities ("thousands", "miles", "dozens")
get no value: a made-up magnitude would look like a fact in the output.
"""

from __future__ import annotations

import re

from pipeline.text import strip_accents

# Qualifier phrase (accent-free, lower case) -> normalised English qualifier.
QUALIFIERS = {
    "more than": "more than", "over": "more than", "above": "more than", "upwards of": "more than",
    "in excess of": "more than", "nearly": "nearly", "almost": "nearly", "close to": "nearly",
    "about": "about", "around": "about", "roughly": "about", "approximately": "about",
    "some": "about", "an estimated": "about", "estimated": "about", "at least": "at least",
    "at most": "at most", "up to": "up to", "less than": "less than", "fewer than": "less than",
    "under": "less than", "below": "less than", "just over": "more than", "just under": "less than",
    "mas de": "more than", "poco mas de": "more than", "por encima de": "more than",
    "casi": "nearly", "cerca de": "nearly", "alrededor de": "about", "unos": "about", "unas": "about",
    "aproximadamente": "about", "en torno a": "about", "un estimado de": "about", "al menos": "at least",
    "por lo menos": "at least", "como maximo": "at most", "hasta": "up to", "menos de": "less than",
}

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "a": 1, "an": 1,
    "cero": 0, "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
    "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200,
    "trescientos": 300, "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400,
    "quinientos": 500, "quinientas": 500, "seiscientos": 600, "seiscientas": 600,
    "setecientos": 700, "setecientas": 700, "ochocientos": 800, "ochocientas": 800,
    "novecientos": 900, "novecientas": 900, "media": 0.5, "half": 0.5,
}
_ONE = {"a", "an", "un", "una"}
_MULTIPLIERS = {"hundred": 100, "dozen": 12, "docena": 12}
# "billion" is 10**9 in English news; Spanish "billón" is 10**12 and "mil millones" 10**9.
_SCALES = {
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "mil": 10**3, "millon": 10**6, "millones": 10**6, "billon": 10**12, "billones": 10**12,
    "k": 10**3, "m": 10**6, "bn": 10**9,
}
_FILLERS = {"and", "y", "of", "de", "percent", "per", "cent", "por", "ciento", "dollars", "dolares", "pesos"}
_VAGUE = {"dozens", "hundreds", "thousands", "millions", "billions", "decenas", "cientos", "centenares",
          "miles", "millares", "docenas"}


def plain(text: str) -> str:
    """Return `text` lower-cased, without accents and with single spaces."""
    return " ".join(strip_accents(text).lower().split())


def split_qualifier(text: str) -> tuple[str, str, str]:
    """Split a leading qualifier off `text`; return (surface qualifier, normalised English, rest)."""
    words = text.split()
    for size in (3, 2, 1):
        head = plain(" ".join(words[:size]))
        if len(words) > size and head in QUALIFIERS:
            return " ".join(words[:size]), QUALIFIERS[head], " ".join(words[size:])
    return "", "", text


def parse_digits(token: str, lang: str) -> float | None:
    """Read a numeral with separators: "11.000" -> 11000, "680,000" -> 680000, "1.5" -> 1.5, "2,5" (es) -> 2.5.

    With both separators the last one is the decimal mark. With one separator, a repeated mark
    or exactly three digits after it means thousands; Spanish texts use both conventions
    (Spain "11.000", Mexico "680,000"), so there the shape decides. In English "." stays decimal.
    """
    token = token.strip().rstrip(".,")
    if not re.fullmatch(r"\d[\d.,]*", token):
        return None
    if "." in token and "," in token:
        decimal = "." if token.rfind(".") > token.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        return float(token.replace(thousands, "").replace(decimal, "."))
    for mark in (",", "."):
        if mark not in token:
            continue
        parts = token.split(mark)
        grouped = len(parts) > 2 or len(parts[1]) == 3
        if mark == "." and lang == "en" and len(parts) == 2:
            grouped = False
        if grouped and all(len(p) == 3 for p in parts[1:]):
            return float("".join(parts))
        if len(parts) == 2:
            return float(parts[0] + "." + parts[1])
        return None
    return float(token)


def parse_number(text: str, lang: str) -> tuple[float | int | None, str]:
    """Return (value, normalised qualifier) of a number expression; value None when vague or unreadable.

    "más de 11.000" -> (11000, "more than"); "about 6,000" -> (6000, "about");
    "11 percent" -> (11, ""); "two million" -> (2000000, ""); "thousands" -> (None, "").
    """
    _, qualifier, rest = split_qualifier(text)
    words = re.findall(r"\d[\d.,]*\d|\d|[^\W\d_]+", plain(rest).replace("-", " "))
    if not words or any(word in _VAGUE for word in words[:1]):
        return None, qualifier
    total, current, seen = 0.0, 0.0, False
    for word in words:
        number = parse_digits(word, lang) if word[0].isdigit() else _UNITS.get(word)
        if word in _ONE and (current or total):
            continue  # "half a million": the article is not a digit here
        if number is not None:
            current += number
        elif word in _MULTIPLIERS:
            current = (current or 1) * _MULTIPLIERS[word]
        elif word in _SCALES:
            if current:
                total, current = total + current * _SCALES[word], 0.0
            else:
                total = (total or 1) * _SCALES[word]  # "mil millones": a scale of a scale
        elif word in _FILLERS:
            continue
        elif seen:
            break
        else:
            return None, qualifier
        seen = True
    if not seen:
        return None, qualifier
    value = total + current
    return (int(value) if value == int(value) else value), qualifier
