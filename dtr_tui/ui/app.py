"""The Textual app: a thin shell holding the main screen, the quit guard and the palette.

`make_app` is the one factory: the CLI (through `run_app`), the Pilot tests and the snapshot
tests all build the app through it, with the disk-touching parts injected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..core.document import ConfigDocument
from ..core.versions import RegistryVersion
from .commands import COMMANDS
from .deps import Deps, for_container
from .screens.main import MainScreen
from .session import EditSession

if TYPE_CHECKING:  # the container parts load once a container is found, after the first frame
    from .container import ContainerTarget


class StorageApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "dtr-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help", show=False),
    ]

    def __init__(
        self,
        session: EditSession,
        deps: Deps | None = None,
        *,
        container: ContainerTarget | None = None,
        choices: list[ContainerTarget] | None = None,
        version_given: RegistryVersion | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.deps = deps or Deps()
        self.container = container
        self.choices = choices or []  # several registry containers: the person picks one
        self.version_given = version_given or session.version

    def get_default_screen(self) -> Screen[Any]:
        if self.choices and self.container is None:
            from .screens.pick_container import PickContainer

            return PickContainer(self.choices)
        return MainScreen(self.session, self.deps)

    def use_container(self, container: ContainerTarget | None) -> None:
        """The picker's choice (None: the file alone): open the main screen on its config."""
        from .screens.pick_container import PickContainer

        if isinstance(self.screen, PickContainer) and len(self.screen_stack) > 1:
            self.pop_screen()
        if container is None:
            if not isinstance(self.screen, MainScreen):
                self.push_screen(MainScreen(self.session, self.deps))
            self.set_target_label("file only (no container picked)")
            return
        doc, version = container_document(container, self.version_given)
        self.session = EditSession(
            doc, version, target=container.header, read_only=self.session.read_only
        )
        self.deps = for_container(self.deps, container)
        self.container = container
        over_main = any(isinstance(s, MainScreen) for s in self.screen_stack)
        screen_id = f"main-{container.name}" if over_main else "main"  # unique in the stack
        self.push_screen(MainScreen(self.session, self.deps, id=screen_id))

    def set_target_label(self, label: str) -> None:
        from .widgets.status_header import StatusHeader

        self.session.target = label
        for screen in self.screen_stack:
            for header in screen.query(StatusHeader):
                header.target = label
                header.refresh()

    # -- finding the registry container after the first frame (the SDK costs ~0.1 s) ------
    discover = False
    check_writable = False  # the header says when the config file is not writable by the user
    config_given = False
    container_name: str | None = None

    # SIGHUP (an SSH drop) or SIGTERM mid-save rolls the save back, then exits (run_app)
    signals_roll_back = False

    def on_mount(self) -> None:
        self.call_after_refresh(_collect_garbage_again)
        if self.signals_roll_back:
            # after the first frame, in the main thread: the apply module is not needed
            # before, and importing it brings the plan and the environment rules
            self.call_after_refresh(_roll_back_on_signals)
        if self.discover:
            # after the first frame: importing the SDK would share the GIL with the first paint
            self.call_after_refresh(self._discover)

    def _discover(self) -> None:
        from .background import ask_in_background
        from .container import find_containers

        ask_in_background(
            self,
            "dtr-tui find the registry container",
            lambda: find_containers(self.container_name),
            self._discovered,
            self._discovery_failed,
        )

    def _discovery_failed(self, error: BaseException) -> None:
        self.set_target_label(f"file only (the Docker engine failed: {type(error).__name__})")

    def _typed_something(self) -> bool:
        from ..core.draft import StorageDraft

        return self.session.draft != (self.session.saved or StorageDraft.default())

    def _discovered(self, found: Any) -> None:
        from .screens.pick_container import PickContainer

        if len(found.targets) > 1:
            self.choices = found.targets
            self.push_screen(PickContainer(found.targets))
            return
        if not found.targets:
            self.set_target_label(found.note or "file only")
            if found.detail:
                self.notify(found.detail, title="Editing the file alone", timeout=6)
            return
        only: ContainerTarget = found.targets[0]
        on_host = only.target.config_on_host
        same = only.target.reads(self.session.source)
        if on_host is None:
            self.set_target_label(f"file only ({only.name}: config baked into its image)")
        elif same:
            self.container = only
            self.deps = for_container(self.deps, only)
            for screen in self.screen_stack:
                if isinstance(screen, MainScreen):
                    screen.deps = self.deps
            self.set_target_label(only.header)
        elif self.config_given or self._typed_something():
            self.set_target_label(f"file only ({only.name} reads another file)")
            self.notify(f"{only.target.label} reads {on_host}", timeout=6)
        else:
            self.use_container(only)

    def container_state_changed(self) -> None:
        """The header says the container's state as the engine last said it."""
        from .widgets.status_header import StatusHeader

        if self.container is None:
            return
        self.session.target = self.container.header
        for header in self.query(StatusHeader):
            header.target = self.container.header
            header.refresh()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Our commands (those the screen under the palette can run), then the few of
        Textual's own that fit: Theme, and Maximize/Minimize for the YAML and Diff tabs.

        Left out: Textual's Quit (it quits at once, unsaved changes or not; ours asks),
        Keys (the help screen, `?`, lists every key), Screenshot (it writes a file in the
        working directory, which fails there more often than not, and --read-only promises no
        writes), and Maximize of a form field (a one-line field gains nothing from it)."""
        for command in COMMANDS:
            namespace, _, name = command.action.rpartition(".")
            target: Any = self if namespace == "app" else screen
            if not callable(getattr(target, "action_" + name.split("(")[0], None)):
                continue  # a dialog under the palette: only the app's own commands
            callback = partial(self._palette_run, command.action, screen)
            yield SystemCommand(command.label, command.help, callback)
        for builtin in super().get_system_commands(screen):
            if builtin.title in ("Theme", "Minimize") or (
                builtin.title == "Maximize" and _in_preview(screen.focused)
            ):
                yield builtin

    async def _palette_run(self, action: str, screen: Screen[object]) -> None:
        """Run a palette command; one the screen refuses now says why (a key would be
        dimmed in the footer; the palette has no such sign)."""
        if not await self.run_action(action, screen):
            why = getattr(screen, "why_not", None)
            reason = why(action) if callable(why) else None
            if reason:
                self.notify(reason, severity="warning")

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    @work(exclusive=True, group="quit", exit_on_error=False)
    async def action_request_quit(self) -> None:
        from .screens.confirm import ConfirmDialog
        from .screens.save import SaveDialog

        busy = [s for s in self.screen_stack if isinstance(s, SaveDialog) and s.running]
        if busy and busy[0].saving:
            # the file may be written and the registry restarting: leaving now would leave it
            # on a config nobody verified (a failed one is rolled back by the save itself)
            self.notify(
                "A save is running: the file may already be written and the registry "
                "restarting. Quit once it ends (its outcome stays on screen; a config that "
                "fails is rolled back by itself).",
                title="Not quitting during a save",
                severity="warning",
                timeout=8,
            )
            return
        if busy:  # the canary: nothing is written, but its throwaway container is running
            self.notify(
                "A canary test is running: quit once it ends (it removes its throwaway "
                "container). Nothing has been written.",
                title="Not quitting during a canary",
                severity="warning",
                timeout=8,
            )
            return
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


def _in_preview(widget: Any) -> bool:
    """Whether `widget` sits in the YAML/Diff tabs (maximized, they use the whole screen)."""
    from .widgets.preview_tabs import PreviewTabs

    return widget is not None and any(isinstance(a, PreviewTabs) for a in widget.ancestors)


def _roll_back_on_signals() -> None:
    from ..services.apply import roll_back_on_signals

    roll_back_on_signals()


def _collect_garbage_again() -> None:
    """After the first frame: `dtr-tui` builds the screen with garbage collection off. What
    exists by now (modules, classes, the screen) lives as long as the app, so it is frozen:
    later collections skip it."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def make_app(
    doc: ConfigDocument,
    version: RegistryVersion,
    *,
    read_only: bool = False,
    target: str | ContainerTarget = "file",
    deps: Deps | None = None,
    choices: list[ContainerTarget] | None = None,
) -> StorageApp:
    """The app on `doc`. `target` is "file" (or a note why it is the file alone) or the
    registry container it saves to and restarts; `choices`: several containers to pick from."""
    deps = deps or Deps()
    container = None if isinstance(target, str) else target
    if container is not None:
        deps = for_container(deps, container)
    label = container.header if container is not None else str(target)
    session = EditSession(doc, version, target=label, read_only=read_only)
    return StorageApp(session, deps, container=container, choices=choices, version_given=version)


