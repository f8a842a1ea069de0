"""persons.yml: its schema, its loader and the word lists of one language (see persons/__init__)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline import code_ids
from pipeline.rules.files import Problem, line_of, read_yaml, validate

RULE_PREFIX = "persons."  # ids of persons.yml lists
CODE_PREFIX = code_ids.PREFIX + "persons."  # built-in reasons: code.persons.acronym, .headline, ...


class WordList(BaseModel):
    """One list of persons.yml: id, language, the label it gives, its words."""

    model_config = ConfigDict(extra="forbid")
    id: str
    lang: str
    label: Literal["", "ORG", "PLACE", "MISC", "NORP"] = ""
    words: list[str]


class PersonsFile(BaseModel):
    """configs/persons.yml."""

    model_config = ConfigDict(extra="forbid")
    honorifics: list[WordList] = []
    lead_titles: list[WordList] = []
    particles: list[WordList] = []
    not_name: list[WordList] = []
    introducers: list[WordList] = []
    place_preps: list[WordList] = []
    media_preps: list[WordList] = []
    media_verb_preps: list[WordList] = []
    media_verbs: list[WordList] = []
    determiners: list[WordList] = []
    articles: list[WordList] = []
    of_words: list[WordList] = []


def load_persons_rules(settings) -> tuple[PersonsFile | None, list[Problem], list[tuple[str, str, int]]]:
    """Load persons.yml named by settings; return (rules or None, problems, rule ids). Never raises."""
    path = Path(settings.rule_path("persons"))
    raw, problems = read_yaml(path)
    if problems:
        return None, problems, []
    data, problems = validate(PersonsFile, raw or {}, path)
    if data is None:
        return None, problems, []
    ids = []
    for kind in PersonsFile.model_fields:
        for index, wordlist in enumerate(getattr(data, kind)):
            line = line_of(raw, (kind, index))
            ids.append((wordlist.id, str(path), line))
            if wordlist.lang not in settings.run.languages:
                problems.append(Problem(str(path), line, f"{wordlist.id}: unknown language {wordlist.lang!r}"))
            if not wordlist.id.startswith(RULE_PREFIX):
                problems.append(Problem(str(path), line, f"{wordlist.id}: ids start with {RULE_PREFIX!r}"))
            if kind not in ("honorifics", "lead_titles", "particles") and not wordlist.label:
                problems.append(Problem(str(path), line, f"{wordlist.id}: {kind} needs a label"))
    return (None if problems else data), problems, ids


class _Words:
    """The words of one kind for one language: word -> (list id, label)."""

    def __init__(self, lists: list[WordList], lang: str):
        self.map: dict[str, tuple[str, str]] = {}
        for wordlist in lists:
            if wordlist.lang == lang:
                for word in wordlist.words:
                    self.map.setdefault(word.lower(), (wordlist.id, wordlist.label))

    def get(self, word: str) -> tuple[str, str] | None:
        return self.map.get(word.lower()) or self.map.get(word.lower().rstrip("."))

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None


def is_filtered(rules: list[str] | None) -> bool:
    """True when the person filter decided that an entity is not a person."""
    return any(rule.startswith((RULE_PREFIX, CODE_PREFIX)) for rule in rules or ())
