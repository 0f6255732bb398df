"""The gcs driver: Google Cloud Storage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..params import Kind, param
from ..problems import Problem, Severity
from ..versions import V2_8, V3_0, RegistryVersion
from .base import DriverModel

if TYPE_CHECKING:  # the value types are pydantic's: read when a check runs
    from ..models import LooseInt, StrictStr, Text

GCS_CHUNK = 256 * 1024


class GcsDriver(DriverModel):
    name = "gcs"
    title = "Google Cloud Storage"
    summary = "A Google Cloud Storage bucket."

    bucket: Text | None = param(
        label="Bucket",
        help="The bucket that holds the registry's data; it must already exist.",
        required=True,
        advanced=False,
    )
    keyfile: Text | None = param(
        label="Key file",
        help="Path, on the registry host, to a service-account JSON key.",
        advanced=False,
        example="/etc/docker/registry/gcs.json",
    )
    rootdirectory: Text | None = param(
        label="Root directory",
        help="Prefix under which the registry stores its objects.",
    )
    chunksize: LooseInt | None = param(
        label="Chunk size",
        help="Size of each resumable-upload chunk, in bytes.",
        kind=Kind.INTEGER,
        default={V2_8: 5 * 1024 * 1024, V3_0: 16 * 1024 * 1024},
        minimum=GCS_CHUNK,
        multiple_of=GCS_CHUNK,
        unit="bytes",
    )
    maxconcurrency: LooseInt | None = param(
        label="Max concurrency",
        help="Most concurrent GCS operations; values under 25 are raised to 25.",
        kind=Kind.INTEGER,
        default=50,
    )
    credentials: dict[StrictStr, Any] | None = param(
        label="Inline credentials",
        help="The service-account JSON fields written as YAML (private_key is secret).",
        kind=Kind.MAPPING,
    )
    useragent: Text | None = param(
        label="User agent",
        help="HTTP User-Agent for GCS requests.",
        since=V3_0,
    )

    @classmethod
    def cross_checks(cls, params: Mapping[str, Any], version: RegistryVersion) -> list[Problem]:
        found: list[Problem] = []
        if params.get("keyfile") and params.get("credentials"):
            found.append(
                Problem(
                    ("credentials",),
                    "is ignored because keyfile is set (keyfile wins)",
                    "keyfile or credentials, not both",
                    Severity.WARNING,
                )
            )
        if not params.get("keyfile") and not params.get("credentials"):
            found.append(
                Problem(
                    ("keyfile",),
                    "is not set: the registry will use Application Default Credentials and "
                    "stop if there are none",
                    "a service-account key file, inline credentials, or ADC on the host",
                    Severity.NOTE,
                )
            )
        return found
