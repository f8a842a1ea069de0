"""Load and validate rule files (YAML lexicons, JSONL patterns) with file:line error reports.

Each rule family (entities, roles, meetings, places, actors) owns its schema and a loader
in its own module; this module gives them the shared readers and collects every problem
into one RuleError, so a researcher sees all mistakes at once and no output is written.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.regular import BadEntry, read_regular

M = TypeVar("M", bound=BaseModel)
MAX_RULE_BYTES = 16 * 1024 * 1024  # the shipped rule files are under 40 KB each
MAX_YAML_VALUES = 1_000_000  # values of a YAML file with every alias expanded ("billion laughs")


def read_text(path: Path) -> str:
    """Return the text of a rule file: a regular file (a symlink's target must be one) of at
    most MAX_RULE_BYTES; raise OSError otherwise (a FIFO or device is never opened), or
    UnicodeDecodeError."""
    try:
        data = read_regular(path, MAX_RULE_BYTES, follow=True)
    except BadEntry as exc:
        raise OSError(f"not a regular file of at most {MAX_RULE_BYTES // 2**20} MB") from exc
    if data is None:
        raise FileNotFoundError(f"{path}: file not found")
    return data.decode("utf-8")


def expanded_size(value: Any, limit: int = MAX_YAML_VALUES) -> int:
    """Return how many values `value` holds with shared (aliased) parts counted every time they
    appear, stopping past `limit`; linear in the distinct values, however deep the aliases nest."""
    sizes: dict[int, int] = {}

    def size(item: Any) -> int:
        if not isinstance(item, (dict, list)):
            return 1
        known = sizes.get(id(item))
        if known is None:
            children = item.values() if isinstance(item, dict) else item
            known = 1
            for child in children:
                known += size(child)
                if known > limit:
                    break
            sizes[id(item)] = known
        return known

    return size(value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rule file, at a line (1-based; 0 when the line is unknown)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class RuleError(Exception):
    """Raised when rule files are invalid; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the rule files:\n{lines}")


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader (libyaml's parser when present: ~5x faster) that remembers the line of every
    mapping key and sequence item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False):
    mapping = {}
    lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        lines[key] = key_node.start_mark.line + 1
    return _LineDict(mapping, lines, node.start_mark.line + 1)


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode, deep: bool = False):
    items = [loader.construct_object(child, deep=True) for child in node.value]
    return _LineList(items, [child.start_mark.line + 1 for child in node.value], node.start_mark.line + 1)


class _LineDict(dict):
    def __init__(self, data, lines, line):
        super().__init__(data)
        self.lines = lines
        self.line = line


class _LineList(list):
    def __init__(self, data, lines, line):
        super().__init__(data)
        self.lines = lines
        self.line = line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def line_of(data: Any, loc: Iterable[Any]) -> int:
    """Return the YAML line of the value at path `loc` inside data read by `read_yaml`."""
    line = getattr(data, "line", 0)
    node = data
    for key in loc:
        if isinstance(node, _LineDict) and key in node:
            line, node = node.lines[key], node[key]
        elif isinstance(node, _LineList) and isinstance(key, int) and 0 <= key < len(node):
            line, node = node.lines[key], node[key]
        else:
            break
    return line


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse a YAML file; return (data with line info, problems). Missing file -> problem."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 0, f"cannot read: {exc}")]
    try:
        data = yaml.load(text, Loader=_LineLoader)
        if expanded_size(data) > MAX_YAML_VALUES:
            return None, [Problem(str(path), 0, f"more than {MAX_YAML_VALUES} values once its aliases (*name) are "
                                                 "expanded: refused (a YAML alias bomb?)")]
        return data, []
    except RecursionError:
        return None, [Problem(str(path), 0, "nested too deeply")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(str(path), line, f"malformed YAML: {reason}")]


def validate(model: type[M], data: Any, path: Path, root: Any = None, base: tuple = ()) -> tuple[M | None, list[Problem]]:
    """Validate `data` against a pydantic model; map each error to its YAML line.

    `root` is the whole document read by `read_yaml` and `base` the path of `data` inside it,
    so errors in nested entries point at the right line. Returns (object or None, problems).
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        root = data if root is None else root
        problems = []
        for err in exc.errors():
            loc = base + tuple(err["loc"])
            where = ".".join(str(part) for part in loc) or "(top level)"
            problems.append(Problem(str(path), line_of(root, loc), f"{where}: {err['msg']}"))
        return None, problems


def read_jsonl(path: Path, model: type[M]) -> tuple[list[tuple[int, M]], list[Problem]]:
    """Read a JSONL rule file, one rule per line; return ([(line, rule)], problems)."""
    rules: list[tuple[int, M]] = []
    problems: list[Problem] = []
    try:
        lines = read_text(path).splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(str(path), 0, f"cannot read: {exc}")]
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(path), number, f"malformed JSON: {exc.msg} (column {exc.colno})"))
            continue
        try:
            rules.append((number, model.model_validate(data)))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(part) for part in err["loc"]) or "(line)"
                problems.append(Problem(str(path), number, f"{where}: {err['msg']}"))
    return rules, problems


@functools.lru_cache(maxsize=1)
def check_vocab():
    """Return the vocabulary patterns are validated against, made once per process.

    spaCy checks a pattern against its schema, whatever the language: a bare Vocab does, and
    costs nothing next to the 0.1 s of a blank pipeline's tokenizer.
    """
    from spacy.vocab import Vocab

    return Vocab()


def check_token_pattern(pattern: list[dict[str, Any]], vocab) -> str:
    """Return spaCy's complaint about a Matcher token pattern, or "" when it is valid."""
    from spacy.matcher import Matcher

    try:
        Matcher(vocab, validate=True).add("check", [pattern])
    except Exception as exc:  # spaCy raises ValueError/MatchPatternError with the reason
        return " ".join(str(exc).split())
    return ""


def duplicate_ids(entries: Iterable[tuple[str, str, int]]) -> list[Problem]:
    """Given (rule id, file, line) triples, return a problem for each id seen twice."""
    seen: dict[str, tuple[str, int]] = {}
    problems = []
    for rule_id, file, line in entries:
        if rule_id in seen:
            first_file, first_line = seen[rule_id]
            problems.append(Problem(file, line, f"duplicate rule id {rule_id!r} (first at {first_file}:{first_line})"))
        else:
            seen[rule_id] = (file, line)
    return problems
