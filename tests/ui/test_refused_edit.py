"""An edit the file's text cannot take (the value carries an anchor another key uses) is said
under the form and refuses Save: the screen never crashes, and the file stays as it was."""

from __future__ import annotations

from pathlib import Path

from .conftest import AppFactory
from .test_flows import SIZE, ready, settle
from .test_save_outcome_reach import screen_lines

ANCHORED = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: &root /var/lib/registry
proxy:
  remoteurl: *root
"""


async def test_changing_an_anchored_value_is_refused_on_screen(
    tmp_path: Path, app_for: AppFactory
) -> None:
    config = tmp_path / "config.yml"
    config.write_text(ANCHORED)
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("tab", "end", "x")
        await settle(pilot)
        assert app.is_running
        shown = "\n".join(screen_lines(app))
        assert "carries the anchor &root, which line 6 uses" in shown, shown  # under the field
        assert main.preview is not None and main.preview.errors
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "MainScreen"  # no save dialog
        said = [str(n.message) for n in app._notifications]
        assert any(m.startswith("Not saved") for m in said), said
    assert config.read_text() == ANCHORED
