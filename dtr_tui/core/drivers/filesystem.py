"""The filesystem driver: a directory on the registry host."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..params import Kind, param
from ..problems import Problem, Severity
from ..versions import RegistryVersion
from .base import DriverModel

if TYPE_CHECKING:  # the value types are pydantic's: read when a check runs
    from ..models import LooseInt, Text


class FilesystemDriver(DriverModel):
    name = "filesystem"
    title = "Filesystem"
    summary = "A directory on the registry host (one registry node only)."

    rootdirectory: Text | None = param(
        label="Storage directory",
        help="Directory under which the registry keeps every repository and blob.",
        default="/var/lib/registry",
        advanced=False,
        example="/var/lib/registry",
    )
    maxthreads: LooseInt | None = param(
        label="Max threads",
        help="Most concurrent filesystem operations; values under 25 are raised to 25.",
        kind=Kind.INTEGER,
        default=100,
    )

    @classmethod
    def cross_checks(cls, params: Mapping[str, Any], version: RegistryVersion) -> list[Problem]:
        found: list[Problem] = []
        root = params.get("rootdirectory")
        if isinstance(root, str) and root and not root.startswith("/"):
            found.append(
                Problem(
                    ("rootdirectory",),
                    "is a relative path: it is resolved against the registry's working directory",
                    "an absolute path such as /var/lib/registry",
                    Severity.WARNING,
                )
            )
        threads = params.get("maxthreads")
        if isinstance(threads, int) and not isinstance(threads, bool) and threads < 25:
            found.append(
                Problem(
                    ("maxthreads",),
                    f"is {threads}: the registry raises it to 25",
                    "a whole number of at least 25",
                    Severity.WARNING,
                )
            )
        return found
