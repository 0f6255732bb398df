"""Notes apply and rollback owe a script's reader: a replaced inode that a single-file bind
mount would not see, and a secret typed on the command line (never repeated)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIG = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
S3 = "version: 0.1\nstorage:\n  s3:\n    bucket: b\n    region: us-east-1\n"
MOUNT_NOTE = "a container that bind-mounts this one file"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dtr_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "KEY": "FROMENVSECRET"},
        timeout=60,
    )


def test_a_new_inode_is_said_and_an_in_place_rewrite_is_not(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    args = ["--config", str(config), "apply", "--no-container", "--yes"]
    replaced = run(*args, "--set", "filesystem.rootdirectory=/a")
    assert replaced.returncode == 0, replaced.stderr
    assert MOUNT_NOTE in replaced.stderr
    rolled = run("--config", str(config), "rollback", "--yes")
    assert rolled.returncode == 0 and MOUNT_NOTE in rolled.stderr
    os.link(config, tmp_path / "other.yml")  # a hard link: rewritten in place, same inode
    kept = run(*args, "--set", "filesystem.rootdirectory=/b")
    assert kept.returncode == 0, kept.stderr
    assert MOUNT_NOTE not in kept.stderr
    assert "rootdirectory: /b" in (tmp_path / "other.yml").read_text()


def test_a_secret_typed_on_the_command_line_gets_a_note(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(S3)
    typed = run("--config", str(config), "plan", "--no-container",
                "--set", "s3.secretkey=TYPEDSECRET", "--set", "s3.accesskey=env:KEY")  # fmt: skip
    assert typed.returncode == 1, typed.stderr
    assert "storage.s3.secretkey was given on the command line" in typed.stderr
    assert "--set s3.secretkey=@FILE or =env:VAR" in typed.stderr
    assert "accesskey was given" not in typed.stderr  # env:VAR keeps it out
    assert "TYPEDSECRET" not in typed.stdout + typed.stderr
    plain = run("--config", str(config), "plan", "--no-container", "--set", "s3.bucket=x")
    assert "command line" not in plain.stderr
