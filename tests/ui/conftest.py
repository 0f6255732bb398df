"""Fixtures for the screen's tests: the same factory as the CLI, files in tmp, no blinking.

FILESYSTEM_CONFIG and `sample_app` are the gallery's sample config and app builder, so the
snapshots and the README's screens show the same app.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.widgets import Input

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8, RegistryVersion
from dtr_tui.ui.app import StorageApp, make_app
from dtr_tui.ui.gallery import SAMPLE as FILESYSTEM_CONFIG
from dtr_tui.ui.gallery import sample_app

ROOT = Path(__file__).resolve().parents[2]


def _top_level_snapshots(cls: type, *, test_location: object) -> str:
    """Baselines live in the top-level snapshots/ folder, one subfolder per test module."""
    return str(ROOT / "snapshots" / Path(str(test_location.filepath)).stem)  # type: ignore[attr-defined]


SVGImageExtension.dirname = classmethod(_top_level_snapshots)  # type: ignore[assignment, method-assign]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: Any) -> bool | None:
    """Run `async def` tests (Pilot needs a loop) without another plugin."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes pictures flaky."""
    original = Input._on_mount

    def on_mount(self: Input, event: object) -> None:
        self.cursor_blink = False
        original(self, event)  # type: ignore[arg-type]

    monkeypatch.setattr(Input, "_on_mount", on_mount)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(FILESYSTEM_CONFIG)
    return path


AppFactory = Callable[..., StorageApp]


@pytest.fixture
def app_for() -> AppFactory:
    def build(
        path: Path, version: RegistryVersion = V2_8, *, read_only: bool = False
    ) -> StorageApp:
        return make_app(ConfigDocument.load_or_default(path), version, read_only=read_only)

    return build


__all__ = ["FILESYSTEM_CONFIG", "AppFactory", "sample_app"]
