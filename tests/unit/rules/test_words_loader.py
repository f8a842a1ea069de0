"""load_words_rules: the shipped word lists load; mistakes come back as file:line problems, never raised."""

import pytest

from pipeline.config import load_settings
from pipeline.rules.ruleset import load_ruleset
from pipeline.rules.files import RuleError
from pipeline.rules.words import load_words_rules


def test_words_loader_loads_shipped_lists():
    lists, problems, ids = load_words_rules(load_settings())
    assert problems == []
    assert lists.union("articles") == {"the", "la", "el", "los", "las"}
    assert lists.of("es", "passive_auxiliaries") == {"ser"} and lists.of("en", "passive_auxiliaries") == frozenset()
    assert "words.en.titles" in {rule_id for rule_id, _, _ in ids}
    assert all(rule_id.startswith("words.") for rule_id, _, _ in ids)


GOOD = """# a header
articles: {id: words.en.articles, words: [the]}
titles:
  id: words.en.titles
  words: [mr, senator]
"""


def test_words_loader_loads_a_good_file(config):
    (config / "words" / "en.yml").write_text(GOOD, encoding="utf-8")
    lists, problems, ids = load_words_rules(load_settings(config))
    assert problems == []
    assert lists.of("en", "titles") == {"mr", "senator"} and lists.of("en", "copulas") == frozenset()
    assert lists.union("articles") == {"the", "la", "el", "los", "las"}
    assert ("words.en.titles", str(config / "words" / "en.yml"), 3) in ids


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("articles: {id: words.en.articles, words: [the]}\nnouns: {id: words.en.nouns, words: [cat]}\n", 2, "Extra inputs"),
        ("articles: {id: words.en.articles, words: [the]}\ncopulas: {id: words.en.copulas, words: []}\n", 2, "at least 1 item"),
        ("articles:\n  id: words.en.articles\n  words:\n    - the\n    - The\n", 5, "not one lower-case word"),
        ("articles: {id: words.en.articles, words: [the, 'a b ']}\n", 1, "not one lower-case word"),
        ("titles:\n  id: words.en.titles\n  words: [mr, sr.]\n", 3, "without accents or dots"),
        ("titles: {id: words.en.titles, words: [señor]}\n", 1, "without accents or dots"),
        ("articles: {id: words.es.articles, words: [the]}\n", 1, "words.en.articles"),
        ("articles: {id: words.en.articles, words: [the, the]}\n", 1, "repeated"),
        ("articles: {id: words.en.articles}\n", 1, "Field required"),
        ("articles: [the\n", 2, "malformed YAML"),
    ],
)
def test_words_loader_reports_problems_at_their_line(config, text, line, message):
    path = config / "words" / "en.yml"
    path.write_text(text, encoding="utf-8")
    lists, problems, _ = load_words_rules(load_settings(config))
    assert lists is None
    assert any(p.file == str(path) and p.line == line and message in p.message for p in problems), problems


def test_words_loader_reports_missing_and_unknown_language_files(config):
    (config / "words" / "es.yml").unlink()
    (config / "words" / "fr.yml").write_text("articles: {id: words.fr.articles, words: [le]}\n", encoding="utf-8")
    _, problems, _ = load_words_rules(load_settings(config))
    messages = {(p.file, p.message.split(":")[0]) for p in problems}
    assert (str(config / "words" / "es.yml"), "cannot read") in messages
    assert any(file.endswith("fr.yml") and "unknown language" in message for file, message in messages)


def test_words_problems_stop_the_rule_set(config):
    (config / "words" / "en.yml").write_text("articles: {id: words.en.articles, words: [The]}\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_ruleset(load_settings(config))
    assert "en.yml:1: words.en.articles" in str(err.value)
