"""The save dialog: the masked diff and the target, Save or Cancel, then each step as it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ...core.errors import DtrError
from ...core.plan import Plan
from ..widgets.highlight import diff_text


@dataclass(frozen=True)
class SaveOutcome:
    written: bool
    ok: bool
    message: str
    steps: list[str] = field(default_factory=list)


class SaveDialog(ModalScreen[SaveOutcome | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, plan: Plan, target: str, apply: Callable[[Plan, Any], Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.plan = plan
        self.target = target
        self.apply = apply
        self.outcome: SaveOutcome | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="save-dialog", classes="dialog"):
            yield Label("Save the storage settings?", classes="dialog-title")
            action = "create" if not plan.file_exists else "write"
            yield Static(
                Text(f"Target: {self.target} — will {action} {plan.source}"), classes="dialog-target"
            )
            summary = "\n".join(f"• {line}" for line in plan.summary) or "• no storage change"
            with VerticalScroll(id="save-summary"):
                yield Static(Text(summary))
            with ScrollableContainer(id="save-diff"):
                yield Static(diff_text(plan.diff))
            yield Static("", id="save-steps")
            yield Static(
                "enter or ctrl+s: save  ·  escape: cancel  ·  tab: move", classes="dialog-keys"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save-steps").display = False
        self.query_one("#save", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "close":
            self.dismiss(self.outcome)

    def action_cancel(self) -> None:
        if self.running:
            return
        self.dismiss(self.outcome)

    def action_save(self) -> None:
        if self.running or self.outcome is not None:
            if self.outcome is not None:
                self.dismiss(self.outcome)
            return
        self.running = True
        for button in self.query(Button):
            button.disabled = True
        self._steps: list[str] = []
        # the diff was reviewed: give its room to the steps, the outcome and Close
        self.query_one("#save-summary").display = False
        self.query_one("#save-diff").display = False
        self.query_one("#save-steps").display = True
        self._step("saving…")
        self._run()

    def _step(self, text: str) -> None:
        self._steps.append(text)
        lines = [f"✓ {s}" for s in self._steps[1:]] or ["… saving"]
        self.query_one("#save-steps", Static).update(Text("\n".join(lines)))

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def _run(self) -> None:
        def progress(step: str) -> None:
            self.app.call_from_thread(self._step, step)

        try:
            result = self.apply(self.plan, progress)
        except DtrError as exc:
            outcome = SaveOutcome(False, False, f"Not saved: {exc}", list(self._steps[1:]))
        except Exception as exc:  # a bug: say so without a traceback, the file is intact
            outcome = SaveOutcome(
                False,
                False,
                f"Not saved: internal error ({type(exc).__name__}); the file was not changed",
                list(self._steps[1:]),
            )
        else:
            written = bool(getattr(result, "written", False))
            backup = getattr(result, "backup", None)
            message = f"Saved {self.plan.source}" if written else "Nothing was written"
            if backup:
                message += f" (previous version backed up to {backup})"
            outcome = SaveOutcome(written, True, message, list(getattr(result, "steps", [])))
        self.app.call_from_thread(self._finish, outcome)

    async def _finish(self, outcome: SaveOutcome) -> Any:
        self.outcome = outcome
        self.running = False
        steps = self.query_one("#save-steps", Static)
        mark = "✓" if outcome.ok else "✗"
        lines = [f"✓ {s}" for s in outcome.steps] + [f"{mark} {outcome.message}"]
        steps.update(Text("\n".join(lines)))
        steps.set_class(not outcome.ok, "-failed")
        buttons = self.query_one(".dialog-buttons", Horizontal)
        await buttons.remove_children()
        close = Button("Close", id="close", variant="primary", compact=True)
        await buttons.mount(close)
        close.focus()
        self.query_one(".dialog-keys", Static).update("enter or escape: close")
