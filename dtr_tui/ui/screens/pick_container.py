"""Several registry containers run on this engine: the person picks the one to configure."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option


class PickContainer(Screen[None]):
    """The first screen when the engine runs more than one registry container."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "file_only", "Edit the file alone"),
        Binding("ctrl+q", "app.quit", "Quit", priority=True),
    ]

    DEFAULT_CSS = """
    PickContainer { align: center middle; }
    #pick { width: 90%; max-width: 100; height: auto; border: round $primary; padding: 0 1; }
    #pick OptionList { height: auto; max-height: 12; }
    """

    def __init__(self, choices: list[Any]) -> None:
        super().__init__(id="pick-container")
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="pick"):
            yield Label("Several registry containers are running: which one?", classes="dialog-title")
            options = []
            for index, choice in enumerate(self.choices):
                t = choice.target
                line = Text()
                line.append(choice.name, style="bold")
                line.append(f"  ({choice.state or 'state unknown'})  {t.image}\n")
                where = str(t.config_on_host) if t.config_on_host else "baked into the image"
                line.append(f"   config {t.config_inside} → {where}", style="dim")
                options.append(Option(line, id=str(index)))
            yield OptionList(*options, id="pick-list")
            yield Static(
                "up/down: move  ·  enter: configure this one  ·  escape: edit the file alone",
                classes="dialog-keys",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = self.choices[int(event.option.id or 0)]
        try:
            self.app.use_container(choice)  # type: ignore[attr-defined]
        except Exception as exc:  # a baked-in config: said, and the person picks again
            self.notify(str(exc), severity="error", timeout=8)

    def action_file_only(self) -> None:
        self.app.use_container(None)  # type: ignore[attr-defined]
