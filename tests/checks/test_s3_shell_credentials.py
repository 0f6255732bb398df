"""S3 credentials found only in the shell running dtr-tui (QA A5, D8): the check proves them,
but says they come from this shell and may be missing in the registry's environment; the real
registry 2.8.2 without those variables fails every push."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from dtr_tui.services.checks import Status
from tests.support.moto import MotoServer
from tests.support.push import push_test_image

from .conftest import check_storage
from .test_s3_credentials import blank_keys
from .test_s3_credentials import empty_chain as empty_chain  # noqa: F401 - fixture


def storage(server: MotoServer) -> dict[str, object]:
    bucket = server.create_bucket(f"shell-{uuid.uuid4().hex[:8]}")
    return {**blank_keys(server), "bucket": bucket}


def test_keys_from_this_shells_variables_warn_and_the_registry_lacks_them(
    moto_auth_server: MotoServer,
    empty_chain: Path,
    monkeypatch: pytest.MonkeyPatch,
    registry_factory: object,
) -> None:
    params = storage(moto_auth_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_auth_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_auth_server.secret_key)
    results = check_storage("s3", params)
    creds = results["credentials"]
    assert creds.status is Status.WARN, results.dump()
    assert "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY of the shell running dtr-tui" in creds.detail
    assert "not necessarily in the registry's environment" in creds.detail
    assert "set accesskey and secretkey" in creds.fix
    assert not results.failed(), results.dump()
    # the registry as it is usually run: without this shell's variables
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    registry = registry_factory.from_storage(  # type: ignore[attr-defined]
        {"s3": params, "redirect": {"disable": True}}, env={"HOME": str(empty_chain)}
    )
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure of the push
        push_test_image(registry.url, repo="s3/shell")
    assert "NoCredentialProviders" in registry.log_text(), registry.log_text()[-2000:]


def test_keys_from_a_shared_credentials_file_name_the_file(
    moto_auth_server: MotoServer, empty_chain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = empty_chain / "credentials"
    shared.write_text(
        "[default]\n"
        f"aws_access_key_id = {moto_auth_server.access_key}\n"
        f"aws_secret_access_key = {moto_auth_server.secret_key}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
    results = check_storage("s3", storage(moto_auth_server))
    creds = results["credentials"]
    assert creds.status is Status.WARN, results.dump()
    assert f"profile default of {shared}" in creds.detail
    assert moto_auth_server.secret_key not in creds.detail + creds.fix


def test_only_accesskey_set_says_so(moto_auth_server: MotoServer, empty_chain: Path) -> None:
    """D8: the message said "accesskey and secretkey are blank" when accesskey was set."""
    params = {**storage(moto_auth_server), "accesskey": moto_auth_server.access_key}
    creds = check_storage("s3", params)["credentials"]
    assert creds.status is Status.FAIL
    assert creds.detail.startswith("no credentials: only accesskey is set (secretkey is blank)")
