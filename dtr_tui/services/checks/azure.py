"""Azure Blob checks: key format, endpoint, auth, container, probe; the endpoint as the registry
builds it.

Which endpoint: registry 2.8 always talks to ``https://ACCOUNT.blob.REALM``; 3.x uses
``serviceurl`` when set, else the same URL. The checks target exactly that URL, so an emulator
(Azurite) is reached the registry's way: on 3.x with ``serviceurl: http://127.0.0.1:10000/ACCOUNT``,
on 2.8 with ``realm: localhost:PORT`` and a name ``ACCOUNT.blob.localhost`` that resolves to it.
"""

from __future__ import annotations

import base64
import binascii
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.draft import StorageDraft
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

DEFAULT_REALM = "core.windows.net"


@dataclass
class AzureTarget:
    account: str
    key: str
    container: str
    endpoint: str
    credential_type: str
    root: str
    skipverify: bool
    creates_container: bool  # 2.8 creates a missing container at startup; 3.x does not
    version: RegistryVersion

    @classmethod
    def from_draft(cls, draft: StorageDraft, version: RegistryVersion) -> AzureTarget:
        p: Mapping[str, Any] = draft.params
        account = str(p.get("accountname") or "")
        realm = str(p.get("realm") or DEFAULT_REALM)
        creds = p.get("credentials") if isinstance(p.get("credentials"), Mapping) else {}
        if version.major == 2:
            endpoint = f"https://{account}.blob.{realm}"
            ctype = "shared_key"
        else:
            endpoint = str(p.get("serviceurl") or f"https://{account}.blob.{realm}")
            ctype = str((creds or {}).get("type") or "")
        return cls(
            account=account,
            key=str(p.get("accountkey") or ""),
            container=str(p.get("container") or ""),
            endpoint=endpoint.rstrip("/"),
            credential_type=ctype,
            root=str(p.get("rootdirectory") or "").strip("/") if version.major > 2 else "",
            skipverify=bool(p.get("skipverify")) and version.major > 2,
            creates_container=version.major == 2,
            version=version,
        )

    def service(self, timeout: float, ca_bundle: str | None = None) -> Any:
        from azure.storage.blob import BlobServiceClient

        verify: bool | str = False if self.skipverify else (ca_bundle or True)
        if self.skipverify:
            quiet_insecure_requests()
        return BlobServiceClient(
            self.endpoint,
            credential={"account_name": self.account, "account_key": self.key},
            connection_timeout=timeout,
            read_timeout=timeout,
            retry_total=0,
            connection_verify=verify,
        )


def azure_error(
    err: BaseException, target: AzureTarget, what: str, timeout: float | None = None
) -> CheckFailed:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    if isinstance(err, CheckFailed):
        return err
    raw_code = getattr(err, "error_code", "") or ""
    code = str(getattr(raw_code, "value", raw_code))
    if isinstance(err, ResourceNotFoundError) and code == "ContainerNotFound":
        return missing_container(target)
    if isinstance(err, HttpResponseError) and err.status_code == 403:
        if code in ("AuthorizationFailure", "AuthenticationFailed", ""):
            return CheckFailed(
                f"{target.endpoint} rejected the account key for {target.account} ({code or 403})",
                "copy accountkey again (Storage account > Access keys) for this account",
            )
        return CheckFailed(
            f"{what}: permission denied ({code})",
            "give the identity the Storage Blob Data Contributor role on the container",
        )
    problem = network_problem(err, target.endpoint, timeout)
    if problem:
        return problem
    if isinstance(err, HttpResponseError) and err.status_code == 400:
        return CheckFailed(
            f"{what}: HTTP 400 {code}: {target.endpoint} did not take the request as a blob "
            "account's",
            "set serviceurl to the account's blob endpoint: https://ACCOUNT.blob.core.windows.net"
            ", or for Azurite http://HOST:10000/ACCOUNT (the account name is part of the path)",
        )
    if isinstance(err, HttpResponseError):
        return CheckFailed(f"{what}: HTTP {err.status_code} {code}".strip())
    return CheckFailed(f"{what}: {type(err).__name__}: {str(err)[:200]}")


def missing_container(target: AzureTarget) -> CheckFailed:
    return CheckFailed(
        f"container {target.container} does not exist"
        + ("" if target.creates_container else " and registry 3 does not create it"),
        "create it: dtr-tui check --create --yes (same flags), or az storage container "
        f"create --name {target.container} --account-name {target.account}",
    )


