"""Export (DTR's "Download"): the storage section to a file, secrets redacted unless asked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from ...core.draft import StorageDraft
from ...core.errors import DtrError
from ...core.upload import write_export


class SpaceCheckbox(Checkbox, inherit_bindings=False):
    """Space ticks it; Enter is left to the dialog (export), as its key line says."""

    BINDINGS = [Binding("space", "toggle_button", "Toggle", show=False)]


class ExportDialog(ModalScreen[str | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        # the path field submits, the buttons press themselves; anywhere else Enter exports
        Binding("enter", "export", "Export", show=False),
    ]

    def __init__(
        self, draft: StorageDraft, config_path: str, export: Callable[[StorageDraft, bool], Any]
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.draft = draft
        self.config_path = config_path
        self.export = export

    def compose(self) -> ComposeResult:
        suggested = str(Path(self.config_path).with_name("storage-export.yml"))
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label("Export the storage section", classes="dialog-title")
            yield Input(suggested, id="export-path")
            yield SpaceCheckbox("Include secrets in the clear", id="export-secrets")
            yield Static("", id="export-warning")
            yield Static("", id="export-error")
            yield Static(
                "enter: export  ·  space: tick the box  ·  escape: cancel", classes="dialog-keys"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#export-error").display = False
        self._warn(False)
        self.query_one("#export-path", Input).focus()

    def _warn(self, included: bool) -> None:
        warning = self.query_one("#export-warning", Static)
        warning.update(
            "! The file will hold secrets in the clear (written with mode 0600)."
            if included
            else "Secrets are written as <redacted>; uploading the file keeps the current values."
        )
        warning.set_class(included, "-warning")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._warn(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._export()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A new path: an error about the old one ("exists already") is stale."""
        self.query_one("#export-error").display = False

    def action_export(self) -> None:
        self._export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self._export()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="export", exit_on_error=False)
    async def _export(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        include = self.query_one("#export-secrets", Checkbox).value
        if not raw:
            self._error("Type the path of the file to create.")
            return
        path = Path(raw).expanduser()
        exported = self.export(self.draft, include)
        try:  # the CLI's rule: never over the config file, never over an existing file
            await asyncio.to_thread(write_export, path, exported, config=Path(self.config_path))
        except DtrError as exc:
            self._error(str(exc))
            return
        note = " with secrets in the clear" if exported.included and exported.secrets else ""
        self.dismiss(f"Exported the storage section to {path}{note}")

    def _error(self, message: str) -> None:
        error = self.query_one("#export-error", Static)
        error.update(Text("✗ " + message))
        error.display = True
