"""What the app needs from outside the UI, injected by the factory so tests build the same app.

The defaults import the services lazily: starting the app costs none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.draft import StorageDraft
from ..core.plan import Plan
from ..core.versions import RegistryVersion

Progress = Callable[[str], None]


def _apply(plan: Plan, progress: Progress) -> Any:
    from ..services.apply import apply_plan

    return apply_plan(plan, progress=progress)


def _read_upload(path: Path, version: RegistryVersion, current: StorageDraft) -> Any:
    from ..core.upload import read_upload

    return read_upload(path, version, current)


def _export(draft: StorageDraft, include_secrets: bool) -> Any:
    from ..core.upload import export_storage

    return export_storage(draft, include_secrets=include_secrets)


@dataclass(frozen=True)
class Deps:
    """The parts that touch the disk (and later Docker): swap them in tests."""

    apply: Callable[[Plan, Progress], Any] = _apply
    read_upload: Callable[[Path, RegistryVersion, StorageDraft], Any] = _read_upload
    export: Callable[[StorageDraft, bool], Any] = _export
