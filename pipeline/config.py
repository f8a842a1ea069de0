"""Settings from configs/settings.toml: models per language, run options, rule file paths.

Where the settings come from, first found wins: the --config folder; ./configs/ when the working
folder has one (a project made by `actorgraph init`, or the checkout); the defaults, which are the
checkout's configs/ or, installed from a wheel, the copy shipped inside the package (pipeline/data/).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib
    import tomli as tomllib


PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# What a wheel ships (pipeline/wheel.py copies configs/, models/ and the viewer's JavaScript in here).
PACKAGE_DATA = PACKAGE_DIR / "data"


def _is_checkout(root: Path) -> bool:
    return (root / "pyproject.toml").is_file() and (root / "configs" / "settings.toml").is_file()


# The folder holding the default configs/ and models/: the checkout, or the installed package's data.
DEFAULTS_ROOT = PROJECT_ROOT if _is_checkout(PROJECT_ROOT) else PACKAGE_DATA
DEFAULT_CONFIG_DIR = DEFAULTS_ROOT / "configs"
MAX_SETTINGS_BYTES = 1024 * 1024


class RunSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    languages: list[str] = ["en", "es"]
    batch_size: int = Field(32, ge=1, le=10_000)
    # characters per spaCy batch (and the longest chunk of a long text): what bounds a parser's memory;
    # 50,000: 1 MB of text peaks at 390 MiB in one process, 925 MiB with 200,000
    batch_chars: int = Field(50_000, ge=1_000, le=5_000_000)
    workers: int = Field(1, ge=0, le=4096)
    max_chars: int = Field(200_000, ge=1_000, le=1_000_000)  # spaCy refuses texts over 1,000,000

    @property
    def chunk_chars(self) -> int:
        """The longest text sent to spaCy: a chunk of a long document fits in one batch."""
        return min(self.max_chars, self.batch_chars)


class Limits(BaseModel):
    """Caps on the work one document may cause; hitting one adds a warning to the document."""

    model_config = ConfigDict(extra="forbid")
    max_rule_matches: int = Field(1000, ge=1)
    max_match_window: int = Field(100, ge=20)
    max_participants: int = Field(50, ge=2)
    max_pairings: int = Field(20_000, ge=100)
    max_cooccurring: int = Field(50, ge=2)
    max_sentence_chars: int = Field(2000, ge=100)


class RuleFiles(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: str = "roles.yml"
    offices: str = "offices.yml"
    meetings: str = "meetings.yml"
    places: str = "places.yml"
    actors: str = "actors.yml"
    persons: str = "persons.yml"
    words: str = "words"
    patterns: str = "patterns"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    models: dict[str, str]
    run: RunSettings = RunSettings()
    limits: Limits = Limits()
    rules: RuleFiles = RuleFiles()
    config_dir: Path = DEFAULT_CONFIG_DIR

    def model_ref(self, lang: str) -> str:
        """Return what spacy.load takes for `lang`: a package name or an absolute path.

        A relative path is looked up in the project folder (the one above the config folder),
        then among the models shipped with actorgraph (the checkout's or the installed models/).
        """
        ref = self.models[lang]
        if "/" in ref or ref.startswith("."):
            own = (self.config_dir.parent / ref).resolve()
            return str(own if own.exists() else (DEFAULTS_ROOT / ref).resolve())
        return ref

    def rule_path(self, name: str) -> Path:
        """Return the absolute path of the rule file or folder called `name` in [rules]."""
        return self.config_dir / getattr(self.rules, name)


class ConfigError(Exception):
    """A settings file that cannot be read or does not match the schema."""


def load_settings(config_dir: Path | str | None = None) -> Settings:
    """Read `<config_dir>/settings.toml` and return validated Settings.

    Raises ConfigError with one "file:line: what is wrong" line per problem.
    """
    folder = Path(config_dir) if config_dir else default_config_dir()
    path = folder / "settings.toml"
    from pipeline.regular import BadEntry, read_regular

    try:
        data = read_regular(path, MAX_SETTINGS_BYTES, follow=True)
        if data is None:
            raise FileNotFoundError(path)
        text = data.decode("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: settings file not found") from exc
    except BadEntry as exc:
        raise ConfigError(f"{path}: cannot read: not a regular file of at most {MAX_SETTINGS_BYTES} bytes") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = str(exc)[: found.start()].strip() if found else str(exc)
        raise ConfigError(f"{path}:{found.group(1) if found else 0}: malformed TOML: {message}") from exc
    try:
        return Settings(**raw, config_dir=folder.resolve())
    except ValidationError as exc:
        lines = [
            f"{path}:{_toml_line(text, err['loc'])}: {'.'.join(map(str, err['loc']))}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from exc
    except TypeError as exc:  # a top-level value where a table belongs
        raise ConfigError(f"{path}:0: {exc}") from exc


def default_config_dir() -> Path:
    """The config folder used without --config: ./configs/ when the working folder has a
    settings.toml there (a project made by `actorgraph init`), else the defaults."""
    here = Path.cwd() / "configs"
    return here if (here / "settings.toml").is_file() else DEFAULT_CONFIG_DIR


def _toml_line(text: str, loc: tuple) -> int:
    """Return the line of the key at `loc` ("run", "workers") in TOML text; 0 when not found.

    Good enough for the flat tables settings.toml has: it follows [table] headers and keys.
    """
    table = ()
    best = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"\[([^\[\]]+)\]", stripped)
        if header:
            table = tuple(part.strip() for part in header.group(1).split("."))
            if table == tuple(map(str, loc[: len(table)])) and not best:
                best = number
            continue
        key = re.match(r"([A-Za-z0-9_-]+)\s*=", stripped)
        if key and (*table, key.group(1)) == tuple(map(str, loc[: len(table) + 1])):
            return number
    return best
