"""What a QA pass found on the screen, each pinned by what a person does: the palette's Quit,
--read-only keys that say why, a file the user cannot write, outcomes that reach the eye, the
Test connection panel's words, the export dialog's keys, switches in words, the hint line."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Select

from dtr_tui.ui.app import StorageApp
from dtr_tui.ui.check_panel import CLOSE_HINT, CheckPanel
from dtr_tui.ui.deps import Deps
from dtr_tui.ui.screens.confirm import ConfirmDialog
from dtr_tui.ui.screens.main import MainScreen

from .conftest import FILESYSTEM_CONFIG, AppFactory
from .test_checks import FIXED_RESULTS
from .test_flows import ready, type_into
from .test_save_outcome_reach import screen_lines

SMALL = (80, 24)


def toasts(app: StorageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def palette(pilot: Pilot[int], text: str) -> list[str]:
    """Open the command palette, type `text`; the titles of what it offers."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.4)
    options = pilot.app.screen.query_one(OptionList).options
    return [str(option.prompt).split("\n", 1)[0] for option in options]


# -- 1. the palette's Quit -----------------------------------------------------------------


async def test_palette_quit_with_unsaved_changes_asks(
    config_file: Path, app_for: AppFactory
) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/srv")
        assert await palette(pilot, "quit") == ["Quit"]  # ours alone: Textual's is gone
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.is_running
    assert config_file.read_text() == FILESYSTEM_CONFIG


async def test_palette_quit_without_changes_quits(config_file: Path, app_for: AppFactory) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await palette(pilot, "quit")
        await pilot.press("enter")
        await pilot.pause(0.2)
    assert not app.is_running and app.return_value == 0


async def test_palette_offers_no_builtin_that_fails_or_repeats(
    config_file: Path, app_for: AppFactory
) -> None:
    """Textual's Quit (no question asked), Keys (the help screen says it) and Screenshot
    (fails to save) are gone; Maximize is offered for the YAML/Diff tabs only, and escape
    gives the screen back."""
    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        main = await ready(pilot)
        commands = list(app.get_system_commands(main))
        titles = [c.title for c in commands]
        assert titles.count("Quit") == 1
        assert "Quit the application as soon as possible" not in {c.help for c in commands}
        assert not {"Keys", "Screenshot", "Maximize"} & set(titles)
        main.query_one("#yaml-text").focus()
        await pilot.pause()
        assert await palette(pilot, "maximize") == ["Maximize"]
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert main.maximized is not None and main.maximized.id != "form-panel"
        await pilot.press("escape")
        await pilot.pause()
        assert main.maximized is None


# -- 2. --read-only keys, and a file the user cannot write -------------------------------------


