"""The office grammar (configs/offices.yml): loading, problems at their line, heads joining the lexicon."""

import pytest
import spacy

from pipeline.config import load_settings
from pipeline.rules.roles.lexicon import Lexicon
from pipeline.rules.roles.loader import load_roles_rules


def test_offices_grammar_loads_shipped_heads_and_portfolios():
    rules, problems, ids = load_roles_rules(load_settings())
    assert problems == []
    heads = {head.id for head in rules.offices.heads}
    portfolios = {entry.id for entry in rules.offices.portfolios}
    assert {"office.treasurer", "office.minister"} <= heads
    assert {"portfolio.finance", "portfolio.tourism"} <= portfolios
    assert {"office.treasurer", "portfolio.finance"} <= {rule_id for rule_id, _, _ in ids}


@pytest.mark.parametrize(
    "entry,message",
    [
        ('  - {id: office.bogus, label: Bogus, portfolio: "{nope} Bogus", terms: {en: [bogus]}}\n', "portfolio label"),
        ("  - {id: office.bogus, label: Bogus, terms: {fr: [bogus]}}\n", "unknown language"),
        ("  - {id: office.bogus, label: Bogus, terms: {en: [bogus]}, colour: red}\n", "colour"),
    ],
)
def test_offices_grammar_reports_bad_head_at_its_line(config, entry, message):
    path = config / "offices.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("heads:\n") + 1
    lines.insert(at, entry)
    path.write_text("".join(lines), encoding="utf-8")
    _, problems, _ = load_roles_rules(load_settings(config))
    assert any(p.file == str(path) and p.line == at + 1 and message in p.message for p in problems), problems


def test_offices_grammar_missing_file_is_no_grammar(config):
    (config / "offices.yml").unlink()
    rules, problems, _ = load_roles_rules(load_settings(config))
    assert problems == [] and rules.offices.heads == []


@pytest.mark.parametrize(
    "lang,term,role,alias_prefix",
    [
        ("es", "tesorero", "Treasurer", "office.treasurer"),
        ("en", "treasurer", "Treasurer", "office.treasurer"),
        ("es", "alcalde", "Mayor", "alias.es.mayor"),  # the lexicon keeps its own terms
        ("en", "presidents", "President", "office.president"),
    ],
)
def test_offices_grammar_heads_join_the_lexicon(lang, term, role, alias_prefix):
    rules, _, _ = load_roles_rules(load_settings())
    nlp = spacy.blank(lang)
    lex = Lexicon(nlp, rules, lang)
    doc = nlp(f"x {term} y")
    found = [(lex.alias_by_key[nlp.vocab.strings[key]], start) for key, start, _ in lex.aliases(doc)]
    assert [(alias.id.split(".")[:2], lex.roles[alias.role].label) for alias, start in found if start == 1] == [
        (alias_prefix.split(".")[:2], role)
    ]
