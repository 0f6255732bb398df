"""Every key, from the same list the bindings and the command palette are built from."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..commands import BUILTIN_KEYS, COMMANDS


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for command in COMMANDS:
            table.add_row(command.key_display, command.help)
        for key, text in BUILTIN_KEYS:
            table.add_row(key, text)
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Static("escape, q or ?: close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
