"""Provisioning that the checks point to: create a missing bucket/container, the S3 IAM policy.

Each function changes the backend, so callers confirm with the person first (the CLI's --yes).
"""

from __future__ import annotations

import json
from typing import Any

from ...core.draft import StorageDraft
from ...core.errors import DtrError
from ...core.versions import RegistryVersion

# DTR's documented policy plus what the registry's aws-sdk driver needs on push (multipart
# listing and abort) and GetBucketLocation: each action with the resource it applies to.
BUCKET_ACTIONS = (
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:ListBucketMultipartUploads",
)
OBJECT_ACTIONS = (
    "s3:PutObject",
    "s3:GetObject",
    "s3:DeleteObject",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
)
POLICY_NAME = "dtr-tui-registry-storage"


def iam_policy(bucket: str, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """The minimal IAM policy for the registry on `bucket` (`without` drops actions, for tests)."""
    if not bucket:
        raise DtrError("no bucket set", field="storage.s3.bucket", hint="set the bucket first")
    bucket_actions = [a for a in BUCKET_ACTIONS if a not in without]
    object_actions = [a for a in OBJECT_ACTIONS if a not in without]
    statements: list[dict[str, Any]] = []
    if bucket_actions:
        statements.append(
            {
                "Sid": "RegistryBucket",
                "Effect": "Allow",
                "Action": bucket_actions,
                "Resource": f"arn:aws:s3:::{bucket}",
            }
        )
    if object_actions:
        statements.append(
            {
                "Sid": "RegistryObjects",
                "Effect": "Allow",
                "Action": object_actions,
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def policy_text(bucket: str) -> str:
    return json.dumps(iam_policy(bucket), indent=2) + "\n"


def apply_policy(
    draft: StorageDraft,
    version: RegistryVersion,
    user: str,
    *,
    iam_endpoint: str | None = None,
    policy: dict[str, Any] | None = None,
    timeout: float = 10.0,
) -> str:
    """put-user-policy on `user` with the draft's credentials; returns a sentence saying what."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .s3 import S3Target, s3_error

    target = S3Target.from_draft(draft, version)
    document = policy or iam_policy(target.bucket)
    client = _client("iam", target, timeout, endpoint=iam_endpoint or target.endpoint)
    try:
        client.put_user_policy(
            UserName=user, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(document)
        )
    except (ClientError, BotoCoreError) as err:
        failed = s3_error(err, target, "iam:PutUserPolicy", f"user {user}")
        raise DtrError(failed.detail, hint=failed.fix) from None
    return f"applied policy {POLICY_NAME} to IAM user {user}"


def create_bucket(draft: StorageDraft, version: RegistryVersion, *, timeout: float = 10.0) -> str:
    """Create the draft's S3 bucket in its region; returns a sentence saying what was done."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .s3 import S3Target, s3_error

    target = S3Target.from_draft(draft, version)
    client = _client("s3", target, timeout, endpoint=target.endpoint)
    kwargs: dict[str, Any] = {"Bucket": target.bucket}
    if target.region and target.region != "us-east-1" and target.endpoint is None:
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    try:
        client.create_bucket(**kwargs)
    except (ClientError, BotoCoreError) as err:
        failed = s3_error(err, target, "s3:CreateBucket", target.bucket_arn)
        raise DtrError(failed.detail, hint=failed.fix) from None
    return f"created bucket {target.bucket}"


def _client(service: str, target: Any, timeout: float, *, endpoint: str | None) -> Any:
    import boto3
    from botocore.config import Config

    kwargs: dict[str, Any] = {}
    if target.accesskey and target.secretkey:
        kwargs = {"aws_access_key_id": target.accesskey, "aws_secret_access_key": target.secretkey}
    return boto3.session.Session(**kwargs).client(
        service,
        region_name=target.region or "us-east-1",
        endpoint_url=endpoint,
        verify=not target.skipverify,
        config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 1},
            s3={"addressing_style": "path" if target.path_style else "virtual"},
        ),
    )


def create_container(
    draft: StorageDraft,
    version: RegistryVersion,
    *,
    timeout: float = 10.0,
    ca_bundle: str | None = None,
) -> str:
    """Create the swift or azure container of the draft; returns a sentence saying what."""
    if draft.driver == "swift":
        from .swift import SwiftTarget

        SwiftTarget.from_draft(draft).connection(timeout).put_container(
            str(draft.params.get("container"))
        )
        return f"created swift container {draft.params.get('container')}"
    if draft.driver == "azure":
        from .azure import AzureTarget

        target = AzureTarget.from_draft(draft, version)
        target.service(timeout, ca_bundle).create_container(target.container)
        return f"created azure container {target.container}"
    raise DtrError(f"the {draft.driver} driver has no container to create")
