"""Pilot tests of what a person does on the screen, with real files in a temp directory."""

from __future__ import annotations

import os
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from dtr_tui.core.versions import V3_0
from dtr_tui.ui.app import StorageApp
from dtr_tui.ui.screens.confirm import ConfirmDialog
from dtr_tui.ui.screens.main import MainScreen
from dtr_tui.ui.screens.save import SaveDialog
from dtr_tui.ui.screens.upload import UploadDialog

from .conftest import FILESYSTEM_CONFIG, AppFactory

SIZE = (100, 40)


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    editor = pilot.app.screen.query_one(selector, Input)
    editor.focus()
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


async def choose_backend(pilot: Pilot[int], name: str) -> None:
    select = pilot.app.screen.query_one("#driver", Select)
    select.focus()
    await pilot.pause()
    names = [value for _, value in select._options if isinstance(value, str)]
    current = names.index(str(select.value))
    await pilot.press("enter")
    steps = names.index(name) - current
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
    await pilot.press("enter")
    await pilot.pause()


# workers that wait on a dialog: they finish only when the dialog closes
DIALOG_GROUPS = {"save", "dialogs", "quit"}


async def settle(pilot: Pilot[int]) -> None:
    """Let background work (file reads, the apply) finish, and the screen catch up."""
    for _ in range(3):
        busy = [w for w in pilot.app.workers if w.group not in DIALOG_GROUPS and w.is_running]
        if busy:
            await pilot.app.workers.wait_for_complete(busy)
        await pilot.pause()


async def wait_for_screen(pilot: Pilot[int], kind: type) -> None:
    for _ in range(100):
        if isinstance(pilot.app.screen, kind):
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{kind.__name__} never showed; screen is {pilot.app.screen!r}")


async def ready(pilot: Pilot[int]) -> MainScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def fill_s3(pilot: Pilot[int]) -> None:
    await choose_backend(pilot, "s3")
    await type_into(pilot, "#f-s3--region Input", "us-east-1")
    await type_into(pilot, "#f-s3--bucket Input", "registry-images")
    await type_into(pilot, "#f-s3--accesskey Input", "AKIAEXAMPLE")
    await type_into(pilot, "#f-s3--secretkey Input", "wJalrXUtnFEMI")


