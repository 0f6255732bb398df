"""The save dialog's summary: one line per changed key, and when they do not fit its box, a
last line that says how many more the diff shows; never a silent cut."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from dtr_tui.ui.screens.main import MainScreen
from dtr_tui.ui.screens.save import SaveDialog, summary_lines
from dtr_tui.ui.screens.upload import UploadDialog

from .conftest import AppFactory
from .test_flows import SIZE, ready, settle, wait_for_screen

DATA = Path(__file__).parent.parent / "data"


def shown(widget: Static) -> str:
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def test_the_save_summary_says_what_it_leaves_out() -> None:
    assert summary_lines(["a", "b"]) == ["• a", "• b"]
    assert summary_lines([]) == ["• no storage change"]
    assert summary_lines([str(n) for n in range(6)]) == [f"• {n}" for n in range(6)]
    nine = summary_lines([str(n) for n in range(9)])
    assert nine == [*(f"• {n}" for n in range(5)), "…and 4 more (see the diff)"]


async def test_the_save_dialog_shows_how_many_changes_are_below(
    tmp_path: Path, app_for: AppFactory
) -> None:
    config = tmp_path / "config.yml"
    shutil.copy(DATA / "commented-config.yml", config)
    many = tmp_path / "s3.yml"
    many.write_text(
        "s3:\n  region: us-east-1\n  bucket: b\n  rootdirectory: /r\n  encrypt: true\n"
        "  secure: true\n  v4auth: true\n  chunksize: 10485760\n  storageclass: STANDARD\n"
    )
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, UploadDialog)
        await pilot.press(*str(many), "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        count = len(dialog.plan.summary)
        assert count > 6
        summary = shown(dialog.query_one("#save-summary Static", Static))
        listed = 5 - bool(dialog.plan.mode_note)  # a mode note takes the first line
        assert summary.splitlines()[-1] == f"…and {count - listed} more (see the diff)"
        assert len(summary.splitlines()) == 6


async def test_the_save_dialog_says_the_file_mode_will_change_before_it_writes(
    tmp_path: Path, app_for: AppFactory
) -> None:
    """A file that holds a secret in the clear loses its 'other' bits on save: said first."""
    config = tmp_path / "config.yml"
    config.write_text(
        "version: 0.1\nhttp:\n  secret: not-a-real-http-secret\nstorage:\n"
        "  filesystem:\n    rootdirectory: /var/lib/registry\n"
    )
    config.chmod(0o644)
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("tab", "end", "x")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        summary = shown(app.screen.query_one("#save-summary Static", Static)).splitlines()
        mode = "! the file's mode changes 0644 -> 0640: it holds a secret in the clear"
        assert summary[0] == mode
        assert summary[1].endswith("rootdirectory: /var/lib/registry → /var/lib/registryx")