def azure_checks(
    draft: StorageDraft, version: RegistryVersion, timeout: float = 5.0
) -> list[Check]:
    target = AzureTarget.from_draft(draft, version)
    lock = threading.Lock()
    cache: dict[str, Any] = {}

    def service(ctx: CheckContext) -> Any:
        ctx.check_cancel()
        with lock:
            if "svc" not in cache:
                cache["svc"] = target.service(sdk_timeout(timeout), ctx.ca_bundle)
            return cache["svc"]

    def shared_key_only(ctx: CheckContext) -> Outcome | None:
        if target.credential_type != "shared_key":
            return skipped(
                f"credentials.type {target.credential_type or '(missing)'}: only shared_key "
                "is checked live; sign-in with Azure AD was not tried"
            )
        return None

    def key_format(ctx: CheckContext) -> Outcome:
        if target.credential_type != "shared_key":
            return skipped(f"no account key used (credentials.type {target.credential_type})")
        try:
            raw = base64.b64decode(target.key, validate=True)
        except (binascii.Error, ValueError):
            raise CheckFailed(
                'accountkey is not valid base64 (the registry fails with "illegal base64 data")',
                "copy the key again, whole, from Storage account > Access keys",
            ) from None
        if not raw:
            raise CheckFailed("accountkey is empty", "set accountkey")
        return passed(f"accountkey is valid base64 ({len(raw)} bytes)")

    def endpoint(ctx: CheckContext) -> Outcome:
        import urllib.error
        import urllib.request

        from .s3 import tls_outcome

        url = target.endpoint + "/?comp=properties&restype=service"
        tls_note, tls = "", None
        if url.startswith("https://"):
            tls = tls_outcome(target.endpoint, target.skipverify, ctx)
            tls_note = "; " + tls.detail
        try:
            import ssl

            context = ssl.create_default_context(cafile=ctx.ca_bundle) if ctx.ca_bundle else None
            if target.skipverify:
                context = ssl._create_unverified_context()
            wait = sdk_timeout(ctx.remaining)
            with urllib.request.urlopen(url, timeout=wait, context=context) as resp:
                status = resp.status
        except urllib.error.HTTPError as err:
            status = err.code
        except OSError as err:
            problem = network_problem(err, target.endpoint, timeout)
            hint = "" if version.major > 2 else " (built from accountname and realm)"
            if problem:
                problem.detail += hint
            raise problem or CheckFailed(f"{target.endpoint}{hint}: {err}") from None
        if tls is not None and tls.status is Status.WARN:  # skipverify: as S3's TLS check says
            return warned(f"{target.endpoint} answers (HTTP {status}){tls_note}", tls.fix)
        return passed(f"{target.endpoint} answers (HTTP {status}){tls_note}")

    def authenticate(ctx: CheckContext) -> Outcome:
        skip = shared_key_only(ctx)
        if skip:
            return skip
        try:
            info = service(ctx).get_account_information()
        except Exception as err:
            raise azure_error(err, target, "account information", timeout) from None
        return passed(f"account {target.account} accepted the key ({info.get('account_kind')})")

    def container(ctx: CheckContext) -> Outcome:
        skip = shared_key_only(ctx)
        if skip:
            return skip
        client = service(ctx).get_container_client(target.container)
        try:
            client.get_container_properties()
        except Exception as err:
            failed = azure_error(err, target, f"container {target.container}", timeout)
            if target.creates_container and "does not exist" in failed.detail:
                return warned(failed.detail + "; registry 2.8 creates it at startup", failed.fix)
            raise failed from None
        return passed(f"container {target.container} exists")

    def probe(ctx: CheckContext) -> Outcome:
        skip = shared_key_only(ctx)
        if skip:
            return skip
        name = f"dtr-tui-check/{uuid.uuid4().hex}"
        key = f"{target.root}/{name}" if target.root else name
        body = b"dtr-tui storage check " + key.encode()
        blob = service(ctx).get_blob_client(target.container, key)
        try:
            blob.upload_blob(body, overwrite=True)
            try:
                if blob.download_blob().readall() != body:
                    raise CheckFailed(f"read back other bytes than written at {key}")
            finally:
                blob.delete_blob()
        except Exception as err:
            failed = azure_error(err, target, f"blob {key}", timeout)
            if target.creates_container and "does not exist" in failed.detail:
                # registry 2.8 creates it at startup: nothing to write into before then
                return skipped(
                    f"not checked: container {target.container} does not exist yet, so there "
                    "is nowhere to write; registry 2.8 creates it at startup",
                    "to prove writing now, create it first: dtr-tui check --create --yes "
                    "(same flags)",
                )
            raise failed from None
        return passed(f"wrote, read and deleted {target.container}/{key}")

    return [
        Check("account key", key_format),
        Check("endpoint", endpoint),
        Check("authentication", authenticate, ("account key", "endpoint")),
        Check("container", container, ("authentication",)),
        Check("write, read, delete", probe, ("authentication", "container")),
    ]
