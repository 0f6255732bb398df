"""A secret field says it is hidden once, and out of focus does not tell the secret's length."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label

from .conftest import AppFactory
from .test_flows import SIZE, fill_s3, ready


def shown(editor: Input) -> str:
    return editor.render_line(0).text.strip()


async def test_secret_shows_a_fixed_mask_out_of_focus(
    config_file: Path, app_for: AppFactory
) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await fill_s3(pilot)  # the secret key field keeps the focus
        access = main.query_one("#f-s3--accesskey Input", Input)
        secret = main.query_one("#f-s3--secretkey Input", Input)
        assert shown(access) == "•" * 8  # AKIAEXAMPLE is 11 characters
        assert shown(secret) == "•" * len("wJalrXUtnFEMI")  # while typing: one a character
        label = main.query_one("#f-s3--secretkey .field-label", Label)
        assert str(label.render()) == "Secret key · hidden"
        await pilot.press("ctrl+r")
        assert shown(access) == "AKIAEXAMPLE"
        assert str(label.render()) == "Secret key · shown"
