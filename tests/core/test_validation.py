"""Validation catches the registry's own traps, with the field path and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from dtr_tui.core.problems import Problem, Severity
from dtr_tui.core.validation import validate_storage
from dtr_tui.core.versions import V2_8, V3_0, RegistryVersion


def errors(storage: Any, version: RegistryVersion = V2_8) -> dict[str, Problem]:
    return {p.field: p for p in validate_storage(storage, version) if p.severity is Severity.ERROR}


def test_a_good_s3_section_is_valid() -> None:
    storage = {
        "s3": {"region": "us-east-1", "bucket": "b", "accesskey": "a", "secretkey": "s"},
        "delete": {"enabled": True},
        "redirect": {"disable": True},
    }
    assert errors(storage) == {}


def test_two_drivers() -> None:
    found = errors({"filesystem": {}, "s3": {"bucket": "b", "region": "us-east-1"}})
    assert "must provide exactly one storage type" in found["storage"].message
    assert "exactly one driver" in found["storage"].allowed


def test_misspelt_reserved_key_is_a_second_driver() -> None:
    found = errors({"s3": {"bucket": "b", "region": "us-east-1"}, "redirects": {"disable": True}})
    assert "misspelt `redirect`" in found["storage.redirects"].message
    assert "Provided: [s3 redirects]" in found["storage"].message


def test_driver_name_in_the_wrong_case() -> None:
    found = errors({"S3": {"bucket": "b"}})
    assert "StorageDriver not registered: S3" in found["storage.S3"].message
    assert found["storage.S3"].allowed == "s3"


def test_unknown_driver_lists_the_allowed_ones() -> None:
    found = errors({"minio": {}})
    assert "is not a storage driver" in found["storage.minio"].message
    assert "filesystem" in found["storage.minio"].allowed


def test_empty_value_would_be_nil() -> None:
    found = errors({"filesystem": {"rootdirectory": None}})
    assert "<nil>" in found["storage.filesystem.rootdirectory"].message


def test_redirect_without_boolean_disable() -> None:
    for block in ({"disabled": True}, {"disable": "true"}, None):
        found = errors({"inmemory": None, "redirect": block})
        assert "invalid type for redirect config" in found["storage.redirect.disable"].message


def test_uploadpurging_needs_all_keys_unless_disabled() -> None:
    found = errors({"inmemory": None, "maintenance": {"uploadpurging": {"enabled": True}}})
    for key in ("age", "interval", "dryrun"):
        assert f"`{key} missing`" in found[f"storage.maintenance.uploadpurging.{key}"].message
    assert errors({"inmemory": None, "maintenance": {"uploadpurging": {"enabled": False}}}) == {}


def test_bad_duration_and_readonly_type() -> None:
    storage = {
        "inmemory": None,
        "maintenance": {
            "uploadpurging": {"enabled": True, "age": "a week", "interval": "24h", "dryrun": False},
            "readonly": {"enabled": "yes please"},
        },
    }
    found = errors(storage)
    assert found["storage.maintenance.uploadpurging.age"].message == "is not a duration"
    assert "true or false" in found["storage.maintenance.readonly.enabled"].message


def test_s3_region_unknown_to_2_8() -> None:
    found = errors({"s3": {"bucket": "b", "region": "eu-north-1"}})
    assert "invalid region provided: eu-north-1" in found["storage.s3.region"].message
    assert errors({"s3": {"bucket": "b", "region": "eu-north-1"}}, V3_0) == {}
    with_endpoint = {"bucket": "b", "region": "eu-north-1", "regionendpoint": "http://x:9000"}
    assert errors({"s3": with_endpoint}) == {}


def test_s3_without_bucket_uses_the_registry_message() -> None:
    found = errors({"s3": {"region": "us-east-1"}})
    assert "no bucket parameter provided" in found["storage.s3.bucket"].message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10MB", "is not a whole number"),
        (1024, "is too small"),
        (6 * 1024**3, "is too large"),
        (True, "is not a whole number"),
    ],
)
def test_s3_chunksize_range(value: object, message: str) -> None:
    found = errors({"s3": {"bucket": "b", "region": "us-east-1", "chunksize": value}})
    problem = found["storage.s3.chunksize"]
    assert problem.message == message
    assert problem.allowed.startswith("a whole number from 5242880 (5 MiB) to 5368709120 (5 GiB)")


def test_numeric_strings_are_accepted_where_the_registry_accepts_them() -> None:
    ok = {"s3": {"bucket": "b", "region": "us-east-1", "chunksize": "10485760", "secure": "true"}}
    assert errors(ok) == {}


def test_version_gated_keys() -> None:
    found = errors({"s3": {"bucket": "b", "region": "us-east-1", "forcepathstyle": True}})
    assert "not read by registry 2.8" in found["storage.s3.forcepathstyle"].message
    found = errors({"swift": {}}, V3_0)
    assert "does not exist in registry 3.x" in found["storage.swift"].message
    found = errors({"inmemory": None, "tag": {"concurrencylimit": 4}})
    assert "2.8 counts it as a second storage driver" in found["storage.tag"].message
    assert errors({"inmemory": None, "tag": {"concurrencylimit": 4}}, V3_0) == {}


def test_azure_on_3_needs_credentials() -> None:
    found = errors({"azure": {"accountname": "a", "accountkey": "a2V5", "container": "c"}}, V3_0)
    assert "storage.azure.credentials" in found
    key = errors({"azure": {"accountname": "a", "accountkey": "not base64!", "container": "c"}})
    assert "not valid base64" in key["storage.azure.accountkey"].message


def test_unknown_keys_are_reported_not_dropped() -> None:
    problems = validate_storage({"filesystem": {"rootdirectory": "/x", "custom": 1}}, V2_8)
    note = next(p for p in problems if p.field == "storage.filesystem.custom")
    assert note.severity is Severity.NOTE
    assert "not managed here" in note.message


def test_misspelt_parameter_gets_a_suggestion() -> None:
    problems = validate_storage({"s3": {"bucket": "b", "region": "us-east-1", "chunksiz": 1}}, V2_8)
    hint = next(p for p in problems if p.field == "storage.s3.chunksiz")
    assert "did you mean chunksize?" in hint.message


def test_missing_storage() -> None:
    assert "no storage configuration provided" in errors(None)["storage"].message
    assert (
        "no storage configuration provided"
        in errors({"delete": {"enabled": True}})["storage"].message
    )


def test_shorthand_storage_is_valid() -> None:
    assert errors("inmemory") == {}


def test_no_secret_value_in_any_message() -> None:
    storage = {"s3": {"bucket": "b", "region": "us-east-1", "secretkey": ["sekrit-value"]}}
    for problem in validate_storage(storage, V2_8):
        assert "sekrit-value" not in problem.message + problem.allowed
