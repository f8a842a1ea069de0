"""Fixtures shared by the tests (plain helpers are in tests/helpers.py)."""

from __future__ import annotations

import functools
import shutil

import pytest

from pipeline.config import DEFAULT_CONFIG_DIR
from pipeline.nlp.models import load_pipeline
from tests.helpers import SETTINGS


@pytest.fixture
def config(tmp_path):
    """Return a writable copy of the configs folder."""
    folder = tmp_path / "configs"
    shutil.copytree(DEFAULT_CONFIG_DIR, folder, ignore=shutil.ignore_patterns("train"))
    return folder


@pytest.fixture(scope="module")
def pipelines():
    """Return a function giving the full pipeline (model + rule layer) of a language, loaded once."""
    return functools.lru_cache(maxsize=2)(lambda lang: load_pipeline(lang, SETTINGS))
