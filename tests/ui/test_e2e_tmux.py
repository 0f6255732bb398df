"""End to end: the installed `dtr-tui` in tmux at 80x24, driven by keys alone, from a
filesystem config to an S3 config saved on disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import FILESYSTEM_CONFIG

DTR_TUI = shutil.which("dtr-tui", path=str(Path(sys.executable).parent)) or "dtr-tui"


class Tmux:
    def __init__(self, socket: str, session: str) -> None:
        self.base = ["tmux", "-L", socket]
        self.session = session

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], check=True, capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)
        time.sleep(0.15)

    def screen(self) -> str:
        return self.run("capture-pane", "-t", self.session, "-p")

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never showed; the screen was:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    socket = f"dtr-tui-test-{os.getpid()}"
    session = Tmux(socket, "e2e")
    yield session
    subprocess.run([*session.base, "kill-server"], capture_output=True, timeout=10)


def test_filesystem_to_s3_saved_on_disk(tmp_path: Path, tmux: Tmux) -> None:
    config = tmp_path / "config.yml"
    config.write_text(FILESYSTEM_CONFIG)
    command = f"{DTR_TUI} --config {config}; echo EXITED-$?; sleep 30"
    tmux.run("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", command)
    tmux.wait_for("Storage backend")
    tmux.wait_for("rootdirectory")  # the YAML tab is filled: the file was read
    tmux.keys("Enter")  # the backend dropdown has the focus: open it
    tmux.keys("Down")
    tmux.keys("Enter")
    tmux.wait_for("not be visible")  # the switch warning
    fields = {
        "AWS region": "us-east-1",
        "Bucket": "registry-images",
        "Access key": "AKIAE2E",
        "Secret key": "e2e-secret-value",
    }
    for label, value in fields.items():
        tmux.keys("Tab")
        tmux.wait_for(f"{label}: ")  # the help line follows the focus: type only once it moved
        tmux.keys(value, literal=True)
    shown = tmux.wait_for("secretkey: ******** (new)")
    assert "e2e-secret-value" not in shown and "AKIAE2E" not in shown
    tmux.keys("C-s")
    dialog = tmux.wait_for("Save the storage settings?")
    assert "e2e-secret-value" not in dialog
    tmux.keys("Enter")
    tmux.wait_for("Close")
    tmux.keys("Escape")
    tmux.wait_for("✓ Saved")
    text = config.read_text()
    assert "  s3:\n    region: us-east-1\n    bucket: registry-images\n" in text
    assert "secretkey: e2e-secret-value" in text
    assert "filesystem" not in text
    assert "http:\n  addr: :5000\n  secret: a-very-private-http-secret\n" in text
    tmux.keys("C-q")
    tmux.wait_for("EXITED-0")
