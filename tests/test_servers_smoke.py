"""One small real test per test server: proves the fixtures start real, working servers.

If one of these fails, the tests that use that server cannot be trusted either.
"""

from __future__ import annotations

import hashlib
import ssl
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_servers import RegistryFactory
from tests.support.azurite import Azurite
from tests.support.dockerd import Dockerd, run_registry_container
from tests.support.moto import MotoServer
from tests.support.ports import free_port, wait_for_http
from tests.support.push import blob_data_path, push_test_image
from tests.support.registry import registry_config_text, run_registry_expecting_failure
from tests.support.swift import SwiftAIO


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# ---------------------------------------------------------------- registry (host process)
@pytest.mark.registry
def test_registry_filesystem_serves_a_push(
    registry_factory: RegistryFactory, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    registry = registry_factory.from_storage({"filesystem": {"rootdirectory": str(root)}})

    pushed = push_test_image(registry.url, "smoke/fs", "v1")

    blob = root / blob_data_path(pushed["layer_digest"])
    assert blob.is_file(), registry.log_text()
    assert "sha256:" + hashlib.sha256(blob.read_bytes()).hexdigest() == pushed["layer_digest"]


@pytest.mark.registry
def test_registry_from_a_config_file_with_its_own_port(
    registry_factory: RegistryFactory, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "config.yml"
    config.write_text(registry_config_text("inmemory: {}", port))

    registry = registry_factory(config)

    assert registry.port == port
    pushed = push_test_image(registry.url, "smoke/inmemory", "latest")
    assert pushed["manifest_digest"].startswith("sha256:")


@pytest.mark.registry
@pytest.mark.parametrize(
    ("storage", "code", "message"),
    [
        (
            "inmemory: {}\nfilesystem:\n  rootdirectory: /tmp/never",
            1,
            "must provide exactly one storage type",
        ),
        (
            "s3:\n  region: us-east-1\n  accesskey: a\n  secretkey: b",
            2,
            "no bucket parameter provided",
        ),
    ],
    ids=["two-drivers", "s3-without-bucket"],
)
def test_registry_refuses_bad_storage_at_start(
    tmp_path: Path, storage: str, code: int, message: str
) -> None:
    config = tmp_path / "config.yml"
    config.write_text(registry_config_text(storage, free_port()))

    returncode, output = run_registry_expecting_failure(config, timeout=10)

    assert returncode == code, output
    assert message in output


# ---------------------------------------------------------------- S3 (moto)
def test_moto_creates_and_lists_buckets(moto_server: MotoServer) -> None:
    bucket = moto_server.create_bucket(unique("smoke"))

    names = [b["Name"] for b in moto_server.client().list_buckets()["Buckets"]]

    assert bucket in names


def test_moto_auth_mode_refuses_a_wrong_secret(moto_auth_server: MotoServer) -> None:
    from botocore.exceptions import ClientError

    bucket = moto_auth_server.create_bucket(unique("smoke-auth"))
    assert moto_auth_server.client().head_bucket(Bucket=bucket)

    with pytest.raises(ClientError) as wrong:
        moto_auth_server.client(secret_key="not-the-secret").list_buckets()

    assert wrong.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


@pytest.mark.registry
@pytest.mark.parametrize("server_fixture", ["moto_server", "moto_auth_server"])
def test_registry_on_moto_s3_serves_a_push(
    request: pytest.FixtureRequest, registry_factory: RegistryFactory, server_fixture: str
) -> None:
    moto: MotoServer = request.getfixturevalue(server_fixture)
    bucket = moto.create_bucket(unique("registry"))
    storage = moto.registry_storage(bucket, rootdirectory="/smoke")
    registry = registry_factory.from_storage(storage)

    pushed = push_test_image(registry.url, "smoke/s3", "v1")

    listing = moto.client().list_objects_v2(Bucket=bucket, Prefix="smoke/")
    keys = {obj["Key"] for obj in listing.get("Contents", [])}
    assert "smoke/" + blob_data_path(pushed["layer_digest"]) in keys, registry.log_text()


@pytest.mark.registry
def test_host_registry_trusts_an_https_backend_through_ssl_cert_file(
    moto_https_server: MotoServer, registry_factory: RegistryFactory
) -> None:
    assert moto_https_server.ca_path is not None
    bucket = moto_https_server.create_bucket(unique("registry-tls"))
    registry = registry_factory.from_storage(
        moto_https_server.registry_storage(bucket),
        env={"SSL_CERT_FILE": str(moto_https_server.ca_path)},
    )
    # Blob reads redirect to the https backend: the client must trust the test CA as well.
    trust = ssl.create_default_context(cafile=str(moto_https_server.ca_path))

    pushed = push_test_image(registry.url, "smoke/s3-tls", "v1", context=trust)

    assert pushed["layer_digest"].startswith("sha256:")


# ---------------------------------------------------------------- Azure Blob (Azurite)
def _azurite_roundtrip(server: Azurite) -> None:
    container = server.service_client().create_container(unique("smoke"))
    payload = uuid.uuid4().bytes * 64

    container.upload_blob("docker/registry/v2/probe", payload)

    assert container.download_blob("docker/registry/v2/probe").readall() == payload
    assert [b.name for b in container.list_blobs()] == ["docker/registry/v2/probe"]


def test_azurite_http_upload_download(azurite: Azurite) -> None:
    assert azurite.endpoint_url.startswith("http://127.0.0.1:")
    _azurite_roundtrip(azurite)


def test_azurite_https_upload_download_verifying_the_ca(azurite_https: Azurite) -> None:
    assert azurite_https.endpoint_url.startswith("https://127.0.0.1:")
    assert azurite_https.ca_path is not None and azurite_https.ca_path.is_file()
    _azurite_roundtrip(azurite_https)

    # Verification is real: without the test CA the certificate is refused.
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(
            azurite_https.endpoint_url + "?comp=list",
            timeout=5,
            context=ssl.create_default_context(),
        )
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)


# ---------------------------------------------------------------- Swift
def test_swift_put_get_with_auth_v1(swift_server: SwiftAIO) -> None:
    from swiftclient.exceptions import ClientException

    conn = swift_server.connection()
    container = unique("smoke")
    conn.put_container(container)
    conn.put_object(container, "probe", b"swift says hi")

    _headers, body = conn.get_object(container, "probe")

    assert body == b"swift says hi"
    with pytest.raises(ClientException) as wrong:
        swift_server.connection(key="wrong").head_account()
    assert wrong.value.http_status == 401


@pytest.mark.registry
def test_registry_on_swift_serves_a_push(
    swift_server: SwiftAIO, registry_factory: RegistryFactory
) -> None:
    container = unique("registry")
    registry = registry_factory.from_storage(swift_server.registry_storage(container))

    pushed = push_test_image(registry.url, "smoke/swift", "v1")

    _headers, objects = swift_server.connection().get_container(container, full_listing=True)
    names = {obj["name"] for obj in objects}
    assert "files/" + blob_data_path(pushed["layer_digest"]) in names, registry.log_text()


# ---------------------------------------------------------------- Docker engine
@pytest.mark.registry
def test_dockerd_runs_the_registry_image(
    dockerd: Dockerd, registry_image: str, tmp_path: Path
) -> None:
    client = dockerd.client()
    assert client.images.get(registry_image).attrs["Config"]["Entrypoint"] == ["/bin/registry"]
    config_dir = tmp_path / "registry-config"
    config_dir.mkdir()
    port = free_port()
    (config_dir / "config.yml").write_text(registry_config_text("inmemory: {}", port))

    container = run_registry_container(
        client, config_dir, image=registry_image, name=unique("smoke-registry")
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for_http(url + "/v2/", timeout=5) == 200
        push_test_image(url, "smoke/container", "v1")

        container.restart(timeout=5)
        assert wait_for_http(url + "/v2/", timeout=15) == 200
    finally:
        container.remove(force=True)


@pytest.mark.registry
def test_registry_container_needs_the_ca_bundle_mounted_for_https_backends(
    dockerd: Dockerd, registry_image: str, moto_https_server: MotoServer, tmp_path: Path
) -> None:
    assert moto_https_server.ca_path is not None
    bucket = moto_https_server.create_bucket(unique("container-tls"))
    storage = moto_https_server.registry_storage(bucket)
    trust = ssl.create_default_context(cafile=str(moto_https_server.ca_path))
    client = dockerd.client()

    def run(ca_bundle: Path | None) -> tuple[Any, str]:
        config_dir = tmp_path / ("with-ca" if ca_bundle else "without-ca")
        config_dir.mkdir()
        port = free_port()
        (config_dir / "config.yml").write_text(registry_config_text(storage, port))
        container = run_registry_container(
            client, config_dir, image=registry_image, ca_bundle=ca_bundle
        )
        return container, f"http://127.0.0.1:{port}"

    # The image has no CA store: the first write fails with x509 (the start does not).
    container, url = run(None)
    try:
        with pytest.raises(AssertionError, match="HTTP 500"):
            push_test_image(url, "smoke/no-ca", "v1", context=trust)
        assert b"x509: certificate signed by unknown authority" in container.logs()
    finally:
        container.remove(force=True)

    container, url = run(moto_https_server.ca_path)
    try:
        pushed = push_test_image(url, "smoke/with-ca", "v1", context=trust)
        assert pushed["manifest_digest"].startswith("sha256:")
    finally:
        container.remove(force=True)
