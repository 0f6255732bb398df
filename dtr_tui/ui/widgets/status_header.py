"""The top lines: which file, which target, which registry version, and whether it is unsaved.
With a registry container as the target, the header asks the engine for its state every few
seconds (in a thread), so a container stopped, restarted or removed outside the app, or an
engine that went away, shows here."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static
from textual.worker import WorkerState

from ..background import ask_in_background

if TYPE_CHECKING:
    from ..container import ContainerTarget

POLL_SECONDS = 5.0
POLL_THREAD = "dtr-tui container state"


class StatusHeader(Static):
    """Attributes down: the screen sets `dirty` and `outcome`, the app sets `target`; the
    header only shows them. The one thing it asks for itself is the container's state."""

    dirty: reactive[bool] = reactive(False)
    outcome: reactive[str] = reactive("")

    def __init__(self, path: str, target: str, version: str, read_only: bool) -> None:
        super().__init__(id="status-header")
        self.path = path
        self.target = target
        self.version = version
        self.read_only = read_only
        self.writable = True

    def on_mount(self) -> None:
        # asked once, at start: a save would otherwise be the first sign. Only when the app
        # runs on a real file (`dtr-tui`): pictures of a sample config must not depend on
        # the machine they are taken on.
        if not self.read_only and getattr(self.app, "check_writable", False):
            self.writable = can_write(self.path)
        self.set_interval(POLL_SECONDS, self._poll_container, name="container state")

    _asking = False

    def _poll_container(self) -> None:
        """Only with a registry container (the Docker SDK is loaded by then), and one question
        at a time: an engine that hangs does not pile up threads."""
        container: ContainerTarget | None = getattr(self.app, "container", None)
        if container is None or self._asking:
            return
        ask = getattr(getattr(self.app, "deps", None), "container_state", None)
        if ask is None:
            return
        # not during a save either: its own restart is not news, and it says the state after
        busy = (WorkerState.PENDING, WorkerState.RUNNING)
        if any(w.group == "apply" and w.state in busy for w in self.app.workers):
            return
        self._asking = True
        ask_in_background(self.app, POLL_THREAD, ask, partial(self._polled, container), self._lost)

    def _lost(self, error: BaseException) -> None:
        """`ask` turns an engine's failures into a state itself; should it raise anyway, the
        header keeps what it said and the next poll asks again."""
        self._asking = False

    def _polled(self, container: ContainerTarget, state: str) -> None:
        self._asking = False
        if getattr(self.app, "container", None) is not container:
            return  # another container was picked meanwhile
        container.state = state
        if self.target != container.header:
            changed = getattr(self.app, "container_state_changed", None)
            if changed is not None:
                changed()

    def render(self) -> Text:
        """Two lines cut with … at the edge, never wrapped: what must stay visible at 80
        columns (saved or not, read-only, the version) comes first, on the first line."""
        line = Text()
        line.append(" Settings › Storage ", style="bold reverse")
        line.append("  ")
        if self.dirty:
            line.append("● unsaved changes", style="bold yellow")
        else:
            line.append("saved", style="dim")
        if self.read_only:
            line.append("  [read-only]", style="bold yellow")
        elif not self.writable:  # with the read-only marker it would push the version off
            line.append("  [not writable by you]", style="bold yellow")
        line.append(f"  ·  registry {self.version}\n")
        target = f"  →  target: {self.target}"
        line.append(f" {shorten_path(self.path, self.size.width - 1 - len(target))}", style="dim")
        line.append(target)
        return line


def can_write(path: str) -> bool:
    """Whether this process may write the config file, or create it when it is missing (its
    directory); os.access asks with the real uid, as a person running dtr-tui is."""
    file = Path(path)
    if file.exists():
        return os.access(file, os.W_OK)
    return os.access(file.parent, os.W_OK)


def shorten_path(path: str, room: int) -> str:
    """The path's end (its file name) when the whole does not fit: the target stays in view."""
    room = max(room, 24)
    return path if len(path) <= room else "…" + path[-(room - 1) :]
