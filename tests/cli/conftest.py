"""Fixtures of the CLI tests: a copy of the commented sample config in a temp directory, and
a directory an unprivileged user can reach."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yml"
    shutil.copy(DATA / "commented-config.yml", path)
    return path


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory an unprivileged user can reach (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="dtr-tui-perm-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path)
