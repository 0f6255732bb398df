"""Fixtures of the CLI tests: a copy of the commented sample config in a temp directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yml"
    shutil.copy(DATA / "commented-config.yml", path)
    return path
