"""S3 credentials from the default chain when accesskey/secretkey are blank: a real empty
environment (no variables, no shared file, no config file) and a real instance-metadata
endpoint that refuses or never answers (a local port named by AWS_EC2_METADATA_SERVICE_ENDPOINT,
as botocore allows). An instance role that answers cannot be produced here."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from dtr_tui.services.checks import Status
from tests.support.moto import MotoServer
from tests.support.ports import free_port

from .conftest import check_storage

CHAIN_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_DISABLED",
)  # fmt: skip


@pytest.fixture
def empty_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No credential variables, a HOME without ~/.aws, shared and config files that do not
    exist; the instance-metadata endpoint is a refused local port."""
    for name in CHAIN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    return tmp_path


@pytest.fixture
def silent_imds(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An instance-metadata endpoint that accepts connections and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
        yield url


def blank_keys(server: MotoServer) -> dict[str, object]:
    params = dict(server.registry_storage("any-bucket")["s3"])
    del params["accesskey"], params["secretkey"]
    return params


def test_no_credentials_anywhere_says_where_it_looked(
    moto_auth_server: MotoServer, empty_chain: Path
) -> None:
    results = check_storage("s3", blank_keys(moto_auth_server))
    creds = results["credentials"]
    assert creds.status is Status.FAIL, results.dump()
    assert creds.detail.startswith("no credentials: accesskey and secretkey are blank")
    assert "no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment" in creds.detail
    assert str(empty_chain / "no-credentials") in creds.detail
    assert str(empty_chain / "no-config") in creds.detail
    assert "no instance role answering at http://127.0.0.1:" in creds.detail
    assert "set accesskey and secretkey" in creds.fix and "instance role" in creds.fix
    # The same cause is not reported twice: what needs credentials is skipped.
    assert results["clock skew"].status is Status.SKIPPED
    assert results.failed() == ["credentials"], results.dump()


def test_a_silent_metadata_endpoint_ends_within_the_check(
    moto_auth_server: MotoServer, empty_chain: Path, silent_imds: str
) -> None:
    """botocore would wait 1 s per metadata request; the check's own share is used instead,
    so the result is the chain's answer, not the runner giving up on a hung check."""
    results = check_storage("s3", blank_keys(moto_auth_server), timeout=1.0)
    creds = results["credentials"]
    assert creds.status is Status.FAIL, results.dump()
    assert creds.detail.startswith("no credentials"), results.dump()
    assert f"no instance role answering at {silent_imds}" in creds.detail


def test_a_profile_that_does_not_exist(
    moto_auth_server: MotoServer, empty_chain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "registry")
    creds = check_storage("s3", blank_keys(moto_auth_server))["credentials"]
    assert creds.status is Status.FAIL
    assert "the default credential chain failed" in creds.detail
    assert "registry" in creds.detail


def test_keys_in_the_config_ignore_a_broken_aws_profile(
    moto_auth_server: MotoServer, tmp_path: Path
) -> None:
    """A fresh process (the boto3 session is made once per process) whose shell names a
    profile that does not exist: keys set in the config are used as they are."""
    import json
    import os
    import subprocess
    import sys

    bucket = moto_auth_server.create_bucket(f"profile-{os.getpid()}-{tmp_path.name[-6:]}")
    flags = []
    for key, value in moto_auth_server.registry_storage(bucket)["s3"].items():
        flags += ["--set", f"s3.{key}={str(value).lower() if isinstance(value, bool) else value}"]
    env = {**os.environ, "AWS_PROFILE": "no-such-profile", "HOME": str(tmp_path)}
    argv = [sys.executable, "-m", "dtr_tui", "check", "--config", str(tmp_path / "c.yml"),
            "--driver", "s3", *flags, "--output", "json"]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    results = {r["name"]: r for r in json.loads(done.stdout)["results"]}
    assert results["credentials"]["status"] == "pass", results
    assert moto_auth_server.secret_key not in done.stdout + done.stderr
