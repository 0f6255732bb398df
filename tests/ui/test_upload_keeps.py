"""Upload (ctrl+o) on top of the form: the storage options it does not set stay, a backend
switch says what it hides as the dropdown does, and a redacted secret is filled from the form
or the file, or else marked under its field so Save waits for it."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Static

from dtr_tui.core.backend_switch import switch_warning
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.upload import export_storage
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.screens.main import MainScreen
from dtr_tui.ui.screens.save import SaveDialog
from dtr_tui.ui.screens.upload import UploadDialog
from dtr_tui.ui.session import EditSession

from .conftest import AppFactory
from .test_flows import SIZE, choose_backend, ready, settle, type_into, wait_for_screen

DATA = Path(__file__).parent.parent / "data"
FAKE_KEY = "ZmFrZS1henVyZS1rZXk="
FAKE_ACCESS = "AKIAFAKEFORTESTS"
FAKE_SECRET = "fake/SECRET/for+tests0123"
AZURE = f"storage:\n  azure:\n    accountname: a\n    accountkey: {FAKE_KEY}\n    container: c\n"
S3_CONFIG = (
    "version: 0.1\n"
    "storage:\n"
    "  s3:\n"
    "    region: us-east-1\n"
    "    bucket: images\n"
    f"    accesskey: {FAKE_ACCESS}\n"
    f"    secretkey: {FAKE_SECRET}\n"
    "  delete:\n"
    "    enabled: true\n"
    "http:\n"
    "  addr: :5000\n"
)


def shown(widget: Static) -> str:
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


async def upload(pilot: Pilot[int], path: Path) -> MainScreen:
    await pilot.press("ctrl+o")
    await wait_for_screen(pilot, UploadDialog)
    await pilot.press(*str(path), "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def commented(tmp_path: Path) -> Path:
    config = tmp_path / "config.yml"
    shutil.copy(DATA / "commented-config.yml", config)
    return config


async def test_upload_keeps_the_options_it_does_not_set_and_warns_of_the_switch(
    tmp_path: Path, app_for: AppFactory
) -> None:
    config = commented(tmp_path)
    azure = tmp_path / "azure.yml"
    azure.write_text(AZURE)
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        options = dict(main.session.draft.options)
        await upload(pilot, azure)
        assert main.session.draft.driver == "azure"
        assert main.session.draft.options == options
        assert main.preview is not None
        diff = main.preview.diff
        assert "# needed for garbage collection" not in "".join(
            line for line in diff.splitlines(keepends=True) if line.startswith("-")
        )
        removed = [line for line in diff.splitlines() if line.startswith("-  ") and ":" in line]
        assert all("filesystem" in line or line.startswith("-    ") for line in removed), removed
        assert not any(k in diff for k in ("-  delete:", "-  maintenance:", "-  cache:"))
        outcome = shown(main.query_one("#outcome", Static))
        assert "kept delete, redirect, cache, maintenance from the current config" in outcome
        banner = main.query_one("#banner", Static)
        warning = switch_warning("filesystem", "azure")
        assert banner.display and shown(banner) == "! " + warning
        assert FAKE_KEY not in diff + outcome


def test_the_upload_warns_with_the_dropdown_s_own_text() -> None:
    """One text for a backend switch: the dropdown's (the session) and the upload's."""
    for old in ("filesystem", "s3", "azure"):
        doc = ConfigDocument.parse(f"version: 0.1\nstorage:\n  {old}: {{}}\n", "c.yml")
        for new in ("filesystem", "s3", "azure", "gcs", "inmemory"):
            session = EditSession(doc, V2_8)
            assert session.switch_driver(new).warning == switch_warning(old, new)


def test_a_file_not_written_yet_has_no_images_to_warn_about(tmp_path: Path) -> None:
    """Its filesystem default stores nothing yet: switching away from it loses nothing."""
    session = EditSession(ConfigDocument.load_or_default(tmp_path / "new.yml"), V2_8)
    assert session.original_driver == "filesystem"  # the dropdown marks it "(the default)"
    assert session.switch_driver("s3").warning == ""
    assert session.stored_driver is None


async def test_a_redacted_export_after_a_switch_keeps_the_file_s_secrets(
    tmp_path: Path, app_for: AppFactory
) -> None:
    config = tmp_path / "config.yml"
    config.write_text(S3_CONFIG)
    saved = ConfigDocument.load(config).draft(V2_8)
    exported = tmp_path / "s3-export.yml"
    exported.write_text(export_storage(saved).text)
    assert FAKE_SECRET not in exported.read_text()
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await choose_backend(pilot, "azure")
        banner = main.query_one("#banner", Static)
        assert banner.display and "once it uses Azure Blob" in shown(banner)
        await upload(pilot, exported)
        assert main.session.draft == saved
        assert not main.session.dirty
        assert main.preview is not None and not main.preview.errors
        assert "accesskey" not in main.preview.diff and "secretkey" not in main.preview.diff
        assert main.query_one("#f-s3--secretkey Input", Input).value == FAKE_SECRET
        assert not banner.display  # back on the file's backend: nothing hidden
        assert FAKE_SECRET not in shown(main.query_one("#outcome", Static))


async def test_a_redacted_secret_nothing_fills_is_an_error_under_its_field(
    tmp_path: Path, app_for: AppFactory
) -> None:
    config = commented(tmp_path)
    exported = tmp_path / "s3-export.yml"
    exported.write_text(
        export_storage(
            StorageDraft(
                "s3",
                {
                    "region": "us-east-1",
                    "bucket": "b",
                    "accesskey": FAKE_ACCESS,
                    "secretkey": FAKE_SECRET,
                },
            )  # fmt: skip
        ).text
    )
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await upload(pilot, exported)
        assert main.session.draft.driver == "s3"
        for key in ("accesskey", "secretkey"):
            row = main.query_one(f"#f-s3--{key}")
            assert row.has_class("-invalid"), key
            assert main.query_one(f"#f-s3--{key} Input", Input).value == ""
            assert "redacted in the upload" in shown(row.query_one(".field-problem", Static))
        assert "2 fields need attention" in shown(main.query_one("#attention", Static))
        outcome = shown(main.query_one("#outcome", Static))
        assert outcome.startswith("✗") and "storage.s3.accesskey, storage.s3.secretkey" in outcome
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # refused: no save dialog
        await type_into(pilot, "#f-s3--accesskey Input", "AKIATYPED")
        await type_into(pilot, "#f-s3--secretkey Input", "typed-fake")
        await settle(pilot)
        assert main.preview is not None and not main.preview.errors
        assert not main.query_one("#f-s3--accesskey").has_class("-invalid")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, SaveDialog)


async def test_the_upload_dialog_names_every_suffix_it_takes(
    tmp_path: Path, app_for: AppFactory
) -> None:
    config = commented(tmp_path)
    text = tmp_path / "azure.txt"
    text.write_text(AZURE)
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, UploadDialog)
        words = " ".join(shown(s) for s in app.screen.query(Static))
        assert "(.yml, .yaml or .txt)" in words
        await pilot.press(*str(text), "enter")
        await settle(pilot)
        assert main.session.draft.driver == "azure"
