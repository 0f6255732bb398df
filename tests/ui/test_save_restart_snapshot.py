"""The save dialog after a Save & restart that failed and was rolled back: the steps, the
rollback's outcome and the container's log tail stay on screen. The container and the apply
are fakes injected through Deps (fixed steps and log), so the picture is always the same; the
real pipeline is exercised in test_docker_save.py."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.pilot import Pilot

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import ApplyResult
from dtr_tui.ui.app import make_app
from dtr_tui.ui.container import ContainerTarget
from dtr_tui.ui.deps import Deps
from dtr_tui.ui.screens.save import SaveDialog

from .conftest import FILESYSTEM_CONFIG
from .test_checks import wait_until
from .test_flows import fill_s3, ready, settle, wait_for_screen

STEPS = [
    "checking container registry (3f2a9c1d8e7b) is still there",
    "checking the file is unchanged since it was read",
    "backed up the previous version to /etc/docker/registry/config.yml.1",
    "wrote /etc/docker/registry/config.yml (mode 0600)",
    "restarting container registry (3f2a9c1d8e7b)",
    "waiting for http://127.0.0.1:5000/v2/ and a storage request (up to 60 s)",
    "the new config failed: the container exited with code 1",
    "rolling back: restoring /etc/docker/registry/config.yml.1",
    "restored the previous config; restarting container registry (3f2a9c1d8e7b) on it",
    "rolled back: the registry serves again on the previous config",
]
LOG = (
    'time="2026-01-01T00:00:00Z" level=info msg="redis not configured"\n'
    "panic: s3aws: RequestError: send request failed\n"
    'caused by: Head "http://127.0.0.1:9/registry-images/": dial tcp 127.0.0.1:9: connect: '
    "connection refused"
)


def fake_restart(plan: Any, progress: Any) -> ApplyResult:
    for step in STEPS:
        progress(step)
    return ApplyResult(
        written=False,
        steps=list(STEPS),
        restarted=True,
        healthy=False,
        rolled_back=True,
        failure="the container exited with code 1",
        log_tail=LOG,
    )


def build() -> Any:
    doc = ConfigDocument.parse(FILESYSTEM_CONFIG, "/etc/docker/registry/config.yml")
    target = SimpleNamespace(
        name="registry", container_id="3f2a9c1d8e7b", env={}, label="container registry"
    )
    container = ContainerTarget(target, client=None, state="running")
    deps = Deps(restart=fake_restart, canary=lambda text, progress: None)
    deps = Deps(**{**deps.__dict__, "container_state": lambda: "running"})
    return make_app(doc, V2_8, target=container, deps=deps)


async def failed_restart(pilot: Pilot[int]) -> None:
    await ready(pilot)
    await fill_s3(pilot)
    await pilot.press("ctrl+s")
    await wait_for_screen(pilot, SaveDialog)
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveDialog)
    await pilot.press("enter")  # Save & restart has the focus
    await wait_until(pilot, lambda: dialog.outcome is not None)
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_rolled_back_restart_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(build(), terminal_size=size, run_before=failed_restart)


async def test_rolled_back_restart_keeps_the_draft(tmp_path: Path) -> None:
    app = build()
    async with app.run_test(size=(120, 40)) as pilot:
        await failed_restart(pilot)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        assert dialog.outcome is not None and not dialog.outcome.written
        assert "Rolled back" in dialog.outcome.message
        assert dialog.query_one("#save-log").display
        await pilot.press("escape")
        await pilot.pause()
        main = await ready(pilot)
        assert main.session.dirty and main.session.draft.driver == "s3"
        assert "✗" in str(main.query_one("#outcome").render())
