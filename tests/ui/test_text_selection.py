"""The YAML and Diff tabs take a mouse selection, as Static did: drag across lines, the
selected text is the text shown, and what is copied keeps secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from dtr_tui.ui.widgets.text_view import TextView

from .conftest import AppFactory
from .test_flows import fill_s3, ready, settle

SECRET = "wJalrXUtnFEMI"  # typed by fill_s3


async def drag(pilot: Pilot[int], view: TextView, first: int, last: int) -> None:
    """Press on the start of line `first`, move, release past the end of line `last`."""
    view.scroll_to(0, first, animate=False, immediate=True)
    await pilot.pause()
    area = view.content_region
    top, bottom = first - view.scroll_offset.y, last - view.scroll_offset.y
    assert 0 <= top <= bottom < area.height, "both lines on screen"
    await pilot.mouse_down(None, (area.x, area.y + top))
    await pilot.hover(None, (area.x + 3, area.y + top))
    await pilot.hover(None, (area.right - 1, area.y + bottom))
    await pilot.mouse_up(None, (area.right - 1, area.y + bottom))
    await pilot.pause()


@pytest.mark.parametrize("tab", ["yaml", "diff"])
async def test_a_drag_selects_the_shown_text_with_secrets_masked(
    config_file: Path, app_for: AppFactory, tab: str
) -> None:
    app = app_for(config_file)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await fill_s3(pilot)
        if tab == "diff":
            await pilot.press("f3")
        await settle(pilot)
        view = app.screen.query_one(f"#{tab}-text", TextView)
        lines = view.text.splitlines()
        secret_line = next(i for i, line in enumerate(lines) if "secretkey" in line)
        assert "********" in lines[secret_line]
        first = max(0, secret_line - 3)

        await drag(pilot, view, first, secret_line)

        selected = app.screen.get_selected_text()
        assert selected is not None
        assert selected.rstrip("\n") == "\n".join(lines[first : secret_line + 1])
        assert SECRET not in selected and "********" in selected
        assert view.text_selection is not None  # drawn as selected, and still readable:
        row = view.render_line(secret_line - view.scroll_offset.y)
        marked = [seg for seg in row if seg.text.strip() and seg.style and seg.style.bgcolor]
        assert marked and all(seg.style.color != seg.style.bgcolor for seg in marked)  # type: ignore[union-attr]

        await pilot.press("ctrl+c")  # the screen's copy: what the clipboard gets
        await pilot.pause()
        assert app.clipboard.rstrip("\n") == selected.rstrip("\n")
        assert SECRET not in app.clipboard
