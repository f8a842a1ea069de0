"""Bilingual place gazetteer: countries, cities and regions with English/Spanish names and demonyms.

Loaded from configs/places.yml. Lookups are accent-, case- and punctuation-insensitive, so
"EE.UU.", "EEUU" and "the United States" all give "United States". Spanish demonyms are
written once (masculine singular) and their feminine and plural forms are derived here;
English demonyms get their plural ("Mexicans") the same way.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pydantic import BaseModel, ConfigDict

from pipeline.rules.files import Problem, line_of, read_yaml, validate
from pipeline.rules.words import load_words_rules
from pipeline.text import strip_accents

KINDS = ("country", "city", "region")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str  # canonical English name
    es: str = ""  # Spanish name when it differs
    aliases: list[str] = []  # other spellings and abbreviations, any language
    country: str = ""  # cities and regions: canonical name of their country
    demonyms: dict[str, list[str]] = {}  # lang -> base forms (es: masculine singular)


class _PlacesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    countries: list[_Entry] = []
    cities: list[_Entry] = []
    regions: list[_Entry] = []


@dataclass
class Place:
    """One gazetteer entry: canonical name, kind, country and every surface form."""

    id: str
    name: str
    kind: str
    country: str
    names: list[str] = field(default_factory=list)
    demonyms: dict[str, list[str]] = field(default_factory=dict)


@functools.lru_cache(maxsize=1 << 16)
def place_key(text: str) -> str:
    """Return the lookup key of a place text: no accents, lower case, no punctuation."""
    text = strip_accents(text.replace("’", "'")).lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[-–/]", " ", text)
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


def _without_article(key: str, articles: frozenset[str]) -> str:
    first, _, rest = key.partition(" ")
    return rest if first in articles and rest else key


def spanish_forms(word: str) -> list[str]:
    """Return a Spanish demonym with its feminine and plural forms ("mexicano" -> 4 forms)."""
    if word.endswith("o"):
        stem = word[:-1]
        return [word, stem + "a", stem + "os", stem + "as"]
    for accented, plain in (("és", "es"), ("án", "an"), ("ín", "in"), ("ón", "on")):
        if word.endswith(accented):
            stem = word[: -len(accented)] + plain
            return [word, stem + "a", stem + "es", stem + "as"]
    if word[-1] in "íú":
        return [word, word + "es", word + "s"]
    if word[-1] in "aeé":
        return [word, word + "s"]
    if word[-1] in "lrn":
        return [word, word + "a", word + "es", word + "as"]
    return [word, word + "s"]


def english_forms(word: str) -> list[str]:
    """Return an English demonym and its plural; "Chinese", "French", "Swiss" have none."""
    if word.endswith(("ese", "sh", "ch", "ss", "s", "x", "z")):
        return [word]
    return [word, word + "s"]


_INFLECT = {"es": spanish_forms, "en": english_forms}


class Gazetteer:
    """Place names and demonyms of both languages, keyed for insensitive lookup; a name is also
    looked up without its leading article (one of `articles`, any language's: words/<lang>.yml)."""

    def __init__(self, places: Iterable[Place], articles: Iterable[str] = ()):
        self.articles = frozenset(articles)
        self.places: dict[str, Place] = {}
        self._names: dict[str, str] = {}
        self._demonyms: dict[str, str] = {}
        for place in places:
            self.places[place.name] = place
            for name in place.names:
                self._names.setdefault(place_key(name), place.name)
            for forms in place.demonyms.values():
                for form in forms:
                    self._demonyms.setdefault(place_key(form), place.name)

    def _lookup(self, table: dict[str, str], text: str) -> str:
        key = place_key(text)
        return table.get(key) or table.get(_without_article(key, self.articles), "")

    def canonical(self, text: str) -> str:
        """Return the canonical English name of a place name ("EE.UU." -> "United States"), or ""."""
        return self._lookup(self._names, text)

    def demonym_place(self, text: str) -> str:
        """Return the place a demonym names ("mexicanas" -> "Mexico", "europeo" -> "Europe"), or ""."""
        return self._lookup(self._demonyms, text)

    def country_of(self, text: str) -> str:
        """Return the country of a place name, city or demonym ("CDMX" -> "Mexico"), or ""."""
        name = self.canonical(text) or self.demonym_place(text)
        place = self.places.get(name)
        if place is None:
            return ""
        return place.name if place.kind == "country" else place.country

    def kind(self, canonical: str) -> str:
        """Return "country", "city" or "region" for a canonical name, "" when unknown."""
        place = self.places.get(canonical)
        return place.kind if place else ""

    def rule_id(self, canonical: str) -> str:
        """Return the rule id of a canonical place ("place.mexico"), "" when unknown."""
        place = self.places.get(canonical)
        return place.id if place else ""

    def demonyms(self, lang: str) -> list[str]:
        """Return every demonym form of `lang` ("mexicano", "mexicanas", ...)."""
        return [form for place in self.places.values() for form in place.demonyms.get(lang, [])]

    def names(self) -> list[tuple[str, str]]:
        """Return (surface form, canonical name) for every place name of both languages."""
        return [(name, place.name) for place in self.places.values() for name in place.names]


def _slug(name: str) -> str:
    return "place." + place_key(name).replace(" ", "_")


def _build(data: _PlacesFile, raw, path: Path) -> tuple[list[Place], list[Problem], list[tuple[str, str, int]]]:
    places: list[Place] = []
    problems: list[Problem] = []
    ids: list[tuple[str, str, int]] = []
    owner: dict[str, str] = {}
    countries = {entry.name for entry in data.countries}
    for section, kind in (("countries", "country"), ("cities", "city"), ("regions", "region")):
        for index, entry in enumerate(getattr(data, section)):
            line = line_of(raw, (section, index))
            if kind == "city" and entry.country not in countries:
                problems.append(Problem(str(path), line, f"{entry.name}: unknown country {entry.country!r}"))
            if kind == "region" and entry.country and entry.country not in countries:
                problems.append(Problem(str(path), line, f"{entry.name}: unknown country {entry.country!r}"))
            names = [entry.name] + ([entry.es] if entry.es else []) + entry.aliases
            for name in names:
                key = place_key(name)
                if owner.get(key, entry.name) != entry.name:
                    problems.append(Problem(str(path), line, f"{name!r} already names {owner[key]!r}"))
                owner.setdefault(key, entry.name)
            demonyms = {}
            for lang, bases in entry.demonyms.items():
                inflect = _INFLECT.get(lang, lambda word: [word])
                demonyms[lang] = list(dict.fromkeys(form for base in bases for form in inflect(base)))
            place = Place(_slug(entry.name), entry.name, kind, entry.country, names, demonyms)
            ids.append((place.id, str(path), line))
            places.append(place)
    return places, problems, ids


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float, articles: frozenset[str]) -> tuple[Gazetteer | None, tuple[Problem, ...], tuple]:
    raw, problems = read_yaml(Path(path))
    if problems:
        return None, tuple(problems), ()
    data, problems = validate(_PlacesFile, raw or {}, Path(path))
    if data is None:
        return None, tuple(problems), ()
    places, problems, ids = _build(data, raw, Path(path))
    return Gazetteer(places, articles), tuple(problems), tuple(ids)


def load_places_rules(settings) -> tuple[Gazetteer | None, list[Problem], list[tuple[str, str, int]]]:
    """Load places.yml named by settings; return (gazetteer or None, problems, rule ids). Never raises.

    The gazetteer drops the articles of words/<lang>.yml; that family reports its own problems."""
    path = settings.rule_path("places")
    words = load_words_rules(settings)[0]
    articles = words.union("articles") if words is not None else frozenset()
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        return None, [Problem(str(path), 0, f"cannot read: {exc}")], []
    gazetteer, problems, ids = _load(str(path), mtime, articles)
    return gazetteer, list(problems), list(ids)
