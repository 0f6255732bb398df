"""S3 checks: every call the registry's s3 driver makes, with the IAM action each one needs."""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...core.draft import StorageDraft
from ...core.drivers.s3 import REGIONS_2_8, REGIONS_3
from ...core.versions import RegistryVersion
from .errors import network_problem, quiet_insecure_requests
from .model import (
    Check,
    CheckContext,
    CheckFailed,
    Outcome,
    Status,
    passed,
    sdk_timeout,
    skipped,
    warned,
)

WARN_SKEW = 5 * 60
FAIL_SKEW = 15 * 60
# The local clock; tests shift it to produce a skew no server here can (moto keeps real time).
now: Callable[[], float] = time.time

# The credential sources boto3 can find and the registry 2.8 driver cannot (its hand-built
# chain is static keys, env, shared file, EC2 role).
_NOT_IN_2_8 = {
    "container-role": "an ECS task role",
    "assume-role-with-web-identity": "a web identity (IRSA) role",
    "assume-role": "an assume-role profile",
    "sso": "an SSO profile",
    "custom-process": "a credential_process",
}
_SOURCES = {
    "explicit": "accesskey/secretkey in the config",
    "env": "the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
    "shared-credentials-file": "the shared credentials file (~/.aws/credentials)",
    "config-file": "the AWS config file (~/.aws/config)",
    "iam-role": "the EC2 instance role",
    "container-role": "the ECS task role",
    "assume-role-with-web-identity": "a web identity role (AWS_ROLE_ARN)",
    "assume-role": "an assume-role profile",
}


def _truthy(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in {"1", "t", "true"}
    return bool(value)


@dataclass
class S3Target:
    """The draft as the registry's driver will read it: endpoint, addressing, credentials."""

    bucket: str
    region: str
    accesskey: str
    secretkey: str
    endpoint: str | None
    secure: bool
    skipverify: bool
    path_style: bool
    root: str
    version: RegistryVersion
    put_extra: dict[str, Any]
    sigv4: bool

    @classmethod
    def from_draft(cls, draft: StorageDraft, version: RegistryVersion) -> S3Target:
        p: Mapping[str, Any] = draft.params
        secure = _truthy(p.get("secure"), True)
        endpoint = str(p.get("regionendpoint") or "") or None
        if endpoint and "://" not in endpoint:
            endpoint = ("https://" if secure else "http://") + endpoint
        if version.major == 2:
            path_style = endpoint is not None
        else:
            path_style = _truthy(p.get("forcepathstyle"), False)
        extra: dict[str, Any] = {}
        acl = p.get("objectacl") or "private"
        extra["ACL"] = str(acl)
        storage_class = str(p.get("storageclass") or "STANDARD").upper()
        if storage_class != "NONE":
            extra["StorageClass"] = storage_class
        if _truthy(p.get("encrypt"), False):
            if p.get("keyid"):
                extra["ServerSideEncryption"] = "aws:kms"
                extra["SSEKMSKeyId"] = str(p["keyid"])
            else:
                extra["ServerSideEncryption"] = "AES256"
        return cls(
            bucket=str(p.get("bucket") or ""),
            region=str(p.get("region") or ""),
            accesskey=str(p.get("accesskey") or ""),
            secretkey=str(p.get("secretkey") or ""),
            endpoint=endpoint,
            secure=secure,
            skipverify=_truthy(p.get("skipverify"), False),
            path_style=path_style,
            root=str(p.get("rootdirectory") or "").strip("/"),
            version=version,
            put_extra=extra,
            sigv4=_truthy(p.get("v4auth"), True),
        )

    @property
    def aws_host(self) -> str:
        """Amazon S3's host for the region (the one the SDK connects to, bucket aside)."""
        region = self.region or "us-east-1"
        return f"s3.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")

    @property
    def where(self) -> str:
        return self.endpoint or self.aws_host

    def key(self, name: str) -> str:
        return f"{self.root}/{name}" if self.root else name

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"


