"""--set/--unset keys that name a whole block, have an empty part or go under a single value:
a clear error naming the flag and what is allowed, never an internal error, file unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli import run

CONFIG = "version: 0.1\nstorage:\n  s3:\n    bucket: images\n    region: us-east-1\n"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--set", "s3=VALUE"], "--set: storage.s3 is the s3 driver's block, not one value"),
        (["--set", "s3.=x"], "--set: 's3.' has an empty part"),
        (["--set", "s3..bucket=x"], "--set: 's3..bucket' has an empty part"),
        (["--unset", "s3"], "--unset: storage.s3 is the s3 driver's block, not one value"),
        (["--set", "filesystem=x"], "switch to it with --driver filesystem"),
        (
            ["--set", "s3.bucket.x=1"],
            "--set: storage.s3.bucket holds a single value, not a group: it has no key 'x'",
        ),
        (["--set", "s3.foo.bar=1"], "--set: storage.s3.foo is not a s3 parameter"),
        (["--set", "delete=true"], "--set: storage.delete is an option group, not one value"),
        (["--unset", "delete"], "--unset: storage.delete is an option group, not one value"),
        (["--set", "delete.enabled.x=1"], "storage.delete.enabled holds a single value"),
    ],
)
def test_malformed_key_is_a_clear_error(tmp_path: Path, flags: list[str], expected: str) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    for command in ("plan", "apply"):
        extra = ["--yes"] if command == "apply" else []
        result = run("--config", str(config), command, "--no-container", *flags, *extra)
        assert result.returncode == 2, result.stdout
        assert "internal error" not in result.stderr
        assert expected in result.stderr, result.stderr
        assert "not a storage option" not in result.stderr
        assert config.read_text() == CONFIG


def test_group_error_lists_the_keys_allowed(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run("--config", str(config), "plan", "--no-container", "--set", "delete=true")
    assert "e.g. --set delete.enabled=VALUE; keys: delete.enabled" in result.stderr
    result = run("--config", str(config), "plan", "--no-container", "--set", "s3=x")
    assert "parameters: s3.region, s3.bucket" in result.stderr


def test_keys_of_groups_still_work(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    result = run(
        "--config", str(config), "plan", "--no-container",
        "--set", "maintenance.uploadpurging.enabled=false", "--set", "delete.enabled=true",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "storage.delete.enabled: set to true" in result.stdout


def test_the_keys_listed_are_the_ones_the_target_version_reads(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    args = ["--config", str(config)]
    old = run(*args, "plan", "--no-container", "--set", "s3.regoin=x")
    assert "did you mean s3.region?" in old.stderr
    assert "forcepathstyle" not in old.stderr and "usedualstack" not in old.stderr  # 3.x only
    new = run(*args, "--registry-version", "3", "plan", "--no-container", "--set", "s3.regoin=x")
    assert "forcepathstyle" in new.stderr
