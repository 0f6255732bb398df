"""rollback: a change that touched only secrets is restored (compared by bytes, the secret
named by its path, never its value), and the rollback is written to the audit log with the
config's absolute path, as apply's line is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

OLD, NEW, HTTP = "OLDSECRETVALUE123", "NEWSECRETVALUE456", "HTTPSECRETXYZ"
CONFIG = f"""version: 0.1
storage:
  s3:
    bucket: b
    region: us-east-1
    accesskey: AKIAOLDOLDOLD
    secretkey: {OLD}
http:
  secret: {HTTP}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWS": NEW}
    return subprocess.run(
        [sys.executable, "-m", "dtr_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_rollback_restores_a_secret_only_change_and_audits_it(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    config.chmod(0o600)
    before = config.read_bytes()
    applied = run(
        "--config", "c.yml", "apply", "--no-container", "--set", "s3.secretkey=env:NEWS",
        "--yes", cwd=tmp_path,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert NEW.encode() in config.read_bytes()

    rolled = run("--config", "c.yml", "rollback", "--yes", cwd=tmp_path)
    assert rolled.returncode == 0, rolled.stderr
    assert config.read_bytes() == before  # the old secret is back
    assert "equals the current file" not in rolled.stdout
    assert "+    secretkey: ******** (changed)" in rolled.stdout
    assert "Secrets that differ: storage.s3.secretkey" in rolled.stdout
    assert "http.secret" not in rolled.stdout  # unchanged secrets are not listed
    for value in (OLD, NEW, HTTP):
        assert value not in rolled.stdout + rolled.stderr

    log = tmp_path / "c.yml.dtr-tui-audit.jsonl"
    text = log.read_text()
    assert OLD not in text and NEW not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert [e["outcome"] for e in entries] == ["applied", "rolled-back-by-hand"]
    assert all(e["config"] == str(config) for e in entries)  # absolute, not "c.yml"
    assert entries[1]["restored_from"].startswith(str(tmp_path) + "/")
    history = run("--config", "c.yml", "history", cwd=tmp_path)
    assert "rolled-back-by-hand" in history.stdout


def test_rollback_to_a_backup_equal_to_the_file_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    applied = run(
        "--config", "c.yml", "apply", "--no-container", "--set", "s3.secretkey=env:NEWS",
        "--yes", cwd=tmp_path,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    config.write_text(CONFIG)  # put back by hand: the newest backup equals the file
    result = run("--config", "c.yml", "rollback", "--yes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "The backup equals the current file." in result.stdout
    log = (tmp_path / "c.yml.dtr-tui-audit.jsonl").read_text()
    assert len(log.splitlines()) == 1  # only the apply: nothing was restored


def test_rollback_over_a_file_that_is_not_utf8_is_a_plain_error(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    applied = run(
        "--config", "c.yml", "apply", "--no-container", "--set", "s3.secretkey=env:NEWS",
        "--yes", cwd=tmp_path,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    config.write_bytes(b"version: 0.1\n# caf\xe9\n")
    result = run("--config", "c.yml", "rollback", "--yes", cwd=tmp_path)
    assert result.returncode == 2
    assert "c.yml:2: is not UTF-8 text" in result.stderr
    assert "internal error" not in result.stderr
    assert config.read_bytes() == b"version: 0.1\n# caf\xe9\n"
