"""A hard-linked config is rewritten through its own inode, so every name sees the new text
(QA report §2.3), with the same guarantees as the atomic replace."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dtr_tui.core.document import fingerprint_of
from dtr_tui.core.errors import StaleFileError, WriteError
from dtr_tui.core.safe_write import list_backups, write_config

OLD = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
NEW = OLD.replace("/var/lib/registry", "/hl")


def save(path: Path, text: str, *, seen: str | None = None):
    return write_config(
        path,
        text,
        expected_fingerprint=fingerprint_of(path.read_bytes()) if seen is None else seen,
        expected_exists=True,
        holds_secret=False,
    )


def test_every_name_of_a_hard_linked_file_sees_the_change(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(OLD)
    other = tmp_path / "other.yml"
    os.link(config, other)
    inode = config.stat().st_ino
    result = save(config, NEW)
    assert config.stat().st_ino == inode and config.stat().st_nlink == 2
    assert other.read_text() == NEW and config.read_text() == NEW
    assert result.backup is not None and result.backup.read_text() == OLD
    assert any("rewritten in place: the file has 2 hard links" in n for n in result.notes)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_shorter_text_leaves_no_old_tail(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(OLD + "# a long comment that the new text does not have\n" * 20)
    os.link(config, tmp_path / "other.yml")
    save(config, NEW)
    assert (tmp_path / "other.yml").read_bytes() == NEW.encode()


def test_a_stale_hard_linked_file_is_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(OLD)
    os.link(config, tmp_path / "other.yml")
    seen = fingerprint_of(config.read_bytes())
    (tmp_path / "other.yml").write_text(OLD + "# edited through the other name\n")
    with pytest.raises(StaleFileError, match="changed on disk since it was read"):
        save(config, NEW, seen=seen)
    assert config.read_text() == OLD + "# edited through the other name\n"
    assert list_backups(config) == []


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


def test_a_full_disk_leaves_a_hard_linked_file_as_it_was(tiny_disk: Path) -> None:
    config = tiny_disk / "c.yml"
    config.write_text(OLD)
    os.link(config, tiny_disk / "other.yml")
    big = NEW + "# " + "x" * 200_000 + "\n"
    with pytest.raises(WriteError, match="the disk is full; nothing was changed"):
        save(config, big)
    assert config.read_bytes() == OLD.encode()
    assert (tiny_disk / "other.yml").read_bytes() == OLD.encode()
    assert config.stat().st_size == len(OLD)
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["c.yml", "other.yml"]


def test_a_full_disk_leaves_a_bind_mounted_file_as_it_was(tiny_disk: Path) -> None:
    """The container case (replace_inode=False) goes through the same in-place rewrite: it
    used to truncate the file first, so a full disk left it empty."""
    config = tiny_disk / "c.yml"
    config.write_text(OLD)
    big = NEW + "# " + "x" * 200_000 + "\n"
    with pytest.raises(WriteError, match="the disk is full; nothing was changed"):
        write_config(
            config,
            big,
            expected_fingerprint=fingerprint_of(OLD.encode()),
            expected_exists=True,
            holds_secret=False,
            replace_inode=False,
        )
    assert config.read_bytes() == OLD.encode()
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["c.yml"]
