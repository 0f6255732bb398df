"""One form field: its label, the editor its kind calls for, and its problem right under it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Input, Label, Select, Static, Switch

from ...core.params import Kind, format_value
from ...core.problems import Problem, Severity
from ...core.versions import RegistryVersion
from ..fields import FieldDef


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


SECRET_MASK = "•" * 8


class FieldInput(Input):
    """An Input whose typing repaints only itself.

    Textual's Input sets its virtual size on every change of value, and that asks for a layout
    of the whole screen: 5-10 ms here, more than the rest of a keystroke. A field's size never
    depends on its value (full width, one line), so for a value change a repaint is enough.
    """

    _value_changing = False

    def _watch_value(self, value: str) -> None:
        self._value_changing = True
        try:
            super()._watch_value(value)
        finally:
            self._value_changing = False

    @property
    def _value(self) -> Text:
        if self.password and self.value and not self.has_focus:
            # a bullet a character would tell the secret's length: out of focus, a fixed mask
            return Text(SECRET_MASK, no_wrap=True, overflow="ignore", end="")
        return super()._value

    def on_blur(self) -> None:
        if self.password:
            self.scroll_to(x=0, animate=False)  # the fixed mask is short: show it whole

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        layout = layout and not self._value_changing
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


OnChange = Callable[["FieldRow", Any], None]


def _on_off(on: bool) -> str:
    return "on" if on else "off"


class FieldRow(Vertical):
    """Tells `on_change` the typed value at once; None means "leave it out of the file".

    A callback, not a message: a message reaches the screen after the field's echo has been
    painted, so the YAML and Diff tabs were redrawn a frame or two (33 ms) after every key.
    Called while the key is handled, the echo and the tabs go out in the same frame.
    """

    DEFAULT_CSS = """
    FieldRow .switch-line { height: 1; width: 100%; }
    FieldRow .switch-state { margin-left: 1; }
    """

    class Focused(Message):
        def __init__(self, row: FieldRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        field: FieldDef,
        value: Any,
        version: RegistryVersion,
        on_change: OnChange | None = None,
    ) -> None:
        super().__init__(id=field.dom_id, classes="field-row")
        self.field = field
        self.version = version
        self.value = value
        self.on_change = on_change
        self._problem: Problem | None = None
        self._problem_shown = False
        self._revealed = False

    @property
    def kind(self) -> Kind:
        if self.field.spec.choices_for(self.version):
            return Kind.CHOICE
        return self.field.spec.kind

    def compose(self) -> ComposeResult:
        spec = self.field.spec
        yield Label(self._label(), classes="field-label")
        kind = self.kind
        if kind is Kind.BOOLEAN:
            default = spec.default_for(self.version)
            on = self.value if isinstance(self.value, bool) else bool(default)
            with Horizontal(classes="switch-line"):  # the state in words, not colour alone
                yield Switch(on, id="editor", tooltip=spec.help)
                yield Label(_on_off(on), classes="switch-state")
        elif kind is Kind.CHOICE:
            choices = list(spec.choices_for(self.version) or ())
            if self.value is not None and str(self.value) not in choices:
                choices.append(str(self.value))  # shown as written; validation names the problem
            default = spec.default_for(self.version)
            prompt = f"(unset: {format_value(default, spec)})" if default else "(unset)"
            yield Select(
                [(c, c) for c in choices],
                value=str(self.value) if self.value is not None else Select.NULL,
                prompt=prompt,
                allow_blank=True,
                compact=True,
                id="editor",
            )
        elif kind is Kind.MAPPING:
            yield Static(
                "a mapping: kept as written; upload a file to change it", classes="field-note"
            )
        else:
            default = spec.default_for(self.version)
            placeholder = (
                f"default {format_value(default, spec)}"
                if default not in (None, "")
                else (f"e.g. {spec.example}" if spec.example else "")
            )
            yield FieldInput(
                _to_text(self.value),
                placeholder=placeholder,
                password=spec.secret and not self._revealed,
                id="editor",
                select_on_focus=False,
                compact=True,
            )
        problem = Static("", classes="field-problem")
        problem.display = False
        yield problem

    def _label(self) -> Text:
        spec = self.field.spec
        label = Text(spec.label + (" *" if spec.required_in(self.version) else ""))
        if spec.secret:
            label.append(" · shown" if self._revealed else " · hidden", style="italic")
        return label

    # -- values --------------------------------------------------------------------------
    def _parse(self, text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        kind = self.field.spec.kind
        if kind is Kind.INTEGER:
            try:
                return int(text, 10)
            except ValueError:
                return text  # kept as typed, so validation can say what is wrong
        if kind is Kind.LIST:
            return [part.strip() for part in text.split(",") if part.strip()]
        return text

    def _changed(self, value: Any) -> None:
        if value == self.value and type(value) is type(self.value):
            return
        self.value = value
        if self.on_change is not None:
            self.on_change(self, value)

    def _typed(self, text: str) -> None:
        """Run by the Input's value watcher, synchronously, inside the keystroke."""
        self._changed(self._parse(text))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()  # handled already, by the watcher on the value (see `_typed`)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self.query_one(".switch-state", Label).update(_on_off(event.value))
        self._changed(event.value)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._changed(None if event.value is Select.NULL else event.value)

    def on_descendant_focus(self) -> None:
        self.post_message(self.Focused(self))

    # -- attributes down -----------------------------------------------------------------
    def on_mount(self) -> None:
        for editor in self.query(FieldInput):
            self.watch(editor, "value", self._typed, init=False)
        if self._problem is not None:
            self._problem_shown = False
            self.show_problem(self._problem)  # told while it was folded away

    def show_problem(self, problem: Problem | None) -> None:
        if problem == self._problem and self._problem_shown:
            return  # unchanged: no repaint, no relayout (this runs on every keystroke)
        self._problem = problem
        if not self.children:
            return  # folded away, not composed yet: shown when it is mounted
        self._problem_shown = True
        note = self.query_one(".field-problem", Static)
        self.set_class(problem is not None and problem.severity is Severity.ERROR, "-invalid")
        self.set_class(problem is not None and problem.severity is not Severity.ERROR, "-warning")
        if problem is None:
            note.update("")
            note.display = False
            return
        marker = "✗ " if problem.severity is Severity.ERROR else "! warning: "
        allowed = f" — allowed: {problem.allowed}" if problem.allowed else ""
        note.update(Text(f"{marker}{problem.message}{allowed}"))
        note.display = True

    def reveal(self, shown: bool) -> None:
        self._revealed = shown
        if self.field.spec.secret and self.children:
            self.query_one(".field-label", Label).update(self._label())
            for editor in self.query(Input):
                editor.password = not shown
