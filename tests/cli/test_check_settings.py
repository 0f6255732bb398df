"""`check` starts with the settings the registry refuses at startup (the validator), and sees
the whole file for them: a redis blob-descriptor cache is fine when the file has `redis:`."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli import run

CACHED = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
  cache:
    blobdescriptor: redis
"""


def settings_row(config: Path) -> dict[str, str]:
    result = run("check", "--config", str(config), "--output", "json")
    assert result.returncode in (0, 1), result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["results"]}
    return rows["settings"]


def test_a_redis_cache_with_a_redis_section_passes(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CACHED.format(root=tmp_path / "data") + "redis:\n  addr: localhost:6379\n")
    assert settings_row(config)["status"] == "pass"


def test_a_redis_cache_without_one_fails_as_the_registry_does(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CACHED.format(root=tmp_path / "data"))
    row = settings_row(config)
    assert row["status"] == "fail" and "redis" in row["detail"], row


def test_nothing_checked_live_is_said_and_marked_in_json(tmp_path: Path) -> None:
    """gcs without a keyfile: no live check can run here; "ok" alone would read as proven."""
    config = tmp_path / "config.yml"
    config.write_text("version: 0.1\nstorage:\n  gcs:\n    bucket: images\n")
    found = json.loads(run("check", "--config", str(config), "--output", "json").stdout)
    assert found["verified"] is False
    text = run("check", "--config", str(config))
    assert "Nothing was checked against the backend itself" in text.stdout
    fs = tmp_path / "fs.yml"
    fs.write_text(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {tmp_path}\n")
    assert json.loads(run("check", "--config", str(fs), "--output", "json").stdout)["verified"]


def test_a_root_this_user_cannot_reach_is_a_failed_row_not_an_internal_error(
    shared_dir: Path,
) -> None:
    """`rootdirectory: /root/…` checked as nobody: stat is refused (EACCES); each filesystem
    row says so, where the whole run used to stop with 'internal error (PermissionError)'."""
    config = shared_dir / "config.yml"
    config.write_text("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /root/x/r\n")
    config.chmod(0o644)
    result = run("check", "--config", str(config), "--output", "json", user="nobody")
    assert result.returncode == 1, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["results"]}
    assert rows["root directory"]["status"] == "fail"
    assert "cannot look at /root/x/r: Permission denied" in rows["root directory"]["detail"]
