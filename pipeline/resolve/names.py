"""Name keys: how two spellings of one person, organization or place become one key, and which
forms of a name group together within a corpus.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.rules.words import WordLists, words_for
from pipeline.text import fold

if TYPE_CHECKING:  # annotations only: the actors file's loader uses these keys
    from pipeline.resolve.actors import ActorsFile


_SUFFIXES = frozenset("jr sr ii iii iv".split())


@functools.lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """Return a readable id fragment of `text`: "Andrés López" -> "andres-lopez"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def plain_key(text: str, articles: frozenset[str]) -> str:
    """Return the key of an organization or unknown place: folded, no punctuation or leading
    article (one of `articles`)."""
    words = re.sub(r"[^\w\s&-]", "", fold(text).replace("-", " ")).split()
    if len(words) > 1 and words[0] in articles:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class _Token:
    orig: str
    bare: str  # folded, without dots and apostrophes


class Names:
    """Turns person and organization texts into keys, with known actors, a place gazetteer and the
    word lists of configs/words/ (the shipped ones when `words` is None)."""

    def __init__(self, gazetteer=None, actors: ActorsFile | None = None, organizations=(), words: WordLists | None = None):
        self.gazetteer = gazetteer
        words = words if words is not None else words_for()
        # Name keys are compared whatever the language of the text: every language's words.
        self.articles = words.union("articles")
        self.titles = words.union("titles")
        self.title_words = words.union("title_words")
        self.definites = words.union("anaphoric_determiners")
        self._persons: dict[str, tuple[str, str]] = {}
        self.person_alias: dict[str, str] = {}
        self.person_label: dict[str, str] = {}
        self.org_alias: dict[str, str] = {}
        self.org_label: dict[str, str] = {}
        self.never: set[frozenset[str]] = set()
        for actor in actors.actors if actors else ():
            if actor.type == "person":
                canon = self._raw_person_key(actor.name)
                self.person_label[canon] = actor.name
                for alias in actor.aliases:
                    self.person_alias[self._raw_person_key(alias)] = canon
                for other in actor.do_not_merge:
                    self.never.add(frozenset((canon, self._raw_person_key(other))))
            else:
                self._add_org(actor.name, actor.aliases)
        for org in organizations:  # roles.yml's bilingual names: "Casa Blanca" is "White House"
            self._add_org(org.name, [name for names in org.names.values() for name in names])

    def plain_key(self, text: str) -> str:
        """Return the key of an organization or unknown place (see `plain_key`)."""
        return plain_key(text, self.articles)

    def _add_org(self, name: str, aliases) -> None:
        canon = self.plain_key(name)
        self.org_label[canon] = name
        for alias in aliases:
            self.org_alias[self.plain_key(alias)] = canon

    def _is_place(self, bare: str) -> bool:
        gaz = self.gazetteer
        return bool(gaz and (gaz.canonical(bare) or gaz.country_of(bare)))

    def _tokens(self, text: str) -> list[_Token]:
        tokens = []
        for word in text.split(",")[0].split():
            word = re.sub(r"['’]s$", "", word.strip("\"'“”«»()[]:;")).rstrip("'’")
            bare = re.sub(r"[.'’]", "", fold(word))
            if bare:
                tokens.append(_Token(word, bare))
        return tokens

    def _strip(self, tokens: list[_Token]) -> list[_Token]:
        # A leading title phrase ("Mexican President", "el secretario de Estado") ends at its
        # last title word; only title words, places, demonyms and lower-case words may precede it.
        last = -1
        for i, tok in enumerate(tokens[:-1]):
            if tok.bare in self.titles:
                last = i
            elif not (tok.bare in self.title_words or tok.orig[:1].islower() or self._is_place(tok.bare)):
                break
        start = last + 1
        while last >= 0 and start < len(tokens) - 1 and (
            tokens[start].bare in self.title_words or tokens[start].orig[:1].islower() or self._is_place(tokens[start].bare)
        ):
            start += 1
        tokens = tokens[start:]
        while tokens and (tokens[-1].orig[:1].islower() or tokens[-1].bare in _SUFFIXES) and len(tokens) > 1:
            tokens = tokens[:-1]
        if any(len(t.bare) > 1 for t in tokens):  # initials: "Antony J. Blinken", "J. Blinken"
            tokens = [t for t in tokens if len(t.bare) > 1]
        if any(ch.isdigit() for t in tokens for ch in t.bare) or (tokens and tokens[0].orig[:1].islower()):
            return []
        if all(t.bare in self.titles or t.bare in self.title_words for t in tokens):
            return []
        return tokens

    def _raw_person_key(self, text: str) -> str:
        return " ".join(t.bare for t in self._strip(self._tokens(text)))

    def person(self, text: str) -> tuple[str, str]:
        """Return (key, display form) of a person's name; ("", "") when it holds no name."""
        if text not in self._persons:  # names repeat across a corpus; keys are pure functions of text
            tokens = self._strip(self._tokens(text))
            key = " ".join(t.bare for t in tokens)
            self._persons[text] = (self.person_alias.get(key, key), " ".join(t.orig for t in tokens))
        return self._persons[text]

    def org(self, text: str) -> str:
        """Return the key of an organization name ("The White House" -> "white house")."""
        key = self.plain_key(text)
        return self.org_alias.get(key, key)

    def place(self, text: str, norm: str = "") -> str:
        """Return the canonical name of a place: norm, else the gazetteer's, else the text without article."""
        if norm:
            return norm
        canonical = self.gazetteer.canonical(text) if self.gazetteer and text else ""
        if canonical:
            return canonical
        words = text.strip().split()
        if len(words) > 1 and fold(words[0]) in self.articles:
            words = words[1:]
        return " ".join(words).strip(".,;:")

    def place_rank(self, name: str) -> int:
        """Return how specific a place is: city 3, unknown 2 (towns, venues), region 2, country 1."""
        kind = self.gazetteer.kind(name) if self.gazetteer and name else ""
        return {"city": 3, "region": 2, "country": 1}.get(kind, 2 if name else 0)

    def unknown_place(self, name: str) -> bool:
        """True for a place name the gazetteer does not know (a venue, a small town)."""
        return bool(name) and not (self.gazetteer and self.gazetteer.kind(name))

    def places_compatible(self, a: str, b: str) -> bool:
        """Return True when place names a and b can be one place (equal, one unknown, or nested)."""
        if not a or not b or slug(a) == slug(b):
            return True
        gaz = self.gazetteer
        return bool(gaz) and (gaz.country_of(a) == b or gaz.country_of(b) == a)

    def blocked(self, a: str, b: str) -> bool:
        """Return True when actors.yml says keys a and b never name one person."""
        return frozenset((a, b)) in self.never


