"""Keys the models do not manage: listed read-only, kept in the file exactly as written."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from ...core.problems import Path
from ...core.secrets import MASK, is_secret_key, masked_view


class UnmanagedList(Static):
    _shown: list[tuple[Path, Any]] | None = None

    def show(self, items: list[tuple[Path, Any]]) -> None:
        if items == self._shown:
            return
        self._shown = items
        self.display = bool(items)
        text = Text("Kept as written (not edited here):\n", style="bold")
        for path, value in items:
            shown = MASK if is_secret_key(path[-1]) else _short(masked_view(value))
            text.append(f"  storage.{'.'.join(path)}: {shown}\n")
        self.update(text)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
