"""What the CLI prints: JSON errors under --output json, control characters from the file
escaped, colour only when wanted (NO_COLOR, TERM=dumb), a full stdout said plainly."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dtr_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (["validate", "--output", "json"], None, "does not exist"),
        (["plan", "--no-container", "--output", "json"], None, "is a directory"),
    ],
)
def test_json_error_for_a_missing_file(
    tmp_path: Path, args: list[str], field: str | None, message: str
) -> None:
    missing = tmp_path / ("adir" if message == "is a directory" else "nosuch.yml")
    missing.mkdir() if message == "is a directory" else None
    result = run("--config", str(missing), *args)
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert message in error["message"] and error["file"] == str(missing)
    assert error["field"] == field
    assert message in result.stderr  # the text stays on stderr


def test_json_error_for_a_bad_flag_and_a_broken_file(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run("--config", str(config), "plan", "--no-container", "--output", "json",
                 "--set", "filesystem.maxthreads=many")  # fmt: skip
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert error["field"] == "--set" and "not a whole number" in error["message"]
    assert error["hint"].startswith("allowed:")
    tabs = tmp_path / "tabs.yml"
    tabs.write_text("version: 0.1\nstorage:\n\tfilesystem: {}\n")
    result = run("validate", str(tabs), "--output", "json")
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert error["file"] == str(tabs) and error["line"] == 3


def test_control_characters_from_the_file_are_escaped(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(
        'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: "/x\\e]0;pwned\\a\\e[31mRED"\n'
    )
    result = run("--config", str(config), "plan", "--no-container",
                 "--set", "filesystem.maxthreads=50")  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert "\x07" not in result.stdout + result.stderr
    result = run("--config", str(config), "plan", "--no-container",
                 "--set", "filesystem.rootdirectory=/new")  # fmt: skip
    assert "\x1b" not in result.stdout + result.stderr
    assert "\x07" not in result.stdout + result.stderr
    # the summary shows the old value decoded: its controls as visible escapes
    assert "rootdirectory: /x\\e]0;pwned\\x07\\e[31mRED → /new" in result.stdout


def _on_a_tty(args: list[str], env: dict[str, str]) -> str:
    main, secondary = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "dtr_tui", *args],
            stdout=secondary,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **env},
            timeout=60,
            check=False,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(main)


def test_colour_on_a_tty_honours_no_color_and_dumb_terminals(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    args = ["--config", str(config), "plan", "--no-container",
            "--set", "filesystem.rootdirectory=/new"]  # fmt: skip
    plain = {"NO_COLOR": "", "TERM": "xterm"}
    assert "\x1b[" in _on_a_tty(args, plain)
    assert "\x1b[" not in _on_a_tty(args, {**plain, "NO_COLOR": "1"})
    assert "\x1b[" not in _on_a_tty(args, {**plain, "TERM": "dumb"})


def test_a_full_stdout_is_said_plainly(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "dtr_tui", "--config", str(config), "plan",
             "--no-container", "--set", "filesystem.rootdirectory=/new"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert "the output could not be written (standard output: No space left" in result.stderr
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr
