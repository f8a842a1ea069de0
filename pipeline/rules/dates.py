"""Resolve date expressions of English and Spanish news against a reference date.

`resolve` returns the most precise ISO date the words support: "2023-12-27" for a day,
"2023-12" for a month, "2023" for a year, "" when the text is not a date it understands.

Choices:
- A bare weekday ("Wednesday", "el miércoles") is the latest such day on or before the
  reference; "this"/"este" picks the day of the reference's own week (Monday to Sunday);
  "next"/"próximo" the first one after it, "last"/"pasado" the last one before it.
- A week ("last week", "la semana pasada") has no ISO day; it is returned as the month
  holding the week's Thursday (the ISO-week convention).
- A month without a year ("in January") is the latest such month at or before the
  reference month; a day and month without a year take the year that puts the date
  within six months of the reference.
- When the reference is only a month or a year, anything finer is cut to that precision.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from pipeline.rules.numerals import parse_number, plain

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
}
# Word -> days from the reference.
DAYS = {
    "today": 0, "hoy": 0, "tonight": 0, "yesterday": -1, "ayer": -1, "anteayer": -2,
    "tomorrow": 1,
}
_THIS = {"this", "este", "esta", "estos", "current", "actual", "coming"}
_NEXT = {"next", "proximo", "proxima", "siguiente", "viene", "entrante"}
_LAST = {"last", "past", "previous", "pasado", "pasada", "anterior", "ultimo", "ultima"}
_AGO = {"ago", "hace"}
_UNIT_DAYS = {"day": 1, "days": 1, "dia": 1, "dias": 1, "week": 7, "weeks": 7, "semana": 7, "semanas": 7}
_WEEK = {"week", "semana"}
_MONTH = {"month", "mes"}
_YEAR = {"year", "ano"}
_ONE_WORDS = {"a", "an", "un", "una", "el", "la"}  # "a year ago" counts; "el año pasado" does not


def parse_ref(ref: str) -> tuple[int, int, int]:
    """Split an ISO date that may be partial into (year, month, day); missing parts are 0."""
    parts = [int(p) for p in re.findall(r"\d+", ref or "")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]


def _iso(year: int, month: int = 0, day: int = 0) -> str:
    if not year:
        return ""
    if not month:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" if not day else f"{year:04d}-{month:02d}-{day:02d}"


def _cut(day: date, ref: tuple[int, int, int]) -> str:
    """ISO of `day`, no finer than the reference allows."""
    if ref[2]:
        return day.isoformat()
    return _iso(day.year, day.month) if ref[1] else _iso(day.year)


def _weekday(target: int, words: set[str], ref: tuple[int, int, int]) -> str:
    if not ref[2]:
        return _iso(ref[0], ref[1])
    base = date(*ref)
    if words & _THIS:
        return (base + timedelta(days=target - base.weekday())).isoformat()
    if words & _NEXT:
        return (base + timedelta(days=(target - base.weekday() - 1) % 7 + 1)).isoformat()
    back = (base.weekday() - target) % 7
    if words & _LAST and back == 0:
        back = 7
    return (base - timedelta(days=back)).isoformat()


def _month_only(month: int, words: set[str], ref: tuple[int, int, int]) -> str:
    if not ref[0]:
        return ""
    if not ref[1]:
        return _iso(ref[0], month)
    if words & _NEXT:
        return _iso(ref[0] + (month <= ref[1]), month)
    if words & _THIS:
        return _iso(ref[0], month)
    return _iso(ref[0] - (month > ref[1] or (month == ref[1] and bool(words & _LAST))), month)


def _day_month(day: int, month: int, ref: tuple[int, int, int]) -> str:
    if not ref[0]:
        return ""
    year = ref[0]
    if ref[1]:
        delta = (month - ref[1]) + (day - (ref[2] or 15)) / 31
        year += -1 if delta > 6 else (1 if delta < -6 else 0)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def _shift(ref: tuple[int, int, int], unit: set[str], step: int) -> str:
    if unit & _YEAR:
        return _iso(ref[0] + step) if ref[0] else ""
    if unit & _MONTH:
        if not ref[1]:
            return _iso(ref[0])
        months = ref[0] * 12 + ref[1] - 1 + step
        return _iso(months // 12, months % 12 + 1)
    if unit & _WEEK:
        if not ref[2]:
            return _iso(ref[0], ref[1])
        thursday = date(*ref) + timedelta(days=7 * step + 3 - date(*ref).weekday())
        return _iso(thursday.year, thursday.month)
    return ""


def _step(words: set[str]) -> int:
    if words & _NEXT:
        return 1
    return -1 if words & _LAST else 0


@functools.lru_cache(maxsize=4096)
def resolve(text: str, lang: str, ref: str, future: bool = False) -> str:
    """Return the ISO date (maybe partial) that `text` names, resolved against `ref`; "" if none.

    "on Wednesday" with ref 2023-12-30 -> "2023-12-27"; "el 19 de diciembre de 2023" ->
    "2023-12-19"; "en enero" with ref 2023-12-30 -> "2023-01"; "last week" -> "2023-12".
    With `future` (the sentence speaks of what will happen), a bare weekday or month is the
    next one after `ref`: "se celebrará en marzo" with ref 2024-01-18 -> "2024-03".
    """
    flat = plain(text)
    full = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", flat)
    if full:
        return _iso(*map(int, full.groups()))
    if re.search(r"\d0s\b", flat):
        return ""  # a decade ("the 1990s") is a period, not a date
    tokens = re.findall(r"\d+|[a-z]+", flat)
    words = set(tokens)
    if future and not words & (_THIS | _NEXT | _LAST):
        words.add("next")
    refp = parse_ref(ref)
    years = [int(t) for t in tokens if len(t) == 4 and t.isdigit() and 1800 <= int(t) <= 2200]
    days = [int(t) for t in tokens if len(t) <= 2 and t.isdigit() and 1 <= int(t) <= 31]
    if "primero" in words:
        days.append(1)
    months = [MONTHS[t] for t in tokens if t in MONTHS and not (t == "may" and lang == "es")]
    weekdays = [WEEKDAYS[t] for t in tokens if t in WEEKDAYS]
    if months:
        month = months[-1]
        year = years[0] if years else _relative_year(words, refp)
        if days and year:
            try:
                return date(year, month, days[0]).isoformat()
            except ValueError:
                return _iso(year, month)
        if days:
            return _day_month(days[0], month, refp)
        return _iso(year, month) if year else _month_only(month, words, refp)
    if years:
        return _iso(years[0])
    if weekdays and days and refp[2]:
        return _weekday_with_day(weekdays[0], days[0], refp) or _weekday(weekdays[0], words, refp)
    if weekdays:
        return _weekday(weekdays[0], words, refp)
    if words & _AGO:
        return _ago(tokens, lang, refp)
    offset = _day_offset(words)
    if offset is not None:
        return _cut(date(*refp) + timedelta(days=offset), refp) if refp[2] else _iso(refp[0], refp[1])
    unit = words & (_WEEK | _MONTH | _YEAR)
    counted = any(parse_number(token, lang)[0] for token in tokens if token not in _ONE_WORDS)
    if unit and (words & (_THIS | _NEXT | _LAST)) and not counted:
        return _shift(refp, unit, _step(words))
    if lang == "en":
        return _dateparser(text, ref)
    return ""


def _weekday_with_day(target: int, day: int, ref: tuple[int, int, int]) -> str:
    """Return the day numbered `day` nearest to `ref` that falls on weekday `target` ("el lunes día 5"), or ""."""
    base = date(*ref)
    fits = []
    for shift in (-1, 0, 1):
        months = ref[0] * 12 + ref[1] - 1 + shift
        try:
            candidate = date(months // 12, months % 12 + 1, day)
        except ValueError:
            continue
        if candidate.weekday() == target:
            fits.append(candidate)
    return min(fits, key=lambda d: abs((d - base).days)).isoformat() if fits else ""


def _relative_year(words: set[str], ref: tuple[int, int, int]) -> int:
    """Return the year that "last year" / "el año próximo" beside a month names, or 0 when none is said."""
    if not (words & _YEAR and ref[0]):
        return 0
    step = _step(words)
    return ref[0] + step if step else (ref[0] if words & _THIS else 0)


def _day_offset(words: set[str]) -> int | None:
    """Days from the reference for "yesterday", "hoy", "mañana" ("esta mañana" is this morning)."""
    if "manana" in words:
        if "pasado" in words:
            return 2
        return 0 if words & {"esta", "la", "por", "this"} else 1
    for word, offset in DAYS.items():
        if word in words:
            return offset * 2 if words & {"before", "after"} else offset
    return None


def _ago(tokens: list[str], lang: str, ref: tuple[int, int, int]) -> str:
    for index, token in enumerate(tokens):
        if token in _UNIT_DAYS or token.rstrip("s") in ("month", "year") or token in ("mes", "meses", "ano", "anos"):
            value, _ = parse_number(" ".join(tokens[max(0, index - 3):index]).replace("hace", ""), lang)
            count = int(value or 1)
            if token in _UNIT_DAYS:
                if not ref[2]:
                    return _iso(ref[0], ref[1])
                return (date(*ref) - timedelta(days=count * _UNIT_DAYS[token])).isoformat()
            unit = _YEAR if token.startswith(("year", "ano")) else _MONTH
            return _shift(ref, unit, -count)
    return ""


def _dateparser(text: str, ref: str) -> str:
    """English leftovers ("the day before yesterday") through dateparser, at the precision it reports."""
    refp = parse_ref(ref)
    if not refp[0]:
        return ""
    from datetime import datetime

    from dateparser.date import DateDataParser

    base = datetime(refp[0], refp[1] or 12, refp[2] or 28)
    parser = DateDataParser(languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
    data = parser.get_date_data(text)
    if data.date_obj is None:
        return ""
    found = data.date_obj.date()
    if data.period == "year":
        return _iso(found.year)
    if data.period == "month":
        return _iso(found.year, found.month)
    return _cut(found, refp)
