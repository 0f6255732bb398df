"""S3 region against a custom regionendpoint (QA C2): registry 2.8 accepts any region string
there, and pushes work, so a region that differs from the bucket's is a warning. Each case is
run through check and then through the real registry 2.8.2 on the same storage."""

from __future__ import annotations

import uuid

import pytest

from dtr_tui.services.checks import Status
from tests.support.moto import MotoServer
from tests.support.push import push_test_image

from .conftest import check_storage


@pytest.mark.parametrize(
    ("bucket_region", "region"), [("us-east-1", "garage"), ("eu-west-1", "us-east-1")]
)
def test_region_mismatch_with_an_endpoint_warns_and_the_registry_pushes(
    moto_auth_server: MotoServer, registry_factory: object, bucket_region: str, region: str
) -> None:
    bucket = f"rg-{uuid.uuid4().hex[:8]}"
    client = moto_auth_server.client()
    if bucket_region == "us-east-1":
        client.create_bucket(Bucket=bucket)
    else:
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": bucket_region}
        )
    storage = moto_auth_server.registry_storage(bucket)
    storage["s3"]["region"] = region
    results = check_storage("s3", storage["s3"])
    assert not results.failed(), results.dump()
    found = results["bucket region"]
    assert found.status is Status.WARN, results.dump()
    assert bucket_region in found.detail and region in found.detail
    assert "accepts any region" in found.detail
    assert found.fix.startswith(f"set region: {bucket_region}")
    registry = registry_factory.from_storage(storage)  # type: ignore[attr-defined]
    push_test_image(registry.url, repo="s3/region")
