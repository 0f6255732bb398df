"""Exit codes are documented in every command's --help (with an example), and
`apply --detailed-exitcode` tells "written" (1) from "nothing to change" (0); the default
codes stay as they were."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
COMMANDS = ["validate", "plan", "apply", "check", "policy", "history", "export", "backups",
            "rollback"]  # fmt: skip


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dtr_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
        timeout=60,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_has_exit_codes_and_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert "exit codes: 0 " in result.stdout
    example = result.stdout.split("example:\n", 1)[1].strip().splitlines()[0]
    assert example.startswith(f"dtr-tui {command}")


def test_top_level_help_lists_every_command_exit_codes() -> None:
    text = run("--help").stdout
    section = text.split("exit codes", 1)[1]
    for command in COMMANDS:
        assert f"\n  {command:<9} " in section, command
    assert "--detailed-exitcode" in section


def test_apply_detailed_exitcode_and_default(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    args = ["--config", str(config), "apply", "--no-container", "--yes"]
    written = run(*args, "--set", "filesystem.rootdirectory=/a", "--detailed-exitcode")
    assert written.returncode == 1, written.stderr
    assert "rootdirectory: /a" in config.read_text()
    same = run(*args, "--set", "filesystem.rootdirectory=/a", "--detailed-exitcode")
    assert same.returncode == 0, same.stderr
    bad = run(*args, "--set", "filesystem.maxthreads=many", "--detailed-exitcode")
    assert bad.returncode == 2
    # without the flag: 0 for written and for nothing to change, as scripts expect
    assert run(*args, "--set", "filesystem.rootdirectory=/b").returncode == 0
    assert run(*args, "--set", "filesystem.rootdirectory=/b").returncode == 0


def test_backups_of_a_missing_config_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.yml"
    result = run("--config", str(missing), "backups")
    assert result.returncode == 2
    assert f"{missing}: does not exist" in result.stderr
    present = tmp_path / "c.yml"
    present.write_text(CONFIG)
    listed = run("--config", str(present), "backups")
    assert listed.returncode == 0 and "no backups of" in listed.stdout
