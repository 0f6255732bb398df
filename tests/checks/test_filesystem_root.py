"""Filesystem root directories the registry cannot use, or can: check's verdict against the
real registry 2.8.2 on the same storage (QA A7, C3, D5)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from dtr_tui.services.checks import Status
from tests.support.push import push_test_image

from .conftest import check_storage


def test_root_under_proc_fails_writable_like_the_registry(registry_factory: object) -> None:
    """A7: os.access(/proc) is true for root, but mkdir there fails: the probe must mkdir."""
    root = f"/proc/registry-{uuid.uuid4().hex[:8]}"
    results = check_storage("filesystem", {"rootdirectory": root})
    writable = results["writable"]
    assert writable.status is Status.FAIL, results.dump()
    assert f"mkdir {root}: No such file or directory" in writable.detail
    assert "real disk" in writable.fix
    registry = registry_factory.from_storage(  # type: ignore[attr-defined]
        {"filesystem": {"rootdirectory": root}}
    )
    with pytest.raises(Exception) as refused:  # noqa: PT011 - any failure of the push
        push_test_image(registry.url, repo="fs/proc")
    assert "mkdir" in str(refused.value) + registry.log_text(), registry.log_text()[-2000:]


def test_missing_root_is_created_and_exactly_that_is_removed(
    tmp_path: Path, registry_factory: object
) -> None:
    (tmp_path / "keep").mkdir()
    root = tmp_path / "keep/new/registry"
    results = check_storage("filesystem", {"rootdirectory": str(root)})
    writable = results["writable"]
    assert writable.status is Status.PASS, results.dump()
    assert f"created {tmp_path / 'keep/new'}" in writable.detail
    assert "removed what was created" in writable.detail
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["keep"]  # nothing else left
    registry = registry_factory.from_storage(  # type: ignore[attr-defined]
        {"filesystem": {"rootdirectory": str(root)}}
    )
    push_test_image(registry.url, repo="fs/created")


def test_root_that_is_a_regular_file_says_so(tmp_path: Path) -> None:
    """D5: "mkdir -p FILE" cannot fix a root that is a file."""
    afile = tmp_path / "afile"
    afile.write_text("")
    results = check_storage("filesystem", {"rootdirectory": str(afile)})
    for name in ("root directory", "writable"):
        assert results[name].status is Status.FAIL, results.dump()
        assert f"{afile} is a file, not a directory" in results[name].detail
        assert "mkdir" not in results[name].fix and "move the file away" in results[name].fix


def test_relative_root_warns_and_is_checked_against_slash() -> None:
    """C3: the registry resolves it against its working directory, / in its container, and
    works: a warning, not a failure. The probe leaves nothing under /."""
    name = f"dtr-rel-{uuid.uuid4().hex[:8]}"
    results = check_storage("filesystem", {"rootdirectory": f"{name}/registry"})
    first = results["root directory"]
    assert first.status is Status.WARN, results.dump()
    assert "relative" in first.detail and f"/{name}/registry" in first.detail
    assert "absolute path" in first.fix
    assert results["writable"].status is Status.PASS, results.dump()
    assert not results.failed()
    assert not Path("/", name).exists()
