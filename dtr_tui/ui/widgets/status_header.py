"""The top lines: which file, which target, which registry version, and whether it is unsaved."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusHeader(Static):
    """Attributes down: the screen sets `dirty` and `outcome`; the header only shows them."""

    dirty: reactive[bool] = reactive(False)
    outcome: reactive[str] = reactive("")

    def __init__(self, path: str, target: str, version: str, read_only: bool) -> None:
        super().__init__(id="status-header")
        self.path = path
        self.target = target
        self.version = version
        self.read_only = read_only

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" Settings › Storage ", style="bold reverse")
        line.append(f"  registry {self.version}  ·  target: {self.target}")
        if self.read_only:
            line.append("  [read-only]", style="bold yellow")
        line.append("  ")
        if self.dirty:
            line.append("● unsaved changes", style="bold yellow")
        else:
            line.append("saved", style="dim")
        line.append(f"\n {self.path}", style="dim")
        return line
