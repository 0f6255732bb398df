"""The fix the CLI suggests for a file with two storage drivers works, as a process: --driver
X keeps X's block as written and removes the other; plus the small flag checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import run

TWO = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: /data/registry  # the big disk
  s3:
    bucket: b
    region: us-east-1
  delete:
    enabled: true
http:
  addr: :5000
"""
FILESYSTEM_BLOCK = "  filesystem:\n    rootdirectory: /data/registry  # the big disk\n"
S3_BLOCK = "  s3:\n    bucket: b\n    region: us-east-1\n"


@pytest.fixture
def two(tmp_path: Path) -> Path:
    path = tmp_path / "two.yml"
    path.write_text(TWO)
    return path


def test_validate_still_reports_the_two_drivers(two: Path) -> None:
    result = run("validate", str(two))
    assert result.returncode == 1
    assert "must provide exactly one storage type" in result.stdout


def test_without_driver_the_error_suggests_the_fix(two: Path) -> None:
    result = run("plan", "--config", str(two), "--no-container")
    assert result.returncode == 2 and "--driver NAME" in result.stderr


def test_driver_s3_keeps_the_s3_block_and_removes_filesystem(two: Path) -> None:
    result = run("plan", "--config", str(two), "--no-container", "--driver", "s3")
    assert result.returncode == 1, result.stderr
    assert "twice" not in result.stderr
    assert "storage.filesystem: removed (1 key)" in result.stdout
    assert "storage: backend" not in result.stdout  # s3 is in the file: no switch
    assert "2 storage drivers (filesystem, s3)" in result.stderr
    assert "removes the storage.filesystem block" in result.stderr
    applied = run("apply", "--config", str(two), "--driver", "s3", "--yes")
    assert applied.returncode == 0, applied.stderr
    assert "removes the storage.filesystem block" in applied.stderr
    assert two.read_text() == TWO.replace(FILESYSTEM_BLOCK, "")
    assert run("validate", str(two)).returncode == 0


def test_driver_filesystem_keeps_its_root_directory(two: Path) -> None:
    planned = run(
        "plan", "--config", str(two), "--no-container", "--driver", "filesystem",
        "--output", "json",
    )  # fmt: skip
    assert planned.returncode == 1, planned.stderr
    data = json.loads(planned.stdout)
    assert [c["summary"] for c in data["changes"]] == ["storage.s3: removed (2 keys)"]
    assert any("removes the storage.s3 block" in n for n in data["notes"])
    assert data["valid"] is True
    applied = run("apply", "--config", str(two), "--driver", "filesystem", "--yes")
    assert applied.returncode == 0, applied.stderr
    assert two.read_text() == TWO.replace(S3_BLOCK, "")
    assert run("validate", str(two)).returncode == 0


def test_driver_not_in_the_file_switches_and_names_both_dropped(two: Path) -> None:
    result = run("plan", "--config", str(two), "--no-container", "--driver", "inmemory")
    assert result.returncode == 1, result.stderr
    assert "storage: backend filesystem → inmemory" in result.stdout
    assert "storage.s3: removed (2 keys)" in result.stdout
    assert "removes the storage.filesystem, storage.s3 blocks" in result.stderr


def test_the_app_opens_a_two_driver_file(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dtr_tui.cli.main import main
    from dtr_tui.ui.app import StorageApp

    opened: list[StorageApp] = []

    def fake_run(self: StorageApp, *args: object, **kwargs: object) -> int:
        opened.append(self)
        return 0

    monkeypatch.setattr(StorageApp, "run", fake_run)
    assert main(["--config", str(two)]) == 0
    (app,) = opened
    assert app.session.draft.driver == "filesystem"
    assert app.session.opening_note and "2 storage drivers" in app.session.opening_note


def test_driver_in_the_wrong_case_gets_did_you_mean(config: Path) -> None:
    result = run("plan", "--config", str(config), "--no-container", "--driver", "S3")
    assert result.returncode == 2
    assert "did you mean s3?" in result.stderr


def test_unset_rejects_an_unknown_key_as_set_does(config: Path) -> None:
    for flag in ("--set", "--unset"):
        value = "s3.regoin=x" if flag == "--set" else "s3.regoin"
        result = run("plan", "--config", str(config), "--no-container", "--driver", "s3",
                     flag, value)  # fmt: skip
        assert result.returncode == 2, (flag, result.stdout)
        assert "storage.s3.regoin is not a s3 parameter" in result.stderr
        assert "did you mean s3.region?" in result.stderr
    # a known parameter that is not set, and a misspelt key the file holds, can be unset
    known = run("plan", "--config", str(config), "--no-container", "--unset", "maxthreads")
    assert known.returncode == 1, known.stderr
    typo = config.parent / "typo.yml"
    typo.write_text("version: 0.1\nstorage:\n  s3:\n    bucket: b\n    region: us-east-1\n"
                    "    regoin: eu-west-1\n")  # fmt: skip
    fixed = run("plan", "--config", str(typo), "--no-container", "--unset", "s3.regoin")
    assert fixed.returncode == 1, fixed.stderr
    assert "storage.s3.regoin: removed (was eu-west-1)" in fixed.stdout


def test_apply_accepts_no_container(config: Path) -> None:
    result = run(
        "apply", "--config", str(config), "--no-container",
        "--set", "filesystem.rootdirectory=/srv", "--yes",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "rootdirectory: /srv" in config.read_text()
    clash = run("apply", "--config", str(config), "--no-container", "--restart", "--yes")
    assert clash.returncode == 2 and "--restart needs the Docker engine" in clash.stderr
