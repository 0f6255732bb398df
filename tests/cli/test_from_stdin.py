"""--from - (standard input), --from /dev/stdin and a process substitution: the upload is read
from the stream; the suffix rule is for named files only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
FRAGMENT = "storage:\n  filesystem:\n    rootdirectory: /srv/reg\n"


def run(
    *args: str, stdin: str | None = None, shell: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dtr_tui", *args]
    if shell is not None:  # bash for <(…)
        command = ["bash", "-c", shell]
    return subprocess.run(
        command, capture_output=True, text=True, input=stdin, env=dict(os.environ), timeout=60
    )


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_from_standard_input(tmp_path: Path, name: str) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run("--config", str(config), "plan", "--no-container", "--from", name, stdin=FRAGMENT)
    assert result.returncode == 1, result.stderr
    assert "rootdirectory: /var/lib/registry → /srv/reg" in result.stdout
    assert "suffix" not in result.stderr
    applied = run(
        "--config", str(config), "apply", "--no-container", "--from", name, "--yes",
        stdin=FRAGMENT,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert "rootdirectory: /srv/reg" in config.read_text()


def test_from_a_process_substitution(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    fragment = tmp_path / "frag.yml"
    fragment.write_text(FRAGMENT)
    script = (
        f"'{sys.executable}' -m dtr_tui --config '{config}' plan --no-container "
        f"--from <(cat '{fragment}')"
    )
    result = run(shell=script)
    assert result.returncode == 1, result.stderr
    assert "rootdirectory: /var/lib/registry → /srv/reg" in result.stdout


def test_empty_standard_input_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run("--config", str(config), "plan", "--no-container", "--from", "-", stdin="")
    assert result.returncode == 2
    assert "standard input: is empty" in result.stderr
    named = tmp_path / "frag.json"
    named.write_text(FRAGMENT)  # a named file keeps the suffix rule
    result = run("--config", str(config), "plan", "--no-container", "--from", str(named))
    assert result.returncode == 2 and "has the suffix '.json'" in result.stderr
