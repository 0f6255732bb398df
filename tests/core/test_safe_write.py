"""The safe write: atomic, keeps mode and owner, no access for "other" with secrets, backups,
stale guard."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dtr_tui.core.document import fingerprint_of
from dtr_tui.core.errors import StaleFileError, WriteError
from dtr_tui.core.safe_write import list_backups, restore_backup, write_config

OLD = "version: 0.1\nstorage:\n  inmemory: {}\n"
NEW = "version: 0.1\nstorage:\n  filesystem: {}\n"


def write(path: Path, text: str, *, secret: bool = False, fingerprint: str | None = None):
    return write_config(
        path,
        text,
        expected_fingerprint=fingerprint_of(path.read_bytes())
        if fingerprint is None
        else fingerprint,
        expected_exists=path.exists(),
        holds_secret=secret,
    )


def test_replaces_atomically_and_keeps_mode_and_a_backup(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    config.chmod(0o640)
    result = write(config, NEW)
    assert config.read_text() == NEW
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert result.backup is not None and result.backup.read_text() == OLD
    assert stat.S_IMODE(result.backup.stat().st_mode) == 0o600
    assert not result.tightened
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_an_inline_secret_takes_the_access_of_other_away(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    config.chmod(0o644)
    result = write(config, NEW, secret=True)
    assert (
        stat.S_IMODE(config.stat().st_mode) == 0o640
    )  # group keeps read (tests/core/test_write_mode.py)
    assert result.tightened and result.notes[0] == (
        "the file's mode changes 0644 -> 0640: it holds a secret in the clear"
    )


def test_keeps_the_owner(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("changing owners needs root")
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    os.chown(config, 65534, 65534)
    write(config, NEW)
    assert (config.stat().st_uid, config.stat().st_gid) == (65534, 65534)


def test_keeps_the_last_ten_backups(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    for index in range(13):
        write(config, f"{NEW}# {index}\n")
    backups = list_backups(config)
    assert len(backups) == 10
    assert backups[0].path.read_text() == f"{NEW}# 11\n"


def test_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    seen = fingerprint_of(config.read_bytes())
    config.write_text(OLD + "# edited by someone else\n")
    with pytest.raises(StaleFileError, match="changed on disk since it was read"):
        write(config, NEW, fingerprint=seen)
    assert config.read_text() == OLD + "# edited by someone else\n"
    assert list_backups(config) == []


def test_refuses_a_file_created_meanwhile(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    with pytest.raises(StaleFileError, match="created by someone else"):
        config.write_text(OLD)
        write_config(
            config, NEW, expected_fingerprint="", expected_exists=False, holds_secret=False
        )


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.yml"
    real.write_text(OLD)
    link = tmp_path / "config.yml"
    link.symlink_to(real)
    write(link, NEW)
    assert link.is_symlink() and real.read_text() == NEW


def test_in_place_rewrite_keeps_the_inode(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    inode = config.stat().st_ino
    write_config(
        config,
        NEW,
        expected_fingerprint=fingerprint_of(OLD.encode()),
        expected_exists=True,
        holds_secret=False,
        replace_inode=False,
    )
    assert config.stat().st_ino == inode and config.read_text() == NEW


def test_restore_backup(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    first = write(config, NEW).backup
    assert first is not None
    result = restore_backup(config, first, expected_fingerprint=fingerprint_of(NEW.encode()))
    assert config.read_text() == OLD
    assert result.backup is not None and result.backup.read_text() == NEW


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real full disk: a 64 KiB tmpfs (needs root, as on these machines and in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_full_disk_changes_nothing(tiny_disk: Path) -> None:
    config = tiny_disk / "config.yml"
    config.write_text(OLD)
    big = OLD + "# " + "x" * 200_000 + "\n"
    with pytest.raises(WriteError, match="the disk is full; nothing was changed"):
        write(config, big)
    assert config.read_text() == OLD
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["config.yml"]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="does not exist"):
        write_config(
            tmp_path / "nope" / "config.yml",
            NEW,
            expected_fingerprint="",
            expected_exists=False,
            holds_secret=False,
        )
