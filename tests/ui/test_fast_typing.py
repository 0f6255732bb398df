"""Typing faster than the screen redraws: every key lands in the field the Tabs before it chose.

A terminal delivers a burst of keys (a fast typist, a paste into tmux, `send-keys`) in one
read. Textual hands each key to the widget focused when the key is dispatched, while a
plain `tab` binding moves the focus only once that key has travelled through the focused
widget and back up: keys typed after a Tab went to the field before it.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from .conftest import FILESYSTEM_CONFIG, AppFactory
from .test_e2e_tmux import DTR_TUI, Tmux, tmux  # noqa: F401 (tmux is a fixture)
from .test_flows import SIZE, choose_backend, ready


def burst(pilot: Pilot[int], *keys: str) -> None:
    """Queue every key at once, as a terminal's single read does (Pilot.press waits between)."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        char = "\t" if key == "tab" else key if len(key) == 1 else None
        name = "minus" if key == "-" else key
        event = events.Key(name, char)
        event.set_sender(pilot.app)
        driver.send_message(event)


def values(pilot: Pilot[int]) -> tuple[str, str]:
    screen = pilot.app.screen
    region = screen.query_one("#f-s3--region Input", Input).value
    bucket = screen.query_one("#f-s3--bucket Input", Input).value
    return region, bucket


async def test_pressed_without_pauses(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await choose_backend(pilot, "s3")
        await pilot.press("tab", *"us-east-1", "tab", *"mybucket")
        await pilot.pause()
        assert values(pilot) == ("us-east-1", "mybucket")


async def test_a_burst_of_keys_in_one_read(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await choose_backend(pilot, "s3")
        burst(pilot, "tab", *"us-east-1", "tab", *"mybucket", "shift+tab", "x")
        for _ in range(5):
            await pilot.pause()
        assert values(pilot) == ("us-east-1x", "mybucket")
        assert main.session.draft.params == {"region": "us-east-1x", "bucket": "mybucket"}


def test_one_send_keys_call_in_tmux(tmp_path: Path, tmux: Tmux) -> None:  # noqa: F811
    config = tmp_path / "config.yml"
    config.write_text(FILESYSTEM_CONFIG)
    tmux.run(
        "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", f"{DTR_TUI} --config {config}"
    )
    tmux.wait_for("rootdirectory")
    tmux.keys("Enter")  # open the backend dropdown, pick Amazon S3
    tmux.keys("Down")
    tmux.keys("Enter")
    tmux.wait_for("not be visible")
    tmux.run("send-keys", "-t", "e2e", "Tab", "us-east-1", "Tab", "mybucket")  # no pause
    shown = tmux.wait_for("bucket: mybucket")
    lines = [line.rstrip() for line in shown.splitlines()]
    assert any(line.endswith("region: us-east-1") for line in lines), shown
