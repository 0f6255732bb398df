"""Azure checks against real Azurite, over HTTP and over HTTPS with a test CA.

Debian's registry has no azure driver, so Azure is proven by the checks' own probe alone.
"""

from __future__ import annotations

import socket
import uuid
from typing import Any

import pytest

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8, V3_0
from dtr_tui.services.checks import Status
from dtr_tui.services.checks.provision import create_container
from tests.support.azurite import Azurite

from .conftest import check_storage


def params3(server: Azurite, container: str, **extra: Any) -> dict[str, Any]:
    p = {
        "accountname": server.account_name,
        "accountkey": server.account_key,
        "container": container,
        "serviceurl": server.endpoint_url,
        "credentials": {"type": "shared_key"},
        "rootdirectory": "/registry",
    }
    p.update(extra)
    return p


def made(server: Azurite) -> str:
    name = f"reg{uuid.uuid4().hex[:10]}"
    server.service_client().create_container(name)
    return name


def test_right_config_passes_over_http(azurite: Azurite) -> None:
    check_storage("azure", params3(azurite, made(azurite)), V3_0).assert_all_pass()


def test_right_config_passes_over_https_with_the_ca(azurite_https: Azurite) -> None:
    p = params3(azurite_https, made(azurite_https))
    ok = check_storage("azure", p, V3_0, ca_bundle=str(azurite_https.ca_path))
    ok.assert_all_pass()
    assert "is trusted" in ok["endpoint"].detail
    untrusted = check_storage("azure", p, V3_0)
    assert untrusted["endpoint"].status is Status.FAIL, untrusted.dump()
    assert "not trusted" in untrusted["endpoint"].detail
    assert "ca-certificates.crt" in untrusted["endpoint"].fix


def test_wrong_key_fails_authentication(azurite: Azurite) -> None:
    import base64

    wrong = base64.b64encode(b"not the key of this account, 64 bytes long" * 2).decode()
    results = check_storage("azure", params3(azurite, made(azurite), accountkey=wrong), V3_0)
    auth = results["authentication"]
    assert auth.status is Status.FAIL, results.dump()
    assert "rejected the account key" in auth.detail and "Access keys" in auth.fix
    assert all(wrong not in r.detail + r.fix for r in results.values())


def test_key_that_is_not_base64(azurite: Azurite) -> None:
    results = check_storage("azure", params3(azurite, "c", accountkey="not*base64!"), V3_0)
    assert results["account key"].status is Status.FAIL
    assert "base64" in results["account key"].detail
    assert results["authentication"].status is Status.SKIPPED


def test_missing_container_fails_on_3_and_can_be_created(azurite: Azurite) -> None:
    name = f"missing{uuid.uuid4().hex[:8]}"
    p = params3(azurite, name)
    results = check_storage("azure", p, V3_0)
    missing = results["container"]
    assert missing.status is Status.FAIL, results.dump()
    assert f"container {name} does not exist" in missing.detail
    assert f"az storage container create --name {name}" in missing.fix
    create_container(StorageDraft("azure", p), V3_0)
    check_storage("azure", p, V3_0).assert_all_pass()


@pytest.fixture
def blob_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """STUB (name resolution only): ACCOUNT.blob.localhost -> 127.0.0.1, as an /etc/hosts line
    on the registry host would; the requests still go to the real Azurite over real TLS."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".blob.localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_registry_2_8_style_endpoint_from_realm(
    azurite_https: Azurite, blob_localhost: None
) -> None:
    p = {
        "accountname": azurite_https.account_name,
        "accountkey": azurite_https.account_key,
        "container": made(azurite_https),
        "realm": f"localhost:{azurite_https.port}",
    }
    results = check_storage("azure", p, V2_8, ca_bundle=str(azurite_https.ca_path))
    results.assert_all_pass()
    assert f"https://devstoreaccount1.blob.localhost:{azurite_https.port}" in (
        results["endpoint"].detail
    )
    p["container"] = f"missing{uuid.uuid4().hex[:8]}"
    warned = check_storage("azure", p, V2_8, ca_bundle=str(azurite_https.ca_path))["container"]
    assert warned.status is Status.WARN and "creates it at startup" in warned.detail


def test_a_service_url_without_the_account_says_how_to_write_it(azurite: Azurite) -> None:
    """Azurite's URL without /ACCOUNT: HTTP 400, with the form serviceurl takes (QA D2)."""
    bare = azurite.endpoint_url.rsplit("/", 1)[0]
    found = check_storage("azure", params3(azurite, made(azurite), serviceurl=bare), V3_0)
    auth = found["authentication"]
    assert auth.status is Status.FAIL, found.dump()
    assert "HTTP 400" in auth.detail
    assert "http://HOST:10000/ACCOUNT" in auth.fix
