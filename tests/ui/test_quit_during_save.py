"""ctrl+q while a Save & restart runs is refused with a notice (QA 1.3: the dialog said "the
file on disk stays as it is" while the file was written and the registry restarting, and
quitting left the unverified config live); once the save has ended, ctrl+q works again."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import ApplyResult
from dtr_tui.ui.app import StorageApp, make_app
from dtr_tui.ui.container import ContainerTarget
from dtr_tui.ui.deps import Deps
from dtr_tui.ui.screens.save import SaveDialog

from .conftest import FILESYSTEM_CONFIG
from .test_checks import wait_until
from .test_flows import fill_s3, ready, wait_for_screen


def container_app(restart: Any, canary: Any) -> StorageApp:
    """The screen on the sample config, saving to a running registry container whose restart
    and canary are `restart` and `canary` (the Docker side is another test's subject)."""
    doc = ConfigDocument.parse(FILESYSTEM_CONFIG, "/etc/docker/registry/config.yml")
    target = SimpleNamespace(
        name="registry", container_id="3f2a9c1d8e7b", env={}, label="container registry"
    )
    container = ContainerTarget(target, client=None, state="running")
    deps = Deps(restart=restart, canary=canary)
    deps = Deps(**{**deps.__dict__, "container_state": lambda: "running"})
    return make_app(doc, V2_8, target=container, deps=deps)


async def test_quit_is_refused_while_a_save_and_restart_runs() -> None:
    release = threading.Event()
    waiting = threading.Event()

    def slow_restart(plan: Any, progress: Any) -> ApplyResult:
        progress("wrote /etc/docker/registry/config.yml (mode 0640)")
        progress("waiting for http://127.0.0.1:5000/v2/ and a storage request (up to 60 s)")
        waiting.set()
        release.wait(30)
        return ApplyResult(written=True, steps=[], restarted=True, healthy=True)

    app = container_app(restart=slow_restart, canary=lambda text, progress: None)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await fill_s3(pilot)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        await pilot.press("enter")  # Save & restart has the focus
        await wait_until(pilot, waiting.is_set)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.screen is dialog and dialog.running
        notes = [n.message for n in app._notifications]
        assert any("A save is running" in n for n in notes), notes
        release.set()
        await wait_until(pilot, lambda: dialog.outcome is not None)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running or not isinstance(app.screen, SaveDialog)


async def test_a_save_whose_storage_is_not_verified_does_not_say_it_applied() -> None:
    why = "auth is on (GET /v2/_catalog answered 401) and the config has no storage health check"

    def unverified(plan: Any, progress: Any) -> ApplyResult:
        return ApplyResult(written=True, steps=[], restarted=True, healthy=True, unverified=why)

    app = container_app(restart=unverified, canary=lambda text, progress: None)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await fill_s3(pilot)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.outcome is not None)
        assert dialog.outcome is not None and not dialog.outcome.ok
        assert f"its storage is NOT verified: {why}" in dialog.outcome.message


async def test_quit_during_a_canary_says_it_is_a_canary_and_nothing_is_written() -> None:
    release = threading.Event()
    started = threading.Event()

    def slow_canary(text: str, progress: Any) -> Any:
        started.set()
        release.wait(30)
        return SimpleNamespace(ok=True, log_tail="")

    app = container_app(restart=lambda plan, progress: None, canary=slow_canary)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await fill_s3(pilot)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        dialog.action_canary()
        await wait_until(pilot, started.is_set)
        await pilot.press("ctrl+q")
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert any(n.startswith("A canary test is running") for n in notes), notes
        assert not any("A save is running" in n for n in notes)
        release.set()
        await wait_until(pilot, lambda: not dialog.running)
