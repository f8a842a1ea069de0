"""The place gazetteer: canonical names, countries, kinds, demonym forms and the loader's problems."""

import pytest

from pipeline.config import Settings, load_settings
from pipeline.rules.places import english_forms, load_places_rules, place_key, spanish_forms

GAZETTEER, PROBLEMS, IDS = load_places_rules(load_settings())


def test_places_file_loads_cleanly():
    assert PROBLEMS == [] and GAZETTEER is not None
    assert sum(1 for p in GAZETTEER.places.values() if p.kind == "country") >= 193


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("EE.UU.", "United States"), ("EEUU", "United States"), ("the United States", "United States"),
        ("U.S.", "United States"), ("Estados Unidos", "United States"), ("México", "Mexico"),
        ("mexico", "Mexico"), ("Mexico's", "Mexico"), ("CDMX", "Mexico City"),
        ("la Ciudad de México", "Mexico City"), ("El Salvador", "El Salvador"), ("La Habana", "Havana"),
        ("Reino Unido", "United Kingdom"), ("Pekín", "Beijing"), ("Mexican", ""), ("Blinken", ""),
    ],
)
def test_places_canonical(text, canonical):
    assert GAZETTEER.canonical(text) == canonical


@pytest.mark.parametrize(
    "text, country",
    [
        ("Mexican", "Mexico"), ("mexicanas", "Mexico"), ("estadounidenses", "United States"),
        ("Americans", "United States"), ("canadiense", "Canada"), ("francesas", "France"),
        ("alemanes", "Germany"), ("CDMX", "Mexico"), ("Texas", "United States"), ("Chiapas", "Mexico"),
        ("Mexico", "Mexico"), ("European", ""), ("Europe", ""), ("nowhere", ""),
    ],
)
def test_places_country_of(text, country):
    assert GAZETTEER.country_of(text) == country


@pytest.mark.parametrize(
    "canonical, kind",
    [("Mexico", "country"), ("Mexico City", "city"), ("Texas", "region"), ("Latin America", "region"), ("Blinken", "")],
)
def test_places_kind(canonical, kind):
    assert GAZETTEER.kind(canonical) == kind


@pytest.mark.parametrize(
    "word, forms",
    [
        ("mexicano", ["mexicano", "mexicana", "mexicanos", "mexicanas"]),
        ("estadounidense", ["estadounidense", "estadounidenses"]),
        ("francés", ["francés", "francesa", "franceses", "francesas"]),
        ("alemán", ["alemán", "alemana", "alemanes", "alemanas"]),
        ("letón", ["letón", "letona", "letones", "letonas"]),
        ("marroquí", ["marroquí", "marroquíes", "marroquís"]),
        ("español", ["español", "española", "españoles", "españolas"]),
        ("belga", ["belga", "belgas"]),
    ],
)
def test_places_spanish_forms(word, forms):
    assert spanish_forms(word) == forms


@pytest.mark.parametrize(
    "word, forms",
    [("Mexican", ["Mexican", "Mexicans"]), ("Chinese", ["Chinese"]), ("French", ["French"]), ("Swiss", ["Swiss"])],
)
def test_places_english_forms(word, forms):
    assert english_forms(word) == forms


def test_places_demonyms_per_language():
    assert {"mexicano", "mexicanas", "estadounidenses"} <= set(GAZETTEER.demonyms("es"))
    assert {"Mexican", "Americans"} <= set(GAZETTEER.demonyms("en"))


@pytest.mark.parametrize("text, key", [("EE. UU.", "ee uu"), ("Côte d’Ivoire", "cote divoire"), ("Guinea-Bissau", "guinea bissau")])
def test_places_key(text, key):
    assert place_key(text) == key


@pytest.mark.parametrize(
    "body, message",
    [
        ("countries: [\n  {name: A, es: B}\n  oops", "malformed YAML"),
        ("countries:\n  - {name: A, colour: red}\n", "colour"),
        ("countries:\n  - {name: A}\ncities:\n  - {name: C, country: Nowhere}\n", "unknown country"),
        ("countries:\n  - {name: A, aliases: [X]}\n  - {name: B, aliases: [x]}\n", "already names"),
    ],
)
def test_places_loader_reports_problems(tmp_path, body, message):
    (tmp_path / "places.yml").write_text(body, encoding="utf-8")
    gazetteer, problems, _ = load_places_rules(Settings(models={"en": "x"}, config_dir=tmp_path))
    assert problems and message in str(problems[0])
    assert all(p.line > 0 for p in problems)


def test_places_loader_missing_file(tmp_path):
    gazetteer, problems, ids = load_places_rules(Settings(models={"en": "x"}, config_dir=tmp_path))
    assert gazetteer is None and problems and ids == []


def test_places_ids_unique():
    ids = [rule_id for rule_id, _, _ in IDS]
    assert len(ids) == len(set(ids)) and "place.mexico_city" in ids
