"""A keystroke in a field repaints; it does not lay out the whole screen (that costs more than
the rest of the keystroke), and the tabs follow in the same frame as the field's echo."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Collapsible, Input

from dtr_tui.ui.widgets.text_view import TextView

from .conftest import AppFactory
from .test_flows import SIZE, ready, type_into


async def test_typing_into_a_field_does_not_lay_out_the_screen(
    config_file: Path, app_for: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/a")  # the line is there
        layouts: list[object] = []
        original = Screen._refresh_layout

        def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
            layouts.append(self)
            original(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "bcdef")
        assert main.session.draft.params["rootdirectory"] == "/var/lib/registry/abcdef"
        yaml = main.query_one("#yaml-text", TextView).text
        assert "rootdirectory: /var/lib/registry/abcdef" in yaml
        assert layouts == []


async def test_folded_rows_come_after_the_first_frame(tmp_path: Path, app_for: AppFactory) -> None:
    """Rows under a fold are mounted after the first frame; an error in one unfolds it."""
    config = tmp_path / "config.yml"
    config.write_text(
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /srv\n"
        "  maintenance:\n    uploadpurging:\n      enabled: true\n      age: soon\n"
    )
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        for _ in range(3):
            await pilot.pause()
        row = main.query_one("#f-maintenance--uploadpurging--age")
        assert row.has_class("-invalid")
        assert "duration" in str(row.query_one(".field-problem").render()).lower()
        assert not main.query_one("#options", Collapsible).collapsed
        assert main.query_one("#form-filesystem Collapsible", Collapsible).collapsed
        assert main.query("#form-filesystem Collapsible FieldRow")  # there, still folded


async def test_the_yaml_tab_changes_while_the_key_is_handled(
    config_file: Path, app_for: AppFactory
) -> None:
    """No message hop between the field and the tabs: by the time the field holds the typed
    character, the YAML tab does too, so both are painted by the same frame (a message
    arrived after the echo's frame: the tab lagged one or two frames behind every key)."""
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/a")
        field = main.query_one("#f-filesystem--rootdirectory Input", Input)
        yaml = main.query_one("#yaml-text", TextView)
        field.insert_text_at_cursor("z")  # what a key press does; no await, no message pumped
        assert "rootdirectory: /var/lib/registry/az" in yaml.text
        assert main.session.draft.params["rootdirectory"] == "/var/lib/registry/az"
