"""S3 checks against a real moto server enforcing signatures and IAM policies."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8, V3_0
from dtr_tui.services.checks import Status, run_checks, s3
from dtr_tui.services.checks.provision import (
    BUCKET_ACTIONS,
    OBJECT_ACTIONS,
    apply_policy,
    create_bucket,
    iam_policy,
)
from tests.support.moto import MotoServer
from tests.support.push import push_test_image

from .conftest import check_storage

S3_CHECKS = (
    "settings",
    "credentials",
    "bucket exists",
    "bucket region",
    "list objects",
    "write, read, delete",
    "multipart upload",
    "clock skew",
    "TLS",
    "addressing style",
)


@pytest.fixture(scope="module")
def bucket(moto_auth_server: MotoServer) -> str:
    return moto_auth_server.create_bucket(f"reg-{uuid.uuid4().hex[:8]}")


def params(server: MotoServer, bucket: str, **extra: Any) -> dict[str, Any]:
    return dict(server.registry_storage(bucket, **extra)["s3"])


def make_user(server: MotoServer, policy: dict[str, Any]) -> tuple[str, str]:
    iam = server.client("iam")
    name = f"reg-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def test_right_config_passes_every_check(moto_auth_server: MotoServer, bucket: str) -> None:
    results = check_storage("s3", params(moto_auth_server, bucket))
    assert tuple(results) == S3_CHECKS
    results.assert_all_pass(allow_skip=("TLS",))
    assert "accesskey/secretkey in the config" in results["credentials"].detail


def test_wrong_secret_fails_credentials_and_skips_the_rest(
    moto_auth_server: MotoServer, bucket: str
) -> None:
    secret = "not-the-right-secret-" + uuid.uuid4().hex
    results = check_storage("s3", params(moto_auth_server, bucket, secretkey=secret))
    creds = results["credentials"]
    assert creds.status is Status.FAIL, results.dump()
    assert "SignatureDoesNotMatch" in creds.detail
    assert "secretkey" in creds.fix
    for name in ("bucket exists", "write, read, delete", "multipart upload"):
        assert results[name].status is Status.SKIPPED
        assert "credentials" in results[name].detail
    assert all(secret not in r.detail + r.fix for r in results.values())


def test_unknown_access_key(moto_auth_server: MotoServer, bucket: str) -> None:
    results = check_storage("s3", params(moto_auth_server, bucket, accesskey="AKIAUNKNOWN0000000"))
    assert results["credentials"].status is Status.FAIL
    assert "InvalidAccessKeyId" in results["credentials"].detail


def test_missing_bucket_names_it_and_how_to_create(moto_auth_server: MotoServer) -> None:
    results = check_storage("s3", params(moto_auth_server, "no-such-bucket-here"))
    assert results["credentials"].status is Status.PASS, results.dump()
    missing = results["bucket exists"]
    assert missing.status is Status.FAIL
    assert "no-such-bucket-here does not exist" in missing.detail
    assert "aws s3 mb s3://no-such-bucket-here" in missing.fix
    assert results["write, read, delete"].status is Status.SKIPPED


def test_create_bucket_then_checks_pass(moto_auth_server: MotoServer) -> None:
    name = f"made-{uuid.uuid4().hex[:8]}"
    draft = StorageDraft("s3", params(moto_auth_server, name))
    assert create_bucket(draft, V2_8) == f"created bucket {name}"
    check_storage("s3", draft.params).assert_all_pass(allow_skip=("TLS",))


def test_wrong_region_names_the_right_one(moto_auth_server: MotoServer, bucket: str) -> None:
    results = check_storage("s3", params(moto_auth_server, bucket, region="eu-central-1"))
    region = results["bucket region"]
    # with regionendpoint the registry accepts any region (QA C2): a warning, not a failure
    assert region.status is Status.WARN, results.dump()
    assert "us-east-1" in region.detail and "eu-central-1" in region.detail
    assert region.fix.startswith("set region: us-east-1")


def test_registry_3_without_forcepathstyle_on_an_ip_endpoint(
    moto_auth_server: MotoServer, bucket: str
) -> None:
    results = check_storage("s3", params(moto_auth_server, bucket), V3_0)
    style = results["addressing style"]
    assert style.status is Status.FAIL
    assert "forcepathstyle: true" in style.fix
    ok = check_storage("s3", params(moto_auth_server, bucket, forcepathstyle=True), V3_0)
    ok.assert_all_pass(allow_skip=("TLS",))


def test_default_chain_says_which_source(
    moto_auth_server: MotoServer, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_auth_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_auth_server.secret_key)
    p = params(moto_auth_server, bucket)
    del p["accesskey"], p["secretkey"]
    results = check_storage("s3", p)
    # found in this shell only: a warning, the registry's environment may lack them (QA A5)
    results.assert_all_pass(allow_skip=("TLS",), allow_warn=("credentials",))
    assert "AWS_ACCESS_KEY_ID" in results["credentials"].detail


# The checks that call the endpoint. Each must end with the SDK's own timeout error (naming the
# endpoint and the check's timeout), not with the runner giving up on a hung thread ("no answer
# within 1 s", no endpoint): that used to happen because botocore tried twice ("max_attempts"
# counts retries) and waited a fixed 1 s for "100 Continue" before sending a PutObject body.
# Wall-clock times are measured in bench/checks_bench.py, not asserted here.
CALLING_CHECKS = (
    "credentials", "bucket exists", "bucket region", "list objects",
    "write, read, delete", "multipart upload", "clock skew",
)  # fmt: skip


@pytest.mark.parametrize("name", CALLING_CHECKS)
def test_silent_endpoint_fails_with_the_timeout_named(bucket: str, name: str) -> None:
    """A port that accepts TCP but never answers: the SDK's read timeout, not its default 60 s."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        draft = StorageDraft("s3", {"bucket": bucket, "region": "us-east-1",
                                    "regionendpoint": endpoint, "accesskey": "a",
                                    "secretkey": "b"})  # fmt: skip
        only = [c for c in s3.s3_checks(draft, V2_8, timeout=1.0) if c.name == name]
        (result,) = run_checks(draft, V2_8, timeout=1.0, checks=only)
    assert result.status is Status.FAIL
    assert result.detail == f"no answer from {endpoint} within 1 s", result
    assert "reachable" in result.fix


