"""The "settings" row: check fails what the real registry refuses at startup (QA A1, C4).

Each config is otherwise right for a real moto bucket, so every live probe passes; the real
registry 2.8.2 on the same file exits at startup, and check must say so with the field.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks import Status, checks_for, run_checks
from tests.support.moto import MotoServer
from tests.support.ports import free_port
from tests.support.registry import registry_config_text, run_registry_expecting_failure

from .conftest import check_storage


@pytest.fixture(scope="module")
def bucket(moto_server: MotoServer) -> str:
    return moto_server.create_bucket(f"set-{uuid.uuid4().hex[:8]}")


@pytest.mark.parametrize(
    ("s3_extra", "options", "field", "allowed", "registry_says"),
    [
        ({"chunksize": 1024}, {}, "storage.s3.chunksize", "5242880", "chunksize 1024"),
        ({"secure": "yes"}, {}, "storage.s3.secure", "true or false", "secure parameter"),
        (
            {},
            {"redirect": {"disabled": True}},
            "storage.redirect.disable",
            "disable: true",
            "invalid type for redirect config",
        ),
        (
            {},
            {"maintenance": {"uploadpurging": {"enabled": True, "age": "168h"}}},
            "storage.maintenance.uploadpurging",
            "",
            "upload purge configuration",
        ),
    ],
)
def test_a_config_the_registry_refuses_fails_check(
    moto_server: MotoServer,
    bucket: str,
    tmp_path: Path,
    s3_extra: dict[str, Any],
    options: dict[str, Any],
    field: str,
    allowed: str,
    registry_says: str,
) -> None:
    storage: dict[str, Any] = {"s3": {**moto_server.registry_storage(bucket)["s3"], **s3_extra}}
    storage.update(options)
    results = run_checks(StorageDraft.from_view(storage, V2_8), V2_8)
    first = results[0]
    assert first.name == "settings" and first.status is Status.FAIL, first
    assert field in first.detail and allowed in first.detail and "refuses to start" in first.detail
    assert "allowed value" in first.fix
    # every live probe passed: before the settings row the run said "all passed"
    assert all(r.status is not Status.FAIL for r in results[1:]), results
    config = tmp_path / "config.yml"
    config.write_text(registry_config_text(storage, free_port()))
    code, output = run_registry_expecting_failure(config)
    assert code != 0 and registry_says in output, output[-2000:]


def test_redis_cache_needs_a_redis_section_only_when_the_file_has_none(
    moto_server: MotoServer, bucket: str
) -> None:
    storage = {**moto_server.registry_storage(bucket), "cache": {"blobdescriptor": "redis"}}
    draft = StorageDraft.from_view(storage, V2_8)
    without = run_checks(draft, V2_8, has_redis=False)[0]
    assert without.status is Status.FAIL and "storage.cache.blobdescriptor" in without.detail
    assert run_checks(draft, V2_8)[0].status is Status.PASS  # has_redis defaults to True


def test_a_valid_config_passes_the_settings_row_first(moto_server: MotoServer, bucket: str) -> None:
    draft = StorageDraft("s3", moto_server.registry_storage(bucket)["s3"])
    assert [c.name for c in checks_for(draft, V2_8)][0] == "settings"
    first = run_checks(draft, V2_8)[0]
    assert first.status is Status.PASS and "accepts these settings" in first.detail


def test_a_value_the_driver_checks_cannot_read_is_said_not_raised() -> None:
    params = {"authurl": "http://127.0.0.1:9/v1.0", "username": "a:b", "password": "pw"}
    results = check_storage("swift", {**params, "container": "c", "authversion": "abc"})
    assert results["settings"].status is Status.FAIL, results.dump()
    assert "storage.swift.authversion" in results["settings"].detail
    assert results["backend"].status is Status.SKIPPED


def test_region_table_refusal_shows_when_the_network_fails() -> None:
    """C4: no endpoint, a region registry 2.8 does not know, and S3 unreachable (no internet
    here; with internet, the made-up key fails credentials): the refusal is still said."""
    params = {
        "bucket": "b",
        "region": "eu-north-1",
        "accesskey": "AKIAEXAMPLEEXAMPLE",
        "secretkey": "not-a-real-secret",
    }
    results = check_storage("s3", params, timeout=2.0)
    assert results["credentials"].status is Status.FAIL, results.dump()
    assert results["settings"].status is Status.FAIL
    assert "eu-north-1" in results["settings"].detail
    region = results["bucket region"]
    assert region.status is Status.FAIL, results.dump()
    assert "rejects region eu-north-1" in region.detail
