"""Configs registry 2.8.2 refuses or breaks on that validation used to call valid.

Each case was run on the real registry (see test_validation_real_registry.py): an ERROR where
it refused to start, a WARNING where it started and then failed pushes or pulls.
"""

from __future__ import annotations

from typing import Any

import pytest

from dtr_tui.core.problems import Problem, Severity
from dtr_tui.core.validation import validate_storage
from dtr_tui.core.versions import V2_8, V3_0, RegistryVersion

ENDPOINT = "http://127.0.0.1:9000"
S3_OK = {"bucket": "b", "region": "us-east-1", "regionendpoint": ENDPOINT}
SWIFT_OK = {"authurl": "http://127.0.0.1:8080/auth/v1.0", "username": "u", "password": "p"}


def found(
    storage: Any, version: RegistryVersion = V2_8, severity: Severity = Severity.ERROR
) -> dict[str, Problem]:
    return {p.field: p for p in validate_storage(storage, version) if p.severity is severity}


def warnings(storage: Any, version: RegistryVersion = V2_8) -> dict[str, Problem]:
    return found(storage, version, Severity.WARNING)


def s3(**params: Any) -> dict[str, Any]:
    return {"s3": {**S3_OK, **params}}


def swift(**params: Any) -> dict[str, Any]:
    return {"swift": {**SWIFT_OK, "container": "registry", **params}}


# A2 and the other drivers' required parameters: "" is refused like a missing key.


def test_empty_s3_region_with_an_endpoint_is_refused_on_2_8() -> None:
    problem = found(s3(region=""))["storage.s3.region"]
    assert "is empty" in problem.message
    assert "`no region parameter provided`" in problem.message
    assert problem.allowed


def test_empty_s3_region_with_an_endpoint_is_only_a_warning_on_3() -> None:
    storage = s3(region="", forcepathstyle=True)
    assert "storage.s3.region" not in found(storage, V3_0)
    assert "storage.s3.region" in warnings(storage, V3_0)


@pytest.mark.parametrize(
    ("storage", "field", "said"),
    [
        (s3(bucket=""), "storage.s3.bucket", "no bucket parameter provided"),
        (swift(username=""), "storage.swift.username", "no username parameter provided"),
        (swift(password=""), "storage.swift.password", "no password parameter provided"),
        (swift(authurl=""), "storage.swift.authurl", "no authurl parameter provided"),
        (swift(container=""), "storage.swift.container", "no container parameter provided"),
        (
            {"azure": {"accountname": "", "accountkey": "a2V5", "container": "c"}},
            "storage.azure.accountname",
            "no accountname parameter provided",
        ),
        (
            {"azure": {"accountname": "a", "accountkey": "", "container": "c"}},
            "storage.azure.accountkey",
            "no accountkey parameter provided",
        ),
        (
            {"azure": {"accountname": "a", "accountkey": "a2V5", "container": ""}},
            "storage.azure.container",
            "no container parameter provided",
        ),
        ({"gcs": {"bucket": "", "keyfile": "/k"}}, "storage.gcs.bucket", "no bucket parameter"),
    ],
)
def test_empty_required_parameters_are_refused(storage: Any, field: str, said: str) -> None:
    assert f"`{said}" in found(storage)[field].message


def test_empty_optional_parameters_are_not_refused() -> None:
    assert found(s3(rootdirectory="", keyid="")) == {}
    assert found(swift(prefix="", tenant="")) == {}


# A3: v4auth false with an endpoint and redirects on.


def test_v4auth_false_with_an_endpoint_and_redirects_on_warns_with_both_fixes() -> None:
    for value in (False, "false"):
        problem = warnings(s3(v4auth=value))["storage.s3.v4auth"]
        assert "every pull fails" in problem.message
        assert "v4auth: true" in problem.allowed
        assert "disable: true" in problem.allowed
        assert found(s3(v4auth=value)) == {}


def test_v4auth_false_is_fine_when_redirects_are_off() -> None:
    storage = {**s3(v4auth=False), "redirect": {"disable": True}}
    assert "storage.s3.v4auth" not in warnings(storage)


def test_v4auth_false_on_aws_stays_one_error() -> None:
    storage = {"s3": {"bucket": "b", "region": "us-east-1", "v4auth": False}}
    problems = [p for p in validate_storage(storage, V2_8) if p.field == "storage.s3.v4auth"]
    assert [p.severity for p in problems] == [Severity.ERROR]


