"""The save dialog: the masked diff and the target; Save, Save & restart (a registry container),
the canary, or Cancel; then each step as it runs, and the outcome (with the rollback and the
container's log tail on a failure) stays on screen until closed."""

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

from ...core.errors import DtrError, StaleFileError
from ...core.plan import Plan
from ..widgets.highlight import diff_text


@dataclass(frozen=True)
class SaveOutcome:
    written: bool
    ok: bool
    message: str
    steps: list[str] = field(default_factory=list)
    log_tail: str = ""
    restarted: bool = False
    stale: bool = False  # refused: the file changed on disk; the screen reads it again


# a step apply_plan reports that is bad news, shown with ✗ (or ! for a warning), never ✓
_BAD = ("the new config failed", "rollback failed", "the restart failed", "no backup")
_WARN = ("warning", "rolling back", "restored the previous", "rolled back")


def step_mark(step: str) -> str:
    low = step.lower()
    if low.startswith(_BAD):
        return "✗"
    if low.startswith(_WARN):
        return "!"
    return "✓"


SUMMARY_LINES = 6  # the summary box's height (#save-summary in dialogs.tcss): the diff has all


def summary_lines(summary: list[str], room: int = SUMMARY_LINES) -> list[str]:
    """One line per changed key; when they do not fit, the last line says how many more,
    never a silent cut."""
    lines = [f"• {line}" for line in summary] or ["• no storage change"]
    if len(lines) <= room:
        return lines
    shown = lines[: room - 1]
    return [*shown, f"…and {len(lines) - len(shown)} more (see the diff)"]


