"""Swift checks against the real Swift all-in-one with tempauth."""

from __future__ import annotations

import uuid

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks import Status
from dtr_tui.services.checks.provision import create_container
from dtr_tui.services.checks.swift import guess_auth_version
from tests.support.swift import SwiftAIO

from .conftest import check_storage


def test_right_config_passes_and_a_registry_serves_a_push(
    swift_server: SwiftAIO, registry_factory: object
) -> None:
    from tests.support.push import push_test_image

    name = f"reg-{uuid.uuid4().hex[:8]}"
    swift_server.connection().put_container(name)
    storage = swift_server.registry_storage(name)
    results = check_storage("swift", storage["swift"])
    results.assert_all_pass()
    assert "guessed from the URL" in results["auth version"].detail
    registry = registry_factory.from_storage(storage)  # type: ignore[attr-defined]
    push_test_image(registry.url, repo="swift/checked")


def test_wrong_password_fails_authentication(swift_server: SwiftAIO) -> None:
    secret = "wrong-" + uuid.uuid4().hex
    params = swift_server.registry_storage("x", password=secret)["swift"]
    results = check_storage("swift", params)
    auth = results["authentication"]
    assert auth.status is Status.FAIL, results.dump()
    assert "401" in auth.detail and "password" in auth.fix
    assert results["container"].status is Status.SKIPPED
    assert all(secret not in r.detail + r.fix for r in results.values())


def test_missing_container_warns_and_can_be_created(swift_server: SwiftAIO) -> None:
    name = f"missing-{uuid.uuid4().hex[:8]}"
    params = swift_server.registry_storage(name)["swift"]
    results = check_storage("swift", params)
    assert results["container"].status is Status.WARN, results.dump()
    assert f"container {name} does not exist" in results["container"].detail
    assert "--create" in results["container"].fix
    assert results["write, read, delete"].status is Status.SKIPPED  # nothing to write into yet
    create_container(StorageDraft("swift", params), V2_8)
    check_storage("swift", params).assert_all_pass()


def test_auth_version_is_guessed_like_the_registry() -> None:
    assert guess_auth_version("http://h:8080/auth/v1.0") == 1
    assert guess_auth_version("https://keystone/v3") == 3
    assert guess_auth_version("https://keystone:5000/") is None
    results = check_storage(
        "swift",
        {
            "authurl": "http://127.0.0.1:9/auth",
            "username": "a:b",
            "password": "p",
            "container": "c",
        },
    )
    assert results["auth version"].status is Status.FAIL
    assert "set authversion" in results["auth version"].fix