async def test_read_only_save_and_export_keys_say_why(
    config_file: Path, app_for: AppFactory
) -> None:
    app = app_for(config_file, read_only=True)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert toasts(app) == ["Read-only (--read-only): nothing is written."]
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # no export dialog either
        assert "nothing is written" in toasts(app)[-1] and "dtr-tui export" in toasts(app)[-1]
        # still dimmed in the footer, and the palette says the same
        assert await palette(pilot, "save") == ["Save"]
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert toasts(app)[-1] == "Read-only (--read-only): nothing is written."
    assert config_file.read_text() == FILESYSTEM_CONFIG
    assert sorted(p.name for p in config_file.parent.iterdir()) == ["config.yml"]


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Paths made immutable (chattr +i): even root may not write them, so os.access says no
    as it would for a person on a root-owned 0644 file. Undone afterwards."""
    made: list[Path] = []
    yield made
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def make_immutable(path: Path, made: list[Path]) -> None:
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        # a failure, not a skip: CI runs as root on a filesystem that allows it
        pytest.fail(f"chattr +i is not allowed here: {done.stderr.decode().strip()}")
    made.append(path)


async def header_first_line(app: StorageApp) -> str:
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        return screen_lines(app)[0]


async def test_header_says_when_the_file_is_not_writable(
    config_file: Path, app_for: AppFactory, immutable: list[Path]
) -> None:
    app = app_for(config_file)
    app.check_writable = True  # as `dtr-tui` does
    assert "[not writable by you]" not in await header_first_line(app)

    make_immutable(config_file, immutable)
    app = app_for(config_file)
    app.check_writable = True
    first = await header_first_line(app)
    assert "[not writable by you]" in first and "registry 2.8" in first

    app = app_for(config_file, read_only=True)  # [read-only] says it already
    app.check_writable = True
    first = await header_first_line(app)
    assert "[read-only]" in first and "not writable" not in first


async def test_header_says_when_the_missing_files_directory_is_not_writable(
    tmp_path: Path, app_for: AppFactory, immutable: list[Path]
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    app = app_for(folder / "config.yml")  # missing: created on first save
    app.check_writable = True
    assert "[not writable by you]" not in await header_first_line(app)

    make_immutable(folder, immutable)
    app = app_for(folder / "config.yml")
    app.check_writable = True
    assert "[not writable by you]" in await header_first_line(app)


# -- 3. a save's and an export's outcome reach the eye; an edit makes them go -------------------


async def test_save_outcome_is_a_toast_and_goes_with_the_next_edit(
    config_file: Path, app_for: AppFactory
) -> None:
    from dtr_tui.ui.screens.save import SaveDialog

    from .test_flows import settle, wait_for_screen

    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        main = await ready(pilot)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/srv")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.outcome is not None and dialog.outcome.written
        await pilot.press("escape")
        await wait_for_screen(pilot, MainScreen)
        await settle(pilot)
        outcome = main.query_one("#outcome")
        assert outcome.display and "✓ Saved" in str(outcome.render())
        assert any(t.startswith("✓ Saved") for t in toasts(app)), toasts(app)
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "x")
        assert main.session.dirty
        assert not outcome.display  # no "Saved" beside "● unsaved changes"


async def test_a_save_that_switched_backend_keeps_its_outcome(
    config_file: Path, app_for: AppFactory
) -> None:
    """After the save, the dropdown is given its options again: it passed through the first
    backend on its way back, and that stale change switched the form there and back (and,
    being an edit, took the outcome away)."""
    from dtr_tui.ui.screens.save import SaveDialog

    from .test_flows import fill_s3, settle, wait_for_screen

    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        main = await ready(pilot)
        await fill_s3(pilot)
        switches: list[str] = []
        session = main.session
        original = session.switch_driver

        def counted(name: str) -> Any:
            switches.append(name)
            return original(name)

        session.switch_driver = counted  # type: ignore[method-assign]
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, MainScreen)
        await settle(pilot)
        assert switches == []
        assert not session.dirty and session.draft.driver == "s3"
        assert main.query_one("#outcome").display
        assert toasts(app)[-1].startswith("✓ Saved")


async def test_export_outcome_is_a_toast(config_file: Path, app_for: AppFactory) -> None:
    from textual.widgets import Input

    from dtr_tui.ui.screens.export import ExportDialog

    from .test_flows import settle, wait_for_screen

    target = config_file.with_name("exported.yml")
    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        main = await ready(pilot)
        await pilot.press("ctrl+e")
        await wait_for_screen(pilot, ExportDialog)
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await wait_for_screen(pilot, MainScreen)
        await settle(pilot)
        assert toasts(app) == [f"✓ Exported the storage section to {target}"]
        assert main.query_one("#outcome").display
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "x")
        assert not main.query_one("#outcome").display
    assert target.is_file()


# -- 5. words, and the export dialog's keys -------------------------------------------------------


async def test_save_refused_toast_says_field_needs(config_file: Path, app_for: AppFactory) -> None:
    from .test_flows import fill_s3

    app = app_for(config_file)
    async with app.run_test(size=(100, 40)) as pilot:
        main = await ready(pilot)
        await fill_s3(pilot)
        main.query_one("#form-s3 Collapsible").collapsed = False  # type: ignore[attr-defined]
        await type_into(pilot, "#f-s3--chunksize Input", "12")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert toasts(app) == ["Not saved: 1 field needs attention."]
        assert "1 field needs attention" in str(main.query_one("#attention").render())


async def test_export_dialog_enter_exports_space_ticks_and_errors_go_stale(
    config_file: Path, app_for: AppFactory
) -> None:
    from textual.widgets import Checkbox, Input

    from dtr_tui.ui.screens.export import ExportDialog

    from .test_flows import fill_s3, settle, wait_for_screen

    taken = config_file.with_name("taken.yml")
    taken.write_text("mine\n")
    target = config_file.with_name("exported.yml")
    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await fill_s3(pilot)
        await pilot.press("ctrl+e")
        await wait_for_screen(pilot, ExportDialog)
        dialog = app.screen
        path = dialog.query_one("#export-path", Input)
        path.value = str(taken)
        await pilot.press("enter")
        await settle(pilot)
        error = dialog.query_one("#export-error")
        assert error.display and "exists already" in str(error.render())
        path.focus()
        await pilot.press("backspace", *"x.yml")
        await pilot.pause()
        assert not error.display  # the path changed: the error was about the old one
        path.value = str(target)
        box = dialog.query_one("#export-secrets", Checkbox)
        box.focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert box.value  # space ticks
        assert "enter: export" in str(dialog.query_one(".dialog-keys").render())
        await pilot.press("enter")  # on the box: exports, as the key line says
        await wait_for_screen(pilot, MainScreen)
        await settle(pilot)
    assert "wJalrXUtnFEMI" in target.read_text()  # ticked: secrets in the clear
    assert taken.read_text() == "mine\n"


# -- 4. the Test connection panel ---------------------------------------------------------------


def checks_deps(moving: bool) -> Deps:
    """test_checks' fixed runner: five checks (a pass, a pass, a FAIL, a skip, a WARN); with
    `moving`, a registry data row (a warning) after them."""
    from .test_checks import fixed_deps

    deps = fixed_deps()
    if not moving:
        deps = replace(deps, moves_data=lambda current, new, version: False)
    return deps


async def finished_panel(pilot: Pilot[int]) -> CheckPanel:
    from .test_checks import wait_until
    from .test_flows import fill_s3, settle

    await ready(pilot)
    await fill_s3(pilot)
    await pilot.press("ctrl+t")
    panel = pilot.app.screen.query_one(CheckPanel)
    await wait_until(pilot, lambda: bool(panel.names) and not panel.running)
    await settle(pilot)
    return panel


async def test_check_panel_words_times_and_counts(config_file: Path) -> None:
    import re

    from dtr_tui.core.document import ConfigDocument
    from dtr_tui.core.versions import V2_8
    from dtr_tui.ui.app import make_app

    app = make_app(ConfigDocument.load(config_file), V2_8, deps=checks_deps(moving=False))
    async with app.run_test(size=SMALL) as pilot:
        panel = await finished_panel(pilot)
        text = panel.plain(width=78)
        lines = text.splitlines()
        assert "2 passed, 1 warning, 1 failed, 1 not checked" in str(panel.headline())
        timed = [line for line in lines if re.search(r"\d\.\d\d s", line)]
        assert len(timed) == 4, text  # the skipped check has no time
        for line in timed:
            assert re.search(r"\d\.\d\d s [a-z]", line), line  # never "0.12 scredentials"
        skipped = next(line for line in lines if "skip" in line)
        assert "multipart upload" in skipped and not re.search(r"\d\.\d\d", skipped)
        assert lines[-1].strip() == CLOSE_HINT  # the last line says how it goes

        # while running, "N of M" counts the rows shown, the registry data row included
        panel.start("Amazon S3", [name for name, *_ in FIXED_RESULTS], moving=True)
        panel.add(first_result())
        assert "running, 1 of 6 done" in str(panel.headline())
        assert len([line for line in panel.plain().splitlines() if "wait" in line]) == 5
        panel.data_move(None)
        panel.finish()


async def test_check_panel_counts_the_registry_data_row(config_file: Path) -> None:
    from dtr_tui.core.document import ConfigDocument
    from dtr_tui.core.versions import V2_8
    from dtr_tui.ui.app import make_app

    app = make_app(ConfigDocument.load(config_file), V2_8, deps=checks_deps(moving=True))
    async with app.run_test(size=SMALL) as pilot:
        panel = await finished_panel(pilot)
        assert panel.move is not None
        assert "2 passed, 2 warnings, 1 failed, 1 not checked" in str(panel.headline())
        assert panel.rows() == (6, 6)


async def test_escape_closes_a_finished_check_panel(config_file: Path) -> None:
    from dtr_tui.core.document import ConfigDocument
    from dtr_tui.core.versions import V2_8
    from dtr_tui.ui.app import make_app

    app = make_app(ConfigDocument.load(config_file), V2_8, deps=checks_deps(moving=False))
    async with app.run_test(size=SMALL) as pilot:
        panel = await finished_panel(pilot)
        screen = app.screen
        actions = {b.binding.action for b in screen.active_bindings.values()}
        assert "cancel_checks" not in actions  # the footer shows no "Stop test"
        driver = screen.query_one("#driver", Select)
        driver.focus()
        await pilot.press("enter")  # an open dropdown takes escape first
        await pilot.pause()
        assert driver.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert not driver.expanded and panel.is_attached
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.query(CheckPanel) and isinstance(app.screen, MainScreen)
        assert not panel.is_attached  # the one that was there
        await pilot.press("ctrl+t")  # and it comes back
        await pilot.pause(0.3)
        assert screen.query(CheckPanel)


def first_result() -> Any:
    from dtr_tui.services.checks import CheckResult, Status

    name, status, seconds, detail, fix = FIXED_RESULTS[0]
    return CheckResult(name, Status(status), seconds, detail, fix)


# -- 6. a switch says on or off in words --------------------------------------------------------


async def test_switches_say_on_or_off(config_file: Path, app_for: AppFactory) -> None:
    from textual.widgets import Collapsible, Switch

    from .test_flows import settle

    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        main = await ready(pilot)
        main.query_one("#options", Collapsible).collapsed = False
        await settle(pilot)
        row = main.query_one("#f-delete--enabled")
        switch = row.query_one(Switch)
        state = row.query_one(".switch-state")
        assert switch.value and str(state.render()) == "on"  # the sample config: enabled: true
        switch.focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert not switch.value and str(state.render()) == "off"
        assert main.session.draft.get(("delete", "enabled")) is False
        region = row.region
        assert any("off" in line[region.x : region.right] for line in screen_lines(app))


# -- 7. the hint line says what is focused ------------------------------------------------------


def hint(main: MainScreen) -> str:
    return str(main.query_one("#field-help").render())


async def test_hint_line_follows_the_focus(config_file: Path, app_for: AppFactory) -> None:
    from textual.widgets import Tabs
    from textual.widgets._collapsible import CollapsibleTitle

    from .test_flows import settle

    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        main = await ready(pilot)
        main.query_one("#f-filesystem--rootdirectory Input").focus()
        await pilot.pause()
        assert "Storage directory" in hint(main)
        main.query_one("#options").query_one(CollapsibleTitle).focus()
        await pilot.pause()
        assert hint(main).startswith("Storage options: a folded section")
        main.query_one(Tabs).focus()
        await pilot.pause()
        assert hint(main).startswith("YAML: the storage section")
        main.query_one("#yaml-text").focus()
        await pilot.pause()
        assert hint(main).startswith("YAML: the storage section")
        main.query_one("#driver").focus()
        await settle(pilot)
        assert hint(main).startswith("Storage backend: where the registry keeps images")


async def test_hint_line_after_an_upload_that_changes_the_backend(
    config_file: Path, app_for: AppFactory
) -> None:
    from .test_checks import upload
    from .test_flows import settle

    storage = config_file.with_name("storage.yml")
    storage.write_text("storage:\n  s3:\n    region: eu-west-1\n    bucket: uploaded\n")
    app = app_for(config_file)
    async with app.run_test(size=SMALL) as pilot:
        main = await ready(pilot)
        main.query_one("#f-filesystem--rootdirectory Input").focus()
        await pilot.pause()
        assert "Storage directory" in hint(main)
        await upload(pilot, storage)
        assert main.session.draft.driver == "s3"
        await settle(pilot)
        assert main.focused is main.query_one("#driver")  # its field went with its form
        assert hint(main).startswith("Storage backend:") and "S3" in hint(main), hint(main)
