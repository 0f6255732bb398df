"""The storage drivers the registry knows, each as a model of its parameters."""

from __future__ import annotations

from ..versions import V3_0, RegistryVersion
from .azure import AzureDriver
from .base import DriverModel, ParamGroup
from .filesystem import FilesystemDriver
from .gcs import GcsDriver
from .inmemory import InMemoryDriver
from .s3 import S3Driver
from .swift import SwiftDriver

DRIVERS: dict[str, type[DriverModel]] = {
    model.name: model
    for model in (
        FilesystemDriver,
        S3Driver,
        SwiftDriver,
        AzureDriver,
        GcsDriver,
        InMemoryDriver,
    )
}

# Registered by the registry but not edited here: kept as written, reported as not managed.
UNMANAGED_DRIVERS: dict[str, RegistryVersion | None] = {"oss": V3_0}  # name -> removed in


def driver_model(name: str) -> type[DriverModel] | None:
    """The model for a driver name as the registry registers it (`s3aws` is `s3`)."""
    if name in DRIVERS:
        return DRIVERS[name]
    for model in DRIVERS.values():
        if name in model.aliases:
            return model
    return None


def registered_names(version: RegistryVersion) -> list[str]:
    """Every driver name the given registry version accepts (case-sensitive)."""
    names: list[str] = []
    for model in DRIVERS.values():
        if model.known_in(version):
            names.append(model.name)
            names.extend(model.aliases)
    for name, removed in UNMANAGED_DRIVERS.items():
        if removed is None or version < removed:
            names.append(name)
    return names


__all__ = [
    "DRIVERS",
    "UNMANAGED_DRIVERS",
    "AzureDriver",
    "DriverModel",
    "FilesystemDriver",
    "GcsDriver",
    "InMemoryDriver",
    "ParamGroup",
    "S3Driver",
    "SwiftDriver",
    "driver_model",
    "registered_names",
]
