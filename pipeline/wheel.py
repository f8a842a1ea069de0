"""The wheel's data: configs/, models/ and the viewer's JavaScript, copied in at build time.

Not used at run time: pyproject.toml names BuildWithData as setuptools' build_py command
([tool.setuptools] cmdclass). setuptools loads this file by its path, without importing the
`pipeline` package, so it imports nothing from the package and nothing that pip's isolated build
environment lacks (setuptools only). It is left out of the wheel itself.

configs/ and models/ stay at the top of the repository; sigma.js and graphology come from npm
(pipeline/view/js/node_modules, filled by `make install`). The build copies them into
pipeline/data/ inside the wheel, where pipeline/config.py and pipeline/view find them when there
is no checkout. Nothing is committed twice. An editable install (`make install`) copies nothing:
it reads the checkout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parents[1]
# (source in the repository, destination under pipeline/data/)
DATA = [("configs", "configs"), ("models/es_actorgraph_ner", "models/es_actorgraph_ner"), ("models/README.md", "models/README.md")]
VIEWER = ROOT / "pipeline" / "view" / "js"
VENDOR = [("sigma/dist/sigma.min.js", "sigma.min.js"), ("graphology/dist/graphology.umd.min.js", "graphology.umd.min.js")]


def vendor_files() -> list[tuple[Path, str]]:
    """The viewer's JavaScript from pipeline/view/js/node_modules, installing it with npm when missing."""
    missing = [src for src, _ in VENDOR if not (VIEWER / "node_modules" / src).is_file()]
    if missing and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund", "--prefix", str(VIEWER)], check=True)
        missing = [src for src, _ in VENDOR if not (VIEWER / "node_modules" / src).is_file()]
    if missing:
        raise SystemExit(
            f"pipeline/view/js/node_modules lacks {', '.join(missing)}: "
            "run `npm ci --prefix pipeline/view/js` (needs npm)"
        )
    return [(VIEWER / "node_modules" / src, f"vendor/{dest}") for src, dest in VENDOR]


def vendor_versions() -> str:
    """{"sigma": "3.0.2", ...}: what the page credits, from each npm package's package.json."""
    versions = {}
    for src, _ in VENDOR:
        package = src.split("/")[0]
        versions[package] = json.loads((VIEWER / "node_modules" / package / "package.json").read_text(encoding="utf-8"))["version"]
    return json.dumps(versions)


class BuildWithData(build_py):
    """setuptools' build_py, plus pipeline/data/ (a wheel only), minus this module."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if (m[0], m[1]) != ("pipeline", "wheel")]

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "pipeline" / "data"
        shutil.rmtree(target, ignore_errors=True)
        for src, dest in [(ROOT / s, d) for s, d in DATA] + vendor_files():
            out = target / dest
            out.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, out, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(src, out)
        (target / "vendor" / "versions.json").write_text(vendor_versions(), encoding="utf-8")
