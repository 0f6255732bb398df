"""What the app needs from outside the UI, injected by the factory so tests build the same app.

The defaults import the services lazily: starting the app costs none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.draft import StorageDraft
from ..core.versions import RegistryVersion

if TYPE_CHECKING:
    from ..core.plan import Plan

Progress = Callable[[str], None]


def _apply(plan: Plan, progress: Progress) -> Any:
    from ..services.apply import apply_plan

    return apply_plan(plan, progress=progress)


def _read_upload(
    path: Path, version: RegistryVersion, current: StorageDraft, saved: StorageDraft | None
) -> Any:
    """The upload on top of the form (`current`); a redacted secret the form lacks comes from
    the file as read (`saved`)."""
    from ..core.upload import read_upload

    return read_upload(path, version, current, saved)


def _export(draft: StorageDraft, include_secrets: bool) -> Any:
    from ..core.upload import export_storage

    return export_storage(draft, include_secrets=include_secrets)


def _run_checks(draft: StorageDraft, version: RegistryVersion, **kwargs: Any) -> Any:
    from ..services.checks import run_checks

    return run_checks(draft, version, **kwargs)


def _check_names(draft: StorageDraft, version: RegistryVersion) -> list[str]:
    from ..services.checks import checks_for

    return [c.name for c in checks_for(draft, version)]


def _data_move(
    current: StorageDraft, new: StorageDraft, version: RegistryVersion, **kwargs: Any
) -> Any:
    """What a backend switch hides (an inventory `Vanishing`), or None when the data stays."""
    from ..services.checks.inventory import same_location, vanishing

    try:
        if same_location(current, new, version):
            return None
    except (TypeError, ValueError):  # a draft too broken to locate: the checks say why
        return None
    return vanishing(current, new, version, **kwargs)


def _moves_data(current: StorageDraft, new: StorageDraft, version: RegistryVersion) -> bool:
    from ..services.checks.inventory import same_location

    try:
        return not same_location(current, new, version)
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Deps:
    """The parts that touch the disk (and later Docker): swap them in tests."""

    apply: Callable[[Plan, Progress], Any] = _apply
    # read_upload(path, version, current draft, saved draft or None) -> core.upload.Upload
    read_upload: Callable[[Path, RegistryVersion, StorageDraft, StorageDraft | None], Any] = (
        _read_upload
    )
    export: Callable[[StorageDraft, bool], Any] = _export
    # run_checks(draft, version, timeout=, on_result=, cancel=) -> list[CheckResult]
    run_checks: Callable[..., Any] = _run_checks
    check_names: Callable[[StorageDraft, RegistryVersion], list[str]] = _check_names
    moves_data: Callable[[StorageDraft, StorageDraft, RegistryVersion], bool] = _moves_data
    # data_move(current, new, version, timeout=, cancel=) -> Vanishing | None
    data_move: Callable[..., Any] = _data_move
    # with a registry container (for_container): apply_plan(..., restart=True) -> ApplyResult
    restart: Callable[[Plan, Progress], Any] | None = None
    # run_canary(new config text, progress) -> CanaryResult
    canary: Callable[[str, Callable[[Any], None]], Any] | None = None
    # the container's state as the engine says it now (blocking)
    container_state: Callable[[], str] | None = None


def _apply_to(container: Any, restart: bool, plan: Plan, progress: Progress) -> Any:
    from ..services.apply import apply_plan

    return apply_plan(
        plan,
        target=container.target,
        client=container.client,
        restart=restart,
        progress=progress,
    )


def _canary_of(container: Any, config_text: str, progress: Callable[[Any], None]) -> Any:
    from ..services.apply import secret_values
    from ..services.canary import run_canary

    return run_canary(
        config_text,
        container.target,
        container.client,
        progress=progress,
        secrets=secret_values(config_text),
    )


def for_container(deps: Deps, container: Any) -> Deps:
    """Save goes through the container (its environment checked, the container still there);
    Save & restart and the canary become possible. `container` is a ContainerTarget."""
    from functools import partial

    return replace(  # what a test injected stays
        deps,
        apply=partial(_apply_to, container, False) if deps.apply is _apply else deps.apply,
        restart=deps.restart or partial(_apply_to, container, True),
        canary=deps.canary or partial(_canary_of, container),
        container_state=deps.container_state or container.refresh_state,
    )
