"""The README's gallery: `python -m dtr_tui.ui.gallery [folder]` writes one SVG per screen state.

It drives the real app with Pilot against a sample config that is never written (the save
dialog is shown, not confirmed); the secrets typed are fakes and show masked. `sample_app`
builds that app; the screen's tests build theirs with it too.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select

from ..core.document import ConfigDocument
from ..core.versions import V2_8, V3_0, RegistryVersion
from .app import StorageApp, make_app
from .container import ContainerTarget
from .deps import Deps

SAMPLE_PATH = "/etc/docker/registry/config.yml"
SAMPLE = """\
# Registry configuration
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
  secret: a-very-private-http-secret
"""
SIZE = (110, 34)
Steps = Callable[[Pilot[int]], Awaitable[None]]


async def _settle(pilot: Pilot[int]) -> None:
    await pilot.pause(0.2)
    busy = [w for w in pilot.app.workers if w.group in ("planner", "apply") and w.is_running]
    if busy:
        await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause(0.1)


async def _backend(pilot: Pilot[int], name: str) -> None:
    select = pilot.app.screen.query_one("#driver", Select)
    select.value = name
    await _settle(pilot)


async def _type(pilot: Pilot[int], selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.pause()
    await pilot.press(*text)


async def filesystem(pilot: Pilot[int]) -> None:
    await _settle(pilot)


async def s3_error(pilot: Pilot[int]) -> None:
    await _backend(pilot, "s3")
    await _type(pilot, "#f-s3--region Input", "mars-north-1")
    await _type(pilot, "#f-s3--bucket Input", "registry-images")


async def _s3_filled(pilot: Pilot[int]) -> None:
    await _backend(pilot, "s3")
    await _type(pilot, "#f-s3--region Input", "us-east-1")
    await _type(pilot, "#f-s3--bucket Input", "registry-images")
    await _type(pilot, "#f-s3--accesskey Input", "AKIAFAKE")
    await _type(pilot, "#f-s3--secretkey Input", "fake-secret")


async def swift(pilot: Pilot[int]) -> None:
    await _backend(pilot, "swift")
    await _type(pilot, "#f-swift--authurl Input", "https://keystone.example.com/v3")
    await _settle(pilot)
    pilot.app.screen.query_one("#form-panel").scroll_home(animate=False)


async def azure(pilot: Pilot[int]) -> None:
    await _backend(pilot, "azure")
    await _type(pilot, "#f-azure--accountname Input", "registrystore")


async def diff_tab(pilot: Pilot[int]) -> None:
    await _s3_filled(pilot)
    await pilot.press("f3")


async def save_dialog(pilot: Pilot[int]) -> None:
    await _s3_filled(pilot)
    await pilot.press("ctrl+s")
    await pilot.pause(0.5)


async def help_screen(pilot: Pilot[int]) -> None:
    await pilot.press("f1")


STATES: dict[str, tuple[Steps, RegistryVersion]] = {
    "filesystem": (filesystem, V2_8),
    "s3-error": (s3_error, V2_8),
    "swift": (swift, V2_8),
    "azure": (azure, V3_0),
    "diff-tab": (diff_tab, V2_8),
    "save-dialog": (save_dialog, V2_8),
    "help": (help_screen, V2_8),
}


def sample_app(
    version: RegistryVersion = V2_8,
    *,
    target: str | ContainerTarget = "file",
    deps: Deps | None = None,
) -> StorageApp:
    """The app on SAMPLE, parsed in memory (as if read from SAMPLE_PATH), never written."""
    return make_app(ConfigDocument.parse(SAMPLE, SAMPLE_PATH), version, target=target, deps=deps)


async def _shoot(folder: Path, name: str, steps: Steps, version: RegistryVersion) -> Path:
    app = sample_app(version)
    async with app.run_test(size=SIZE) as pilot:
        for editor in app.screen.query(Input):
            editor.cursor_blink = False
        await _settle(pilot)
        await steps(pilot)
        await _settle(pilot)
        for editor in app.screen.query(Input):
            editor.cursor_blink = False
        path = folder / f"{name}.svg"
        app.save_screenshot(str(path))
    return path


async def make_gallery(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [await _shoot(folder, name, steps, version) for name, (steps, version) in STATES.items()]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "screens")
    for path in asyncio.run(make_gallery(folder)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
