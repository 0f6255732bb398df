"""Which form fields a backend has, read from the core's models: no field is declared twice.

A nested group (Azure's `credentials`, `maintenance.uploadpurging`) becomes one field per
parameter, addressed by its path under `storage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..core.drivers import driver_model
from ..core.options import StorageOptions
from ..core.params import Kind, Param, ParamGroup, specs
from ..core.problems import Path
from ..core.versions import RegistryVersion


@dataclass(frozen=True)
class FieldDef:
    """One editable value: where it lives under `storage` and its description."""

    path: Path
    spec: Param
    group: str = ""  # label of the group it belongs to, "" for a top-level parameter

    @property
    def dom_id(self) -> str:
        return "f-" + "--".join(self.path)

    @property
    def label(self) -> str:
        return f"{self.group} › {self.spec.label}" if self.group else self.spec.label


def _expand(
    model: type[ParamGroup], prefix: Path, version: RegistryVersion, group: str = ""
) -> list[FieldDef]:
    found: list[FieldDef] = []
    for name, spec in specs(model).items():
        if not spec.known_in(version):
            continue
        path = (*prefix, name)
        if spec.kind is Kind.GROUP:
            label = f"{group} › {spec.label}" if group else spec.label
            found += _expand(model.group(name), path, version, label)
            continue
        found.append(FieldDef(path, spec, group))
    return found


@cache
def driver_fields(driver: str, version: RegistryVersion) -> tuple[FieldDef, ...]:
    model = driver_model(driver)
    return tuple(_expand(model, (driver,), version)) if model is not None else ()


@cache
def option_fields(version: RegistryVersion) -> tuple[FieldDef, ...]:
    return tuple(_expand(StorageOptions, (), version))


def managed_paths(fields: tuple[FieldDef, ...]) -> set[Path]:
    paths: set[Path] = set()
    for f in fields:
        for depth in range(1, len(f.path) + 1):
            paths.add(f.path[:depth])
    return paths


def unmanaged_values(
    view: Any, fields: tuple[FieldDef, ...], prefix: Path = ()
) -> list[tuple[Path, Any]]:
    """Leaves of `view` that no form field edits: they are kept as written and listed."""
    known = managed_paths(fields)
    found: list[tuple[Path, Any]] = []
    if isinstance(view, dict):
        for key, value in view.items():
            path = (*prefix, str(key))
            if path not in known:
                found.append((path, value))
            elif isinstance(value, dict):
                found += unmanaged_values(value, fields, path)
    return found
