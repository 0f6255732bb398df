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


def filesystem_checks(
    draft: StorageDraft, version: RegistryVersion, timeout: float = 5.0
) -> list[Check]:
    """Checks of `rootdirectory` as seen from this host (inside a container: the mounted path)."""
    raw = draft.params.get("rootdirectory")
    root = Path(str(raw) if raw not in (None, "") else DEFAULT_ROOT)

    def exists(ctx: CheckContext) -> Outcome:
        if not root.is_absolute():
            raise CheckFailed(
                f"rootdirectory {root} is relative: the registry resolves it against its "
                "working directory",
                "use an absolute path such as /var/lib/registry",
            )
        if root.is_dir():
            return passed(f"{root} exists")
        if root.exists():
            raise CheckFailed(f"{root} exists but is not a directory", "choose a directory")
        parent = _existing_parent(root)
        if os.access(parent, os.W_OK | os.X_OK):
            return passed(f"{root} does not exist yet; the registry will create it under {parent}")
        raise CheckFailed(
            f"{root} does not exist and {parent} is not writable, so it cannot be created",
            f"create it: mkdir -p {root} (as the user the registry runs as)",
        )

    def writable(ctx: CheckContext) -> Outcome:
        if not root.is_dir():
            parent = _existing_parent(root)
            if os.access(parent, os.W_OK | os.X_OK):
                return passed(f"{parent} is writable, so {root} can be created")
            raise CheckFailed(f"{parent} is not writable", f"mkdir -p {root} and chown it")
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
        return passed(f"wrote, read and deleted a probe file in {root}")

    def space(ctx: CheckContext) -> Outcome:
        where = root if root.exists() else _existing_parent(root)
        usage = shutil.disk_usage(where)
        text = f"{_human(usage.free)} free of {_human(usage.total)} on the disk holding {where}"
        if usage.free < LOW_SPACE:
            return warned(text, "free space or move rootdirectory to a larger disk (df -h)")
        return passed(text)

    def data_size(ctx: CheckContext) -> Outcome:
        if not root.is_dir():
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