class S3Session:
    """One boto3 client for all checks of a run, built on first use (clients are thread-safe)."""

    def __init__(self, target: S3Target, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self._lock = threading.Lock()
        self._client: Any = None
        self._creds_lock = threading.Lock()
        self._resolved: tuple[str, Any] | None = None

    def credential_source(self, ctx: CheckContext | None = None) -> tuple[str, Any]:
        """(boto3's name for where the credentials came from, frozen credentials or None for
        the config's keys) or fail. The default chain is walked once per run, in this
        process's environment."""
        t = self.target
        if t.accesskey and t.secretkey:
            return "explicit", None
        with self._creds_lock:
            if self._resolved is None:
                self._resolved = _default_chain(
                    ctx.remaining if ctx else self.timeout, _blank_keys(t)
                )
        source, creds = self._resolved
        if creds is None:
            raise CheckFailed(source, _NO_CREDENTIALS_FIX)
        return source, creds

    def client(self, ctx: CheckContext) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make(ctx)
            return self._client

    def _make(self, ctx: CheckContext) -> Any:
        from botocore.config import Config

        t = self.target
        session = _boto_session()
        # Timed from what is left once boto3 is loaded, so its start-up is not added on top.
        seconds = sdk_timeout(min(self.timeout, ctx.remaining))
        config = Config(
            connect_timeout=seconds,
            read_timeout=seconds,
            # One attempt in all: botocore's `max_attempts` counts retries, so 1 meant two
            # tries, and an endpoint that never answers took twice the read timeout.
            retries={"total_max_attempts": 1, "mode": "standard"},
            s3={"addressing_style": "path" if t.path_style else "virtual"},
            signature_version="s3v4" if t.sigv4 else "s3",
            user_agent_extra="dtr-tui-check",
        )
        kwargs: dict[str, Any] = {}
        if t.accesskey and t.secretkey:
            kwargs = {"aws_access_key_id": t.accesskey, "aws_secret_access_key": t.secretkey}
        else:
            _source, creds = self.credential_source(ctx)
            kwargs = {
                "aws_access_key_id": creds.access_key,
                "aws_secret_access_key": creds.secret_key,
                "aws_session_token": creds.token,
            }
        verify: bool | str = False if t.skipverify else (ctx.ca_bundle or _system_ca() or True)
        if t.skipverify:
            quiet_insecure_requests()
        with _BOTO_LOCK:  # a boto3 session is not thread-safe; its clients are
            client = session.client(
                "s3",
                region_name=t.region or "us-east-1",
                endpoint_url=t.endpoint,
                use_ssl=t.secure if t.endpoint is None else t.endpoint.startswith("https"),
                verify=verify,
                config=config,
                **kwargs,
            )
        # botocore sends every body (PutObject, UploadPart) with "Expect: 100-continue" and
        # waits a fixed 1 s for the interim answer before the read timeout even starts.
        from botocore.handlers import add_expect_header

        client.meta.events.unregister("before-call.s3", add_expect_header)
        return client


def _blank_keys(target: S3Target) -> str:
    """What the config's keys are, for a message saying the default chain was used."""
    if target.accesskey and not target.secretkey:
        return "only accesskey is set (secretkey is blank), so the registry ignores it"
    if target.secretkey and not target.accesskey:
        return "only secretkey is set (accesskey is blank), so the registry ignores it"
    return "accesskey and secretkey are blank"


def _shell_source(source: str) -> str | None:
    """Where in this shell boto3 found credentials that the registry's process may not have:
    named precisely (variables, file and profile), or None for a host-wide source."""
    import os

    profile = os.environ.get("AWS_PROFILE") or "default"
    if source == "env":
        names = [n for n in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
                 if os.environ.get(n)]  # fmt: skip
        return "the variables " + ", ".join(names) + " of the shell running dtr-tui"
    if source == "shared-credentials-file":
        path = os.path.expanduser(
            os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
        )
        return f"profile {profile} of {path}, read by dtr-tui as {_user()}"
    if source == "config-file":
        path = os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")
        return f"profile {profile} of {path}, read by dtr-tui as {_user()}"
    return None


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "this user"


_NO_CREDENTIALS_FIX = (
    "set accesskey and secretkey, or give the registry host an IAM instance role "
    "(or the registry's environment AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
)


def _default_chain(
    seconds: float, keys: str = "accesskey and secretkey are blank"
) -> tuple[str, Any]:
    """Walk boto3's credential chain as the registry's would be walked on this host:
    (source, frozen credentials), or (why none were found, None)."""
    import os

    import boto3
    import botocore.session
    from botocore.configprovider import ConstantProvider
    from botocore.exceptions import BotoCoreError

    core = botocore.session.get_session()
    # The instance-metadata lookup must end within the check, not after botocore's whole
    # seconds (its config variable is cast to int; a provider keeps the fraction).
    store = core.get_component("config_store")
    imds = max(0.1, sdk_timeout(seconds) / 3)
    store.set_config_provider("metadata_service_timeout", ConstantProvider(imds))
    store.set_config_provider("metadata_service_num_attempts", ConstantProvider(1))
    try:
        creds = boto3.session.Session(botocore_session=core).get_credentials()
        frozen = creds.get_frozen_credentials() if creds is not None else None
    except BotoCoreError as err:  # e.g. ProfileNotFound, a broken config file
        return f"the default credential chain failed: {err}", None
    if frozen is None or not frozen.access_key:
        shared = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
        config = os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
        profile = os.environ.get("AWS_PROFILE") or "default"
        where = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or "http://169.254.169.254"
        return (
            f"no credentials: {keys}, and the default chain found "
            "none on this host: no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment, "
            f"no keys for profile {profile} in {shared} or {config}, no instance role "
            f"answering at {where}",
            None,
        )
    return str(getattr(creds, "method", "unknown")), frozen


_BOTO_LOCK = threading.Lock()
_BOTO_SESSION: Any = None


def _boto_session() -> Any:
    """One boto3 session per process, warmed once: its loader then holds the S3 model and
    endpoint rules, so each client costs milliseconds instead of 0.1-0.2 s."""
    global _BOTO_SESSION
    with _BOTO_LOCK:
        if _BOTO_SESSION is None:
            import boto3
            import botocore.session
            from botocore.configprovider import ConstantProvider

            core = botocore.session.get_session()
            # Clients get their keys, region and endpoint from the draft: an AWS_PROFILE of
            # this shell (even one that does not exist) must not change or break them.
            core.get_component("config_store").set_config_provider(
                "profile", ConstantProvider(None)
            )
            session = boto3.session.Session(botocore_session=core)
            session.client(
                "s3",
                region_name="us-east-1",
                aws_access_key_id="warm-up",
                aws_secret_access_key="warm-up",
            )
            _BOTO_SESSION = session
        return _BOTO_SESSION


def _system_ca() -> str | None:
    """The CA file the registry host's TLS uses (Debian's bundle), not boto3's own copy."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if candidate:
            try:
                with open(candidate, "rb"):
                    return candidate
            except OSError:
                continue
    return None


def s3_error(
    err: BaseException,
    target: S3Target,
    action: str,
    resource: str,
    timeout: float | None = None,
) -> CheckFailed:
    """The CheckFailed for an error of one S3 call that needs IAM `action` on `resource`;
    `timeout` is the check's, named when the endpoint did not answer."""
    from xml.etree.ElementTree import ParseError

    from botocore.exceptions import ClientError, NoCredentialsError
    from botocore.parsers import ResponseParserError

    if isinstance(err, NoCredentialsError):
        return CheckFailed(
            "no credentials found", "set accesskey and secretkey, or give the host an IAM role"
        )
    if not isinstance(err, ClientError):
        problem = network_problem(err, target.where, timeout)
        if problem is not None:
            return problem
        if isinstance(err, ParseError | ResponseParserError):  # a body S3 would not send
            return CheckFailed(
                f"{target.where} did not answer as an S3 API does ({action}: {err})",
                "check regionendpoint: the base URL of the S3 API (e.g. https://s3.example.com), "
                "not a web console, a bucket's URL or a path",
            )
        return CheckFailed(f"{action}: {type(err).__name__}: {err}")
    info = err.response.get("Error", {})
    code = str(info.get("Code") or "")
    message = str(info.get("Message") or "")
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    headers = err.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    if code == "SignatureDoesNotMatch":
        return CheckFailed(
            "the secret key does not match the access key (SignatureDoesNotMatch)",
            "copy secretkey again from the same key pair as accesskey",
        )
    if code in ("InvalidAccessKeyId", "InvalidClientTokenId"):
        return CheckFailed(
            "the server does not know this access key (InvalidAccessKeyId)",
            "check accesskey; a deleted or inactive key must be replaced",
        )
    if code in ("ExpiredToken", "InvalidToken", "TokenRefreshRequired"):
        return CheckFailed(
            f"the session credentials are expired or invalid ({code})",
            "refresh the role credentials, or use long-lived keys",
        )
    if code == "RequestTimeTooSkewed":
        return CheckFailed(
            "this host's clock is more than 15 minutes off the server's (RequestTimeTooSkewed)",
            "run NTP (chrony or systemd-timesyncd) on the registry host",
        )
    if code == "AuthorizationHeaderMalformed" and "expecting" in message:
        right = message.rsplit("expecting", 1)[1].strip(" '\".")
        return CheckFailed(
            f"the bucket is in region {right}, not {target.region}",
            f"set region: {right}",
        )
    if code in ("PermanentRedirect", "301") or status == 301:
        right = headers.get("x-amz-bucket-region", "another region")
        return CheckFailed(
            f"the bucket is in region {right}, not {target.region}",
            f"set region: {right}",
        )
    if code == "NoSuchBucket" or (status == 404 and action != "s3:GetObject"):
        return missing_bucket(target)
    if code == "AccessDenied" or status == 403:
        return CheckFailed(
            f"access denied: the credentials lack {action} on {resource}",
            f"grant {action} on {resource} (dtr-tui policy prints the whole policy)",
        )
    return CheckFailed(f"{action} failed: {code or status} {message}".strip())


def missing_bucket(target: S3Target) -> CheckFailed:
    region = target.region or "us-east-1"
    return CheckFailed(
        f"bucket {target.bucket} does not exist (the registry does not create it)",
        f"create it: dtr-tui check --create --yes (same flags), or "
        f"aws s3 mb s3://{target.bucket} --region {region}",
    )


def _date_of(response: Mapping[str, Any]) -> str | None:
    return response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")


def s3_checks(draft: StorageDraft, version: RegistryVersion, timeout: float = 5.0) -> list[Check]:
    """The S3 checks for a draft; they share one client and run concurrently."""
    target = S3Target.from_draft(draft, version)
    session = S3Session(target, timeout)
    bucket_arn = target.bucket_arn
    objects_arn = f"arn:aws:s3:::{target.bucket}/*"

    def call(ctx: CheckContext, action: str, resource: str, op: str, **kw: Any) -> Any:
        ctx.check_cancel()
        client = session.client(ctx)
        try:
            return getattr(client, op)(**kw)
        except Exception as err:
            raise s3_error(err, target, action, resource, timeout) from None

    def credentials(ctx: CheckContext) -> Outcome:
        source, _ = session.credential_source(ctx)
        where = _SOURCES.get(source, source)
        if version.major == 2 and source in _NOT_IN_2_8:
            raise CheckFailed(
                f"credentials come from {_NOT_IN_2_8[source]}, which registry 2.8 cannot use "
                "(its chain is static keys, env, shared file, EC2 role)",
                "use registry 3.x, or set accesskey/secretkey",
            )
        try:
            call(
                ctx, "s3:GetBucketLocation", bucket_arn, "get_bucket_location", Bucket=target.bucket
            )
        except CheckFailed as failed:
            if "access denied" not in failed.detail and "does not exist" not in failed.detail:
                raise
        if bool(target.accesskey) != bool(target.secretkey):
            return warned(
                f"{_blank_keys(target)}; accepted by {target.where} with credentials from "
                f"{_shell_source(source) or where}",
                "set both accesskey and secretkey, or leave both out to use the default chain",
            )
        shell = _shell_source(source)
        if shell:
            return warned(
                f"accepted by {target.where} with credentials from {shell}: not necessarily "
                "in the registry's environment, which does not share this shell's variables "
                "or home directory",
                "set accesskey and secretkey, or give the registry's process (its container) "
                "the same AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or credentials file",
            )
        return passed(f"accepted by {target.where}; from {where}")

    def bucket_exists(ctx: CheckContext) -> Outcome:
        try:
            call(
                ctx, "s3:GetBucketLocation", bucket_arn, "get_bucket_location", Bucket=target.bucket
            )
        except CheckFailed as failed:
            if "access denied" not in failed.detail:
                raise
            call(
                ctx, "s3:ListBucket", bucket_arn, "list_objects_v2", Bucket=target.bucket, MaxKeys=1
            )
        return passed(f"bucket {target.bucket} exists")

    def region(ctx: CheckContext) -> Outcome:
        problem = _region_table_problem(target, version)
        if problem:
            raise problem
        answer = call(
            ctx, "s3:GetBucketLocation", bucket_arn, "get_bucket_location", Bucket=target.bucket
        )
        found = answer.get("LocationConstraint") or "us-east-1"
        if found == "EU":
            found = "eu-west-1"
        if target.region and found != target.region and target.endpoint:
            # The client signs with the configured region, and the server took it (a refusal
            # is AuthorizationHeaderMalformed, a failure above); with regionendpoint the
            # registry sends that region too and accepts any string for it.
            return warned(
                f"the server says the bucket is in region {found}, not {target.region}; it "
                f"accepted requests signed for {target.region}, and with regionendpoint the "
                "registry accepts any region, so this works",
                f"set region: {found} to match what the server reports",
            )
        if target.region and found != target.region:
            raise CheckFailed(
                f"the bucket is in region {found}, not {target.region}",
                f"set region: {found}",
            )
        return passed(f"bucket region {found} matches")

    def listing(ctx: CheckContext) -> Outcome:
        prefix = target.key("")
        answer = call(
            ctx,
            "s3:ListBucket",
            bucket_arn,
            "list_objects_v2",
            Bucket=target.bucket,
            Prefix=target.key("docker/registry/v2/repositories/"),
            MaxKeys=1,
        )
        holds = "holds registry data" if answer.get("KeyCount") else "holds no registry data yet"
        return passed(f"listed {'/' + prefix if prefix else 'the bucket root'}: {holds}")

    def probe(ctx: CheckContext) -> Outcome:
        key = target.key(f"dtr-tui-check/{uuid.uuid4().hex}")
        body = b"dtr-tui storage check " + key.encode()
        call(
            ctx,
            "s3:PutObject",
            objects_arn,
            "put_object",
            Bucket=target.bucket,
            Key=key,
            Body=body,
            **target.put_extra,
        )
        try:
            got = call(
                ctx, "s3:GetObject", objects_arn, "get_object", Bucket=target.bucket, Key=key
            )
            if got["Body"].read() != body:
                raise CheckFailed(f"read back other bytes than written at {key}")
        finally:
            try:
                call(
                    ctx,
                    "s3:DeleteObject",
                    objects_arn,
                    "delete_object",
                    Bucket=target.bucket,
                    Key=key,
                )
            except CheckFailed as failed:
                failed.detail += f" (probe object {key} was left behind)"
                raise
        return passed(f"wrote, read and deleted {key}")

    def multipart(ctx: CheckContext) -> Outcome:
        key = target.key(f"dtr-tui-check/{uuid.uuid4().hex}-multipart")
        up = call(
            ctx,
            "s3:PutObject",
            objects_arn,
            "create_multipart_upload",
            Bucket=target.bucket,
            Key=key,
            **target.put_extra,
        )
        upload_id = up["UploadId"]
        aborted = False
        try:
            call(
                ctx,
                "s3:PutObject",
                objects_arn,
                "upload_part",
                Bucket=target.bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=1,
                Body=b"x" * 1024,
            )
            call(
                ctx,
                "s3:ListMultipartUploadParts",
                objects_arn,
                "list_parts",
                Bucket=target.bucket,
                Key=key,
                UploadId=upload_id,
            )
            call(
                ctx,
                "s3:ListBucketMultipartUploads",
                bucket_arn,
                "list_multipart_uploads",
                Bucket=target.bucket,
                Prefix=key,
            )
            call(
                ctx,
                "s3:AbortMultipartUpload",
                objects_arn,
                "abort_multipart_upload",
                Bucket=target.bucket,
                Key=key,
                UploadId=upload_id,
            )
            aborted = True
        finally:
            if not aborted:
                try:
                    session.client(ctx).abort_multipart_upload(
                        Bucket=target.bucket, Key=key, UploadId=upload_id
                    )
                except Exception:  # noqa: BLE001 - best effort; the check already failed
                    pass
        return passed("create, upload part, list parts, list uploads and abort all allowed")

    def clock(ctx: CheckContext) -> Outcome:
        from botocore.exceptions import ClientError

        try:
            client = session.client(ctx)
        except CheckFailed as failed:
            if not failed.detail.startswith(("no credentials", "the default credential chain")):
                raise
            return skipped("not checked: no credentials to sign a request with")
        before = now()
        try:
            response = client.list_objects_v2(Bucket=target.bucket, MaxKeys=0)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code == "RequestTimeTooSkewed":
                raise s3_error(err, target, "", "") from None
            response = err.response
        except Exception as err:
            raise s3_error(err, target, "s3:ListBucket", bucket_arn, timeout) from None
        after = now()
        date = _date_of(response)
        if not date:
            return skipped("the server sent no Date header")
        server = email.utils.parsedate_to_datetime(date).timestamp()
        return skew_outcome(server - (before + after) / 2)

    def tls(ctx: CheckContext) -> Outcome:
        endpoint = target.endpoint or (f"https://{target.aws_host}" if target.secure else None)
        if not endpoint or not endpoint.startswith("https://"):
            return skipped("plain HTTP endpoint: no TLS to check (traffic is not encrypted)")
        return tls_outcome(endpoint, target.skipverify, ctx)

    def addressing(ctx: CheckContext) -> Outcome:
        if target.endpoint is None:
            return passed("Amazon S3: virtual-host addressing")
        if target.path_style:
            why = "registry 2.8 forces it with regionendpoint" if version.major == 2 else ""
            return passed("path-style addressing" + (f" ({why})" if why else ""))
        host = urlsplit(target.endpoint).hostname or ""
        fix = (
            "set forcepathstyle: true (registry 3 no longer forces path-style when "
            "regionendpoint is set)"
        )
        if _is_ip(host) or host == "localhost":
            raise CheckFailed(
                f"virtual-host addressing puts the bucket in the host name "
                f"({target.bucket}.{host}), which cannot work with {host}",
                fix,
            )
        try:
            socket.getaddrinfo(f"{target.bucket}.{host}", None)
        except OSError:
            raise CheckFailed(
                f"virtual-host addressing needs {target.bucket}.{host} to resolve, and it does not",
                fix,
            ) from None
        return passed(f"virtual-host addressing: {target.bucket}.{host} resolves")

    creds = ("credentials",)
    exists = ("credentials", "bucket exists")
    return [
        Check("credentials", credentials),
        Check("bucket exists", bucket_exists, creds),
        # A region the registry refuses offline is said whatever the network does.
        Check("bucket region", region, () if _region_table_problem(target, version) else exists),
        Check("list objects", listing, exists),
        Check("write, read, delete", probe, exists),
        Check("multipart upload", multipart, exists),
        Check("clock skew", clock),
        Check("TLS", tls),
        Check("addressing style", addressing),
    ]


def _region_table_problem(target: S3Target, version: RegistryVersion) -> CheckFailed | None:
    if target.endpoint or not target.region:
        return None
    table = REGIONS_2_8 if version.major == 2 else REGIONS_3
    if target.region in table:
        return None
    if version.major == 2:
        return CheckFailed(
            f"registry 2.8 rejects region {target.region} (its SDK knows only 18 regions)",
            f"use registry 3.x, or set regionendpoint: https://s3.{target.region}.amazonaws.com",
        )
    return CheckFailed(f"registry {version} does not know region {target.region}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def skew_outcome(skew: float) -> Outcome:
    """Pass, warn (5 min) or fail (15 min, where S3 refuses requests) for a clock offset."""
    seconds = round(skew)
    ahead = "behind" if seconds > 0 else "ahead of"
    text = f"this host's clock is {abs(seconds)} s {ahead} the server's"
    fix = "run NTP (chrony or systemd-timesyncd) on the registry host"
    if abs(skew) >= FAIL_SKEW:
        raise CheckFailed(text + ": S3 refuses requests 15 min off (RequestTimeTooSkewed)", fix)
    if abs(skew) >= WARN_SKEW:
        return warned(text + ": S3 refuses requests at 15 min", fix)
    return passed(f"clock within {abs(seconds)} s of the server's")


def tls_outcome(url: str, skipverify: bool, ctx: CheckContext) -> Outcome:
    """Handshake with `url`'s host verifying against the host's CAs (plus `ctx.ca_bundle`)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or 443
    context = ssl.create_default_context()
    if ctx.ca_bundle:
        context.load_verify_locations(cafile=ctx.ca_bundle)
    try:
        with socket.create_connection((host, port), timeout=ctx.remaining) as sock:
            with context.wrap_socket(sock, server_hostname=host):
                pass
    except ssl.SSLCertVerificationError as err:
        reason = err.verify_message or "certificate verify failed"
        if skipverify:
            return warned(
                f"the certificate of {host}:{port} is not trusted ({reason}); skipverify is on, "
                "so anyone on the path can read and change the traffic",
                "give the registry host the CA and turn skipverify off",
            )
        raise CheckFailed(
            f"the certificate of {host}:{port} is not trusted ({reason})",
            "mount the CA that signed it into the registry container at "
            "/etc/ssl/certs/ca-certificates.crt, or set skipverify: true (not for production)",
        ) from None
    except OSError as err:
        problem = network_problem(err, f"{host}:{port}")
        raise problem or CheckFailed(f"TLS connection to {host}:{port} failed: {err}") from None
    if skipverify:
        return warned(
            f"the certificate of {host}:{port} is trusted, but skipverify is on",
            "set skipverify: false",
        )
    return passed(f"certificate of {host}:{port} is trusted")


__all__ = ["S3Target", "s3_checks", "skew_outcome", "tls_outcome", "Status"]
