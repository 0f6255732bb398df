"""The storage section being edited: one driver, its parameters, and the storage options."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .drivers import DRIVERS, UNMANAGED_DRIVERS, driver_model, registered_names
from .errors import DtrError
from .options import reserved_keys
from .problems import Path
from .validation import find_driver
from .versions import RegistryVersion


@dataclass(frozen=True)
class StorageDraft:
    """A storage section with exactly one driver; values are typed as the registry reads them.

    Immutable: every edit returns a new draft, so the screen can diff and undo cheaply.
    """

    driver: str
    params: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_view(
        cls, storage: Any, version: RegistryVersion, source: str = "config"
    ) -> StorageDraft:
        """The draft of a storage section, or an error when it has not exactly one driver."""
        driver, problems = find_driver(storage, version)
        if driver is None:
            first = problems[0]
            raise DtrError(
                first.message,
                source=source,
                line=first.line,
                field=first.field,
                hint="allowed: " + first.allowed if first.allowed else "",
            )
        if isinstance(storage, str):
            storage = {storage: None}
        params = storage[driver]
        options = {k: v for k, v in storage.items() if k != driver}
        return cls(
            driver,
            copy.deepcopy(dict(params)) if isinstance(params, Mapping) else {},
            copy.deepcopy(options),
        )

    @classmethod
    def keeping(cls, storage: Any, driver: str, version: RegistryVersion) -> StorageDraft:
        """The draft that keeps `driver`'s own block of a storage section as written (its
        parameters) and the storage options, and drops every other driver key: how a file
        with several drivers is mended."""
        storage = _as_section(storage)
        params = storage.get(driver)
        reserved = reserved_keys(version.major)
        options = {k: v for k, v in storage.items() if k in reserved and k != driver}
        return cls(
            driver,
            copy.deepcopy(dict(params)) if isinstance(params, Mapping) else {},
            copy.deepcopy(options),
        )

    @classmethod
    def default(cls) -> StorageDraft:
        return cls("filesystem", {"rootdirectory": "/var/lib/registry"}, {})

    def as_view(self) -> dict[str, Any]:
        """The storage section as a plain mapping, driver first, as the registry reads it."""
        return {self.driver: dict(self.params), **self.options}

    def get(self, path: Path) -> Any:
        node: Any = self.as_view()
        for part in path:
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node

    def with_value(self, path: Path, value: Any) -> StorageDraft:
        """A copy with `path` (relative to `storage`) set; None removes the key."""
        if not path:
            raise ValueError("empty path")
        view = copy.deepcopy(self.as_view())
        if path[0] not in view and path[0] != self.driver and _is_driver_name(path[0]):
            raise DtrError(
                f"the config uses the {self.driver} driver, not {path[0]}",
                field="storage." + ".".join(path),
                hint=f"switch the backend to {path[0]} first (--driver {path[0]})",
            )
        node = view
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                if value is None:
                    return self
                child = {}
                node[part] = child
            node = child
        if value is None:
            node.pop(path[-1], None)
            _prune_empty(view, path[:-1], keep=self.driver)
        else:
            node[path[-1]] = value
        params = view.pop(self.driver)
        return StorageDraft(self.driver, params, view)

    def with_driver(self, name: str, params: Mapping[str, Any] | None = None) -> StorageDraft:
        """Switch backend: the driver block is replaced, the storage options are kept."""
        if name == self.driver and params is None:
            return self
        return StorageDraft(name, dict(params or {}), copy.deepcopy(dict(self.options)))


def _prune_empty(view: dict[str, Any], path: Path, keep: str) -> None:
    """Drop option blocks an unset left empty (an empty `redirect:` crashes the registry)."""
    for depth in range(len(path), 0, -1):
        parent = view
        for part in path[: depth - 1]:
            parent = parent[part]
        key = path[depth - 1]
        if key == keep and depth == 1:
            return
        if parent.get(key) == {}:
            del parent[key]


def _is_driver_name(name: str) -> bool:
    return driver_model(name) is not None or name in UNMANAGED_DRIVERS


def _as_section(storage: Any) -> Mapping[Any, Any]:
    """A storage section as a mapping: the registry also takes a bare driver name
    (`storage: inmemory`); anything else that is not a mapping holds no driver."""
    if isinstance(storage, str):
        return {storage: None}
    return storage if isinstance(storage, Mapping) else {}


def driver_keys(storage: Any, version: RegistryVersion) -> list[str]:
    """The keys of a storage section that are not storage options (so the registry takes
    each for a driver), in file order."""
    storage = _as_section(storage)
    reserved = reserved_keys(version.major)
    return [str(k) for k in storage if str(k) not in reserved]


def several_drivers(storage: Any, version: RegistryVersion) -> list[str]:
    """The driver blocks of a storage section that has several, each a driver this registry
    version knows and dtr-tui has a form for (the registry refuses the file: `must provide
    exactly one storage type`), in file order; [] when the section is not broken that way."""
    keys = driver_keys(storage, version)
    names = registered_names(version)
    if len(keys) > 1 and all(key in names and key in DRIVERS for key in keys):
        return keys
    return []
