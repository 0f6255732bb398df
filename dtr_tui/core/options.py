"""The storage section's own keys around the driver: delete, redirect, cache, maintenance, tag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .params import Kind, ParamGroup, param
from .versions import V3_0

if TYPE_CHECKING:  # the value types are pydantic's: read when a check runs
    from .models import Duration, LooseInt, StrictBool, StrictInt, Text


class DeleteOptions(ParamGroup):
    enabled: StrictBool | None = param(
        label="Allow deletes",
        help="Let clients delete blobs and manifests by digest (needed before garbage collection).",
        kind=Kind.BOOLEAN,
        default=False,
        advanced=False,
    )


class RedirectOptions(ParamGroup):
    disable: StrictBool | None = param(
        label="Disable redirects",
        help="Serve blobs through the registry instead of redirecting clients to the backend.",
        kind=Kind.BOOLEAN,
        default=False,
        advanced=False,
    )


class CacheOptions(ParamGroup):
    blobdescriptor: Text | None = param(
        label="Blob descriptor cache",
        help="Cache of blob metadata: in memory, or in the redis section's server.",
        kind=Kind.CHOICE,
        choices=("inmemory", "redis"),
        advanced=False,
    )
    blobdescriptorsize: LooseInt | None = param(
        label="Cache size",
        help="Entries in the in-memory blob descriptor cache (0 or less: unlimited).",
        kind=Kind.INTEGER,
        default=10000,
        since=V3_0,
    )


class UploadPurgingOptions(ParamGroup):
    enabled: StrictBool | None = param(
        label="Purge old uploads",
        help="Delete abandoned uploads from the backend on a schedule.",
        kind=Kind.BOOLEAN,
        default=True,
        advanced=False,
    )
    age: Duration | None = param(
        label="Upload age",
        help="Uploads older than this are purged.",
        kind=Kind.DURATION,
        default="168h",
    )
    interval: Duration | None = param(
        label="Purge interval",
        help="How often the purge runs.",
        kind=Kind.DURATION,
        default="24h",
    )
    dryrun: StrictBool | None = param(
        label="Dry run",
        help="Only log what would be purged.",
        kind=Kind.BOOLEAN,
        default=False,
    )


class ReadOnlyOptions(ParamGroup):
    enabled: StrictBool | None = param(
        label="Read-only mode",
        help="Refuse every push (use it around garbage collection).",
        kind=Kind.BOOLEAN,
        default=False,
        advanced=False,
    )


class MaintenanceOptions(ParamGroup):
    uploadpurging: UploadPurgingOptions | None = param(
        label="Upload purging",
        help="When given, replaces the built-in purge schedule (168h age, every 24h).",
        kind=Kind.GROUP,
    )
    readonly: ReadOnlyOptions | None = param(
        label="Read-only",
        help="Put the registry in read-only mode.",
        kind=Kind.GROUP,
    )


class TagOptions(ParamGroup):
    concurrencylimit: StrictInt | None = param(
        label="Tag lookup concurrency",
        help="Most tag lookups at once (0: one per CPU).",
        kind=Kind.INTEGER,
        default=0,
        minimum=0,
        since=V3_0,
    )


class StorageOptions(ParamGroup):
    """Every reserved key of the storage section; the driver is the one other key."""

    delete: DeleteOptions | None = param(label="Delete", help="Deleting images.", kind=Kind.GROUP)
    redirect: RedirectOptions | None = param(
        label="Redirect", help="Redirecting blob downloads to the backend.", kind=Kind.GROUP
    )
    cache: CacheOptions | None = param(
        label="Cache", help="Caching blob metadata.", kind=Kind.GROUP
    )
    maintenance: MaintenanceOptions | None = param(
        label="Maintenance", help="Upload purging and read-only mode.", kind=Kind.GROUP
    )
    tag: TagOptions | None = param(
        label="Tag lookups", help="Tag lookup concurrency (3.x).", kind=Kind.GROUP, since=V3_0
    )


def reserved_keys(version_major: int) -> tuple[str, ...]:
    """Keys of `storage:` that are not drivers; 2.8 counts `tag` as a driver."""
    base = ("maintenance", "cache", "delete", "redirect")
    return base + ("tag",) if version_major >= 3 else base