async def test_switch_to_s3_fill_see_diff_and_save(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await fill_s3(pilot)
        assert main.session.draft.driver == "s3"
        assert main.preview is not None and not main.preview.errors
        assert "+  s3:" in main.preview.diff
        assert "wJalrXUtnFEMI" not in main.preview.diff + main.preview.yaml
        await pilot.press("f3")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        assert "wJalrXUtnFEMI" not in dialog.plan.diff
        expected = dialog.plan.new_text
        await pilot.press("enter")  # Save has the focus
        await settle(pilot)
        assert dialog.outcome is not None and dialog.outcome.written, dialog.outcome
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert config_file.read_text() == expected
        assert "registry-images" in expected and "wJalrXUtnFEMI" in expected
        assert not main.session.dirty


async def test_a_file_changed_on_disk_is_read_again_keeping_what_was_typed(
    config_file: Path, app_for: AppFactory
) -> None:
    """The save is refused (stale guard); closing the dialog reads the file again, the typed
    values stay, the diff is against the new file, and the next save keeps both changes."""
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        main.query_one("#f-filesystem--rootdirectory Input", Input).value = "/srv/registry"
        await pilot.pause()
        with config_file.open("a") as handle:
            handle.write("# an edit made elsewhere\n")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.outcome is not None and dialog.outcome.stale, dialog.outcome
        assert "changed on disk" in dialog.outcome.message
        assert not any(s.startswith("checking the file is unchanged") for s in dialog.outcome.steps)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert main.session.draft.params.get("rootdirectory") == "/srv/registry"
        assert "# an edit made elsewhere" in main.session.doc.text
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.outcome is not None and app.screen.outcome.written
    written = config_file.read_text()
    assert "rootdirectory: /srv/registry" in written and "# an edit made elsewhere" in written


async def test_a_missing_file_is_not_said_to_be_in_the_file(
    tmp_path: Path, app_for: AppFactory
) -> None:
    app = app_for(tmp_path / "new.yml")
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        labels = [str(label) for label, _ in main._driver_options()]
        assert "Filesystem (the default)" in labels and not any("in the file" in x for x in labels)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        summary = str(app.screen.query_one("#save-summary Static", Static).render())
        assert "a new config file" in summary and "no storage change" not in summary


async def test_switching_back_restores_what_was_typed(
    config_file: Path, app_for: AppFactory
) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await choose_backend(pilot, "s3")
        await type_into(pilot, "#f-s3--bucket Input", "kept")
        assert "not be visible" in str(main.query_one("#banner").render())
        await choose_backend(pilot, "azure")
        assert main.session.draft.driver == "azure"
        await choose_backend(pilot, "s3")
        assert main.session.draft.params.get("bucket") == "kept"
        assert main.query_one("#f-s3--bucket Input", Input).value == "kept"


async def test_backend_missing_in_version_is_refused(
    config_file: Path, app_for: AppFactory
) -> None:
    app = app_for(config_file, V3_0)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await choose_backend(pilot, "swift")
        assert main.session.draft.driver == "filesystem"
        assert main.query_one("#driver", Select).value == "filesystem"
        assert "does not exist in registry 3.x" in str(main.query_one("#banner").render())


async def test_save_is_refused_while_invalid(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await choose_backend(pilot, "s3")  # no bucket, no region: errors
        assert main.preview is not None and main.preview.errors
        assert "need attention" in str(main.query_one("#attention").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert config_file.read_text() == FILESYSTEM_CONFIG


async def test_invalid_value_shows_under_its_field(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await fill_s3(pilot)
        main.query_one("#form-s3 Collapsible").collapsed = False  # type: ignore[attr-defined]
        await type_into(pilot, "#f-s3--chunksize Input", "12")
        row = main.query_one("#f-s3--chunksize")
        assert row.has_class("-invalid")
        assert "1 field needs attention" in str(main.query_one("#attention").render())


async def test_read_only_never_writes(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert main.session.dirty
    assert config_file.read_text() == FILESYSTEM_CONFIG


async def test_quit_with_unsaved_changes_asks(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/srv")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value == 0
    assert config_file.read_text() == FILESYSTEM_CONFIG


async def test_quit_without_changes_does_not_ask(config_file: Path, app_for: AppFactory) -> None:
    app: StorageApp = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


async def test_upload_a_storage_file(config_file: Path, app_for: AppFactory) -> None:
    upload = config_file.with_name("storage.yml")
    upload.write_text(
        "storage:\n  s3:\n    region: eu-west-1\n    bucket: uploaded\n"
        "  delete:\n    enabled: false\n"
    )
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, UploadDialog)
        await pilot.press(*str(upload), "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert main.session.draft.driver == "s3"
        assert main.query_one("#f-s3--bucket Input", Input).value == "uploaded"
        assert main.query_one("#driver", Select).value == "s3"


async def test_bad_upload_leaves_the_form_unchanged(config_file: Path, app_for: AppFactory) -> None:
    bad = config_file.with_name("bad.yml")
    bad.write_text("storage:\n  s3: {bucket: a}\n  filesystem: {}\n")
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        before = main.session.draft
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*str(bad), "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, UploadDialog)
        assert "driver" in str(dialog.query_one("#upload-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert main.session.draft == before
        assert not main.session.dirty


async def test_reveal_shows_and_hides_secrets(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await fill_s3(pilot)
        secret = main.query_one("#f-s3--secretkey Input", Input)
        assert secret.password
        await pilot.press("ctrl+r")
        assert not secret.password
        await pilot.press("ctrl+r")
        assert secret.password


async def test_help_lists_every_key(config_file: Path, app_for: AppFactory) -> None:
    from dtr_tui.ui.commands import COMMANDS
    from dtr_tui.ui.screens.help import HelpScreen

    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-dialog Static").render()
        shown = str(getattr(text, "renderable", text))
        assert shown  # the table renders; its rows come from COMMANDS
        assert len(COMMANDS) >= 6
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_export_writes_a_redacted_storage_file(
    config_file: Path, app_for: AppFactory
) -> None:
    from textual.widgets import Checkbox

    from dtr_tui.ui.screens.export import ExportDialog

    target = config_file.with_name("exported.yml")
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await fill_s3(pilot)
        await pilot.press("ctrl+e")
        await wait_for_screen(pilot, ExportDialog)
        dialog = app.screen
        path = dialog.query_one("#export-path", Input)
        path.value = str(target)
        assert not dialog.query_one("#export-secrets", Checkbox).value
        await pilot.press("enter")
        await settle(pilot)
        await wait_for_screen(pilot, MainScreen)
    text = target.read_text()
    assert "bucket: registry-images" in text
    assert "wJalrXUtnFEMI" not in text and "<redacted>" in text
    assert config_file.read_text() == FILESYSTEM_CONFIG  # exporting is not saving


async def test_export_never_writes_over_the_config_file_even_through_a_hard_link(
    config_file: Path, app_for: AppFactory
) -> None:
    """The dialog and `dtr-tui export -o` share one rule (core.upload.write_export)."""
    from dtr_tui.ui.screens.export import ExportDialog

    link = config_file.with_name("looks-new.yml")
    os.link(config_file, link)
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for target in (config_file, link):
            await pilot.press("ctrl+e")
            await wait_for_screen(pilot, ExportDialog)
            app.screen.query_one("#export-path", Input).value = str(target)
            await pilot.press("enter")
            await settle(pilot)
            error = str(app.screen.query_one("#export-error", Static).render())
            assert "registry's config file" in error and "nothing was overwritten" in error
            await pilot.press("escape")
            await wait_for_screen(pilot, MainScreen)
    assert config_file.read_text() == FILESYSTEM_CONFIG


async def test_palette_offers_every_command(config_file: Path, app_for: AppFactory) -> None:
    from dtr_tui.ui.commands import COMMANDS

    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {c.label for c in COMMANDS} <= titles


async def test_the_header_keeps_marker_path_and_target_at_80_columns(
    config_file: Path, app_for: AppFactory
) -> None:
    """Cut at the edge, never wrapped: the unsaved marker, the version, the file and the target
    all stay on the header's two rows of an 80-column terminal (the test's path is long)."""
    from .test_save_outcome_reach import screen_lines

    app = app_for(config_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/x")
        first, second = screen_lines(app)[:2]
        assert "● unsaved changes" in first and "registry 2.8" in first
        # a long path gives way to the target from its start: its file name stays
        assert str(config_file)[-30:] in second and "target: file" in second
