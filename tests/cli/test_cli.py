"""The headless commands, run as a user runs them: a process, its output and exit code."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
S3_FLAGS = [
    "--driver", "s3", "--set", "s3.bucket=b", "--set", "s3.region=us-east-1",
    "--set", "s3.secretkey=env:S", "--set", "s3.accesskey=AKIAEXAMPLE",
]  # fmt: skip


def run(
    *args: str, env: dict[str, str] | None = None, user: str | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dtr_tui", *args]
    if user is not None:  # drop root, so file permissions really apply
        command = ["setpriv", f"--reuid={user}", "--regid=65534", "--clear-groups", *command]
    full_env = {**os.environ, "S": SECRET, **(env or {})}
    return subprocess.run(
        command, capture_output=True, text=True, env=full_env, input=stdin, timeout=60
    )


def test_plan_prints_a_masked_diff_of_storage_lines_only(config: Path) -> None:
    result = run("plan", "--config", str(config), *S3_FLAGS)
    assert result.returncode == 1, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "AKIAEXAMPLE" not in result.stdout + result.stderr
    changed = [
        line[1:]
        for line in result.stdout.splitlines()
        if line[:1] in ("+", "-") and not line.startswith(("+++", "---"))
    ]
    assert changed and all(line.startswith("    ") or line.startswith("  ") for line in changed)
    assert "storage: backend filesystem → s3" in result.stdout
    assert "will not be visible" in result.stderr


def test_apply_leaves_every_other_byte_identical(config: Path) -> None:
    before = config.read_bytes()
    planned = json.loads(run("plan", "--config", str(config), *S3_FLAGS, "--output", "json").stdout)
    result = run("apply", "--config", str(config), *S3_FLAGS, "--yes")
    assert result.returncode == 0, result.stderr
    after = config.read_bytes()
    assert SECRET.encode() in after
    assert SECRET not in result.stdout + result.stderr
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    # lines 17-19 (the filesystem block) became the 5-line s3 block; all else is the same
    assert old_lines[:16] == new_lines[:16]
    assert old_lines[19:] == new_lines[21:]
    assert new_lines[16:21] == [
        b"  s3:\n",
        b"    bucket: b\n",
        b"    region: us-east-1\n",
        b"    secretkey: " + SECRET.encode() + b"\n",
        b"    accesskey: AKIAEXAMPLE\n",
    ]
    assert planned["fingerprint"] and planned["changed"] is True
    # a secret in the clear takes away the 'other' bits only, and plan says so first
    mode_note = "the file's mode changes 0644 -> 0640: it holds a secret in the clear"
    assert planned["mode_note"] == mode_note
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert result.stdout.count(mode_note) == 2  # in the plan before the write, and after it
    assert "restart" in result.stdout
    assert run("plan", "--config", str(config), *S3_FLAGS).returncode == 0  # nothing left


def test_validate_exit_codes_and_json(tmp_path: Path, config: Path) -> None:
    assert run("validate", str(config)).returncode == 0
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 0.1\nstorage:\n  s3:\n    region: eu-north-1\n    chunksize: 1\n")
    result = run("validate", str(bad), "--output", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    fields = {p["field"]: p for p in report["problems"]}
    assert fields["storage.s3.chunksize"]["line"] == 5
    assert "5242880" in fields["storage.s3.chunksize"]["allowed"]
    assert "invalid region provided" in fields["storage.s3.region"]["problem"]
    table = run("validate", str(bad))
    assert "storage.s3.bucket" in table.stdout and "allowed:" in table.stdout
    assert run("validate", str(tmp_path / "missing.yml")).returncode == 2


def test_secret_from_a_file_and_env_never_echoed(tmp_path: Path, config: Path) -> None:
    secret_file = tmp_path / "key"
    secret_file.write_text(SECRET + "\n")
    result = run(
        "apply",
        "--config",
        str(config),
        "--driver",
        "swift",
        "--set",
        "swift.authurl=http://127.0.0.1:8080/auth/v1.0",
        "--set",
        "swift.username=u",
        "--set",
        f"swift.password=@{secret_file}",
        "--set",
        "swift.container=c",
        "--yes",
    )
    assert result.returncode == 0, result.stderr
    assert "password: " + SECRET + "\n" in config.read_text()
    assert SECRET not in result.stdout + result.stderr


def test_new_config_is_created_with_a_filesystem_default(tmp_path: Path) -> None:
    target = tmp_path / "config.yml"
    result = run(
        "apply", "--config", str(target), "--set", "filesystem.rootdirectory=/srv", "--yes"
    )
    assert result.returncode == 0, result.stderr
    assert "rootdirectory: /srv" in target.read_text()
    assert run("validate", str(target)).returncode == 0


def test_a_new_config_warns_of_no_images_to_lose(tmp_path: Path, config: Path) -> None:
    """A backend switch warns that the old backend's images go out of sight; a file that
    does not exist yet has no backend holding any, so no warning there."""
    upload = tmp_path / "storage.yml"
    upload.write_text("storage:\n  inmemory: {}\n")
    for flags in (["--driver", "inmemory"], ["--from", str(upload)]):
        fresh = run("plan", "--config", str(tmp_path / "new.yml"), "--no-container", *flags)
        assert fresh.returncode == 1, fresh.stderr
        assert "does not exist yet: it will be created with the settings below" in fresh.stderr
        assert "will not be visible" not in fresh.stderr
        existing = run("plan", "--config", str(config), "--no-container", *flags)
        assert "Images stored in Filesystem will not be visible" in existing.stderr


def test_export_redacts_unless_asked(config: Path, tmp_path: Path) -> None:
    assert run("apply", "--config", str(config), *S3_FLAGS, "--yes").returncode == 0
    redacted = run("export", "--config", str(config))
    assert SECRET not in redacted.stdout and "<redacted>" in redacted.stdout
    assert "secrets redacted: storage.s3" in redacted.stderr
    out = tmp_path / "storage.yml"
    full = run("export", "--config", str(config), "--include-secrets", "-o", str(out))
    assert full.returncode == 0 and SECRET in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "warning: the export holds secrets" in full.stderr
    # the redacted export uploads again and keeps the current secret
    (tmp_path / "redacted.yml").write_text(redacted.stdout)
    replan = run("plan", "--config", str(config), "--from", str(tmp_path / "redacted.yml"))
    assert replan.returncode == 0, replan.stdout + replan.stderr


def test_backups_and_rollback(config: Path) -> None:
    original = config.read_text()
    assert run("apply", "--config", str(config), *S3_FLAGS, "--yes").returncode == 0
    listing = run("backups", "--config", str(config))
    assert " 1  " in listing.stdout and ".bak-" in listing.stdout
    rolled = run("rollback", "--config", str(config), "--yes")
    assert rolled.returncode == 0, rolled.stderr
    assert config.read_text() == original
    assert SECRET not in rolled.stdout


def test_apply_without_yes_refuses_when_not_interactive(config: Path) -> None:
    before = config.read_bytes()
    result = run("apply", "--config", str(config), *S3_FLAGS, stdin="")
    assert result.returncode == 2 and "add --yes" in result.stderr
    assert config.read_bytes() == before


def test_apply_refuses_an_invalid_result(config: Path) -> None:
    before = config.read_bytes()
    result = run("apply", "--config", str(config), "--driver", "s3", "--yes")
    assert result.returncode == 2
    assert "storage.s3.bucket" in result.stdout and "Nothing was written" in result.stderr
    assert config.read_bytes() == before


# -- bad input: a clear message naming file, line and field; exit 2; nothing written ---------


BAD_FILES = {
    "malformed": ("version: 0.1\nstorage:\n  s3: {bucket: b\n", ":4:", "is not valid YAML"),
    "tabs": ("version: 0.1\nstorage:\n\tinmemory: {}\n", ":3:", "indented with a tab"),
    "duplicate": (
        "version: 0.1\nstorage:\n  inmemory: {}\n  delete: {}\n  delete: {}\n",
        ":5:",
        "has the key 'delete' twice",
    ),
    "two drivers": (
        "version: 0.1\nstorage:\n  filesystem: {}\n  inmemory: {}\n",
        "storage",
        "must provide exactly one storage type",
    ),
    "unknown driver": (
        "version: 0.1\nstorage:\n  minio: {}\n",
        ":3: storage.minio",
        "is not a storage driver",
    ),
    "empty": ("", "config.yml", "is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_config_files(case: str, tmp_path: Path) -> None:
    text, where, message = BAD_FILES[case]
    config = tmp_path / "config.yml"
    config.write_text(text)
    result = run("apply", "--config", str(config), "--set", "delete.enabled=true", "--yes")
    assert result.returncode == 2
    assert message in result.stderr and where in result.stderr
    assert str(config) in result.stderr
    assert "Traceback" not in result.stderr
    assert config.read_text() == text
    assert list_files(tmp_path) == ["config.yml"]


def list_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--set", "delete.enabled=maybe"], "storage.delete.enabled: 'maybe' is not true or false"),
        (["--set", "filesystem.maxthreads=lots"], "is not a whole number"),
        (
            [
                "--driver",
                "s3",
                "--set",
                "s3.bucket=b",
                "--set",
                "s3.region=us-east-1",
                "--set",
                "s3.chunksize=1024",
            ],
            "storage.s3.chunksize",
        ),
        (["--driver", "minio"], "'minio' is not a storage driver"),
        (["--driver", "swift", "--registry-version", "3"], "does not exist in registry 3.x"),
        (["--set", "s3.bucket=b"], "add --driver s3 to switch backend"),
        (["--set", "filesystem.rootdir=/x"], "did you mean filesystem.rootdirectory?"),
        (["--set", "filesystem.rootdirectory="], "remove the key with --unset"),
        (["--set", "s3.secretkey=env:NOPE_NOT_SET", "--driver", "s3"], "NOPE_NOT_SET"),
        (["--registry-version", "9"], "unknown registry version"),
    ],
)
def test_bad_flags(flags: list[str], message: str, config: Path) -> None:
    before = config.read_bytes()
    result = run("apply", "--config", str(config), *flags, "--yes")
    assert result.returncode == 2, result.stdout
    assert message in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert config.read_bytes() == before


def test_binary_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_bytes(b"\x7fELF\x00\x01\x02")
    result = run("plan", "--config", str(config))
    assert result.returncode == 2 and "is a binary file" in result.stderr


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    with config.open("wb") as handle:
        handle.truncate(50 * 1000 * 1000)
    result = run("validate", str(config))
    assert result.returncode == 2 and "is 50.0 MB" in result.stderr
    assert config.stat().st_size == 50 * 1000 * 1000


def test_directory(tmp_path: Path) -> None:
    result = run("plan", "--config", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr


def test_missing_parent_directory(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "config.yml"
    result = run("apply", "--config", str(target), "--yes")
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "nope").exists()


def test_unreadable_file(shared_dir: Path) -> None:
    config = shared_dir / "config.yml"
    shutil.copy(DATA / "commented-config.yml", config)
    config.chmod(0o600)  # root's file; the command runs as nobody
    result = run("plan", "--config", str(config), user="nobody")
    assert result.returncode == 2
    assert f"{config}: cannot be read: permission denied" in result.stderr


def test_unwritable_file(shared_dir: Path) -> None:
    config = shared_dir / "config.yml"
    shutil.copy(DATA / "commented-config.yml", config)
    config.chmod(0o644)  # nobody may read it, not write it (the directory is open to all)
    before = config.read_bytes()
    result = run("apply", "--config", str(config), *S3_FLAGS, "--yes", user="nobody")
    assert result.returncode == 2
    assert "is not writable by you (mode 0644, owner uid 0)" in result.stderr
    assert config.read_bytes() == before
    assert list_files(shared_dir) == ["config.yml"]


def test_full_disk(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], check=True)
    try:
        config = disk / "config.yml"
        config.write_text("version: 0.1\nstorage:\n  inmemory: {}\n")
        filler = disk / "filler"
        with filler.open("wb") as handle:  # leave too little room for a backup and a new file
            handle.write(b"\0" * (64 * 1024 - 4096))
        before = config.read_bytes()
        result = run("apply", "--config", str(config), "--set", "delete.enabled=true", "--yes")
        assert result.returncode == 2, result.stdout + result.stderr
        assert "the disk is full; nothing was changed" in result.stderr
        assert config.read_bytes() == before
        assert list_files(disk) == ["config.yml", "filler"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_the_app_looks_for_the_container_named_with_container(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dtr_tui.cli.main import main
    from dtr_tui.ui.app import StorageApp

    opened: list[StorageApp] = []

    def run(self: StorageApp, *args: object, **kwargs: object) -> int:
        opened.append(self)
        return 0

    monkeypatch.setattr(StorageApp, "run", run)
    assert main(["--config", str(config), "--container", "registry-b"]) == 0
    (app,) = opened
    assert app.discover and app.container_name == "registry-b" and app.config_given
    assert main(["--config", str(config)]) == 0
    assert opened[1].container_name is None


def test_the_container_flag_is_in_the_apps_help() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "which registry container to open when several run" in " ".join(result.stdout.split())


def test_the_app_refuses_an_unusable_file_before_the_screen(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr
    assert "\x1b[" not in result.stdout  # no screen was drawn
