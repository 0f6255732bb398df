"""Pictures of the screen (pytest-textual-snapshot); baselines in the top-level snapshots/.

Fixed sizes, no blinking cursor, a fixed config path, no clock on screen, and the only
secrets typed are fakes that show as bullets and asterisks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8, V3_0, RegistryVersion
from dtr_tui.ui.app import StorageApp, make_app
from dtr_tui.ui.screens.save import SaveDialog

from .conftest import FILESYSTEM_CONFIG
from .test_flows import choose_backend, fill_s3, ready, settle, type_into, wait_for_screen

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
Before = Callable[[Pilot[int]], Awaitable[None]]
SnapCompare = Callable[..., bool]


def build(version: RegistryVersion = V2_8) -> StorageApp:
    doc = ConfigDocument.parse(FILESYSTEM_CONFIG, "/etc/docker/registry/config.yml")
    return make_app(doc, version)


def backend(name: str) -> Before:
    async def run(pilot: Pilot[int]) -> None:
        await ready(pilot)
        if name != "filesystem":
            await choose_backend(pilot, name)
        rows = pilot.app.screen.query(f"#form-{name} .field-row Input")
        if rows:
            rows.first().focus()
        await settle(pilot)

    return run


async def s3_filled(pilot: Pilot[int]) -> None:
    await ready(pilot)
    await fill_s3(pilot)
    await settle(pilot)


async def s3_invalid(pilot: Pilot[int]) -> None:
    await ready(pilot)
    await choose_backend(pilot, "s3")
    await type_into(pilot, "#f-s3--region Input", "mars-north-1")
    await settle(pilot)


async def diff_tab(pilot: Pilot[int]) -> None:
    await s3_filled(pilot)
    await pilot.press("f3")
    await settle(pilot)


async def save_dialog(pilot: Pilot[int]) -> None:
    await s3_filled(pilot)
    await pilot.press("ctrl+s")
    await wait_for_screen(pilot, SaveDialog)
    await settle(pilot)


async def help_screen(pilot: Pilot[int]) -> None:
    await ready(pilot)
    await pilot.press("f1")
    await settle(pilot)


async def upload_error(pilot: Pilot[int]) -> None:
    await ready(pilot)
    await pilot.press("ctrl+o")
    await pilot.pause()
    await pilot.press(*"/nonexistent/storage.yml", "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
class TestBackends:
    @pytest.mark.parametrize("name", ["filesystem", "s3", "swift", "azure", "gcs", "inmemory"])
    def test_form(self, snap_compare: SnapCompare, size: str, name: str) -> None:
        version = V3_0 if name == "azure" else V2_8
        assert snap_compare(build(version), terminal_size=SIZES[size], run_before=backend(name))


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
class TestStates:
    def test_validation_error(self, snap_compare: SnapCompare, size: str) -> None:
        assert snap_compare(build(), terminal_size=SIZES[size], run_before=s3_invalid)

    def test_yaml_tab(self, snap_compare: SnapCompare, size: str) -> None:
        assert snap_compare(build(), terminal_size=SIZES[size], run_before=s3_filled)

    def test_diff_tab(self, snap_compare: SnapCompare, size: str) -> None:
        assert snap_compare(build(), terminal_size=SIZES[size], run_before=diff_tab)

    def test_save_dialog(self, snap_compare: SnapCompare, size: str) -> None:
        assert snap_compare(build(), terminal_size=SIZES[size], run_before=save_dialog)

    def test_help_screen(self, snap_compare: SnapCompare, size: str) -> None:
        assert snap_compare(build(), terminal_size=SIZES[size], run_before=help_screen)

    def test_upload_error(self, snap_compare: SnapCompare, size: str) -> None:
        assert snap_compare(build(), terminal_size=SIZES[size], run_before=upload_error)
