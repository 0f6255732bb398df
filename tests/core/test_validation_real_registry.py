"""The registry 2.8.2 itself agrees with the rules in test_validation_registry_traps.py.

An ERROR is proven by the registry refusing to start with the message we quote; a WARNING by
the registry starting and then failing a push (and, where we name redirect.disable as the fix,
pushing fine with it).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.problems import Severity
from dtr_tui.core.validation import validate_storage
from dtr_tui.core.versions import V2_8
from tests.fixtures_servers import RegistryFactory
from tests.support.moto import MotoServer
from tests.support.ports import free_port
from tests.support.push import push_test_image
from tests.support.registry import registry_config_text, run_registry_expecting_failure
from tests.support.swift import SwiftAIO

pytestmark = pytest.mark.registry

NO_SERVER = f"http://127.0.0.1:{free_port()}"
S3 = {"accesskey": "a", "secretkey": "s", "region": "us-east-1", "bucket": "b"}
SWIFT = {"authurl": NO_SERVER + "/auth/v1.0", "username": "u", "password": "p", "container": "c"}


def severity_at(storage: dict[str, Any], field: str) -> list[Severity]:
    return [p.severity for p in validate_storage(storage, V2_8) if p.field == field]


def refusal(storage: dict[str, Any], tmp_path: Path) -> str:
    config = tmp_path / "config.yml"
    config.write_text(registry_config_text(storage, free_port()))
    code, output = run_registry_expecting_failure(config)
    assert code != 0
    return output


REFUSED = {
    "s3 region empty, endpoint": (
        {"s3": {**S3, "region": "", "regionendpoint": NO_SERVER}},
        "storage.s3.region",
        "no region parameter provided",
    ),
    "s3 bucket empty": ({"s3": {**S3, "bucket": ""}}, "storage.s3.bucket", "no bucket parameter"),
    "s3 storageclass a number": (
        {"s3": {**S3, "storageclass": 1}},
        "storage.s3.storageclass",
        "the storageclass parameter must be one of",
    ),
    "s3 objectacl a number": (
        {"s3": {**S3, "objectacl": 1}},
        "storage.s3.objectacl",
        "invalid value for objectacl parameter: 1",
    ),
    "s3 v4auth 'false' on AWS": (
        {"s3": {**S3, "v4auth": "false"}},
        "storage.s3.v4auth",
        "on Amazon S3 this storage driver can only be used with v4 authentication",
    ),
    **{
        f"swift {key} empty": (
            {"swift": {**SWIFT, key: ""}},
            f"storage.swift.{key}",
            f"no {key} parameter provided",
        )
        for key in ("username", "password", "authurl", "container")
    },
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_we_now_refuse_the_registry_refuses(case: str, tmp_path: Path) -> None:
    storage, field, said = REFUSED[case]
    problems = [p for p in validate_storage(storage, V2_8) if p.field == field]
    assert [p.severity for p in problems] == [Severity.ERROR]
    assert said in problems[0].message
    assert f"panic: {said}" in refusal(storage, tmp_path)


def test_swift_container_with_a_slash(swift_server: SwiftAIO, tmp_path: Path) -> None:
    storage = swift_server.registry_storage("a/b")
    assert severity_at(storage, "storage.swift.container") == [Severity.ERROR]
    assert "panic: failed to create container a/b (Container Not Found)" in refusal(
        storage, tmp_path
    )


def s3_storage(moto: MotoServer, **params: Any) -> dict[str, Any]:
    bucket = "traps-" + uuid.uuid4().hex[:8]
    moto.create_bucket(bucket)
    storage = moto.registry_storage(bucket)
    storage["s3"].update(params)
    return storage


def redirects_off(storage: dict[str, Any]) -> dict[str, Any]:
    return {**storage, "redirect": {"disable": True}}


def test_v4auth_false_with_an_endpoint_breaks_pulls_unless_redirects_are_off(
    moto_server: MotoServer, registry_factory: RegistryFactory
) -> None:
    storage = s3_storage(moto_server, v4auth=False)
    assert severity_at(storage, "storage.s3.v4auth") == [Severity.WARNING]
    with pytest.raises(AssertionError, match=r"HEAD sha256:.*got\s+HTTP 404"):
        push_test_image(registry_factory.from_storage(storage).url)
    fixed = redirects_off(storage)
    assert severity_at(fixed, "storage.s3.v4auth") == []
    push_test_image(registry_factory.from_storage(fixed).url)


@pytest.mark.parametrize("root", ["/a#b", "/ü"])
def test_s3_rootdirectory_characters_break_every_push(
    root: str, moto_server: MotoServer, registry_factory: RegistryFactory
) -> None:
    storage = redirects_off(s3_storage(moto_server, rootdirectory=root))
    assert severity_at(storage, "storage.s3.rootdirectory") == [Severity.WARNING]
    registry = registry_factory.from_storage(storage)
    with pytest.raises(AssertionError):
        push_test_image(registry.url)
    assert "Path not found" in registry.log_text()


def test_swift_prefix_with_a_hash_breaks_pulls_unless_redirects_are_off(
    swift_server: SwiftAIO, registry_factory: RegistryFactory
) -> None:
    swift_server.connection().put_container("traps")
    storage = swift_server.registry_storage("traps", prefix="/a#b")
    assert severity_at(storage, "storage.swift.prefix") == [Severity.WARNING]
    with pytest.raises(AssertionError, match="HEAD sha256:"):
        push_test_image(registry_factory.from_storage(storage).url)
    fixed = redirects_off(storage)
    assert severity_at(fixed, "storage.swift.prefix") == []
    push_test_image(registry_factory.from_storage(fixed).url)


def test_swift_prefix_with_a_question_mark_breaks_every_push(
    swift_server: SwiftAIO, registry_factory: RegistryFactory
) -> None:
    swift_server.connection().put_container("traps")
    storage = redirects_off(swift_server.registry_storage("traps", prefix="/a?b"))
    assert severity_at(storage, "storage.swift.prefix") == [Severity.WARNING]
    registry = registry_factory.from_storage(storage)
    with pytest.raises(AssertionError):
        push_test_image(registry.url)
    assert "Path not found" in registry.log_text()
