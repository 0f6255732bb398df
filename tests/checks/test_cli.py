"""`dtr-tui check` and `dtr-tui policy` through their argparse handlers, against moto."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.cli import check_command
from tests.support.moto import MotoServer


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config")
    common.add_argument("--registry-version")
    check_command.register(sub, common)
    args = parser.parse_args(argv)
    return int(args.func(args))


def s3_flags(server: MotoServer, bucket: str) -> list[str]:
    flags = ["--driver", "s3"]
    for key, value in server.registry_storage(bucket)["s3"].items():
        flags += ["--set", f"s3.{key}={str(value).lower() if isinstance(value, bool) else value}"]
    return flags


def test_check_creates_the_missing_bucket_with_yes(
    moto_auth_server: MotoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = f"cli-{uuid.uuid4().hex[:8]}"
    config = ["--config", str(tmp_path / "config.yml")]
    assert run(["check", *config, *s3_flags(moto_auth_server, bucket), "--output", "json"]) == 1
    first = json.loads(capsys.readouterr().out)
    assert not first["ok"]
    argv = ["check", *config, *s3_flags(moto_auth_server, bucket), "--create", "--yes"]
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert f"created bucket {bucket}" in out
    assert moto_auth_server.secret_key not in out


def test_policy_written_and_applied(
    moto_auth_server: MotoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    iam: Any = moto_auth_server.client("iam")
    user = f"cli-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    out_file = tmp_path / "policy.json"
    argv = [
        "policy", "--config", str(tmp_path / "c.yml"), *s3_flags(moto_auth_server, "pb"),
        "--write", str(out_file), "--apply-to", user, "--iam-endpoint",
        moto_auth_server.endpoint_url, "--yes",
    ]  # fmt: skip
    assert run(argv) == 0
    written = json.loads(out_file.read_text())
    applied = iam.get_user_policy(UserName=user, PolicyName="dtr-tui-registry-storage")
    assert applied["PolicyDocument"] == written
    assert "s3:AbortMultipartUpload" in out_file.read_text()
