"""The Settings › Storage screen: backend dropdown, generated form, live YAML and diff."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Label, Select, Static
from textual.worker import Worker, WorkerState

from ...core.backend_switch import switch_warning
from ...core.document import ConfigDocument
from ...core.drivers import DRIVERS
from ...core.errors import DtrError
from ...core.problems import Path, Problem, Severity
from ..commands import COMMANDS
from ..fields import driver_fields, option_fields, unmanaged_values
from ..session import EditSession
from ..widgets.field_row import FieldRow
from ..widgets.param_form import COLLAPSED, ParamForm
from ..widgets.preview_tabs import PreviewTabs
from ..widgets.status_header import StatusHeader
from ..widgets.unmanaged import UnmanagedList

if TYPE_CHECKING:  # the planner is built after the first frame, its module loaded then
    from ...core.plan import Planner, Preview
    from ..deps import Deps


def _ancestor(widget: Any, kind: type[Any]) -> Any:
    """The nearest `kind` around `widget` (None when there is none, or no widget)."""
    for node in getattr(widget, "ancestors", ()):
        if isinstance(node, kind):
            return node
    return None


READ_ONLY = {
    "save": "Read-only (--read-only): nothing is written.",
    # the promise is "never write": no export either; the shell has one that writes elsewhere
    "export": "Read-only (--read-only): nothing is written. "
    "`dtr-tui export -o FILE` exports from the shell.",
}


class MainScreen(Screen[None]):
    """Owns the session; forms post changes up, the previews and problems go back down."""

    BINDINGS = [
        *(c.binding() for c in COMMANDS),
        # priority: the focus moves when the key is read, not after the field has seen it, so
        # keys typed right after a Tab (one burst from the terminal) land in the next field
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
        # --read-only dims Save and Export in the footer (check_action); these, tried after
        # them, say why instead of swallowing the key
        Binding("ctrl+s", "refuse_write('save')", show=False, priority=True),
        Binding("ctrl+e", "refuse_write('export')", show=False, priority=True),
        # after "Stop test" (shown while a test runs): a finished test's panel goes away
        Binding("escape", "close_checks", show=False),
    ]

    def __init__(self, session: EditSession, deps: Deps, *, id: str = "main") -> None:
        super().__init__(id=id)
        self.session = session
        self.deps = deps
        self.planner: Planner | None = None
        self.preview: Preview | None = None
        self.revealed = False
        self._forms: dict[str, ParamForm] = {}
        self._shown_rest: list[Problem] | None = None
        self._shown_problems: list[Problem] | None = None

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        s = self.session
        yield StatusHeader(s.source, s.target, str(s.version), s.read_only)
        with Horizontal(id="body"):
            with VerticalScroll(id="form-panel"):
                yield Label("Storage backend", classes="field-label")
                yield Select(
                    self._driver_options(),
                    value=s.draft.driver,
                    allow_blank=False,
                    compact=True,
                    id="driver",
                )
                yield Static("", id="banner")
                yield Static("", id="attention")
                yield Static("", id="general-problems")
                with Vertical(id="driver-forms"):  # in the first frame's one mount pass
                    yield self._driver_form(s.draft.driver)
                with Collapsible(
                    title="Storage options", collapsed=True, id="options", classes=COLLAPSED
                ):
                    yield self._options_form(s.draft.as_view())
                yield UnmanagedList("", id="unmanaged")
                yield Static("", id="outcome")
            yield PreviewTabs()
        yield Static("", id="field-help")
        yield Footer()

    def _options_form(self, view: Any) -> ParamForm:
        return ParamForm(
            option_fields(self.session.version),
            view,
            self.session.version,
            fold_advanced=False,
            intro="delete, redirect, cache and maintenance, kept across backends",
            on_change=self._field_changed,
        )

    def _driver_options(self) -> list[tuple[str, str]]:
        options = []
        for name, model in DRIVERS.items():
            label = model.title
            if not model.known_in(self.session.version):
                label += f" — not in registry {self.session.version.line}"
            if name == self.session.original_driver:
                label += " (in the file)" if self.session.doc.exists else " (the default)"
            options.append((label, name))
        return options

    def _driver_select(self) -> Select[str]:
        return self.query_one("#driver", Select)

    # Focus comes after the first frame: focusing restyles the focused widget's ancestors and
    # their children, which would delay the frame by a tenth of its styling for no visible gain.
    AUTO_FOCUS = ""  # none: the app's default would focus the first widget at once

    def on_mount(self) -> None:
        if self.session.opening_note:  # e.g. the file has two drivers: pick the one to keep
            banner = self.query_one("#banner", Static)
            banner.update(Text(self.session.opening_note))
            banner.display = True
        self.call_after_refresh(self._driver_select().focus)
        # after the first frame: the worker would otherwise share the GIL with the first paint
        self.call_after_refresh(self._build_planner)

    @work(thread=True, exclusive=True, group="planner", exit_on_error=False)
    def _build_planner(self) -> None:
        """Masking a long file takes a while once: done off the UI thread."""
        from ...core.plan import Planner

        planner = Planner(self.session.doc, self.session.version)
        self.app.call_from_thread(self._planner_ready, planner)

    def _planner_ready(self, planner: Planner) -> None:
        if planner.doc is self.session.doc:
            self.planner = planner
            self.refresh_preview()

    def _driver_form(self, name: str) -> ParamForm:
        form = ParamForm(
            driver_fields(name, self.session.version),
            self.session.draft.as_view(),
            self.session.version,
            intro=DRIVERS[name].summary,
            on_change=self._field_changed,
            id=f"form-{name}",
        )
        self._forms[name] = form
        return form

    async def _show_driver(self, name: str) -> None:
        if name not in self._forms:
            form = self._driver_form(name)
            await self.query_one("#driver-forms", Vertical).mount(form)
            if self.revealed:
                form.reveal(True)
        for driver, form in self._forms.items():
            form.display = driver == name

    # -- messages up ---------------------------------------------------------------------
    def _field_changed(self, row: FieldRow, value: Any) -> None:
        """Called by a field while its key is handled: the tabs are redrawn with the echo."""
        self.session.set_value(row.field.path, value)
        self._clear_outcome()
        self.refresh_preview()

    def on_field_row_focused(self, event: FieldRow.Focused) -> None:
        self._describe(event.row)

    def _describe(self, widget: Any) -> None:
        """The hint line says what the focused widget is (empty: nothing to say about it)."""
        from textual.widgets._collapsible import CollapsibleTitle

        text = Text()
        row = widget if isinstance(widget, FieldRow) else _ancestor(widget, FieldRow)
        if row is not None:
            f = row.field
            spec = f.spec
            text.append(f.label, style="bold")
            text.append(f": {spec.help}")
            allowed = spec.describe_allowed(self.session.version)
            text.append(f"  Allowed: {allowed}.", style="dim")
            note = spec.note_for(self.session.version)
            if note:
                text.append(f" {note}", style="dim")
        elif getattr(widget, "id", None) == "driver":
            summary = DRIVERS[self.session.draft.driver].summary
            text.append(f"Storage backend: where the registry keeps images. Now: {summary}")
        elif isinstance(widget, CollapsibleTitle):
            text.append(f"{widget.label}: ", style="bold")
            text.append("a folded section; enter opens or closes it.")
        elif _ancestor(widget, PreviewTabs) is not None:
            text.append("YAML", style="bold")
            text.append(": the storage section as it will be written; ")
            text.append("Diff", style="bold")
            text.append(": the change to the file, secrets masked. f2 / f3 switch, up/down scroll.")
        elif type(widget).__name__ == "CheckPanel":  # its module loads with the first ctrl+t
            text.append("Test results", style="bold")
            text.append(": up/down, page up/down scroll; escape closes them.")
        self.query_one("#field-help", Static).update(text)

    def _describe_focus(self) -> None:
        self._describe(self.focused)

    async def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "driver" or event.value is Select.NULL:
            return
        event.stop()
        name = str(event.value)
        if name == self.session.draft.driver or event.value != event.select.value:
            # our own revert, the select settling, or a value it has left already (after a
            # save, set_options passes through the first backend on its way back)
            return
        self._clear_outcome()
        switch = self.session.switch_driver(name)
        banner = self.query_one("#banner", Static)
        if switch.refused:
            self._driver_select().value = self.session.draft.driver
            banner.update(Text("✗ " + switch.refused))
            banner.display = True
            return
        await self._show_driver(name)
        banner.update(Text("! " + switch.warning) if switch.warning else "")
        banner.display = bool(switch.warning)
        self.refresh_preview()
        self._describe_focus()  # the dropdown, focused, says the backend it is now

    def on_descendant_focus(self, event: Any) -> None:
        if _ancestor(event.widget, FieldRow) is None:  # a field's row says it (Focused)
            self._describe(event.widget)

    # -- attributes down -----------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Validate, render and diff the draft: cheap enough for every keystroke."""
        # widgets found by id: Textual caches those lookups, a query by type walks the screen
        self.query_one("#status-header", StatusHeader).dirty = self.session.dirty
        if self.planner is None:
            return
        try:
            preview = self._with_unfilled(self.planner.preview(self.session.draft))
        except DtrError as exc:  # an edit the file cannot take (an anchor used elsewhere, …)
            preview = self._refused(exc)
        self.preview = preview
        self.query_one("#preview", PreviewTabs).show(preview)
        self._show_problems(preview.problems)
        self._show_unmanaged()

    def _param_forms(self) -> list[ParamForm]:
        """Every backend's form (a hidden one's problems are cleared) and the options' form."""
        options = self.query_one("#options", Collapsible).query_one(ParamForm)
        return [*self._forms.values(), options]

    def _show_problems(self, problems: list[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: p.severity is not Severity.ERROR)
        by_path: dict[Path, Problem] = {}
        for p in ordered:
            if p.path[:1] == ("storage",) and len(p.path) > 1:
                by_path.setdefault(p.path[1:], p)
        shown: set[Path] = set()
        for form in self._param_forms():
            shown |= form.show_problems(by_path)
        rest = [p for p in ordered if p.path[1:] not in shown or p.path[:1] != ("storage",)]
        if rest == self._shown_rest and problems == self._shown_problems:
            return
        self._shown_rest, self._shown_problems = rest, problems
        general = self.query_one("#general-problems", Static)
        general.display = bool(rest)
        text = Text()
        for p in rest:
            marker = "✗" if p.severity is Severity.ERROR else "!"
            allowed = f" — allowed: {p.allowed}" if p.allowed else ""
            text.append(f"{marker} {p.field}: {p.message}{allowed}\n")
        general.update(text)
        errors = {p.path for p in problems if p.severity is Severity.ERROR}
        warnings = {p.path for p in problems if p.severity is Severity.WARNING}
        attention = self.query_one("#attention", Static)
        attention.set_class(bool(errors), "-errors")
        if errors:
            noun = "field needs" if len(errors) == 1 else "fields need"
            line = f"✗ {len(errors)} {noun} attention"
        else:
            line = "✓ No errors"
        if warnings:
            line += f" · {len(warnings)} warning{'s' if len(warnings) > 1 else ''}"
        attention.update(line)

    def _show_unmanaged(self) -> None:
        draft = self.session.draft
        items = unmanaged_values(
            {draft.driver: dict(draft.params)}, driver_fields(draft.driver, self.session.version)
        )
        items += unmanaged_values(dict(draft.options), option_fields(self.session.version))
        self.query_one("#unmanaged", UnmanagedList).show(items)

    _outcome_shown = False

    def show_outcome(self, text: str, ok: bool, *, toast: bool = False) -> None:
        """Under the form, until the next edit; `toast`: also a notification, since the line
        is below the visible part of the form at 80x24 (a save's or an export's outcome)."""
        outcome = self.query_one("#outcome", Static)
        outcome.set_class(not ok, "-failed")
        outcome.update(Text(("✓ " if ok else "✗ ") + text))
        outcome.display = self._outcome_shown = True
        if toast:  # marked as the line is: the toast's colour is not the only sign
            mark = "✓ " if ok else "✗ "
            self.notify(mark + text, severity="information" if ok else "error", timeout=8)

    def _clear_outcome(self) -> None:
        """An edit makes the last outcome stale ("Saved" beside "● unsaved changes")."""
        if self._outcome_shown:
            self._outcome_shown = False
            self.query_one("#outcome", Static).display = False

    # -- actions -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "export") and self.session.read_only:
            return None  # shown dimmed: --read-only never writes (the key says so: refuse_write)
        if action == "refuse_write":
            return self.session.read_only
        if action == "cancel_checks":
            return self._checks_running()
        if action == "close_checks":
            return self._checks_finished()
        if action == "focus_checks":
            return self._has_checks()
        return True

    def why_not(self, action: str) -> str | None:
        """Why `action` cannot run now (the palette says it; a key has its dimmed footer)."""
        if action in ("save", "export") and self.session.read_only:
            return READ_ONLY[action]
        if action == "cancel_checks":
            return "No connection test is running."
        if action == "focus_checks":
            return "No connection test results: ctrl+t runs the test."
        return None

    def action_refuse_write(self, action: str) -> None:
        self.notify(READ_ONLY[action], title="Read-only", severity="warning")

    def action_show_tab(self, tab: str) -> None:
        self.query_one(PreviewTabs).active = tab

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        for form in self.query(ParamForm):
            form.reveal(self.revealed)
        self.notify(
            "Secrets are shown in the form (ctrl+r hides them)."
            if self.revealed
            else "Secrets are hidden.",
            timeout=3,
        )

    def action_save(self) -> None:
        if self.session.read_only:
            self.action_refuse_write("save")
            return
        if self.preview is not None and self.preview.errors:
            count = len({p.path for p in self.preview.errors})
            self.notify(
                f"Not saved: {count} {'fields need' if count > 1 else 'field needs'} attention.",
                title="Save refused",
                severity="error",
            )
            self._focus_first_error()
            return
        self._save_flow()

    def _focus_first_error(self) -> None:
        for row in self.query(FieldRow):
            if row.has_class("-invalid"):
                for editor in row.query("#editor"):
                    if editor.focusable:
                        editor.focus()
                        return

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _save_flow(self) -> None:
        from ...core.plan import plan_change
        from .save import SaveDialog, SaveOutcome

        s = self.session
        try:
            plan = await asyncio.to_thread(plan_change, s.doc, s.draft, s.version)
        except DtrError as exc:
            self.notify(f"Not saved: {exc}", title="Save refused", severity="error")
            return
        if plan.errors:
            self.notify(
                f"Not saved: {plan.errors[0].field}: {plan.errors[0].message}", severity="error"
            )
            return
        if not plan.has_changes:
            self.notify("Nothing to save: the file already says this.")
            return
        outcome: SaveOutcome | None = await self.app.push_screen_wait(
            SaveDialog(plan, s.target, self.deps.apply)
        )
        if outcome is None:
            return
        if (outcome.written or outcome.stale) and not await self._reload(outcome.stale):
            return  # first, so "Saved" shows only once the form is clean; failed: it said so
        self.show_outcome(outcome.message, outcome.written or outcome.ok, toast=True)

    async def _reload(self, keep_draft: bool = False) -> bool:
        """Read the file again: after a save (the form then matches it), or after a save
        refused because the file changed on disk (`keep_draft`: what was typed stays, and the
        diff is against what the file says now)."""
        s = self.session
        load = ConfigDocument.load_or_default if keep_draft else ConfigDocument.load
        try:
            doc = await asyncio.to_thread(load, FsPath(s.source))
            s.reset(doc, s.draft if keep_draft else None, keep_typed=True)
        except DtrError as exc:
            what = (
                "The file cannot be read again"
                if keep_draft
                else "Saved, but the file cannot be read back"
            )
            self.show_outcome(f"{what}: {exc}", False, toast=True)
            return False
        self.planner = None
        select = self._driver_select()
        select.set_options(self._driver_options())
        select.value = s.draft.driver
        self.query_one("#banner").display = False
        self.refresh_preview()
        self._build_planner()
        return True

    async def load_draft(self, draft: Any, notes: list[str]) -> None:
        """Put an uploaded draft into the form, replacing that backend's form."""
        self.session.replace(draft)
        old = self._forms.pop(draft.driver, None)
        if old is not None:
            await old.remove()
        options = self.query_one("#options ParamForm", ParamForm)
        options_box = self.query_one("#options Contents")
        await options.remove()
        await options_box.mount(self._options_form(draft.as_view()))
        await self._show_driver(draft.driver)
        self._driver_select().value = draft.driver
        for note in notes:
            self.notify(note, timeout=6)
        self.refresh_preview()
        self.call_after_refresh(self._refocus)

    def _refocus(self) -> None:
        """The field focused before an upload went with its form: the dropdown takes the
        focus (and the hint line says the backend now in the form)."""
        if self.focused is None:
            self._driver_select().focus()
        else:
            self._describe_focus()

    @work(exclusive=True, group="dialogs", exit_on_error=False)
    async def action_upload(self) -> None:
        from .upload import UploadDialog

        s = self.session
        upload = await self.app.push_screen_wait(
            UploadDialog(s.version, s.draft, self.deps.read_upload, saved=s.saved)
        )
        if upload is None:
            return
        kept = getattr(upload, "kept_note", "")
        self._unfilled = set(getattr(upload, "unfilled", []))
        await self.load_draft(upload.draft, [n for n in getattr(upload, "notes", []) if n != kept])
        warning = switch_warning(s.stored_driver, upload.draft.driver)  # as the dropdown
        banner = self.query_one("#banner", Static)
        banner.update(Text("! " + warning) if warning else "")
        banner.display = bool(warning)
        message = f"Read {upload.kind} YAML into the form (not saved yet)"
        if kept:
            message += f"; {kept}"
        if self._unfilled:
            names = ", ".join("storage." + ".".join(p) for p in sorted(self._unfilled))
            message += f"; {names}: redacted, and neither the form nor the file has a value"
        self.show_outcome(message, not self._unfilled)

    def _refused(self, exc: DtrError) -> Preview:
        """The last preview's tabs, with the refusal as an error that blocks Save: the file's
        text cannot be written with this draft (the message says why and what to do)."""
        field = tuple(exc.field.split(".")) if exc.field else ("storage",)
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        problem = Problem(field, message, line=exc.line)
        if self.preview is None:
            from ...core.plan import Preview

            return Preview(yaml="", masked="", differ=lambda _: "", problems=[problem])
        return replace(self.preview, problems=[problem], has_changes=False)

    # redacted secrets of the last upload that nothing could fill: an error under each field
    # while it is empty, so Save is refused until it is typed in
    _unfilled: set[Path] = set()

    def _with_unfilled(self, preview: Preview) -> Preview:
        draft = self.session.draft
        self._unfilled = {p for p in self._unfilled if draft.get(p) in (None, "")}
        if not self._unfilled:
            return preview
        extra = [
            Problem(
                ("storage", *path),
                "redacted in the upload, and neither the form nor the config file has a "
                "value: type it in",
            )
            for path in sorted(self._unfilled)
            if path[0] == draft.driver or path[0] in draft.options
        ]
        return replace(preview, problems=[*preview.problems, *extra]) if extra else preview

    @work(exclusive=True, group="dialogs", exit_on_error=False)
    async def action_export(self) -> None:
        from .export import ExportDialog

        if self.session.read_only:
            self.action_refuse_write("export")
            return
        message = await self.app.push_screen_wait(
            ExportDialog(self.session.draft, self.session.source, self.deps.export)
        )
        if message:
            self.show_outcome(message, True, toast=True)

    # -- test connection (ctrl+t) ----------------------------------------------------------
    _checks_cancel: Any = None  # the threading.Event of the run on screen

    def _checks_running(self) -> bool:
        from ..check_panel import CheckPanel

        return any(panel.running for panel in self.query(CheckPanel))

    async def action_test_connection(self) -> None:
        """Run the live checks of the unsaved draft in a thread; results stream into a panel
        under the form while the keys keep editing (escape stops them)."""
        import threading

        from ..check_panel import CheckPanel

        if self._checks_cancel is not None:
            self._checks_cancel.set()  # a thread cannot be killed: the old run is told to stop
        panels = self.query(CheckPanel)
        panel = panels.first() if panels else CheckPanel()
        if not panels:
            await self.mount(panel, before="#field-help")
        cancel = threading.Event()
        self._checks_cancel = cancel
        s = self.session
        panel.start(DRIVERS[s.draft.driver].title, [], False)
        self.refresh_bindings()
        self._run_checks(s.draft, s.saved, cancel)

    @work(
        thread=True,
        exclusive=True,
        group="checks",
        exit_on_error=False,
        description="Test connection",
    )
    def _run_checks(self, draft: Any, current: Any, cancel: Any) -> None:
        import threading

        from ..check_panel import CheckPanel

        panel = self.query_one(CheckPanel)
        version = self.session.version

        def show(fn: Any, *args: Any) -> None:
            """Into the panel, unless a newer run took it over meanwhile."""
            self.app.call_from_thread(self._checks_show, cancel, fn, *args)

        try:
            names = self.deps.check_names(draft, version)
            moving = current is not None and self.deps.moves_data(current, draft, version)
        except DtrError as exc:
            show(panel.finish, f"the settings cannot be checked: {exc}")
            return
        show(panel.start, DRIVERS[draft.driver].title, names, moving)
        found: list[Any] = []
        counting = None
        if moving:
            counting = threading.Thread(
                target=lambda: found.append(
                    self.deps.data_move(
                        current,
                        draft,
                        version,
                        timeout=5.0,
                        cancel=cancel,
                        container=getattr(self.app, "container", None),  # its mounts
                    )
                ),
                name="inventory",
                daemon=True,
            )
            counting.start()
        try:
            self.deps.run_checks(
                draft,
                version,
                timeout=5.0,
                on_result=lambda r: show(panel.add, r),
                cancel=cancel,
                has_redis=self.session.doc.has_redis,
            )
        except DtrError as exc:
            show(panel.finish, f"the settings cannot be checked: {exc}")
            return
        if counting is not None:
            counting.join(6.0)
            show(panel.data_move, found[0] if found else None)
        show(panel.finish, "stopped (escape)" if cancel.is_set() else "")

    def _checks_show(self, cancel: Any, fn: Any, *args: Any) -> None:
        if cancel is self._checks_cancel:
            fn(*args)
            self.refresh_bindings()

    def action_cancel_checks(self) -> None:
        if self._checks_cancel is not None and self._checks_running():
            self._checks_cancel.set()

    def _checks_finished(self) -> bool:
        from ..check_panel import CheckPanel

        return any(not panel.running for panel in self.query(CheckPanel))

    def _has_checks(self) -> bool:
        from ..check_panel import CheckPanel

        return bool(self.query(CheckPanel))

    _focus_before_checks: Any = None  # where f6 came from: escape goes back there

    def action_focus_checks(self) -> None:
        from ..check_panel import CheckPanel

        panels = self.query(CheckPanel)
        if panels and self.focused is not panels.first():
            self._focus_before_checks = self.focused
            panels.first().focus()

    async def action_close_checks(self) -> None:
        from ..check_panel import CheckPanel

        await self.query(CheckPanel).remove()
        back, self._focus_before_checks = self._focus_before_checks, None
        if back is not None and back.is_attached:
            back.focus()
        self.refresh_bindings()

    @on(Worker.StateChanged)
    def _checks_worker_failed(self, event: Worker.StateChanged) -> None:
        """A bug in a check run: said in the panel, never a traceback on the screen."""
        from ..check_panel import CheckPanel

        worker = event.worker
        if worker.group == "checks" and event.state is WorkerState.ERROR:
            error = worker.error
            for panel in self.query(CheckPanel):
                panel.finish(f"stopped by an internal error ({type(error).__name__})")
            self.refresh_bindings()

    # -- the registry container's environment (Save & restart) ------------------------------
    _env_shown_for: Any = None  # the draft the environment findings were computed for

    @on(events.Mount)
    def _watch_environment(self) -> None:
        """With a container whose REGISTRY_* variables touch storage, say what they do."""
        container = getattr(self.app, "container", None)
        if container is None:
            return  # a file alone: nothing loaded for it (this runs before the first frame)
        from ...core.env_overrides import registry_env

        if not registry_env(container.target.env):
            return
        self.mount(Static("", id="env-problems"), after="#general-problems")
        self.call_after_refresh(self._show_environment)
        self.set_interval(0.3, self._show_environment)  # cheap: only when the draft changed

    def _show_environment(self) -> None:
        from ..container import environment_lines

        draft = self.session.draft
        if draft is self._env_shown_for:
            return
        self._env_shown_for = draft
        container: Any = getattr(self.app, "container", None)
        lines = environment_lines(draft, container.target.env, self.session.version)
        text = Text()
        for is_error, line in lines:
            text.append(f"{'✗' if is_error else '!'} environment of {container.name}: {line}\n")
        box = self.query_one("#env-problems", Static)
        box.update(text)
        box.display = bool(lines)
