"""Writing the config safely: stale guard, timestamped backup, atomic replace, kept mode,
owner and extended attributes (ACLs, SELinux label), no access for "other" when it holds a
secret (`mode_after`), an in-place rewrite for a hard-linked file. A failed write leaves the
file as it was, or says exactly what is on disk."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .document import fingerprint_of
from .errors import StaleFileError, WriteError

KEEP_BACKUPS = 10
_BACKUP_MARK = ".bak-"
_STAMP = "%Y%m%dT%H%M%S.%fZ"


@dataclass(frozen=True)
class Backup:
    """A previous version of the config, kept beside it."""

    path: Path
    taken_at: datetime
    size: int


@dataclass(frozen=True)
class WriteResult:
    path: Path
    backup: Path | None
    mode: int
    created: bool
    tightened: bool  # "other" lost its access because the file now holds an inline secret
    notes: list[str] = field(default_factory=list)
    mode_before: int | None = None  # the file's mode before this write (None: it was created)


NEW_SECRET_FILE_MODE = 0o600


def mode_after(current_mode: int | None, holds_secret: bool) -> tuple[int | None, str]:
    """The mode a write gives the file, and the note saying why when that is not its mode now.

    `current_mode` is the file's mode, None for a file that does not exist yet. A file that
    holds a secret in the clear loses the bits of "other" only: owner and group keep theirs,
    as a registry's service group may read the file through its group (0644 -> 0640, 0640
    stays). A new file holding a secret is made 0600: its group would be the one of whoever
    runs the tool, not one chosen to read the file. The mode is None for a new file without
    a secret: it gets the default (0644 less the umask), left to the writer.
    """
    if current_mode is None:
        if not holds_secret:
            return None, ""
        return NEW_SECRET_FILE_MODE, (
            f"the new file's mode is {NEW_SECRET_FILE_MODE:04o}: it holds a secret in the clear"
        )
    if holds_secret and current_mode & 0o007:
        narrowed = current_mode & ~0o007
        return narrowed, (
            f"the file's mode changes {current_mode:04o} -> {narrowed:04o}: it holds a secret "
            "in the clear"
        )
    return current_mode, ""


def target_of(path: Path) -> Path:
    """The real file behind a symlink: replacing the link itself would break it."""
    return path.resolve() if path.is_symlink() else path


def list_backups(path: Path) -> list[Backup]:
    """Backups of `path`, newest first."""
    real = target_of(path)
    found = []
    for candidate in real.parent.glob(real.name + _BACKUP_MARK + "*"):
        stamp = candidate.name[len(real.name + _BACKUP_MARK) :]
        try:
            taken = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(Backup(candidate, taken, candidate.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def write_config(
    path: Path,
    text: str,
    *,
    expected_fingerprint: str,
    expected_exists: bool,
    holds_secret: bool,
    replace_inode: bool = True,
    keep_backups: int = KEEP_BACKUPS,
    mode: int | None = None,
) -> WriteResult:
    """Write `text` to `path` if the file is still as it was read.

    `replace_inode=False` rewrites the file in place instead of renaming a new one over it:
    a container that bind-mounts the file itself keeps seeing the old inode otherwise.
    `mode` gives the file exactly that mode (a rollback puts back the mode the file had);
    by default `mode_after` decides. The stale check, the backup and the write are done
    holding the config's lock (`config_lock`), so two writers cannot both pass the check.
    """
    real = target_of(path)
    source = str(path)
    directory = real.parent
    if not directory.is_dir():
        raise WriteError(
            f"cannot be written: the directory {directory} does not exist", source=source
        )
    with config_lock(path):
        return _write_locked(
            real, source, text, expected_fingerprint, expected_exists, holds_secret,
            replace_inode, keep_backups, mode,
        )  # fmt: skip


def _write_locked(
    real: Path,
    source: str,
    text: str,
    expected_fingerprint: str,
    expected_exists: bool,
    holds_secret: bool,
    replace_inode: bool,
    keep_backups: int,
    exact_mode: int | None,
) -> WriteResult:
    directory = real.parent
    current = _read_current(real, source)
    _guard_stale(current, expected_fingerprint, expected_exists, source)
    if current is not None and not os.access(real, os.W_OK):
        held = real.stat()
        raise WriteError(
            f"is not writable by you (mode {stat.S_IMODE(held.st_mode):04o}, owner uid "
            f"{held.st_uid}); nothing was written",
            source=source,
            hint="run as the file's owner or root, or fix its permissions",
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise WriteError(
            f"cannot be written: the directory {directory} is not writable by you; nothing "
            "was written",
            source=source,
        )
    data = text.encode("utf-8")
    info = real.stat() if current is not None else None
    before = stat.S_IMODE(info.st_mode) if info else None
    planned, note = mode_after(before, holds_secret)
    if exact_mode is not None:  # a rollback: the mode the file had, said by the caller
        planned, note = exact_mode, ""
    mode = _new_file_mode() if planned is None else planned
    tightened = bool(note)
    notes = [note] if note else []
    # a hard-linked file is rewritten in place: a new inode would leave the other names (and
    # whoever reads through them) with the old text
    linked = info is not None and info.st_nlink > 1
    if linked and replace_inode:
        assert info is not None
        notes.append(
            f"rewritten in place: the file has {info.st_nlink} hard links, and a new file "
            "would leave the others with the old text"
        )
    backup = None
    try:
        if current is not None:
            backup = _write_backup(real, current)
        if current is None or (replace_inode and not linked):
            notes += replace_atomically(real, data, mode, info)
        else:
            assert backup is not None
            _rewrite_in_place(real, data, mode, current, backup, source)
    except OSError as exc:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()
        raise WriteError(_explain_os_error(exc) + "; nothing was changed", source=source) from None
    notes += _prune_backups(real, keep_backups)
    return WriteResult(real, backup, mode, current is None, tightened, notes, before)


LOCK_WAIT = 5.0  # seconds a writer waits for another dtr-tui to finish before giving up
_LOCK_SUFFIX = ".dtr-tui.lock"
_held: dict[tuple[str, int], list[int]] = {}  # (lock file, thread) -> [fd, depth]
_held_guard = threading.Lock()


class ConfigLockedError(WriteError):
    """Another dtr-tui holds the config's lock (it is writing, or restarting the registry)."""