class SaveDialog(ModalScreen[SaveOutcome | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
        # the outcome region has the focus once done: enter closes from there as from Close
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(
        self,
        plan: Plan,
        target: str,
        apply: Callable[[Plan, Any], Any],
        restart: Callable[[Plan, Any], Any] | None = None,
        canary: Callable[[str, Any], Any] | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.plan = plan
        self.target = target
        self.apply = apply
        self.restart = restart
        self.canary = canary
        self.outcome: SaveOutcome | None = None
        self.running = False
        self.saving = False  # the running step is the save itself (not the canary)
        self.canary_ok: bool | None = None

    def _container_parts(self) -> None:
        """Save & restart and the canary exist when the app saves to a registry container."""
        deps = getattr(self.app, "deps", None)
        self.restart = self.restart or getattr(deps, "restart", None)
        self.canary = self.canary or getattr(deps, "canary", None)

    def compose(self) -> ComposeResult:
        self._container_parts()
        plan = self.plan
        with Vertical(id="save-dialog", classes="dialog"):
            yield Label("Save the storage settings?", classes="dialog-title")
            action = "create" if not plan.file_exists else "write"
            yield Static(
                Text(f"Target: {self.target} — will {action} {plan.source}"),
                classes="dialog-target",
            )
            room = SUMMARY_LINES - (1 if plan.mode_note else 0)  # the mode note goes first
            lines = (
                summary_lines(plan.summary, room)
                if plan.summary or plan.file_exists
                else ["• a new config file with these storage settings (the file does not exist yet)"]
            )
            summary = "\n".join([f"! {plan.mode_note}"] * bool(plan.mode_note) + lines)
            with VerticalScroll(id="save-summary"):
                yield Static(Text(summary))
            with ScrollableContainer(id="save-diff"):
                yield Static(diff_text(plan.diff))
            # the steps, the outcome, the log tail and the steps that passed: one region that
            # scrolls from the keyboard, so all of it is reachable at 80x24
            with VerticalScroll(id="save-result"):
                yield Static("", id="save-steps")
                with Vertical(id="save-log"):
                    yield Static("", id="save-log-text")
                yield Static("", id="save-passed")
            keys = "enter or ctrl+s: save  ·  escape: cancel  ·  tab: move"
            if self.restart is not None:
                keys = "enter: the focused button  ·  ctrl+s: save  ·  escape: cancel  ·  tab: move"
            yield Static(keys, classes="dialog-keys")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                if self.restart is not None:
                    yield Button("Save & restart", id="save-restart", compact=True)
                if self.canary is not None:
                    yield Button("Canary first", id="canary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save-result").display = False
        self.query_one("#save-log").display = False
        self.query_one("#save-passed").display = False
        self.query_one("#save-restart" if self.restart else "#save", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "save-restart":
            self.action_save(restart=True)
        elif event.button.id == "canary":
            self.action_canary()
        elif event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "close":
            self.dismiss(self.outcome)

    def action_close(self) -> None:
        if self.outcome is not None and not self.running:
            self.dismiss(self.outcome)

    def action_cancel(self) -> None:
        if self.running:
            return
        self.dismiss(self.outcome)

    def action_save(self, restart: bool = False) -> None:
        if self.running or self.outcome is not None:
            if self.outcome is not None:
                self.dismiss(self.outcome)
            return
        self.saving = True
        self._begin("… saving and restarting" if restart else "… saving")
        self._run(restart)

    def _begin(self, first: str) -> None:
        self.running = True
        for button in self.query(Button):
            button.disabled = True
        self._first = first
        self._steps: list[str] = []
        # the diff was reviewed: give its room to the steps, the outcome and Close
        self.query_one("#save-summary").display = False
        self.query_one("#save-diff").display = False
        self.query_one("#save-result").display = True
        self._show_steps()

    def _step(self, text: str) -> None:
        self._steps.append(text)
        self._show_steps()

    def _show_steps(self) -> None:
        lines = [f"{step_mark(s)} {s}" for s in self._steps] + [self._first]
        self.query_one("#save-steps", Static).update(Text("\n".join(lines)))
        self.query_one("#save-result", VerticalScroll).scroll_end(animate=False)

    def action_canary(self) -> None:
        """The proposed config in a throwaway container first; Save stays offered after it."""
        if self.running or self.canary is None or self.outcome is not None:
            return
        self._begin("… canary: a throwaway registry with the new config")
        self._run_canary()

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def _run_canary(self) -> None:
        assert self.canary is not None

        def progress(step: Any) -> None:
            mark = "" if step.ok else "FAILED: "
            line = f"canary: {step.name} ({step.seconds:.2f} s): {mark}{step.detail}"
            self.app.call_from_thread(
                self._step, line if step.ok else "the new config failed " + line
            )

        try:
            result = self.canary(self.plan.new_text, progress)
            ok, tail = bool(result.ok), str(getattr(result, "log_tail", "") or "")
        except Exception as exc:  # noqa: BLE001 - the engine's refusal, for a person
            ok, tail = False, ""
            self.app.call_from_thread(self._step, f"the new config failed: canary: {exc}")
        self.app.call_from_thread(self._canary_done, ok, tail)

    def _canary_done(self, ok: bool, tail: str) -> None:
        self.running = False
        self.canary_ok = ok
        self._first = (
            "✓ canary passed: the new config serves a push and a pull"
            if ok
            else "✗ canary failed: the production registry was not touched"
        )
        self._show_steps()
        self._show_log(tail)
        for button in self.query(Button):
            button.disabled = button.id == "canary"
        self.query_one("#save-restart" if self.restart else "#save", Button).focus()

    def _show_log(self, tail: str) -> None:
        if tail:
            self.query_one("#save-log-text", Static).update(
                Text("the registry's last log lines:\n" + tail, style="dim")
            )
        self.query_one("#save-log").display = bool(tail)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def _run(self, restart: bool = False) -> None:
        def progress(step: str) -> None:
            self.app.call_from_thread(self._step, step)

        try:
            if restart and self.restart is not None:
                result = self.restart(self.plan, progress)
            else:
                result = self.apply(self.plan, progress)
        except StaleFileError as exc:
            # its check is the step that failed, not one that passed
            steps = [s for s in self._steps if not s.startswith("checking the file is unchanged")]
            outcome = SaveOutcome(
                False,
                False,
                f"Not saved: {exc.source}: {exc.message}. Closing this reads the file again "
                "and keeps your changes: review the new diff, then save.",
                steps,
                stale=True,
            )
        except DtrError as exc:
            outcome = SaveOutcome(False, False, f"Not saved: {exc}", list(self._steps))
        except Exception as exc:  # a bug: say so without a traceback, the file is intact
            outcome = SaveOutcome(
                False,
                False,
                f"Not saved: internal error ({type(exc).__name__}); the file was not changed",
                list(self._steps),
            )
        else:
            outcome = self._outcome_of(result, restart)
        state = getattr(getattr(self.app, "deps", None), "container_state", None)
        if restart and state is not None:
            own_restart = getattr(getattr(self.app, "container", None), "own_restart", None)
            if own_restart is not None:
                own_restart()  # this restart (and a rollback's) is the app's, not news
            state()  # the header says the container's state after the restart
        self.app.call_from_thread(self._finish, outcome)

    def _outcome_of(self, result: Any, restart: bool) -> SaveOutcome:
        written = bool(getattr(result, "written", False))
        backup = getattr(result, "backup", None)
        steps = list(getattr(result, "steps", []))
        tail = str(getattr(result, "log_tail", "") or "")
        if restart and getattr(result, "healthy", None) is False:
            failure = str(getattr(result, "failure", "") or "the registry did not serve")
            if getattr(result, "rollback_failed", False):
                message = (
                    f"Not applied: {failure}. The rollback FAILED too: see the steps above "
                    "for where each version of the file is"
                )
            elif getattr(result, "rolled_back", False):
                message = (
                    f"Not applied: {failure}. Rolled back: {self.plan.source} holds the "
                    "previous config again and the registry serves on it"
                )
            else:
                message = f"Not applied: {failure}"
            # after a rollback the file on disk is the old one: the form keeps the draft
            return SaveOutcome(False, False, message, steps, tail, True)
        message = f"Saved {self.plan.source}" if written else "Nothing was written"
        if backup:
            message += f" (previous version backed up to {backup})"
        unverified = str(getattr(result, "unverified", "") or "")
        if restart and getattr(result, "healthy", None) and unverified:
            # serving is not proof: with auth on, nothing showed the storage works
            message += (
                "; the registry restarted and serves on the new config, but its storage is "
                f"NOT verified: {unverified}"
            )
            return SaveOutcome(written, False, message, steps, tail, restart)
        if restart and getattr(result, "healthy", None):
            message += "; the registry restarted and serves on the new config"
        return SaveOutcome(written, True, message, steps, tail, restart)

    async def _finish(self, outcome: SaveOutcome) -> Any:
        self.outcome = outcome
        self.running = False
        mark = "✓" if outcome.ok else "✗"
        # the outcome and what went wrong first, then the log tail, then what went right
        marked = [(step_mark(s), s) for s in outcome.steps]
        passed = [s for m, s in marked if m == "✓"] if not outcome.ok else []
        shown = [(m, s) for m, s in marked if outcome.ok or m != "✓"]
        lines = [f"{mark} {outcome.message}"] + [f"{m} {s}" for m, s in shown]
        steps = self.query_one("#save-steps", Static)
        steps.update(Text("\n".join(lines)))
        steps.set_class(not outcome.ok, "-failed")
        before = self.query_one("#save-passed", Static)
        before.update(
            Text("\n".join(["the steps before the failure passed:"] + [f"✓ {s}" for s in passed]))
        )
        before.display = bool(passed)
        self._show_log(outcome.log_tail)
        result = self.query_one("#save-result", VerticalScroll)
        result.scroll_home(animate=False)
        if outcome.restarted:
            restarted = getattr(self.app, "container_state_changed", None)
            if restarted is not None:
                restarted()
        buttons = self.query_one(".dialog-buttons", Horizontal)
        await buttons.remove_children()
        close = Button("Close", id="close", variant="primary", compact=True)
        await buttons.mount(close)
        result.focus()
        self.query_one(".dialog-keys", Static).update(
            "↑ ↓ pgup pgdn: scroll  ·  enter or escape: close  ·  tab: Close"
        )
