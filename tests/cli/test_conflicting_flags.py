"""Flags that contradict each other are refused, not silently last-wins: a key set twice with
different values, set and unset, --driver twice, plan --no-container with --container."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli import run

CONFIG = "version: 0.1\nstorage:\n  s3:\n    bucket: images\n    region: us-east-1\n"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--set", "s3.bucket=a", "--set", "s3.bucket=b"],
         "--set: storage.s3.bucket is set twice with different values"),
        (["--set", "bucket=a", "--set", "storage.s3.bucket=b"],
         "storage.s3.bucket is set twice with different values"),
        (["--set", "s3.bucket=a", "--unset", "s3.bucket"],
         "storage.s3.bucket is both set (--set) and removed (--unset)"),
        (["--driver", "s3", "--driver", "filesystem"],
         "argument --driver: given twice (s3 and filesystem)"),
        (["--no-container", "--container", "foo"],
         "--no-container plans against the file alone, but --container needs the Docker"),
    ],
)  # fmt: skip
def test_conflicting_flags_are_refused(tmp_path: Path, flags: list[str], expected: str) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run("--config", str(config), "plan", *flags)
    assert result.returncode == 2, result.stdout
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_secret_given_twice_is_refused_without_showing_it(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run("--config", str(config), "apply", "--no-container", "--yes",
                 "--set", "s3.secretkey=FIRSTSECRET",
                 "--set", "s3.secretkey=OTHERSECRET")  # fmt: skip
    assert result.returncode == 2
    assert "storage.s3.secretkey is set twice" in result.stderr
    assert "FIRSTSECRET" not in result.stderr + result.stdout
    assert "OTHERSECRET" not in result.stderr + result.stdout
    assert config.read_text() == CONFIG


def test_the_same_value_twice_is_fine(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run("--config", str(config), "plan", "--no-container",
                 "--set", "s3.bucket=x", "--set", "storage.s3.bucket=x",
                 "--driver", "s3", "--driver", "s3")  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "storage.s3.bucket: images → x" in result.stdout


def test_the_global_container_flag_reaches_the_command(tmp_path: Path) -> None:
    """`dtr-tui --container NAME apply` used to lose NAME: the command's own --container
    default overwrote it. Seen here as the conflict with --no-container being noticed."""
    config = tmp_path / "config.yml"
    config.write_text("version: 0.1\nstorage:\n  inmemory: {}\n")
    result = run("--container", "reg1", "plan", "--no-container", "--config", str(config))
    assert result.returncode == 2
    assert "--no-container" in result.stderr and "--container" in result.stderr
