"""The file's extended attributes (user.*, POSIX ACLs, the SELinux label) survive a save that
replaces it through a temp file (QA report §2.4)."""

from __future__ import annotations

import errno
import os
import stat
import struct
from pathlib import Path

import pytest

from dtr_tui.core.document import fingerprint_of
from dtr_tui.core.safe_write import write_config

from .conftest import NOBODY, read_as_nobody

OLD = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
NEW = OLD.replace("/var/lib/registry", "/acl")
ACCESS, DEFAULT = "system.posix_acl_access", "system.posix_acl_default"


def acl(*entries: tuple[int, int, int]) -> bytes:
    """A POSIX ACL as the kernel stores it: version 2, then (tag, perm, id) per entry."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


UNDEFINED = 0xFFFFFFFF
USER_OBJ, USER, GROUP_OBJ, MASK, OTHER = 0x01, 0x02, 0x04, 0x10, 0x20
# u::rw-, u:nobody:r--, g::---, m::r--, o::---  (as `setfacl -m u:nobody:r` on a 0600 file)
NOBODY_READS = acl(
    (USER_OBJ, 6, UNDEFINED),
    (USER, 4, NOBODY),
    (GROUP_OBJ, 0, UNDEFINED),
    (MASK, 4, UNDEFINED),
    (OTHER, 0, UNDEFINED),
)


def save(path: Path, text: str, *, secret: bool = False) -> list[str]:
    result = write_config(
        path,
        text,
        expected_fingerprint=fingerprint_of(path.read_bytes()),
        expected_exists=True,
        holds_secret=secret,
    )
    return result.notes


def set_or_skip(path: Path, name: str, value: bytes) -> None:
    try:
        os.setxattr(path, name, value)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            pytest.skip(f"the filesystem of {path.parent} refuses {name}: {exc.strerror}")
        raise


def test_user_attributes_are_kept(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    set_or_skip(config, "user.test", b"keep")
    set_or_skip(config, "user.other", b"\x00binary\xff")
    inode = config.stat().st_ino
    assert save(config, NEW) == []
    assert config.stat().st_ino != inode  # replaced through a temp file, not in place
    assert config.read_text() == NEW
    assert sorted(os.listxattr(config)) == ["user.other", "user.test"]
    assert os.getxattr(config, "user.test") == b"keep"
    assert os.getxattr(config, "user.other") == b"\x00binary\xff"


def test_attributes_of_a_symlinks_target_are_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.yml"
    real.write_text(OLD)
    set_or_skip(real, "user.test", b"keep")
    link = tmp_path / "config.yml"
    link.symlink_to(real)
    save(link, NEW)
    assert link.is_symlink() and real.read_text() == NEW
    assert os.getxattr(real, "user.test") == b"keep"


def test_an_acl_that_lets_a_user_read_the_file_is_kept(shared_dir: Path) -> None:
    """root's 0600 file that nobody reads through an ACL entry, as a registry user would."""
    config = shared_dir / "config.yml"
    config.write_text(OLD)
    config.chmod(0o600)
    set_or_skip(config, ACCESS, NOBODY_READS)
    assert read_as_nobody(config).returncode == 0
    assert save(config, NEW, secret=True) == []
    assert os.getxattr(config, ACCESS) == NOBODY_READS
    assert stat.S_IMODE(config.stat().st_mode) == 0o640  # the ACL's mask shows as group bits
    reader = read_as_nobody(config)
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout == NEW


def test_a_directorys_default_acl_does_not_give_the_file_one_it_had_not(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(OLD)
    config.chmod(0o600)
    set_or_skip(tmp_path, DEFAULT, NOBODY_READS)  # set after the file was made
    assert ACCESS not in os.listxattr(config)
    save(config, NEW)
    assert ACCESS not in os.listxattr(config)
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
