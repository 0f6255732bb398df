"""Filesystem checks on real directories; gcs/inmemory say what they could not check."""

from __future__ import annotations

from pathlib import Path

from dtr_tui.services.checks import Status

from .conftest import check_storage


def test_existing_root_with_data(tmp_path: Path) -> None:
    repos = tmp_path / "docker/registry/v2/repositories"
    (repos / "library").mkdir(parents=True)
    (repos / "library/blob").write_bytes(b"x" * 4096)
    results = check_storage("filesystem", {"rootdirectory": str(tmp_path)})
    results.assert_all_pass(allow_warn=("several nodes",))
    assert "4.0 KiB in 1 files" in results["data already there"].detail
    assert "1 top-level repository" in results["data already there"].detail
    assert "free of" in results["free space"].detail
    assert results["several nodes"].status is Status.WARN
    assert not list(tmp_path.glob(".dtr-tui-check-*"))  # the probe file is gone


def test_root_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    results = check_storage("filesystem", {"rootdirectory": str(blocker / "registry")})
    assert results["root directory"].status is Status.FAIL, results.dump()
    assert "is a file, not a directory" in results["root directory"].detail
    assert "move the file away" in results["root directory"].fix  # mkdir -p cannot fix it


def test_inmemory_and_gcs_say_what_was_not_checked(tmp_path: Path) -> None:
    assert check_storage("inmemory", {})["non-persistent"].status is Status.WARN
    key = tmp_path / "key.json"
    key.write_text(
        '{"type": "service_account", "project_id": "p", "private_key": "k",'
        ' "client_email": "r@p.iam.gserviceaccount.com"}'
    )
    gcs = check_storage("gcs", {"bucket": "b", "keyfile": str(key)})
    assert gcs["credentials"].status is Status.PASS
    assert gcs["bucket and permissions"].status is Status.SKIPPED
    assert "not checked" in gcs["bucket and permissions"].detail
    missing = check_storage("gcs", {"bucket": "b", "keyfile": str(tmp_path / "nope.json")})
    assert missing["credentials"].status is Status.FAIL