def container_document(
    container: ContainerTarget, version: RegistryVersion
) -> tuple[ConfigDocument, RegistryVersion]:
    """The config the container reads (through its bind mount), and the registry version its
    image tells (else the one given)."""
    from ..core.errors import DtrError

    path = container.target.config_on_host
    if path is None:
        raise DtrError(
            f"{container.target.label} reads {container.target.config_inside}, baked into its "
            "image: nothing can be saved there",
            hint="recreate it with the config bind-mounted, or pass --config to edit a file",
        )
    return ConfigDocument.load_or_default(Path(path)), container.target.version or version


def run_app(
    config_path: Path,
    version: RegistryVersion,
    read_only: bool,
    *,
    config_given: bool = False,
    container: str | None = None,
) -> int:
    """Open the screen on `config_path`; raises DtrError for a file it cannot use.

    The registry container is asked of the Docker engine after the first frame: one found
    gives its config file, its state in the header and Save & restart; several give a picker;
    none (or no engine) leaves the file alone, said in the header. A `--config` given
    (`config_given`) other than the container's file is edited as a file only.
    """
    doc = ConfigDocument.load_or_default(Path(config_path))
    app = make_app(doc, version, read_only=read_only, target="file (looking for a container…)")
    app.discover, app.config_given, app.container_name = True, config_given, container
    app.check_writable = True
    app.signals_roll_back = True
    result = app.run()
    return int(result or 0)
