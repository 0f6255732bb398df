"""The screen's per-keystroke preview; the planning itself is the core's `Planner`."""

from __future__ import annotations

from ..core.plan import Planner as LivePlanner
from ..core.plan import Preview, storage_block

__all__ = ["LivePlanner", "Preview", "storage_block"]
