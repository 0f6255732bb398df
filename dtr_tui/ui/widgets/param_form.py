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
from .field_row import FieldRow, OnChange

# A Collapsible built folded adds this class to itself when mounted, and restyles itself and
# its contents for it; given at construction, it is there before the first styling pass.
COLLAPSED = "-collapsed"


def value_at(view: Mapping[str, Any], path: Path) -> Any:
    node: Any = view
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class ParamForm(Vertical):
    """Rows for `fields`, filled from `view` (the storage section as a mapping).

    Rows under a folded section (the advanced settings, or the whole form when it sits in a
    collapsed Collapsible) are mounted after the first frame (or as they unfold, if sooner):
    widgets nobody sees yet would only slow the first frame (each costs styling).
    """

    def __init__(
        self,
        fields: Sequence[FieldDef],
        view: Mapping[str, Any],
        version: RegistryVersion,
        *,
        intro: str = "",
        fold_advanced: bool = True,
        on_change: OnChange | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="param-form")
        self.on_change = on_change
        self.fields = fields
        self.view = view
        self.version = version
        self.intro = intro
        self.fold_advanced = fold_advanced
        self._main = [self._row(f) for f in fields if not (fold_advanced and f.spec.advanced)]
        self._advanced = [self._row(f) for f in fields if fold_advanced and f.spec.advanced]
        self._folded: list[FieldRow] = []  # rows waiting for the form to be unfolded
        self._advanced_mounted = False

    def _row(self, f: FieldDef) -> FieldRow:
        return FieldRow(f, value_at(self.view, f.path), self.version, self.on_change)

    def compose(self) -> ComposeResult:
        if self.intro:
            yield Static(self.intro, classes="form-intro", markup=False)
        if self._inside_folded():
            self._folded = list(self._main)
        else:
            yield from self._main
        if self._advanced:
            yield Collapsible(
                title=f"Advanced settings ({len(self._advanced)})",
                collapsed=True,
                classes=COLLAPSED,
            )
        if not self.fields:
            yield Static("This backend has no settings.", classes="form-intro")

    def _inside_folded(self) -> bool:
        return any(isinstance(a, Collapsible) and a.collapsed for a in self.ancestors)

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_folded)  # after the first frame, still folded

    async def _mount_folded(self) -> None:
        if not self.is_attached:
            return  # the app quit before its first frame was out
        if self._folded:
            rows, self._folded = self._folded, []
            advanced = self.query(Collapsible)
            await self.mount_all(rows, before=advanced.first() if advanced else None)
        if self._advanced and not self._advanced_mounted:
            self._advanced_mounted = True
            contents = self.query_one(Collapsible).query_one(Collapsible.Contents)
            await contents.mount_all(self._advanced)

    async def on_show(self) -> None:
        await self._mount_folded()  # unfolded before the first frame was out

    async def on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        if event.collapsible.parent is self:
            await self._mount_folded()

    def rows(self) -> list[FieldRow]:
        """Every row, mounted or still folded away (a folded row keeps what it is told)."""
        return [*self._main, *self._advanced]

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
        """Open what hides a row with an error (a folded row is mounted as it opens)."""
        folds = list(row.ancestors) if row.parent is not None else []
        if row in self._advanced:
            folds += self.query(Collapsible)
        if row in self._folded or row in self._advanced:
            folds += self.ancestors
        for fold in folds:
            if isinstance(fold, Collapsible) and fold.collapsed:
                fold.collapsed = False

    def reveal(self, shown: bool) -> None:
        for row in self.rows():
            row.reveal(shown)
