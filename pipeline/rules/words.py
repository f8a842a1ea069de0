"""The closed word lists the rule layer reads: articles, titles, pronouns, copulas, auxiliaries,
determiners.

One file per language, configs/words/<lang>.yml (see its header): each list has an id
`words.<lang>.<list>` and lower-case words. A list a language does not need is left out; a list
that is written must hold words. The code asks for one language's list (`of`) or, where the
same test serves every language (a name key drops any language's article), for the union of
every language's list (`union`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.rules.family import LANGS, READ_ERRORS, stamp
from pipeline.rules.files import Problem, line_of, read_yaml, validate
from pipeline.text import fold

RULE_PREFIX = "words."
# Lists compared with folded name words (lower case, no accents, no dots): written that way.
FOLDED = ("titles", "title_words", "anaphoric_determiners")


class WordList(BaseModel):
    """One list of a words file: its id and its words."""

    model_config = ConfigDict(extra="forbid")
    id: str
    words: list[str] = Field(min_length=1)


class WordsFile(BaseModel):
    """configs/words/<lang>.yml."""

    model_config = ConfigDict(extra="forbid")
    articles: WordList | None = None
    titles: WordList | None = None
    title_words: WordList | None = None
    object_pronouns: WordList | None = None
    person_pronouns: WordList | None = None
    reflexive_pronouns: WordList | None = None
    copulas: WordList | None = None
    passive_auxiliaries: WordList | None = None
    anaphoric_determiners: WordList | None = None


class WordLists:
    """The word lists of every language, as frozensets."""

    def __init__(self, files: dict[str, WordsFile]):
        self.lists: dict[tuple[str, str], frozenset[str]] = {}
        for lang, data in files.items():
            for name in WordsFile.model_fields:
                wordlist = getattr(data, name)
                if wordlist is not None:
                    self.lists[(lang, name)] = frozenset(wordlist.words)

    def of(self, lang: str, name: str) -> frozenset[str]:
        """Return the list `name` of `lang` (empty when the language has none)."""
        return self.lists.get((lang, name), frozenset())

    def union(self, name: str) -> frozenset[str]:
        """Return the words of the list `name` in every language."""
        return frozenset(word for (_, kind), words in self.lists.items() if kind == name for word in words)


def _check(data: WordsFile, raw, path: Path, lang: str) -> tuple[list[Problem], list[tuple[str, str, int]]]:
    problems: list[Problem] = []
    ids: list[tuple[str, str, int]] = []
    for name in WordsFile.model_fields:
        wordlist = getattr(data, name)
        if wordlist is None:
            continue
        line = line_of(raw, (name,))
        ids.append((wordlist.id, str(path), line))
        expected = f"{RULE_PREFIX}{lang}.{name}"
        if wordlist.id != expected:
            problems.append(Problem(str(path), line, f"{wordlist.id}: the id of this list is {expected!r}"))
        for index, word in enumerate(wordlist.words):
            at = line_of(raw, (name, "words", index))
            if not word.strip() or word != word.strip() or word != word.lower():
                problems.append(Problem(str(path), at, f"{wordlist.id}: {word!r} is not one lower-case word"))
            elif name in FOLDED and (fold(word) != word or "." in word):
                problems.append(Problem(str(path), at, f"{wordlist.id}: write {word!r} without accents or dots"))
        seen = [w for i, w in enumerate(wordlist.words) if w in wordlist.words[:i]]
        if seen:
            problems.append(Problem(str(path), line, f"{wordlist.id}: repeated words {sorted(set(seen))}"))
    return problems, ids


@functools.lru_cache(maxsize=8)
def _load(folder: str, stamped: tuple) -> tuple[WordLists | None, tuple[Problem, ...], tuple]:
    files: dict[str, WordsFile] = {}
    problems: list[Problem] = []
    ids: list[tuple[str, str, int]] = []
    base = Path(folder)
    for path in sorted(base.glob("*.y*ml")):
        if path.stem not in LANGS:
            problems.append(Problem(str(path), 0, f"unknown language {path.stem!r} (the languages are {', '.join(LANGS)})"))
    for lang in LANGS:
        path = base / f"{lang}.yml"
        if not path.exists():
            problems.append(Problem(str(path), 0, "cannot read: file not found"))
            continue
        raw, file_problems = read_yaml(path)
        if not file_problems:
            data, file_problems = validate(WordsFile, raw or {}, path)
            if data is not None:
                file_problems, file_ids = _check(data, raw, path, lang)
                files[lang] = data
                ids += file_ids
        problems += file_problems
    return (None if problems else WordLists(files)), tuple(problems), tuple(ids)


def load_words_rules(settings) -> tuple[WordLists | None, list[Problem], list[tuple[str, str, int]]]:
    """Load words/<lang>.yml named by settings; return (word lists or None, problems, list ids). Never raises."""
    folder = settings.rule_path("words")
    try:
        lists, problems, ids = _load(str(folder), stamp(folder))
    except READ_ERRORS as exc:
        return None, [Problem(str(folder), 0, f"cannot load: {exc}")], []
    return lists, list(problems), list(ids)


@functools.lru_cache(maxsize=8)
def words_for(config_dir: str = "") -> WordLists:
    """Return the word lists under `config_dir` (the default configs when empty); raise RuleError
    when they are invalid. For code built without a loaded rule set (tests, tools)."""
    from pipeline.config import load_settings
    from pipeline.rules.files import RuleError

    lists, problems, _ = load_words_rules(load_settings(config_dir or None))
    if problems or lists is None:
        raise RuleError(problems)
    return lists
