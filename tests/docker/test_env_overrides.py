"""The environment merged into the storage section by the registry's rules (pure, fast)."""

from __future__ import annotations

from dtr_tui.core.env_overrides import merge_env, registry_env
from dtr_tui.core.problems import Severity
from dtr_tui.core.versions import V2_8, V3_0

FS = {"filesystem": {"rootdirectory": "/var/lib/registry"}, "delete": {"enabled": True}}


def messages(result: object) -> str:
    return "\n".join(f.line for f in result.findings)  # type: ignore[attr-defined]


def test_no_registry_env_keeps_the_file_as_it_is() -> None:
    result = merge_env(FS, {"PATH": "/bin", "HOME": "/root"}, V2_8)
    assert result.storage == FS
    assert result.findings == []
    assert result.driver == "filesystem"


def test_docker_env_list_is_read() -> None:
    assert registry_env(["PATH=/bin", "REGISTRY_STORAGE_S3_BUCKET=a=b"]) == {
        "REGISTRY_STORAGE_S3_BUCKET": "a=b"
    }


def test_storage_variable_wipes_the_whole_section_then_children_fill_it() -> None:
    env = {
        "REGISTRY_STORAGE_S3_BUCKET": "images",
        "REGISTRY_STORAGE": "s3",
        "REGISTRY_STORAGE_S3_REGION": "us-east-1",
    }
    result = merge_env(FS, env, V2_8)
    assert result.storage == {"s3": {"bucket": "images", "region": "us-east-1"}}
    assert result.wiped_by == "REGISTRY_STORAGE"
    assert "storage.delete" in messages(result) and "storage.filesystem" in messages(result)
    assert not result.errors
    shadow = result.shadowing([("storage", "delete", "enabled")])
    assert shadow and "REGISTRY_STORAGE" in shadow[0]


def test_second_driver_from_env_is_the_multiple_drivers_panic() -> None:
    result = merge_env(FS, {"REGISTRY_STORAGE_S3_BUCKET": "images"}, V2_8)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.variable == "REGISTRY_STORAGE_S3_BUCKET"
    assert "multiple storage drivers" in error.message
    assert "filesystem, s3" in error.message
    assert result.driver is None


def test_existing_keys_match_case_insensitively_new_ones_are_lowercased() -> None:
    storage = {"s3": {"Bucket": "old", "region": "x"}}
    result = merge_env(storage, {"REGISTRY_STORAGE_S3_BUCKET": "new"}, V2_8)
    assert result.storage == {"s3": {"Bucket": "new", "region": "x"}}
    assert result.shadowing([("s3", "bucket")]) == [
        "storage.s3.bucket: the environment variable REGISTRY_STORAGE_S3_BUCKET sets this, "
        "so the file's value is not used"
    ]
    assert result.shadowing([("s3", "region")]) == []


def test_misspelt_variable_creates_a_nested_key_and_is_named() -> None:
    storage = {"s3": {"region": "x", "bucket": "b"}}
    result = merge_env(storage, {"REGISTRY_STORAGE_S3_ACCESS_KEY": "AKIA"}, V2_8)
    assert result.storage["s3"]["access"] == {"key": "AKIA"}
    text = messages(result)
    assert "storage.s3.access.key" in text
    assert "REGISTRY_STORAGE_S3_ACCESSKEY" in text


def test_underscore_keys_cannot_be_addressed() -> None:
    storage = {"azure": {"accountname": "a", "container": "c"}}
    result = merge_env(storage, {"REGISTRY_STORAGE_AZURE_MAX_RETRIES": "3"}, V3_0)
    text = messages(result)
    assert "storage.azure.max.retries" in text


def test_lower_case_components_and_unknown_top_levels_are_ignored() -> None:
    env = {"REGISTRY_storage_s3_bucket": "x", "REGISTRY_STORGE_S3_BUCKET": "y"}
    result = merge_env(FS, env, V2_8)
    assert result.storage == FS
    text = messages(result)
    assert "REGISTRY_STORAGE?" in text
    assert not result.errors


def test_values_are_retyped_by_yaml_and_secrets_are_not_shown() -> None:
    storage = {"s3": {"region": "x", "bucket": "b"}}
    env = {
        "REGISTRY_STORAGE_S3_SECRETKEY": "0123",
        "REGISTRY_STORAGE_S3_BUCKET": "0777",
        "REGISTRY_STORAGE_S3_ACCESSKEY": "'0123'",
    }
    result = merge_env(storage, env, V2_8)
    assert result.storage["s3"]["secretkey"] == 83
    assert result.storage["s3"]["bucket"] == 511
    assert result.storage["s3"]["accesskey"] == "0123"
    text = messages(result)
    assert "REGISTRY_STORAGE_S3_SECRETKEY" in text
    assert "0123" not in text.split("REGISTRY_STORAGE_S3_SECRETKEY")[1].split("\n")[0]
    assert "octal number 511" in text


def test_invalid_yaml_value_stops_the_registry() -> None:
    result = merge_env(FS, {"REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY": "[x"}, V2_8)
    assert result.errors and "not valid YAML" in result.errors[0].message


def test_maintenance_inside_an_existing_block_is_ignored() -> None:
    storage = {**FS, "maintenance": {"uploadpurging": {"enabled": True}}}
    env = {"REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_ENABLED": "false"}
    result = merge_env(storage, env, V2_8)
    assert result.storage["maintenance"] == {"uploadpurging": {"enabled": True}}
    assert result.findings[0].severity is Severity.WARNING
    assert "ignored" in result.findings[0].message


def test_maintenance_block_made_from_env_panics() -> None:
    env = {"REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED": "true"}
    result = merge_env(FS, env, V2_8)
    assert result.errors and "config key must contain additional keys" in result.errors[0].message


def test_options_from_env_are_fine() -> None:
    env = {"REGISTRY_STORAGE_DELETE_ENABLED": "false", "REGISTRY_STORAGE_REDIRECT_DISABLE": "true"}
    result = merge_env(FS, env, V2_8)
    assert result.storage["delete"] == {"enabled": False}
    assert result.storage["redirect"] == {"disable": True}
    assert result.findings == []


def test_storage_as_a_flow_mapping() -> None:
    env = {"REGISTRY_STORAGE": "{inmemory: }"}
    result = merge_env(FS, env, V2_8)
    assert result.storage == {"inmemory": {}}
    assert result.driver == "inmemory"