def test_an_endpoint_that_is_not_an_s3_api_says_so_and_what_to_fix(bucket: str) -> None:
    """A real web server answering 404 with an empty body (a console, a wrong path): botocore
    cannot parse it; the check says what that means instead of its parser's words alone."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotS3(BaseHTTPRequestHandler):
        def _empty_404(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _empty_404

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotS3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        results = check_storage(
            "s3",
            {"bucket": bucket, "region": "us-east-1", "regionendpoint": endpoint,
             "accesskey": "a", "secretkey": "b"},
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    failed = [r for r in results.values() if r.status is Status.FAIL]
    assert failed, results.dump()
    first = failed[0]
    assert "did not answer as an S3 API" in first.detail and "regionendpoint" in first.fix, first


def test_refused_endpoint_says_so(bucket: str) -> None:
    from tests.support.ports import free_port

    results = check_storage(
        "s3",
        {
            "bucket": bucket,
            "region": "us-east-1",
            "regionendpoint": f"http://127.0.0.1:{free_port()}",
            "accesskey": "a",
            "secretkey": "b",
        },
    )
    assert "refused" in results["credentials"].detail, results.dump()


def test_clock_skew_warn_and_fail(
    moto_auth_server: MotoServer, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """STUB: no server here keeps a wrong clock, so the *local* clock is shifted instead.

    The Date header still comes from the real moto server; only `s3.now` is moved.
    """
    import time

    monkeypatch.setattr(s3, "now", lambda: time.time() - 6 * 60)
    warn = check_storage("s3", params(moto_auth_server, bucket))["clock skew"]
    assert warn.status is Status.WARN and "behind" in warn.detail, warn
    monkeypatch.setattr(s3, "now", lambda: time.time() + 16 * 60)
    fail = check_storage("s3", params(moto_auth_server, bucket))["clock skew"]
    assert fail.status is Status.FAIL and "RequestTimeTooSkewed" in fail.detail, fail
    assert "NTP" in fail.fix
    seconds = int(fail.detail.split("clock is ")[1].split(" s ")[0])
    assert 958 <= seconds <= 962  # the Date header has whole seconds


# -- the generated IAM policy on a fresh user -----------------------------------------------

# The checks that must fail, and only they, when the action is missing; moto enforces each
# of these eight (PutObject also covers creating a multipart upload and its parts).
ACTION_CHECK = {
    "s3:ListBucket": ("list objects",),
    "s3:GetBucketLocation": ("bucket region",),
    "s3:ListBucketMultipartUploads": ("multipart upload",),
    "s3:PutObject": ("write, read, delete", "multipart upload"),
    "s3:GetObject": ("write, read, delete",),
    "s3:DeleteObject": ("write, read, delete",),
    "s3:ListMultipartUploadParts": ("multipart upload",),
    "s3:AbortMultipartUpload": ("multipart upload",),
}


def test_every_policy_action_is_mapped_to_a_check() -> None:
    assert set(ACTION_CHECK) == set(BUCKET_ACTIONS) | set(OBJECT_ACTIONS)


@pytest.mark.parametrize("action", sorted(ACTION_CHECK))
def test_removing_an_action_fails_the_matching_check(
    moto_auth_server: MotoServer, bucket: str, action: str
) -> None:
    key, secret = make_user(moto_auth_server, iam_policy(bucket, without=(action,)))
    results = check_storage("s3", params(moto_auth_server, bucket, accesskey=key, secretkey=secret))
    assert sorted(results.failed()) == sorted(ACTION_CHECK[action]), results.dump()
    for name in ACTION_CHECK[action]:
        assert action in results[name].detail and action in results[name].fix


@pytest.mark.registry
def test_generated_policy_lets_a_real_registry_serve_a_push(
    moto_auth_server: MotoServer, bucket: str, registry_factory: Any
) -> None:
    admin = StorageDraft("s3", params(moto_auth_server, bucket))
    iam = moto_auth_server.client("iam")
    user = f"registry-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    apply_policy(admin, V2_8, user)  # put-user-policy through the tool, with the admin's keys
    key = iam.create_access_key(UserName=user)["AccessKey"]
    storage = moto_auth_server.registry_storage(
        bucket, accesskey=key["AccessKeyId"], secretkey=key["SecretAccessKey"]
    )
    check_storage("s3", storage["s3"]).assert_all_pass(allow_skip=("TLS",))
    registry = registry_factory.from_storage(storage)
    pushed = push_test_image(registry.url, repo=f"policy/{user}")
    listed = moto_auth_server.client("s3").list_objects_v2(Bucket=bucket, Prefix="docker/")
    keys = [o["Key"] for o in listed.get("Contents", [])]
    assert any(pushed["layer_digest"].split(":")[1] in k for k in keys)
