"""A config with two storage drivers (the registry refuses it) opens on the screen, so the
admin can pick the one to keep: its form holds its own block, the save removes the other."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app
from dtr_tui.ui.deps import Deps
from dtr_tui.ui.screens.main import MainScreen
from dtr_tui.ui.screens.save import SaveDialog
from dtr_tui.ui.session import EditSession

from .test_flows import SIZE, choose_backend, ready, settle, wait_for_screen

TWO = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: /data/registry  # the big disk
  s3:
    bucket: b  # the images
    region: us-east-1
  delete:
    enabled: true
http:
  addr: :5000
"""


def two_drivers(tmp_path: Path) -> Path:
    path = tmp_path / "two.yml"
    path.write_text(TWO)
    return path


def offline() -> Deps:
    """The real save (the file on disk), without asking any backend what a switch hides."""
    return Deps(moves_data=lambda *_: False, data_move=lambda *_, **__: None)


def test_the_session_opens_the_first_driver_and_seeds_every_block(tmp_path: Path) -> None:
    session = EditSession(ConfigDocument.load(two_drivers(tmp_path)), V2_8)
    assert session.draft.driver == "filesystem"
    assert session.draft.params == {"rootdirectory": "/data/registry"}
    assert session.draft.options == {"delete": {"enabled": True}}
    assert session.dirty  # the file must change before the registry takes it
    assert session.opening_note is not None
    assert "2 storage drivers (filesystem, s3)" in session.opening_note
    assert "refuses" in session.opening_note and "Diff tab" in session.opening_note
    switch = session.switch_driver("s3")
    assert not switch.refused
    assert session.draft.params == {"bucket": "b", "region": "us-east-1"}
    assert session.draft.options == {"delete": {"enabled": True}}
    session.switch_driver("filesystem")
    assert session.draft.params == {"rootdirectory": "/data/registry"}


def test_a_single_driver_file_has_no_opening_note(tmp_path: Path) -> None:
    path = tmp_path / "one.yml"
    path.write_text("version: 0.1\nstorage:\n  s3:\n    bucket: b\n    region: us-east-1\n")
    assert EditSession(ConfigDocument.load(path), V2_8).opening_note is None


async def test_open_two_drivers_pick_s3_and_save(tmp_path: Path) -> None:
    path = two_drivers(tmp_path)
    app = make_app(ConfigDocument.load(path), V2_8, deps=offline())
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        banner = str(main.query_one("#banner").render())
        assert main.query_one("#banner").display
        assert "2 storage drivers (filesystem, s3)" in banner
        assert main.query_one("#f-filesystem--rootdirectory Input", Input).value == (
            "/data/registry"
        )
        assert main.preview is not None
        assert "-  s3:" in main.preview.diff and "-    bucket: b" in main.preview.diff
        await choose_backend(pilot, "s3")
        await settle(pilot)
        assert main.session.draft.driver == "s3"
        assert main.query_one("#f-s3--bucket Input", Input).value == "b"
        assert main.query_one("#f-s3--region Input", Input).value == "us-east-1"
        assert main.preview is not None and not main.preview.errors
        assert "-  filesystem:" in main.preview.diff
        assert "storage.filesystem: removed (1 key)" in main.preview.summary
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        await pilot.press("enter")  # Save has the focus
        await settle(pilot)
        assert dialog.outcome is not None and dialog.outcome.written, dialog.outcome
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not main.session.dirty
    written = path.read_text()
    assert written == TWO.replace(
        "  filesystem:\n    rootdirectory: /data/registry  # the big disk\n", ""
    )
    doc = ConfigDocument.load(path)
    assert doc.storage_view == {
        "s3": {"bucket": "b", "region": "us-east-1"},
        "delete": {"enabled": True},
    }
    assert not [p for p in doc.problems(V2_8) if p.severity.name == "ERROR"]
