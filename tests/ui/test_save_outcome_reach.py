"""At 80x24, after a Save & restart that failed and was rolled back, every step, the outcome and
the container's log tail can be brought on screen from the keyboard: they sit in one region that
has the focus and scrolls. Checked on the rendered screen, not on widget state."""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console
from textual.app import App
from textual.containers import VerticalScroll
from textual.pilot import Pilot

from dtr_tui.ui.screens.save import SaveDialog

from .test_save_restart_snapshot import LOG, STEPS, build, failed_restart


def screen_lines(app: App[Any]) -> list[str]:
    """What the terminal shows, as text, one string per row."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()


def screen_text(pilot: Pilot[int]) -> str:
    """The rows inside the dialog's frame."""
    rows = []
    for row in screen_lines(pilot.app):
        inside = row.split("█")
        rows.append(inside[1].strip() if len(inside) > 2 else "")
    return "\n".join(rows)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


async def test_every_step_the_outcome_and_the_log_are_reachable_at_80x24() -> None:
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await failed_restart(pilot)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog) and dialog.outcome is not None
        result = dialog.query_one("#save-result", VerticalScroll)
        assert app.focused is result  # the keys scroll it without a tab first
        first = screen_text(pilot)
        assert "Not applied: the container exited with code 1. Rolled back" in flat(first)
        assert "✗ the new config failed: the container exited with code 1" in first
        assert result.max_scroll_y > 0  # the case this test is about: it does not all fit

        pages = [first]
        for _ in range(10):
            if result.scroll_y >= result.max_scroll_y:
                break
            await pilot.press("pagedown")
            await pilot.pause()
            pages.append(screen_text(pilot))
        assert result.scroll_y == result.max_scroll_y
        seen = " | ".join(flat(page) for page in pages)
        for step in STEPS:
            assert flat(step) in seen, step
        for line in LOG.splitlines():
            assert flat(line) in seen, line
        assert "waiting for http://127.0.0.1:5000/v2/" in flat(pages[-1])

        await pilot.press("home")
        await pilot.pause()
        assert result.scroll_y == 0
        await pilot.press("enter")  # closes from the region, as the keys line says
        await pilot.pause()
        assert not isinstance(app.screen, SaveDialog)
