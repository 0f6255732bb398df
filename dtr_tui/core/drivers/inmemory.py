"""The in-memory driver: for tests only, everything is lost at restart."""

from __future__ import annotations

from .base import DriverModel


class InMemoryDriver(DriverModel):
    name = "inmemory"
    title = "In-memory (testing only)"
    summary = "Keeps images in memory: every image is lost when the registry restarts."
