"""Settings from configs/settings.toml: models per language, run options, rule file paths."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib
    import tomli as tomllib

from pydantic import BaseModel, ConfigDict, Field

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "configs"


class RunSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    languages: list[str] = ["en", "es"]
    batch_size: int = Field(32, ge=1)
    workers: int = Field(1, ge=0)
    max_chars: int = Field(200_000, ge=1_000)


class RuleFiles(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: str = "roles.yml"
    meetings: str = "meetings.yml"
    places: str = "places.yml"
    actors: str = "actors.yml"
    patterns: str = "patterns"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    models: dict[str, str]
    run: RunSettings = RunSettings()
    rules: RuleFiles = RuleFiles()
    config_dir: Path = DEFAULT_CONFIG_DIR

    def model_ref(self, lang: str) -> str:
        """Return what spacy.load takes for `lang`: a package name or an absolute path."""
        ref = self.models[lang]
        if "/" in ref or ref.startswith("."):
            return str((PROJECT_ROOT / ref).resolve())
        return ref

    def rule_path(self, name: str) -> Path:
        """Return the absolute path of the rule file or folder called `name` in [rules]."""
        return self.config_dir / getattr(self.rules, name)


class ConfigError(Exception):
    """A settings file that cannot be read or does not match the schema."""


def load_settings(config_dir: Path | str | None = None) -> Settings:
    """Read `<config_dir>/settings.toml` and return validated Settings."""
    folder = Path(config_dir) if config_dir else DEFAULT_CONFIG_DIR
    path = folder / "settings.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Settings(**raw, config_dir=folder.resolve())
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: settings file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
