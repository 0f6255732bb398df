"""The s3 driver: Amazon S3 and S3-compatible servers (MinIO, Ceph, moto)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..params import Kind, param
from ..problems import Problem, Severity
from ..versions import V2_8, V3_0, V3_1, RegistryVersion
from .base import DriverModel

if TYPE_CHECKING:  # the value types are pydantic's: read when a check runs
    from ..models import LooseBool, LooseInt, Text, Url

MIN_CHUNK = 5 * 1024 * 1024
MAX_CHUNK = 5 * 1024 * 1024 * 1024

# aws-sdk-go 1.15.11, vendored by registry 2.8: the only regions it accepts without an endpoint.
REGIONS_2_8 = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-central-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "ap-northeast-1", "ap-northeast-2", "ap-south-1",
    "ap-southeast-1", "ap-southeast-2", "sa-east-1", "cn-north-1", "cn-northwest-1",
    "us-gov-west-1",
)  # fmt: skip
# aws-sdk-go 1.55 (registry 3.x): the 2.8 table plus the regions added since.
REGIONS_3 = REGIONS_2_8 + (
    "af-south-1", "ap-east-1", "ap-northeast-3", "ap-south-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ca-west-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    "us-gov-east-1", "us-iso-east-1", "us-iso-west-1", "us-isob-east-1",
    "ap-southeast-7",
)  # fmt: skip

STORAGE_CLASSES = {
    V2_8: ("NONE", "STANDARD", "REDUCED_REDUNDANCY"),
    V3_0: (
        "NONE", "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
        "INTELLIGENT_TIERING", "OUTPOSTS", "GLACIER_IR",
    ),
}  # fmt: skip
OBJECT_ACLS = (
    "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
    "bucket-owner-read", "bucket-owner-full-control",
)  # fmt: skip
LOG_LEVELS = (
    "off", "debug", "debugwithsigning", "debugwithhttpbody", "debugwithrequestretries",
    "debugwithrequesterrors", "debugwitheventstreambody",
)  # fmt: skip


class S3Driver(DriverModel):
    name = "s3"
    title = "Amazon S3 / S3-compatible"
    summary = "An S3 bucket on AWS or an S3-compatible server (MinIO, Ceph, ...)."
    aliases = ("s3aws",)

    region: Text | None = param(
        label="AWS region",
        help="The bucket's region; with a region endpoint, any name the server accepts.",
        required={V2_8: True, V3_0: False},
        advanced=False,
        example="us-east-1",
    )
    bucket: Text | None = param(
        label="Bucket",
        help="The bucket that holds the registry's data; it must already exist.",
        required=True,
        advanced=False,
    )
    accesskey: Text | None = param(
        label="Access key",
        help="AWS access key id; leave both keys out to use the instance role or environment.",
        secret=True,
        advanced=False,
    )
    secretkey: Text | None = param(
        label="Secret key",
        help="AWS secret access key, paired with the access key.",
        secret=True,
        advanced=False,
    )
    regionendpoint: Url | None = param(
        label="Region endpoint",
        help="Endpoint of an S3-compatible server; empty for Amazon S3.",
        kind=Kind.URL,
        advanced=False,
        example="https://minio.example.com:9000",
        note={V2_8: "On 2.8 an endpoint also forces path-style addressing."},
    )
    forcepathstyle: LooseBool | None = param(
        label="Path-style addressing",
        help="Address the bucket in the path, as most S3-compatible servers need.",
        kind=Kind.BOOLEAN,
        default=False,
        since=V3_0,
    )
    rootdirectory: Text | None = param(
        label="Root directory",
        help="Prefix under which the registry stores its objects in the bucket.",
        example="/registry",
    )
    encrypt: LooseBool | None = param(
        label="Encrypt at rest",
        help="Ask S3 to encrypt objects server-side (SSE-S3, or SSE-KMS with a key id).",
        kind=Kind.BOOLEAN,
        default=False,
    )
    keyid: Text | None = param(
        label="KMS key id",
        help="KMS key used for SSE-KMS when encryption is on.",
    )
    secure: LooseBool | None = param(
        label="Use HTTPS",
        help="Talk to S3 over HTTPS.",
        kind=Kind.BOOLEAN,
        default=True,
    )
    skipverify: LooseBool | None = param(
        label="Skip TLS verification",
        help="Accept any certificate from the endpoint (self-signed test servers only).",
        kind=Kind.BOOLEAN,
        default=False,
    )
    v4auth: LooseBool | None = param(
        label="Signature version 4",
        help="Sign requests with AWS signature v4; Amazon S3 accepts nothing else.",
        kind=Kind.BOOLEAN,
        default=True,
    )
    chunksize: LooseInt | None = param(
        label="Chunk size",
        help="Size of each part of a multipart upload, in bytes.",
        kind=Kind.INTEGER,
        default=10 * 1024 * 1024,
        minimum=MIN_CHUNK,
        maximum=MAX_CHUNK,
        unit="bytes",
    )
    multipartcopychunksize: LooseInt | None = param(
        label="Multipart copy chunk size",
        help="Size of each part when S3 copies a large object, in bytes.",
        kind=Kind.INTEGER,
        default=32 * 1024 * 1024,
        minimum=MIN_CHUNK,
        maximum=MAX_CHUNK,
        unit="bytes",
    )
    multipartcopymaxconcurrency: LooseInt | None = param(
        label="Multipart copy concurrency",
        help="Most parts copied at once during a multipart copy.",
        kind=Kind.INTEGER,
        default=100,
        minimum=1,
        maximum=9223372036854775807,
    )
    multipartcopythresholdsize: LooseInt | None = param(
        label="Multipart copy threshold",
        help="Objects at least this big are copied in parts, in bytes.",
        kind=Kind.INTEGER,
        default=32 * 1024 * 1024,
        minimum=0,
        maximum=MAX_CHUNK,
        unit="bytes",
    )
    storageclass: Text | None = param(
        label="Storage class",
        help="S3 storage class for new objects (NONE sends no header).",
        kind=Kind.CHOICE,
        default="STANDARD",
        choices=STORAGE_CLASSES,
        ignore_case=True,
    )
    objectacl: Text | None = param(
        label="Object ACL",
        help="Canned ACL given to every object the registry writes.",
        kind=Kind.CHOICE,
        default="private",
        choices=OBJECT_ACLS,
    )
    useragent: Text | None = param(
        label="User agent",
        help="HTTP User-Agent for S3 requests (2.8 overwrites it with its own).",
    )
    usedualstack: LooseBool | None = param(
        label="Dual-stack endpoints",
        help="Use S3's IPv4/IPv6 dual-stack endpoints.",
        kind=Kind.BOOLEAN,
        default=False,
        since=V3_0,
    )
    accelerate: LooseBool | None = param(
        label="Transfer acceleration",
        help="Use S3 Transfer Acceleration endpoints.",
        kind=Kind.BOOLEAN,
        default=False,
        since=V3_0,
    )
    loglevel: Text | None = param(
        label="SDK log level",
        help="How much the AWS SDK logs; write it in quotes (off unquoted is a boolean).",
        kind=Kind.CHOICE,
        default="off",
        choices=LOG_LEVELS,
        ignore_case=True,
        since=V3_0,
    )
    usefipsendpoint: LooseBool | None = param(
        label="FIPS endpoints",
        help="Use the FIPS 140-2 S3 endpoints.",
        kind=Kind.BOOLEAN,
        default=False,
        since=V3_1,
    )

    @classmethod
    def cross_checks(cls, params: Mapping[str, Any], version: RegistryVersion) -> list[Problem]:
        found: list[Problem] = []
        region = params.get("region")
        endpoint = params.get("regionendpoint")
        if version.major >= 3 and not endpoint and not region:
            found.append(
                Problem(
                    ("region",),
                    "is required without a region endpoint: the registry would stop with "
                    "`no region parameter provided`",
                    "an AWS region such as us-east-1",
                )
            )
        if version.major >= 3 and endpoint and not region:
            found.append(
                Problem(
                    ("region",),
                    "is not set: the 3.x registry would sign requests for the region `<nil>`",
                    "a region name, e.g. us-east-1 for most S3-compatible servers",
                    Severity.WARNING,
                )
            )
        if isinstance(region, str) and region and not endpoint:
            table = REGIONS_2_8 if version.major == 2 else REGIONS_3
            if region not in table:
                if version.major == 2:
                    found.append(
                        Problem(
                            ("region",),
                            f"{region!r} is unknown to registry 2.8 (the official image's "
                            f"AWS SDK), which would stop with `invalid region provided: {region}`",
                            "one of "
                            + ", ".join(REGIONS_2_8)
                            + "; or set a region endpoint, or target registry 3.x",
                        )
                    )
                else:
                    found.append(
                        Problem(
                            ("region",),
                            f"{region!r} is not an AWS region this tool knows",
                            "an AWS region such as us-east-1",
                            Severity.WARNING,
                        )
                    )
        if params.get("v4auth") is False and (not endpoint or is_aws_endpoint(str(endpoint))):
            found.append(
                Problem(
                    ("v4auth",),
                    "is false, but Amazon S3 only accepts signature v4: the registry would "
                    "refuse it",
                    "true; false only with a non-AWS region endpoint",
                )
            )
        has_access = bool(params.get("accesskey"))
        has_secret = bool(params.get("secretkey"))
        if has_access != has_secret:
            missing = "secretkey" if has_access else "accesskey"
            found.append(
                Problem(
                    (missing,),
                    "is missing while its pair is set: static credentials need both keys",
                    "both access key and secret key, or neither (to use a role or environment)",
                )
            )
        if params.get("keyid") and params.get("encrypt") is not True:
            found.append(
                Problem(
                    ("keyid",),
                    "is ignored because encrypt is not true",
                    "set encrypt: true to use SSE-KMS with this key",
                    Severity.WARNING,
                )
            )
        if version.major >= 3 and endpoint and params.get("forcepathstyle") is None:
            found.append(
                Problem(
                    ("forcepathstyle",),
                    "is not set: on 3.x a region endpoint no longer implies path-style "
                    "addressing, which most S3-compatible servers need",
                    "true for MinIO, Ceph and most S3-compatible servers",
                    Severity.WARNING,
                )
            )
        return found


def is_aws_endpoint(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    return host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn")
