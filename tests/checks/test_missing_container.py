"""A missing container on registry 2.8 (QA C1): the registry creates it at startup, so check
must not fail the write probe for it. Swift is compared with the real registry 2.8.2 on the
same storage; Azure (no azure driver in Debian's registry) with the reference's rule."""

from __future__ import annotations

import uuid

from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks import Status
from tests.support.azurite import Azurite
from tests.support.push import push_test_image
from tests.support.swift import SwiftAIO

from .conftest import check_storage
from .test_azure import blob_localhost as blob_localhost  # noqa: F401 - fixture


def test_swift_missing_container_passes_and_the_registry_pushes(
    swift_server: SwiftAIO, registry_factory: object
) -> None:
    name = f"new-{uuid.uuid4().hex[:8]}"
    storage = swift_server.registry_storage(name)
    results = check_storage("swift", storage["swift"])
    assert not results.failed(), results.dump()
    assert results["container"].status is Status.WARN
    probe = results["write, read, delete"]
    assert probe.status is Status.SKIPPED, results.dump()
    assert f"container {name} does not exist yet" in probe.detail
    assert "creates it at startup" in probe.detail and "--create" in probe.fix
    registry = registry_factory.from_storage(storage)  # type: ignore[attr-defined]
    push_test_image(registry.url, repo="swift/created")
    swift_server.connection().head_container(name)  # the registry made it


def test_azure_2_8_missing_container_is_not_a_failure(
    azurite_https: Azurite, blob_localhost: None
) -> None:
    name = f"missing{uuid.uuid4().hex[:8]}"
    p = {
        "accountname": azurite_https.account_name,
        "accountkey": azurite_https.account_key,
        "container": name,
        "realm": f"localhost:{azurite_https.port}",
    }
    results = check_storage("azure", p, V2_8, ca_bundle=str(azurite_https.ca_path))
    assert not results.failed(), results.dump()
    assert results["container"].status is Status.WARN
    probe = results["write, read, delete"]
    assert probe.status is Status.SKIPPED and "registry 2.8 creates it" in probe.detail