def test_v4auth_false_as_text_on_aws_is_refused() -> None:
    storage = {"s3": {"bucket": "b", "region": "us-east-1", "v4auth": "false"}}
    problem = found(storage)["storage.s3.v4auth"]
    assert "can only be used with v4 authentication" in problem.message


# A4: characters in the S3 root directory and the Swift prefix.


@pytest.mark.parametrize("root", ["/a#b", "/a?b", "/ü", "/é"])
def test_s3_rootdirectory_characters_that_break_pushes(root: str) -> None:
    for storage in (
        s3(rootdirectory=root),
        {**s3(rootdirectory=root), "redirect": {"disable": True}},
    ):
        problem = warnings(storage)["storage.s3.rootdirectory"]
        assert "fails every push" in problem.message
        assert "without #, ? or non-ASCII" in problem.allowed
        assert found(storage) == {}


@pytest.mark.parametrize("root", ["/registry", "/reg istry", "/a%b", "/a&b", "/a+b", "/a;b"])
def test_s3_rootdirectory_characters_that_work(root: str) -> None:
    assert "storage.s3.rootdirectory" not in warnings(s3(rootdirectory=root))


@pytest.mark.parametrize("prefix", ["/a?b", "/a&b"])
def test_swift_prefix_characters_that_break_pushes(prefix: str) -> None:
    for storage in (swift(prefix=prefix), {**swift(prefix=prefix), "redirect": {"disable": True}}):
        assert "fails every push" in warnings(storage)["storage.swift.prefix"].message


@pytest.mark.parametrize("prefix", ["/a#b", "a#b", "/reg istry"])
def test_swift_prefix_characters_that_break_redirects(prefix: str) -> None:
    problem = warnings(swift(prefix=prefix))["storage.swift.prefix"]
    assert "TempURL" in problem.message
    assert "disable: true" in problem.allowed
    off = {**swift(prefix=prefix), "redirect": {"disable": True}}
    assert "storage.swift.prefix" not in warnings(off)


@pytest.mark.parametrize("prefix", ["/registry", "/ü", "/a%b", "/a+b", "/a;b"])
def test_swift_prefix_characters_that_work(prefix: str) -> None:
    assert "storage.swift.prefix" not in warnings(swift(prefix=prefix))


def test_the_character_rules_are_2_8_only() -> None:
    # Observed on 2.8.2 only: no 3.x registry here to run (and 3.x has no swift).
    assert "storage.s3.rootdirectory" not in warnings(
        s3(rootdirectory="/a#b", forcepathstyle=True), V3_0
    )
    assert "storage.s3.v4auth" not in warnings(s3(v4auth=False, forcepathstyle=True), V3_0)


# D6: a Swift container name with a slash.


def test_swift_container_with_a_slash_is_refused() -> None:
    problem = found(swift(container="a/b"))["storage.swift.container"]
    assert "`failed to create container a/b (Container Not Found)`" in problem.message
    assert "prefix" in problem.allowed
    leading = found(swift(container="/registry"))["storage.swift.container"]
    assert "failed to retrieve info about container /registry" in leading.message


def test_swift_container_with_a_trailing_slash_breaks_pushes() -> None:
    storage = swift(container="registry/")
    assert "storage.swift.container" not in found(storage)
    problem = warnings(storage)["storage.swift.container"]
    assert "fails every push" in problem.message
    assert problem.allowed == "registry"


# 5: other startup refusals from the reference's table.


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("storageclass", 1, "the storageclass parameter must be one of"),
        ("objectacl", 1, "invalid value for objectacl parameter: 1"),
        ("objectacl", 1.5, "invalid value for objectacl parameter: 1.5"),
    ],
)
def test_s3_choices_that_are_not_text_are_refused(name: str, value: object, said: str) -> None:
    for version in (V2_8, V3_0):
        problem = found(
            s3(**{name: value}, forcepathstyle=True) if version is V3_0 else s3(**{name: value}),
            version,
        )
        assert said in problem[f"storage.s3.{name}"].message


def test_unknown_cache_type_is_a_warning_not_a_refusal() -> None:
    storage = {"inmemory": None, "cache": {"blobdescriptor": "memcache"}}
    assert found(storage) == {}
    assert "unknown cache type" in warnings(storage)["storage.cache.blobdescriptor"].message
