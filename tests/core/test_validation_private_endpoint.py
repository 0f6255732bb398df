"""With redirects on, clients download blobs from the storage endpoint itself (reference pain
point 13): an endpoint named like a Compose service (`minio`) or `localhost` is warned about."""

from __future__ import annotations

from typing import Any

import pytest

from dtr_tui.core.problems import Severity
from dtr_tui.core.validation import validate_storage
from dtr_tui.core.versions import V2_8, V3_0


def warned(storage: dict[str, Any], version: Any = V2_8) -> list[str]:
    return [
        ".".join(p.path)
        for p in validate_storage(storage, version)
        if p.severity is Severity.WARNING and "resolves on the registry's own network" in p.message
    ]


S3 = {"bucket": "b", "region": "us-east-1"}


@pytest.mark.parametrize("endpoint", ["http://minio:9000", "http://localhost:9000"])
def test_a_host_without_a_dot_is_warned_about(endpoint: str) -> None:
    assert warned({"s3": {**S3, "regionendpoint": endpoint}}) == ["storage.s3.regionendpoint"]


@pytest.mark.parametrize(
    "endpoint", ["https://minio.example.com", "http://10.0.0.5:9000", "http://[::1]:9000"]
)
def test_a_domain_or_an_address_is_not(endpoint: str) -> None:
    assert warned({"s3": {**S3, "regionendpoint": endpoint}}) == []


def test_not_with_redirects_off_and_for_azure_too() -> None:
    off = {"s3": {**S3, "regionendpoint": "http://minio:9000"}, "redirect": {"disable": True}}
    assert warned(off) == []
    azure = {
        "azure": {
            "accountname": "a",
            "container": "c",
            "serviceurl": "http://azurite:10000/a",
            "credentials": {"type": "default_credentials"},
        }
    }
    assert warned(azure, V3_0) == ["storage.azure.serviceurl"]


def test_a_half_typed_ipv6_endpoint_does_not_break_validation() -> None:
    """`http://[` is what the field holds while an IPv6 endpoint is typed (it raised)."""
    assert warned({"s3": {**S3, "regionendpoint": "http://["}}) == []
