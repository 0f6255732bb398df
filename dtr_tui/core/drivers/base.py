"""What every storage driver model shares: its name, title and the versions that have it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..params import ParamGroup
from ..problems import Problem
from ..versions import RegistryVersion


class DriverModel(ParamGroup):
    """One storage driver's parameters, as the registry reads them."""

    name: ClassVar[str]
    title: ClassVar[str]
    summary: ClassVar[str]
    since: ClassVar[RegistryVersion | None] = None
    until: ClassVar[RegistryVersion | None] = None
    aliases: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def known_in(cls, version: RegistryVersion) -> bool:
        if cls.since is not None and version < cls.since:
            return False
        return not (cls.until is not None and version >= cls.until)

    @classmethod
    def cross_checks(cls, params: Mapping[str, Any], version: RegistryVersion) -> list[Problem]:
        """Rules that span several parameters; paths are relative to the driver block."""
        return []
