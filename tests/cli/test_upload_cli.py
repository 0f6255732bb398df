"""`plan`/`apply --from FILE`: the storage options the upload does not set are kept, and a
backend switch gets the same note as the screen's dropdown gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dtr_tui.core.backend_switch import switch_warning

from .test_cli import run

DATA = Path(__file__).parent.parent / "data"

FAKE_KEY = "ZmFrZS1henVyZS1rZXk="
AZURE = f"azure:\n  accountname: a\n  accountkey: {FAKE_KEY}\n  container: c\n"
KEPT = (
    "note: kept delete, redirect, cache, maintenance from the current config: "
    "the upload does not set them"
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yml"
    shutil.copy(DATA / "commented-config.yml", path)
    return path


def removed_lines(diff: str) -> list[str]:
    return [ln for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]


def test_plan_from_keeps_the_options_and_notes_the_switch(config: Path, tmp_path: Path) -> None:
    upload = tmp_path / "azure.yml"
    upload.write_text(AZURE)
    result = run("plan", "--config", str(config), "--from", str(upload))
    assert result.returncode == 1, result.stderr
    assert removed_lines(result.stdout) == [
        "-  filesystem:",
        "-    rootdirectory: /var/lib/registry   # mounted volume",
        "-    maxthreads: 100",
    ]
    assert KEPT in result.stderr.splitlines()
    assert "note: " + switch_warning("filesystem", "azure") in result.stderr.splitlines()
    assert FAKE_KEY not in result.stdout + result.stderr


def test_apply_from_writes_the_kept_options_byte_for_byte(config: Path, tmp_path: Path) -> None:
    upload = tmp_path / "storage.yml"
    upload.write_text("storage:\n  " + AZURE.replace("\n  ", "\n    ").replace("\n", "\n  "))
    result = run("apply", "--config", str(config), "--from", str(upload), "--yes")
    assert result.returncode == 0, result.stderr
    after = config.read_text()
    assert "  delete:\n    enabled: true     # needed for garbage collection\n" in after
    assert "    readonly:\n      enabled: false\n" in after and "age: 168h" in after
    assert "filesystem:" not in after and "accountname: a" in after
    assert "will not be visible to the registry once it uses Azure Blob" in result.stderr
    assert FAKE_KEY not in result.stdout + result.stderr


def test_an_upload_on_the_same_backend_has_no_switch_note(config: Path, tmp_path: Path) -> None:
    upload = tmp_path / "fs.txt"
    upload.write_text("filesystem:\n  rootdirectory: /srv/registry\n")
    result = run("plan", "--config", str(config), "--from", str(upload))
    assert result.returncode == 1, result.stderr
    assert "will not be visible" not in result.stderr
    assert KEPT in result.stderr.splitlines()
    assert removed_lines(result.stdout) == [
        "-    rootdirectory: /var/lib/registry   # mounted volume",
        "-    maxthreads: 100",
    ]
