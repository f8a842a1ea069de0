"""Office grammar rules: open lists of office HEADS and PORTFOLIOS (configs/offices.yml).

roles.yml lists offices one by one; offices.yml adds open lists of heads ("treasurer",
"alcalde", "titular") and portfolios ("Hacienda" -> Finance), so "Secretary of Veterans
Affairs", "el tesorero del partido" or "titular de Turismo" become roles with canonical English
labels built from their parts ("Tourism Minister"), the text's own words kept where the table
does not know a portfolio. This module holds the schema, the loader and the per-language
Grammar (heads as extra lexicon entries, the portfolio matcher); office_steps applies it to a Doc.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc

from pipeline.rules.files import Problem, line_of, read_yaml, validate
from pipeline.rules.roles.schema import AliasEntry, RoleEntry

LANGS = ("en", "es")
CONJUNCTIONS = {"and", "y", "e", "&"}
# Words that may sit inside an organization named after a head ("jefe de la misión de
# observadores en Bosnia"): determiners, "of" and "in" words. Anything else ends it.
INNER = {"de", "del", "of", "for", "the", "la", "el", "los", "las", "en", "in", "a", "al"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HeadEntry(_Strict):
    id: str
    label: str
    terms: dict[str, list[str]] = Field(min_length=1)
    plural: dict[str, list[str]] = {}
    portfolio: str = ""
    complement: bool = False
    verb: bool = False
    posted: bool = False
    local: bool = False


class PortfolioEntry(_Strict):
    id: str
    label: str
    short: str = ""
    terms: dict[str, list[str]] = Field(min_length=1)


class OfficesFile(_Strict):
    heads: list[HeadEntry] = []
    portfolios: list[PortfolioEntry] = []
    link_verbs: dict[str, list[str]] = {}
    appoint_verbs: dict[str, list[str]] = {}
    honorifics: dict[str, list[str]] = {}
    from_words: dict[str, list[str]] = {}
    ranks: dict[str, list[str]] = {}


def _check(data: OfficesFile, raw, path: Path) -> list[Problem]:
    problems = []
    for index, head in enumerate(data.heads):
        if head.portfolio:
            try:
                head.portfolio.format(portfolio="x", short="x")
            except (KeyError, IndexError, ValueError) as exc:
                line = line_of(raw, ("heads", index, "portfolio"))
                problems.append(Problem(str(path), line, f"{head.id}: bad portfolio label {head.portfolio!r} ({exc})"))
        for lang in (*head.terms, *head.plural):
            if lang not in LANGS:
                problems.append(Problem(str(path), line_of(raw, ("heads", index)), f"{head.id}: unknown language {lang!r}"))
    return problems


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: int) -> tuple[OfficesFile | None, tuple, tuple]:
    raw, problems = read_yaml(Path(path))
    if problems:
        return None, tuple(problems), ()
    data, problems = validate(OfficesFile, raw or {}, Path(path))
    if data is None:
        return None, tuple(problems), ()
    problems = _check(data, raw, Path(path))
    ids = [(e.id, path, line_of(raw, (section, i))) for section in ("heads", "portfolios") for i, e in enumerate(getattr(data, section))]
    return data, tuple(problems), tuple(ids)


def load_offices(path: Path) -> tuple[OfficesFile | None, list[Problem], list[tuple[str, str, int]]]:
    """Read offices.yml; return (rules or None, problems, rule ids). A missing file is no office grammar."""
    if not path.exists():
        return OfficesFile(), [], []
    try:
        data, problems, ids = _load(str(path), path.stat().st_mtime_ns)
    except Exception as exc:  # a loader reports, it never stops the run by itself
        return None, [Problem(str(path), 0, f"cannot load: {exc}")], []
    return data, list(problems), list(ids)


@dataclass
class Portfolio:
    """A portfolio found in the text: its label, short label and where it ends."""

    label: str
    short: str
    end: int
    id: str = "office.portfolio_words"


class Grammar:
    """The office grammar of one language: heads as extra lexicon entries, the portfolio table."""

    def __init__(self, nlp, offices: OfficesFile, lang: str, roles: dict, aliases: list, term_docs):
        self.lang = lang
        self.verbs = set(offices.link_verbs.get(lang, []))
        self.appoint = set(offices.appoint_verbs.get(lang, []))
        self.honorifics = {w.lower() for w in offices.honorifics.get(lang, [])}
        self.from_words = {w.lower() for w in offices.from_words.get(lang, [])}
        self.ranks = {w.lower() for w in offices.ranks.get(lang, [])}
        written = {" ".join(t.lower().split()) for a in aliases if a.lang == lang for t in a.terms}
        by_label = {role.label: role for role in roles.values()}
        self.roles_by_label = by_label
        self.head_by_term: dict[str, HeadEntry] = {}
        self.plural_keys: set[str] = set()
        self.roles: dict[str, RoleEntry] = {}
        self.head_roles: dict[str, RoleEntry] = {}  # the role of each head
        self.aliases: list[AliasEntry] = []
        for head in offices.heads:
            role = by_label.get(head.label)
            if role is None:
                role = RoleEntry(id=head.id, label=head.label, posted=head.posted, local=head.local)
                self.roles[role.id] = role
            self.head_roles[head.id] = role
            singular = head.terms.get(lang, [])
            for term in singular + head.plural.get(lang, []):
                self.head_by_term.setdefault(" ".join(term.lower().split()), head)
            new = [t for t in singular if " ".join(t.lower().split()) not in written]
            if new:
                self.aliases.append(AliasEntry(id=f"{head.id}.{lang}", role=role.id, lang=lang, terms=new))
            plural = [t for t in head.plural.get(lang, []) if " ".join(t.lower().split()) not in written]
            if plural:
                key = f"{head.id}.{lang}.plural"
                self.plural_keys.add(key)
                self.aliases.append(AliasEntry(id=key, role=role.id, lang=lang, terms=plural))
        self.portfolios = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.portfolio_by_id = {}
        for entry in offices.portfolios:
            terms = entry.terms.get(lang, [])
            if terms:
                self.portfolio_by_id[entry.id] = entry
                self.portfolios.add(entry.id, term_docs(nlp, terms))
        self.portfolio_names = {get_string_id(key): key for key in self.portfolio_by_id}
        self._cache: dict = {}  # head of each phrase core, for the Doc being read
        self._cache_doc = 0

    @staticmethod
    def hyphenated(terms: list[str]) -> list[str]:
        """Return the hyphen-joined forms of multi-word terms ("then-prime-minister")."""
        return [term.replace(" ", "-") for term in terms if " " in term]

    def head(self, doc: Doc, core: tuple[int, int], prefix: str = "", exact: bool = False) -> HeadEntry | None:
        """Return the head entry of a role phrase's core words ("ministro de comercio" -> minister)."""
        key = (id(doc), core, prefix, exact)
        if key[0] != self._cache_doc:
            self._cache, self._cache_doc = {}, key[0]
        if key not in self._cache:
            self._cache[key] = self._head(doc, core, prefix, exact)
        return self._cache[key]

    def _head(self, doc: Doc, core: tuple[int, int], prefix: str, exact: bool) -> HeadEntry | None:
        text = " ".join(t.lower_ for t in doc[core[0] : core[1]])
        if prefix and text.startswith(prefix):
            text = text[len(prefix) :]
        found = self.head_by_term.get(text)
        if found is None and core[1] - core[0] > 1 and not exact:
            found = self.head_by_term.get(doc[core[0]].lower_)
        return found

    def portfolio_spans(self, doc: Doc) -> dict[int, tuple[int, PortfolioEntry]]:
        """Return {start: (end, entry)} of the portfolio table's longest matches in `doc`."""
        found = {}
        spans = [(start, end, key) for key, start, end in self.portfolios(doc)]
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        last = -1
        for start, end, key in spans:
            if start >= last:
                found[start] = (end, self.portfolio_by_id[self.portfolio_names[key]])
                last = end
        return found
