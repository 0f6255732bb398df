"""Registry versions: the target version decides which drivers and keys are valid."""

from __future__ import annotations

from dataclasses import dataclass
from functools import total_ordering


@total_ordering
@dataclass(frozen=True)
class RegistryVersion:
    """A distribution registry release line (2.8, 3.0, 3.1)."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RegistryVersion):
            return NotImplemented
        return (self.major, self.minor) < (other.major, other.minor)

    @property
    def line(self) -> str:
        """The release line as people say it: "2.8" or "3.x"."""
        return "2.8" if self.major == 2 else "3.x"

    @property
    def default_config_path(self) -> str:
        """Where the official image reads its config (the 3.x image moved it)."""
        return (
            "/etc/docker/registry/config.yml" if self.major == 2 else "/etc/distribution/config.yml"
        )


V2_8 = RegistryVersion(2, 8)
V3_0 = RegistryVersion(3, 0)
V3_1 = RegistryVersion(3, 1)
DEFAULT_VERSION = V2_8
SUPPORTED = (V2_8, V3_0, V3_1)

_ALIASES = {
    "2": V2_8,
    "2.8": V2_8,
    "3": V3_0,
    "3.0": V3_0,
    "3.x": V3_0,
    "3.1": V3_1,
}


class UnknownVersionError(ValueError):
    """The user named a registry version we do not know."""


def parse_version(text: str) -> RegistryVersion:
    """Read "2.8", "3", "3.0", "3.1" (a leading "v" and a patch number are accepted)."""
    cleaned = text.strip().lower().removeprefix("v")
    parts = cleaned.split(".")
    key = ".".join(parts[:2]) if len(parts) > 2 else cleaned
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnknownVersionError(
        f"unknown registry version {text!r}: use 2.8, or 3.0 / 3.1 (3 is read as 3.0)"
    )