def _near(a: str, b: str) -> bool:
    """Return True for first names one inserted letter apart (Antony/Anthony), four letters or more."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1 or len(short) < 4:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def group_names(counts: Counter, names: Names) -> tuple[dict[str, str], set[str]]:
    """Group person keys into persons; return ({key: representative key}, ambiguous partial keys).

    Full keys with one surname and near first names share the most frequent key. A partial key
    maps to the representative of the one person it is part of: first a key that starts a
    longer name ("andres manuel lopez" of "andres manuel lopez obrador": the maternal surname
    dropped), then a key that ends one ("blinken", "lopez obrador").
    """
    keys = sorted(counts)
    suffixes: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        words = key.split()
        for i in range(1, len(words)):
            suffixes[" ".join(words[i:])].add(key)
            if i > 1:
                prefixes[" ".join(words[:i])].add(key)
    full = [k for k in keys if k not in suffixes and k not in prefixes]
    rep: dict[str, str] = {}
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key in full:
        if " " in key:
            by_surname[key.rsplit(" ", 1)[1]].append(key)
        else:
            rep[key] = key
    for group in by_surname.values():
        clusters: list[list[str]] = []
        for key in sorted(group, key=lambda k: (-counts[k], -len(k), k)):
            first = key.rsplit(" ", 1)[0]
            for cluster in clusters:
                if all(_near(first, other.rsplit(" ", 1)[0]) and not names.blocked(key, other) for other in cluster):
                    cluster.append(key)
                    break
            else:
                clusters.append([key])
        for cluster in clusters:
            for key in cluster:
                rep[key] = cluster[0]

    def owners(key: str, known: dict[str, str], tables) -> set[str]:
        return {known[o] for table in tables for o in table.get(key, ()) if o in known and not names.blocked(key, o)}

    whole = dict(rep)
    for key in keys:
        if key not in rep and key in prefixes:
            found = owners(key, whole, (prefixes,))
            if len(found) == 1:
                rep[key] = found.pop()
    known = dict(rep)
    ambiguous = set()
    for key in keys:
        if key in known:
            continue
        found = owners(key, known, (prefixes, suffixes))
        if len(found) > 1:
            ambiguous.add(key)
        else:
            rep[key] = found.pop() if found else key
    return rep, ambiguous


def _attach_single_words(rep: dict[str, str]) -> dict[str, str]:
    """Within one document, map a one-word name that is a word of exactly one longer name to
    that person ("Lula" of "Luiz Inácio Lula da Silva", "Yoon" of "Yoon Suk Yeol"); return rep.

    Only document-wide: across a corpus a lone given name or family name is too weak a clue.
    """
    longer = sorted({target for target in rep.values() if " " in target})
    for key, target in rep.items():
        if " " not in key and target == key:
            found = [name for name in longer if key in name.split()]
            if len(found) == 1:
                rep[key] = found[0]
    return rep


def _org_form(text: str) -> str:
    return re.sub(r"^(the|la|el|los|las)\s+", "", text.strip(), flags=re.IGNORECASE)


def _best(forms: Counter) -> str:
    return min(forms, key=lambda f: (-forms[f], f)) if forms else ""


def _best_name(forms: Counter) -> str:
    """Return the most complete, accented, frequent form ("Andrés Manuel López Obrador")."""
    return min(
        forms,
        key=lambda f: (-len(f.split()), f.isupper(), fold(f) == f.lower(), -forms[f], f),
    )