def lock_path(path: Path) -> Path:
    """The lock file beside the config: `.config.yml.dtr-tui.lock`, apart from the config so
    the config's own renames never move it; removed on release (`config_lock` says how a
    waiter then takes the new one)."""
    real = target_of(path)
    return real.with_name("." + real.name + _LOCK_SUFFIX)


@contextlib.contextmanager
def config_lock(path: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the config's exclusive lock (flock on its lock file) for the block.

    A lock file, not the directory: it can say who holds it. It is removed on release while
    still locked, and a waiter that then gets the lock on the removed file opens the new one
    again, so no stray file stays beside the config. Re-entrant within a thread (an apply
    holds it from the stale check to the end of its restart or rollback, and its writes take
    it again). Another process or thread that holds it is waited for `wait` seconds, then
    ConfigLockedError names it (pid, user, since when). A directory where the lock file
    cannot be made is not locked: the write itself then fails with its own reason."""
    lock = lock_path(path)
    key = (str(lock), threading.get_ident())
    with _held_guard:
        entry = _held.get(key)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        try:
            yield
        finally:
            with _held_guard:
                entry[1] -= 1
        return
    fd = _acquire(lock, str(path), wait)
    if fd is None:
        yield
        return
    try:
        with _held_guard:
            _held[key] = [fd, 1]
        _say_holder(fd)
        yield
    finally:
        with _held_guard:
            _held.pop(key, None)
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)  # closing the last descriptor releases the flock


def _acquire(lock: Path, source: str, wait: float) -> int | None:
    deadline = time.monotonic() + wait
    while True:
        fd = _open_lock(lock)
        if fd is None:
            return None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise ConfigLockedError(
                            f"is being changed by another dtr-tui ({_holder(lock)}), still "
                            f"after {wait:g} s; nothing was written",
                            source=source,
                            hint="an apply --restart holds it until the registry serves or is "
                            "rolled back: wait for it to end, then load the file again and "
                            "review the diff",
                        ) from None
                    time.sleep(0.05)
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if same:
            return fd
        os.close(fd)  # its holder removed it on release: lock the one there now


def _open_lock(lock: Path) -> int | None:
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        try:
            return os.open(lock, flags | os.O_CLOEXEC, 0o644)
        except OSError:
            continue
    return None


def _say_holder(fd: int) -> None:
    """Who holds the lock, for the next one who waits: pid, user, since when. No argv (it
    may hold a secret typed in --set)."""
    since = datetime.now(UTC).strftime("%H:%M:%S UTC")
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, uid {os.getuid()}, since {since}\n".encode(), 0)


def _holder(lock: Path) -> str:
    try:
        text = lock.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    if not text.startswith("pid "):
        return "a process that has not said who it is"
    pid = text.split(",")[0].removeprefix("pid ").strip()
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return text
    return f"{text}, process {name}"


def restore_backup(path: Path, backup: Path, *, expected_fingerprint: str) -> WriteResult:
    """Put a backup back in place, through the same safe write (the current file is backed up)."""
    data = backup.read_bytes()
    text = data.decode("utf-8")
    from .secrets import secret_paths
    from .yaml_nodes import compose, to_view

    view = to_view(compose(text, str(backup)), str(backup))
    return write_config(
        path,
        text,
        expected_fingerprint=expected_fingerprint,
        expected_exists=True,
        holds_secret=any(True for _ in secret_paths(view)),
    )


def current_fingerprint(path: Path) -> str:
    real = target_of(path)
    return fingerprint_of(real.read_bytes()) if real.exists() else ""


# -- internals ---------------------------------------------------------------------------


def _read_current(real: Path, source: str) -> bytes | None:
    try:
        return real.read_bytes()
    except FileNotFoundError:
        return None
    except PermissionError:
        raise WriteError("cannot be read to check it: permission denied", source=source) from None
    except IsADirectoryError:
        raise WriteError("is a directory, not a config file", source=source) from None


def _guard_stale(current: bytes | None, expected: str, expected_exists: bool, source: str) -> None:
    if expected_exists and current is None:
        raise StaleFileError(
            "was deleted since it was read; nothing was written",
            source=source,
            hint="load it again and review the change",
        )
    if not expected_exists and current is not None:
        raise StaleFileError(
            "was created by someone else since it was read; nothing was written",
            source=source,
            hint="load it again and review the change",
        )
    if current is not None and fingerprint_of(current) != expected:
        raise StaleFileError(
            "changed on disk since it was read; nothing was written",
            source=source,
            hint="load it again, review the new diff, then save",
        )


def _new_file_mode() -> int:
    """0644 less the umask, but always readable and writable by its owner."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o644 & ~umask) | 0o600


def _write_backup(real: Path, data: bytes) -> Path:
    stamp = datetime.now(UTC).strftime(_STAMP)
    backup = real.with_name(real.name + _BACKUP_MARK + stamp)
    fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            backup.unlink()
        raise
    os.close(fd)
    return backup


def replace_atomically(
    real: Path, data: bytes, mode: int, info: os.stat_result | None
) -> list[str]:
    """`real` replaced whole by `data`: a temp file beside it, fsynced, renamed over it (owner
    and extended attributes kept from the old file when `info` is given), so a failure leaves
    the old file as it was. Returns notes on what could not be kept."""
    fd, tmp_name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    notes: list[str] = []
    try:
        _write_all(fd, data)
        if info is not None:
            with contextlib.suppress(PermissionError):
                os.fchown(fd, info.st_uid, info.st_gid)
            # after the owner (a chown may clear some), before the mode (an ACL sets it)
            notes = _copy_xattrs(real, fd)
        os.fchmod(fd, mode)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, real)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(real.parent)
    return notes


