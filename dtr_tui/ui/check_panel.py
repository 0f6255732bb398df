"""The Test connection panel: each check's status word, time, what was found and the fix.

Attributes down: the screen calls `start`, `add`, `data_move` and `finish`; the panel only
shows them. Status is always a word and a mark, never a colour alone.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

# status value -> (mark and word, style); "wait" is a check still running
MARKS: dict[str, tuple[str, str]] = {
    "pass": ("✓ pass", "green"),
    "warn": ("! WARN", "bold yellow"),
    "fail": ("✗ FAIL", "bold red"),
    "skipped": ("– skip", "dim"),
    "wait": ("… wait", "dim"),
}


CLOSE_HINT = "escape closes this panel · f6 moves here · ctrl+t runs the test again"
# once a run is over, the rows that need something done come first: at 80x24 the panel shows
# a handful of rows, and a FAIL must not be the one scrolled out of sight
ORDER = {"fail": 0, "warn": 1, "pass": 2, "skipped": 3}


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


class CheckPanel(VerticalScroll):
    """Results of ctrl+t, in the checks' order, updated as each one ends."""

    DEFAULT_CSS = """
    CheckPanel {
        height: auto;
        max-height: 40%;  /* while it runs the form stays in sight: keys still edit it */
        border-top: hkey $primary-background;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    CheckPanel.-done { max-height: 60%; }
    CheckPanel > Static { width: 100%; }
    """

    def __init__(self) -> None:
        super().__init__(id="check-panel")
        self.title = ""
        self.names: list[str] = []
        self.results: dict[str, Any] = {}
        self.move: Any = None  # an inventory Vanishing, when the draft moves the data
        self.moving = False  # counting what a backend switch hides is under way
        self.running = False
        self.state = ""  # "", "cancelled", "failed: …"
        self.grid: Table = Table.grid()
        self.updates = 0  # how many times a result came in (tests see the streaming)

    def compose(self) -> Any:
        yield Static("", id="check-table")

    def start(self, title: str, names: list[str], moving: bool) -> None:
        self.title, self.names, self.results = title, list(names), {}
        self.move, self.moving, self.running, self.state = None, moving, True, ""
        self.updates = 0
        self.set_class(False, "-done")
        self._show()

    def add(self, result: Any) -> None:
        if result.name not in self.names:
            self.names.append(result.name)
        self.results[result.name] = result
        self.updates += 1
        self._show()

    def data_move(self, move: Any) -> None:
        self.move, self.moving = move, False
        self._show()

    def finish(self, state: str = "") -> None:
        self.running, self.moving = False, False
        self.state = state
        self.set_class(True, "-done")
        self._show()

    # -- what is shown --------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """By status, the registry data row included (it is one of the rows)."""
        found = {"pass": 0, "warn": 0, "fail": 0, "skipped": 0}
        for result in self.results.values():
            found[str(result.status)] += 1
        if self.move is not None:
            found["warn" if self.move.warning else "pass"] += 1
        return found

    def rows(self) -> tuple[int, int]:
        """(done, all) of the rows shown: each check's, and the registry data's."""
        moves = self.moving or self.move is not None
        return len(self.results) + (self.move is not None), len(self.names) + moves

    def headline(self) -> Text:
        c = self.counts()
        text = Text()
        text.append(f"Test connection: {self.title}", style="bold")
        done, total = self.rows()
        if self.running:
            text.append(f"  · running, {done} of {total} done · escape cancels")
        elif self.state:
            text.append(f"  · {self.state}")
        else:
            text.append(
                f"  · {c['pass']} passed, {plural(c['warn'], 'warning')}, {c['fail']} failed, "
                f"{c['skipped']} not checked"
            )
        return text

    def _rows(self) -> list[tuple[str, Text, str, Text]]:
        """(status, mark, time, what) of each check and of the registry data, in the checks'
        order while they run."""
        rows = []
        for name in self.names:
            result = self.results.get(name)
            if result is None:
                word, style = MARKS["wait"]
                rows.append(("wait", Text(word, style=style), "", Text(name, style="dim")))
                continue
            status = str(result.status)
            word, style = MARKS[status]
            body = Text()
            body.append(name, style="bold")
            if result.detail:
                body.append(f": {result.detail}")
            if result.fix and status in ("fail", "warn"):
                body.append(f"\nfix: {result.fix}", style="italic")
            seconds = "" if status == "skipped" else f"{result.seconds:.2f} s"  # not run: no time
            rows.append((status, Text(word, style=style), seconds, body))
        if self.moving:
            word, style = MARKS["wait"]
            what = Text("registry data (what a switch hides)", "dim")
            rows.append(("wait", Text(word, style=style), "", what))
        elif self.move is not None:
            status = "warn" if self.move.warning else "pass"
            word, style = MARKS[status]
            body = Text()
            body.append("registry data", style="bold")
            body.append(f": {self.move.message}")
            if self.move.warning:
                body.append(
                    "\nfix: copy docker/registry/v2 from the current backend to the new one "
                    "before you save (e.g. rclone copy), or keep the current backend",
                    style="italic",
                )
            rows.append(
                (status, Text(word, style=style), f"{self.move.current.seconds:.2f} s", body)
            )
        return rows

    def _show(self) -> None:
        # one space after each cell but the last: "0.96 s" never runs into the check's name
        table = Table.grid(expand=True, padding=(0, 1, 0, 0))
        table.add_column(no_wrap=True, width=6)  # mark and word
        table.add_column(no_wrap=True, justify="right", width=7)  # time
        table.add_column(ratio=1)  # name: detail / fix
        rows = self._rows()
        if not self.running:
            rows.sort(key=lambda row: ORDER.get(row[0], len(ORDER)))  # stable: checks' order
        for _, mark, seconds, what in rows:
            table.add_row(mark, seconds, what)
        grid = Table.grid(expand=True)
        grid.add_row(self.headline())
        grid.add_row(table)
        if not self.running:
            grid.add_row(Text(CLOSE_HINT, style="dim"))
        self.grid = grid
        self.query_one("#check-table", Static).update(grid)

    def plain(self, width: int = 160) -> str:
        """What the panel says, as text (tests, and anything that logs it)."""
        import io

        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=io.StringIO())
        console.print(self.grid)
        return console.export_text()
