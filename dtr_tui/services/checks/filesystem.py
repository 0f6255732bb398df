"""Filesystem checks: the root directory as the registry process on this host would use it."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

from ...core.draft import StorageDraft
from ...core.versions import RegistryVersion
from .model import Check, CheckContext, CheckFailed, Outcome, passed, warned

DEFAULT_ROOT = "/var/lib/registry"
LOW_SPACE = 5 << 30  # below 5 GiB free a few large images fill the disk
SIZE_SCAN_BUDGET = 0.6  # share of the timeout the size scan may use before it reports "at least"


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _create_dirs(root: Path) -> tuple[list[Path], OSError | None, Path | None]:
    """mkdir each missing directory down to `root`, as the registry would at its first write:
    (the directories made, outermost first; the error; the path whose mkdir failed)."""
    missing: list[Path] = []
    cur = root
    while not cur.exists() and cur != cur.parent:
        missing.append(cur)
        cur = cur.parent
    made: list[Path] = []
    for path in reversed(missing):
        try:
            path.mkdir(0o777)
        except OSError as err:
            return made, err, path
        made.append(path)
    return made, None, None


def _remove_dirs(made: list[Path]) -> list[Path]:
    """rmdir what `_create_dirs` made, innermost first; what could not be removed."""
    left: list[Path] = []
    for path in reversed(made):
        try:
            path.rmdir()
        except OSError:
            left.append(path)
    return left


def filesystem_checks(
    draft: StorageDraft, version: RegistryVersion, timeout: float = 5.0
) -> list[Check]:
    """Checks of `rootdirectory` as seen from this host (inside a container: the mounted path).

    A relative root is taken against /, the working directory of the registry's official
    image. What exists is read once, before the checks run: "writable" may create the root
    for a moment while the others look."""
    raw = draft.params.get("rootdirectory")
    given = Path(str(raw) if raw not in (None, "") else DEFAULT_ROOT)
    root = given if given.is_absolute() else Path("/") / given
    try:
        was_dir = root.is_dir()
        was_other = root.exists() and not was_dir
        parent = _existing_parent(root)
        unseen: CheckFailed | None = None
    except OSError as err:  # e.g. a parent this user may not enter: each check says so
        was_dir, was_other, parent = False, False, root.parent
        unseen = CheckFailed(
            f"cannot look at {root}: {err.strerror or err}",
            "run the check as a user that can reach the path (the registry's user, or root)",
        )

    def seen() -> None:
        if unseen is not None:
            raise unseen

    def exists(ctx: CheckContext) -> Outcome:
        seen()
        relative = ""
        if not given.is_absolute():
            relative = (
                f"rootdirectory {given} is relative: the registry resolves it against its "
                f"working directory, / in the registry image's container ({root}), the "
                "current directory for a registry started by hand; "
            )
        if was_dir:
            state = f"{root} exists"
        elif was_other:
            raise CheckFailed(
                f"{root} is a file, not a directory: the registry cannot store images in it",
                "move the file away, or set rootdirectory to a directory",
            )
        elif not parent.is_dir():
            raise CheckFailed(
                f"{parent} is a file, not a directory, so {root} cannot be created under it",
                "move the file away, or set rootdirectory to a path under a directory",
            )
        else:
            state = f"{root} does not exist yet; the registry will create it under {parent}"
        if relative:
            return warned(relative + state, f"use an absolute path such as {root}")
        return passed(state)

    def writable(ctx: CheckContext) -> Outcome:
        seen()
        if was_other:
            raise CheckFailed(
                f"{root} is a file, not a directory", "move the file away, or choose a directory"
            )
        made: list[Path] = []
        if not root.is_dir():
            made, err, failed_at = _create_dirs(root)
            if err is not None:
                left = _remove_dirs(made)
                what = err.strerror or str(err)
                fix = (
                    f"create {root} by hand where it can exist (mkdir -p {root}, as the "
                    "registry's user), or set rootdirectory to a path on a real disk"
                )
                if failed_at is not None and failed_at.parent.exists():
                    if not failed_at.parent.is_dir():
                        what = f"{failed_at.parent} is a file, not a directory"
                        fix = "move the file away, or set rootdirectory to a path under a directory"
                detail = f"cannot create {root}: mkdir {failed_at}: {what}"
                if left:
                    detail += f" (left behind: {', '.join(map(str, left))})"
                raise CheckFailed(
                    detail + "; the registry fails the same way at its first write", fix
                )
        probe = root / f".dtr-tui-check-{uuid.uuid4().hex}"
        try:
            probe.write_bytes(b"dtr-tui storage check")
            if probe.read_bytes() != b"dtr-tui storage check":
                raise CheckFailed(f"read back other bytes than written in {root}")
            probe.unlink()
        except OSError as err:
            raise CheckFailed(
                f"cannot write in {root}: {err.strerror or err}",
                f"chown the directory to the registry's user, or chmod u+w {root}",
            ) from None
        finally:
            left = _remove_dirs(made)
        if made:
            note = f" (left behind: {', '.join(map(str, left))})" if left else ""
            return passed(
                f"created {made[0]}, wrote, read and deleted a probe file in {root}, and "
                f"removed what was created{note}"
            )
        return passed(f"wrote, read and deleted a probe file in {root}")

    def space(ctx: CheckContext) -> Outcome:
        seen()
        where = root if was_dir else parent
        usage = shutil.disk_usage(where)
        text = f"{_human(usage.free)} free of {_human(usage.total)} on the disk holding {where}"
        if usage.free < LOW_SPACE:
            return warned(text, "free space or move rootdirectory to a larger disk (df -h)")
        return passed(text)

    def data_size(ctx: CheckContext) -> Outcome:
        seen()
        if not was_dir:
            return passed(f"{root} holds no data yet")
        budget = time.monotonic() + ctx.timeout * SIZE_SCAN_BUDGET
        total, files, complete = 0, 0, True
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                if name.startswith(".dtr-tui-check-"):
                    continue  # the "writable" check's probe, written concurrently
                try:
                    total += os.lstat(os.path.join(dirpath, name)).st_size
                    files += 1
                except OSError:
                    continue
            if time.monotonic() > budget or ctx.cancel.is_set():
                complete = False
                break
        repos = root / "docker/registry/v2/repositories"
        count = sum(1 for _ in repos.iterdir()) if repos.is_dir() else 0
        size = ("" if complete else "at least ") + _human(total)
        detail = f"{size} in {files} files already there"
        if count:
            detail += f"; {count} top-level repository namespaces"
        return passed(detail)

    def several_nodes(ctx: CheckContext) -> Outcome:
        return warned(
            "local storage serves one registry node only: replicas behind a load balancer "
            "would each see different images",
            "for several nodes use s3, swift or azure, or a shared NFS mount at the same path",
        )

    return [
        Check("root directory", exists),
        Check("writable", writable),
        Check("free space", space),
        Check("data already there", data_size),
        Check("several nodes", several_nodes),
    ]