def _copy_xattrs(real: Path, fd: int) -> list[str]:
    """The old file's extended attributes (user.*, POSIX ACLs, the SELinux label) on the new
    one, which also loses any it got from the directory (a default ACL) that the old one had
    not. One that cannot be copied is named in a note; the write goes on."""
    try:
        names = os.listxattr(real)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return []  # the filesystem has none to keep
        return [f"its extended attributes could not be read ({exc.strerror}): not kept"]
    notes = []
    with contextlib.suppress(OSError):
        for extra in set(os.listxattr(fd)) - set(names):
            with contextlib.suppress(OSError):
                os.removexattr(fd, extra)
    for name in names:
        try:
            os.setxattr(fd, name, os.getxattr(real, name))
        except OSError as exc:
            notes.append(
                f"extended attribute {name} could not be kept ({exc.strerror}): the new file "
                "does not have it"
            )
    return notes


def _rewrite_in_place(
    real: Path, data: bytes, mode: int, old: bytes, backup: Path, source: str
) -> None:
    """`real` rewritten through its own inode (hard links and a bind mount see the change).

    The new length is reserved before a byte is overwritten, so a full disk stops it first;
    a failure after that puts the old bytes back, and when that fails too the error says
    what the file holds and where the backup is (the backup is then kept)."""
    fd = os.open(real, os.O_WRONLY)
    try:
        if len(data) > len(old):
            _reserve(fd, len(old), len(data))
        try:
            _write_all_at(fd, data)
            os.ftruncate(fd, len(data))
            if stat.S_IMODE(os.fstat(fd).st_mode) != mode:  # only the owner may chmod
                os.fchmod(fd, mode)
            os.fsync(fd)
        except OSError as exc:
            _put_back(fd, real, old, backup, source, exc)
    finally:
        os.close(fd)


