"""The Textual app: a thin shell holding the main screen, the quit guard and the palette.

`make_app` is the one factory: the CLI (through `run_app`), the Pilot tests and the snapshot
tests all build the app through it, with the disk-touching parts injected.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..core.document import ConfigDocument
from ..core.versions import RegistryVersion
from .commands import COMMANDS
from .deps import Deps
from .screens.main import MainScreen
from .session import EditSession


class StorageApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "dtr-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help", show=False),
    ]

    def __init__(self, session: EditSession, deps: Deps | None = None) -> None:
        super().__init__()
        self.session = session
        self.deps = deps or Deps()

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.session, self.deps)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in COMMANDS:
            if command.action.startswith("app."):
                callback = partial(self.run_action, command.action)
            else:
                callback = partial(self.run_action, command.action, screen)
            yield SystemCommand(command.label, command.help, callback)
        yield from super().get_system_commands(screen)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    @work(exclusive=True, group="quit", exit_on_error=False)
    async def action_request_quit(self) -> None:
        from .screens.confirm import ConfirmDialog

        if self.session.dirty and not self.session.read_only:
            leave = await self.push_screen_wait(
                ConfirmDialog(
                    "Quit without saving?",
                    "The storage settings have unsaved changes; quitting drops them. "
                    "The file on disk stays as it is.",
                    yes="Quit without saving",
                )
            )
            if not leave:
                return
        self.exit(0)


def make_app(
    doc: ConfigDocument,
    version: RegistryVersion,
    *,
    read_only: bool = False,
    target: str = "file",
    deps: Deps | None = None,
) -> StorageApp:
    session = EditSession(doc, version, target=target, read_only=read_only)
    return StorageApp(session, deps)


def run_app(config_path: Path, version: RegistryVersion, read_only: bool) -> int:
    """Open the screen on `config_path`; raises DtrError for a file it cannot use."""
    doc = ConfigDocument.load_or_default(Path(config_path))
    app = make_app(doc, version, read_only=read_only)
    result = app.run()
    return int(result or 0)
