"""Fixtures of the core tests that need a second user: a directory nobody can enter, and
reading a file as nobody (uid and gid 65534), to prove who can still read a written config."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

NOBODY = 65534  # uid and gid of nobody / nogroup


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory other users can enter (pytest's tmp_path is 0700, root's own)."""
    if os.geteuid() != 0:
        pytest.skip("giving files to other users and reading them as nobody needs root")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to read the file as nobody")
    directory = Path(tempfile.mkdtemp(prefix="dtr-nobody-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory)


def read_as_nobody(path: Path) -> subprocess.CompletedProcess[str]:
    command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return subprocess.run([*command, "cat", str(path)], capture_output=True, text=True)