def _reserve(fd: int, length: int, size: int) -> None:
    """The file, `length` bytes long, made `size` bytes long on disk without changing a byte
    it holds; on failure it is cut back to `length`."""
    try:
        try:
            os.posix_fallocate(fd, 0, size)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
                raise
            # no fallocate on this filesystem: append zeros past the end
            _write_all_at(fd, b"\0" * (size - length), length)
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, length)
        raise


def _put_back(fd: int, real: Path, old: bytes, backup: Path, source: str, failure: OSError) -> None:
    """After a failed in-place rewrite: the old bytes again, or an error saying what is on
    disk now."""
    reason = _explain_os_error(failure)
    try:
        _write_all_at(fd, old)
        os.ftruncate(fd, len(old))
        os.fsync(fd)
    except OSError:
        raise WriteError(
            f"{reason} while it was rewritten in place, and the previous text could not be "
            f"put back: the file now holds a partly written config; the previous version is "
            f"in {backup}",
            source=source,
            hint=f"put it back with `dtr-tui rollback` (the newest backup) or `cp {backup} {real}`",
        ) from None
    raise failure


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_all_at(fd: int, data: bytes, offset: int = 0) -> None:
    """`data` written at `offset` of the file (the file's own offset is not used)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _prune_backups(real: Path, keep: int) -> list[str]:
    notes = []
    for old in list_backups(real)[keep:]:
        try:
            old.path.unlink()
        except OSError as exc:
            notes.append(f"could not remove old backup {old.path}: {exc.strerror}")
    return notes


def _explain_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EDQUOT:
        return "the disk quota is exhausted"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the filesystem is read-only"
    return f"the write failed: {exc.strerror or exc}"
