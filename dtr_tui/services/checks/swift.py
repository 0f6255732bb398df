"""Swift checks (registry 2.8 only): auth as the driver does it, container, probe, TempURL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.draft import StorageDraft
from ...core.versions import RegistryVersion
from .errors import network_problem
from .model import (
    Check,
    CheckContext,
    CheckFailed,
    Outcome,
    passed,
    sdk_timeout,
    skipped,
    warned,
)


def guess_auth_version(authurl: str) -> int | None:
    """What the registry's swift library does when authversion is 0: look for v3, v2, v1."""
    for version in (3, 2, 1):
        if f"v{version}" in authurl:
            return version
    return None


@dataclass
class SwiftTarget:
    authurl: str
    username: str
    password: str
    container: str
    authversion: int | None
    guessed: bool
    prefix: str
    insecure: bool
    os_options: dict[str, str]

    @classmethod
    def from_draft(cls, draft: StorageDraft) -> SwiftTarget:
        p: Mapping[str, Any] = draft.params
        authurl = str(p.get("authurl") or "")
        configured = int(p.get("authversion") or 0)
        version = configured or guess_auth_version(authurl)
        options = {
            "tenant_name": p.get("tenant"),
            "tenant_id": p.get("tenantid"),
            "user_domain_name": p.get("domain"),
            "user_domain_id": p.get("domainid"),
            "project_domain_name": p.get("tenantdomain") or p.get("domain"),
            "project_domain_id": p.get("tenantdomainid") or p.get("domainid"),
            "region_name": p.get("region"),
            "endpoint_type": f"{p.get('endpointtype') or 'public'}URL",
        }
        return cls(
            authurl=authurl,
            username=str(p.get("username") or ""),
            password=str(p.get("password") or ""),
            container=str(p.get("container") or ""),
            authversion=version,
            guessed=not configured,
            prefix=str(p.get("prefix") or "").strip("/"),
            insecure=bool(p.get("insecureskipverify")),
            os_options={k: str(v) for k, v in options.items() if v},
        )

    def connection(self, timeout: float, ca_bundle: str | None = None) -> Any:
        from swiftclient.client import Connection

        return Connection(
            authurl=self.authurl,
            user=self.username,
            key=self.password,
            auth_version=str(self.authversion or 1),
            os_options=self.os_options,
            retries=0,
            timeout=timeout,
            insecure=self.insecure,
            cacert=ca_bundle,
        )


def swift_error(
    err: BaseException, target: SwiftTarget, what: str, timeout: float | None = None
) -> CheckFailed:
    from swiftclient.exceptions import ClientException

    if isinstance(err, CheckFailed):
        return err
    if isinstance(err, ClientException):
        status = err.http_status
        if status == 401:
            return CheckFailed(
                f"{target.authurl} rejected username {target.username} with this password (401)",
                "check username and password (tempauth: account:user; keystone: also tenant "
                "and domain)",
            )
        if status == 403:
            return CheckFailed(
                f"{what}: forbidden (403) for {target.username}",
                "give the user a role with write access to the container (e.g. member / .admin)",
            )
        if status == 404:
            return CheckFailed(f"{what}: not found (404)")
        if status is None:
            problem = network_problem(err, target.authurl, timeout)
            if problem:
                return problem
        return CheckFailed(f"{what}: {err.http_status} {err.http_reason or err.msg}")
    problem = network_problem(err, target.authurl, timeout)
    return problem or CheckFailed(f"{what}: {type(err).__name__}: {err}")


