"""Upload (DTR's "Upload YAML"): read a whole config or a storage section into the form.

Errors stay in the dialog and nothing in the form changes until a file reads cleanly.
"""

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
from textual.widgets import Button, Input, Label, Static

from ...core.draft import StorageDraft
from ...core.errors import DtrError
from ...core.upload import upload_suffixes
from ...core.versions import RegistryVersion


class UploadDialog(ModalScreen[Any]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        version: RegistryVersion,
        current: StorageDraft,
        read_upload: Callable[[Path, RegistryVersion, StorageDraft, StorageDraft | None], Any],
        initial: str = "",
        saved: StorageDraft | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.version = version
        self.current = current
        self.read_upload = read_upload
        self.initial = initial
        self.saved = saved  # the config file's draft: a redacted secret the form lacks

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="upload-dialog"):
            yield Label("Upload storage YAML", classes="dialog-title")
            yield Static(
                f"A whole registry config or only its storage section ({upload_suffixes()}). "
                "Storage options it does not set and redacted secrets keep the values you "
                "have now."
            )
            yield Input(self.initial, placeholder="path, e.g. ./storage.yml", id="upload-path")
            yield Static("", id="upload-error")
            yield Static("enter: read into the form  ·  escape: cancel", classes="dialog-keys")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Read", id="read", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#upload-error").display = False
        self.query_one("#upload-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._read(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "read":
            self._read(self.query_one("#upload-path", Input).value)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="upload", exit_on_error=False)
    async def _read(self, text: str) -> None:
        error = self.query_one("#upload-error", Static)
        if not text.strip():
            self._error("Type the path of a YAML file.")
            return
        path = Path(text.strip()).expanduser()
        try:
            upload = await asyncio.to_thread(
                self.read_upload, path, self.version, self.current, self.saved
            )
        except DtrError as exc:
            self._error(str(exc))
            return
        except Exception as exc:
            self._error(f"{path}: cannot be read ({type(exc).__name__})")
            return
        error.display = False
        self.dismiss(upload)

    def _error(self, message: str) -> None:
        error = self.query_one("#upload-error", Static)
        error.update(Text("✗ " + message))
        error.display = True
