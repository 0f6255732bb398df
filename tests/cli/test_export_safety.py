"""`dtr-tui export -o FILE` never writes over a file it was not asked to replace, and never
over the registry's config file, as a process run by an admin."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .test_cli import S3_FLAGS, SECRET, run


def test_export_refuses_to_write_over_the_config_file(config: Path) -> None:
    before = config.read_bytes()
    for extra in ([], ["--force"]):
        result = run("export", "--config", str(config), "-o", str(config), *extra)
        assert result.returncode == 2, result.stderr
        assert str(config) in result.stderr and "config file" in result.stderr
        assert "nothing was overwritten" in result.stderr
        assert "wrote" not in result.stderr
        assert config.read_bytes() == before


def test_export_refuses_the_config_file_under_another_name(config: Path, tmp_path: Path) -> None:
    before = config.read_bytes()
    link, hard = tmp_path / "link.yml", tmp_path / "hard.yml"
    link.symlink_to(config)
    os.link(config, hard)
    for other in (link, hard):
        result = run("export", "--config", str(config), "-o", str(other), "--force")
        assert result.returncode == 2 and "config file" in result.stderr, result.stderr
    assert config.read_bytes() == before and link.is_symlink()


def test_export_refuses_an_existing_file_unless_forced(config: Path, tmp_path: Path) -> None:
    assert run("apply", "--config", str(config), *S3_FLAGS, "--yes").returncode == 0
    notes = tmp_path / "notes.yml"
    notes.write_text("my notes\n")
    notes.chmod(0o644)
    result = run("export", "--config", str(config), "--include-secrets", "-o", str(notes))
    assert result.returncode == 2
    assert f"{notes}: exists already" in result.stderr
    assert "nothing was overwritten" in result.stderr and "--force" in result.stderr
    assert notes.read_text() == "my notes\n"
    assert stat.S_IMODE(notes.stat().st_mode) == 0o644
    forced = run(
        "export", "--config", str(config), "--include-secrets", "-o", str(notes), "--force"
    )
    assert forced.returncode == 0, forced.stderr
    assert SECRET in notes.read_text()
    assert stat.S_IMODE(notes.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".notes")] == []


def test_export_to_a_directory_or_a_missing_directory_says_so(config: Path, tmp_path: Path) -> None:
    into_dir = run("export", "--config", str(config), "-o", str(tmp_path))
    assert into_dir.returncode == 2 and "is a directory" in into_dir.stderr
    missing = tmp_path / "nope" / "storage.yml"
    result = run("export", "--config", str(config), "-o", str(missing))
    assert result.returncode == 2
    assert f"the directory {tmp_path / 'nope'} does not exist" in result.stderr
    assert "No such file or directory" not in result.stderr
    assert not missing.parent.exists()


def test_export_of_a_missing_config_is_an_error_as_validate_says(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    result = run("export", "--config", str(missing))
    assert result.returncode == 2
    assert f"{missing}: does not exist" in result.stderr
    assert "storage:" not in result.stdout
    validated = run("validate", "--config", str(missing))
    assert validated.returncode == 2 and "does not exist" in validated.stderr


def test_export_creates_a_new_file(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "storage-export.yml"
    result = run("export", "--config", str(config), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("# Storage section exported by dtr-tui")
    assert "<redacted>" not in out.read_text()  # a filesystem config holds no secret
