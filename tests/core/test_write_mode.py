"""A file that holds a secret in the clear loses the bits of "other" only, and the plan says
so before anything is written (QA report §2.2)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dtr_tui.core.document import ConfigDocument, fingerprint_of
from dtr_tui.core.plan import plan_change
from dtr_tui.core.safe_write import write_config
from dtr_tui.core.versions import V2_8

from .conftest import NOBODY, read_as_nobody

# `http.secret` is a secret in the clear that has nothing to do with the storage change
WITH_SECRET = (
    "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
    "http:\n  addr: :5000\n  secret: supersecrethttp\n"
)
NO_SECRET = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"


def save(path: Path, text: str, *, secret: bool) -> list[str]:
    result = write_config(
        path,
        text,
        expected_fingerprint=fingerprint_of(path.read_bytes()) if path.exists() else "",
        expected_exists=path.exists(),
        holds_secret=secret,
    )
    return result.notes


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("before", "after"),
    [(0o644, 0o640), (0o604, 0o600), (0o666, 0o660), (0o640, 0o640), (0o600, 0o600)],
)
def test_a_secret_removes_the_bits_of_other_only(tmp_path: Path, before: int, after: int) -> None:
    config = tmp_path / "config.yml"
    config.write_text(NO_SECRET)
    config.chmod(before)
    notes = save(config, WITH_SECRET.replace("/var/lib/registry", "/new"), secret=True)
    assert mode_of(config) == after
    said = [n for n in notes if "mode" in n]
    if before == after:
        assert said == []
    else:
        assert said == [
            f"the file's mode changes {before:04o} -> {after:04o}: it holds a secret in the clear"
        ]


def test_no_secret_keeps_the_mode(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(NO_SECRET)
    config.chmod(0o644)
    assert save(config, NO_SECRET.replace("/var/lib/registry", "/new"), secret=False) == []
    assert mode_of(config) == 0o644


def test_a_new_file_with_a_secret_is_0600(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    notes = save(config, WITH_SECRET, secret=True)
    assert mode_of(config) == 0o600
    assert notes == ["the new file's mode is 0600: it holds a secret in the clear"]


def test_a_group_that_reads_the_file_still_can(shared_dir: Path) -> None:
    """The QA case: root:nogroup 0640, read by the group; a save must not lock it out."""
    config = shared_dir / "config.yml"
    config.write_text(WITH_SECRET)
    os.chown(config, 0, NOBODY)
    config.chmod(0o640)
    assert read_as_nobody(config).returncode == 0
    new = WITH_SECRET.replace("/var/lib/registry", "/new")
    assert save(config, new, secret=True) == []
    assert (config.stat().st_uid, config.stat().st_gid, mode_of(config)) == (0, NOBODY, 0o640)
    reader = read_as_nobody(config)
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout == new


def test_the_plan_says_the_mode_change_before_writing(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(WITH_SECRET)
    config.chmod(0o644)
    doc = ConfigDocument.load(config)
    draft = doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/new")
    plan = plan_change(doc, draft, V2_8)
    assert plan.mode_note == (
        "the file's mode changes 0644 -> 0640: it holds a secret in the clear"
    )
    assert config.read_text() == WITH_SECRET and mode_of(config) == 0o644  # nothing written

    config.chmod(0o640)
    assert plan_change(ConfigDocument.load(config), draft, V2_8).mode_note == ""


def test_the_plan_of_a_file_without_a_secret_has_no_mode_note(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(NO_SECRET)
    config.chmod(0o644)
    doc = ConfigDocument.load(config)
    draft = doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/new")
    assert plan_change(doc, draft, V2_8).mode_note == ""


def test_the_plan_of_a_new_file_with_a_secret(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    doc = ConfigDocument.load_or_default(config)
    draft = doc.draft(V2_8).with_driver(
        "s3", {"bucket": "b", "region": "us-east-1", "accesskey": "AKIAX", "secretkey": "s3cr3t"}
    )
    plan = plan_change(doc, draft, V2_8)
    assert plan.mode_note == "the new file's mode is 0600: it holds a secret in the clear"


def test_mode_after_is_the_one_rule() -> None:
    from dtr_tui.core.safe_write import mode_after

    assert mode_after(0o644, True) == (
        0o640,
        "the file's mode changes 0644 -> 0640: it holds a secret in the clear",
    )
    assert mode_after(0o640, True) == (0o640, "")
    assert mode_after(0o644, False) == (0o644, "")
    assert mode_after(0o755, True)[0] == 0o750
    assert mode_after(None, True)[0] == 0o600
    assert mode_after(None, False) == (None, "")
