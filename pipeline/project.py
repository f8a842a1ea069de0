"""actorgraph init: a researcher's project folder with an editable copy of the default rules."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.config import DEFAULT_CONFIG_DIR, ConfigError

# Not rule files: the training recipe of the Spanish model stays with the tool.
SKIPPED = ("train", "__pycache__")
SKIP = shutil.ignore_patterns(*SKIPPED, "*.pyc")

README = """\
# {name}: an actorgraph project

- `configs/`: this project's rules, a copy of actorgraph's defaults to edit (each file says what it
  holds; `settings.toml` names the models: relative paths are looked up in this folder, then among
  the models installed with actorgraph).
- `corpus/`: put the articles here, `.txt` files or `.jsonl` (see actorgraph's README).
- `out/`: written by `extract`.

Run these commands in this folder (it finds `configs/` by itself; elsewhere add `--config {name}/configs`):

    actorgraph rules check                      # validate the rules after editing them
    actorgraph explain "A sentence to try."     # which rules fire on one text
    actorgraph extract corpus --out out --view  # the graph: out/graph.graphml, .gexf, CSV, JSONL
    actorgraph view out                         # out/graph.html (open it in a browser), out/graph.png
"""


def planned_files(folder: Path) -> list[Path]:
    """Every file `init_project` writes into `folder`."""
    relative = (path.relative_to(DEFAULT_CONFIG_DIR) for path in sorted(DEFAULT_CONFIG_DIR.rglob("*")) if path.is_file())
    rules = [folder / "configs" / path for path in relative if not set(path.parts) & set(SKIPPED) and path.suffix != ".pyc"]
    return [*rules, folder / "README.md"]


def init_project(folder: Path, force: bool = False) -> list[Path]:
    """Write configs/ (the default rules), corpus/ and README.md into `folder`; return the files.

    Raises ConfigError, before writing anything, when a file would be overwritten and not `force`.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: exists and is not a folder")
    files = planned_files(folder)
    existing = [path for path in files if path.exists()]
    if existing and not force:
        shown = ", ".join(str(path) for path in existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise ConfigError(f"{shown}: already exists; pass --force to overwrite")
    shutil.copytree(DEFAULT_CONFIG_DIR, folder / "configs", ignore=SKIP, dirs_exist_ok=True)
    (folder / "corpus").mkdir(exist_ok=True)
    (folder / "README.md").write_text(README.format(name=folder.resolve().name), encoding="utf-8")
    return files
