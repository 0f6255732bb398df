"""A form generated from a model's parameters: main fields first, advanced ones folded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Collapsible, Static

from ...core.problems import Path, Problem
from ...core.versions import RegistryVersion
from ..fields import FieldDef
from .field_row import FieldRow


def value_at(view: Mapping[str, Any], path: Path) -> Any:
    node: Any = view
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class ParamForm(Vertical):
    """Rows for `fields`, filled from `view` (the storage section as a mapping)."""

    def __init__(
        self,
        fields: Sequence[FieldDef],
        view: Mapping[str, Any],
        version: RegistryVersion,
        *,
        intro: str = "",
        fold_advanced: bool = True,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="param-form")
        self.fields = fields
        self.view = view
        self.version = version
        self.intro = intro
        self.fold_advanced = fold_advanced

    def compose(self) -> ComposeResult:
        if self.intro:
            yield Static(self.intro, classes="form-intro", markup=False)
        main = [f for f in self.fields if not (self.fold_advanced and f.spec.advanced)]
        advanced = [f for f in self.fields if self.fold_advanced and f.spec.advanced]
        for f in main:
            yield FieldRow(f, value_at(self.view, f.path), self.version)
        if advanced:
            with Collapsible(title=f"Advanced settings ({len(advanced)})", collapsed=True):
                for f in advanced:
                    yield FieldRow(f, value_at(self.view, f.path), self.version)
        if not self.fields:
            yield Static("This backend has no settings.", classes="form-intro")

    _rows: list[FieldRow] | None = None

    def rows(self) -> list[FieldRow]:
        """The form's rows, found once: a query walks the form, and this runs per keystroke."""
        if self._rows is None:
            rows = list(self.query(FieldRow))
            if len(rows) < len(self.fields):
                return rows  # not composed yet
            self._rows = rows
        return self._rows

    def show_problems(self, by_path: Mapping[Path, Problem]) -> set[Path]:
        """Put each problem under its field; returns the paths that found a field."""
        shown: set[Path] = set()
        rows = self.rows()
        own = {row.field.path for row in rows}
        by_row: dict[Path, Problem] = {}
        for path, problem in by_path.items():
            if path in own:
                by_row.setdefault(path, problem)
                continue
            # a problem with a whole group (azure credentials) goes under its first field
            first = next((r for r in rows if r.field.path[: len(path)] == path), None)
            if first is not None:
                by_row.setdefault(first.field.path, problem)
                shown.add(path)
        for row in rows:
            found = by_row.get(row.field.path)
            row.show_problem(found)
            if found is not None:
                shown.add(row.field.path)
                if found.severity == "error":
                    self._unfold(row)
        return shown

    def _unfold(self, row: FieldRow) -> None:
        for ancestor in row.ancestors:
            if isinstance(ancestor, Collapsible) and ancestor.collapsed:
                ancestor.collapsed = False

    def reveal(self, shown: bool) -> None:
        for row in self.rows():
            row.reveal(shown)