def swift_checks(
    draft: StorageDraft, version: RegistryVersion, timeout: float = 5.0
) -> list[Check]:
    target = SwiftTarget.from_draft(draft)
    lock = threading.Lock()
    cache: dict[str, Any] = {}

    def conn(ctx: CheckContext) -> Any:
        """One authenticated connection per run (auth once; later calls reuse the token)."""
        ctx.check_cancel()
        with lock:
            if "failed" in cache:  # one try per run: waiting checks must not try again
                failed = cache["failed"]
                raise CheckFailed(failed.detail, failed.fix, failed.status)
            if "conn" not in cache:
                c = target.connection(sdk_timeout(ctx.remaining), ctx.ca_bundle)
                try:
                    c.get_auth()
                except Exception as err:
                    cache["failed"] = swift_error(err, target, "authentication", timeout)
                    raise cache["failed"] from None
                cache["conn"] = c
            return cache["conn"]

    def do(ctx: CheckContext, what: str, op: str, *args: Any, **kw: Any) -> Any:
        # swiftclient connections are not thread-safe: a fresh one per call, sharing the token.
        shared = conn(ctx)
        from swiftclient.client import Connection

        c = Connection(
            preauthurl=shared.url,
            preauthtoken=shared.token,
            retries=0,
            timeout=sdk_timeout(timeout),
            insecure=target.insecure,
            cacert=ctx.ca_bundle,
        )
        try:
            return getattr(c, op)(*args, **kw)
        except Exception as err:
            raise swift_error(err, target, what, timeout) from None

    def auth_version(ctx: CheckContext) -> Outcome:
        if target.authversion is None:
            raise CheckFailed(
                f"cannot tell the auth version from {target.authurl}: the registry fails with "
                '"Can\'t find AuthVersion in AuthUrl - set explicitly"',
                "set authversion: 1, 2 or 3",
            )
        how = "guessed from the URL, as the registry does" if target.guessed else "as set"
        return passed(f"auth version {target.authversion} ({how})")

    def authenticate(ctx: CheckContext) -> Outcome:
        if target.authversion is None:
            raise CheckFailed("not tried: no auth version")
        c = conn(ctx)
        return passed(f"authenticated as {target.username}; storage URL {c.url}")

    def container(ctx: CheckContext) -> Outcome:
        from swiftclient.exceptions import ClientException

        try:
            do(ctx, f"container {target.container}", "head_container", target.container)
            return passed(f"container {target.container} exists")
        except CheckFailed as failed:
            if "(404)" not in failed.detail:
                raise
        # Missing: the 2.8 driver creates it at startup; prove that creating is allowed.
        trial = f"dtr-tui-check-{uuid.uuid4().hex[:12]}"
        try:
            do(ctx, "create a container", "put_container", trial)
        except CheckFailed as failed:
            raise CheckFailed(
                f"container {target.container} does not exist, and {target.username} may not "
                f"create containers ({failed.detail}), so the registry cannot start",
                f"ask the Swift admin to create {target.container}, or give the user that right",
            ) from None
        try:
            do(ctx, "delete the trial container", "delete_container", trial)
        except (CheckFailed, ClientException):
            pass
        return warned(
            f"container {target.container} does not exist; the registry creates it at startup "
            "(creating containers is allowed)",
            "or create it now: dtr-tui check --create --yes (same flags)",
        )

    def _container_exists(ctx: CheckContext) -> bool:
        try:
            do(ctx, f"container {target.container}", "head_container", target.container)
        except CheckFailed as failed:
            if "(404)" in failed.detail:
                return False
            raise
        return True

    def probe(ctx: CheckContext) -> Outcome:
        name = f"dtr-tui-check/{uuid.uuid4().hex}"
        key = f"{target.prefix}/{name}" if target.prefix else name
        body = b"dtr-tui storage check " + key.encode()
        try:
            do(ctx, f"write {key}", "put_object", target.container, key, contents=body)
        except CheckFailed as failed:
            if "(404)" in failed.detail and not _container_exists(ctx):
                # The 2.8 driver creates it at startup (the "container" check proves that
                # creating is allowed); there is nothing to write into before then.
                return skipped(
                    f"not checked: container {target.container} does not exist yet, so there "
                    "is nowhere to write; the registry creates it at startup",
                    "to prove writing now, create it first: dtr-tui check --create --yes "
                    "(same flags)",
                )
            raise
        try:
            _headers, got = do(ctx, f"read {key}", "get_object", target.container, key)
            if got != body:
                raise CheckFailed(f"read back other bytes than written at {key}")
        finally:
            do(ctx, f"delete {key}", "delete_object", target.container, key)
        return passed(f"wrote, read and deleted {target.container}/{key}")

    def tempurl(ctx: CheckContext) -> Outcome:
        try:
            caps = do(ctx, "read /info", "get_capabilities")
        except CheckFailed:  # /info may be disabled; the driver then uses tempurl* params
            caps = None
        headers = do(ctx, "read account metadata", "head_account")
        if not caps or "tempurl" not in caps:
            return warned(
                "the proxy offers no TempURL: the registry serves every blob download itself",
                "enable the tempurl middleware for redirects to Swift",
            )
        methods = ", ".join(caps["tempurl"].get("methods", []))
        if not draft.params.get("secretkey") and "x-account-meta-temp-url-key" not in headers:
            return passed(
                f"TempURL supported ({methods}); with no secretkey the registry sets a random "
                "key in the account metadata at startup (the user may read it: ok)"
            )
        return passed(f"TempURL supported ({methods})")

    return [
        Check("auth version", auth_version),
        Check("authentication", authenticate, ("auth version",)),
        Check("container", container, ("authentication",)),
        Check("write, read, delete", probe, ("authentication", "container")),
        Check("TempURL", tempurl, ("authentication",)),
    ]
