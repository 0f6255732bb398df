"""Help is in the footer whatever has the focus: `?` where it is a key, `f1` in a field that
types `?` itself (the footer used to drop Help there)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from .conftest import AppFactory
from .test_flows import SIZE, ready
from .test_save_outcome_reach import screen_lines


async def test_the_footer_offers_help_in_a_field_and_f1_opens_it(
    config_file: Path, app_for: AppFactory
) -> None:
    from dtr_tui.ui.screens.help import HelpScreen

    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "? Help" in screen_lines(app)[-1]
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await pilot.pause()
        footer = screen_lines(app)[-1]
        assert "f1 Help" in footer and "? Help" not in footer
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
