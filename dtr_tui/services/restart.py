"""Restart a registry container over the socket and wait until it serves: `GET /v2/` answers
200 or 401 and a request that touches storage (`/v2/_catalog`) does not fail, within a timeout
of our own (a registry can hang at start on an unreachable backend).

With auth on, `/v2/_catalog` answers 401 before any storage call, and no request without
credentials reaches storage. The registry's own storage health check does (config
`health.storagedriver.enabled: true`: a `Stat("/")` on the driver every `interval`, no auth):
once it fails every request answers 503 "health check failed", and `/debug/health` on
`http.debug.addr` names the driver's error. So with auth on, storage is proven by that check
having run (we wait one interval, times its threshold) without a 503; without the check it is
reported NOT verified, never as success.

A definite storage error (wrong key, missing bucket: the registry logs the driver's error
code) ends the wait at once instead of after the whole timeout.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.errors import DtrError
from .docker_target import ContainerGoneError, DockerTarget

DEFAULT_TIMEOUT = 60.0
STOP_TIMEOUT = 10  # seconds the engine waits after SIGTERM before SIGKILL
_POLL = 0.02
USER_AGENT = "dtr-tui-wait"  # our polling, left out of the log tail shown to a person
_SERVING = (200, 401)


@dataclass(frozen=True)
class Health:
    """How a wait for the registry ended."""

    ok: bool
    reason: str
    seconds: float
    storage_checked: bool = False
    how: str = ""  # how storage was proven, or (not checked) why it could not be
    interrupted: bool = False  # `stop` was set: the wait ended before an answer


@dataclass(frozen=True)
class HealthCheck:
    """The registry's storage health check, as its config (and environment) sets it."""

    enabled: bool = False
    interval: float = 10.0  # seconds (the registry's default)
    threshold: int = 0  # 0: one failure is enough
    debug_addr: str = ""  # http.debug.addr, where /debug/health answers without auth

    @property
    def settles_after(self) -> float:
        """Seconds after the start by which a failing check has turned the registry to 503."""
        return self.interval * max(1, self.threshold) + 1.0


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration(value: object, default: float) -> float:
    """A Go duration as yaml.v2 reads it ("10s", "1m30s"; a bare number is nanoseconds)."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int | float):
        return float(value) / 1e9 or default
    text = str(value).strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return default
    return sum(float(n) * _UNIT[u] for n, u in parts) or default


def health_check_of(view: object, env: Mapping[str, str]) -> HealthCheck:
    """The storage health check a config (parsed view) and the container's REGISTRY_*
    environment give the registry."""

    def get(*path: str) -> object:
        node = view
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        return node

    def env_or(name: str, value: object) -> object:
        return env[name] if name in env else value

    enabled = env_or(
        "REGISTRY_HEALTH_STORAGEDRIVER_ENABLED", get("health", "storagedriver", "enabled")
    )
    interval = env_or(
        "REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL", get("health", "storagedriver", "interval")
    )
    threshold = env_or(
        "REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD", get("health", "storagedriver", "threshold")
    )
    debug = env_or("REGISTRY_HTTP_DEBUG_ADDR", get("http", "debug", "addr"))
    try:
        limit = max(0, int(str(threshold))) if threshold is not None else 0
    except ValueError:
        limit = 0
    return HealthCheck(
        enabled=enabled is True or str(enabled).lower() == "true",
        interval=go_duration(interval, 10.0),
        threshold=limit,
        debug_addr=str(debug or ""),
    )  # fmt: skip


class RestartFailedError(DtrError):
    """The engine did not restart the container: it stopped answering or refused."""


def engine_failure(exc: BaseException) -> str:
    """A person's sentence for an engine call that failed, without the request's details."""
    import docker.errors

    if isinstance(exc, docker.errors.NotFound):
        return "the container is gone (removed meanwhile)"
    if isinstance(exc, docker.errors.APIError):
        return f"the Docker engine refused: {exc.explanation or exc.status_code}"
    text = str(exc)
    if "Permission denied" in text:
        return "permission denied on the Docker socket"
    return (
        "the Docker engine stopped answering (is dockerd restarting or stopped?): "
        + type(exc).__name__
    )


def restart_container(client: Any, target: DockerTarget, container: Any = None) -> Any:
    """Restart the container. Raises ContainerGoneError when it is no longer there and
    RestartFailedError when the engine fails or cannot be reached."""
    import docker.errors

    try:
        container = container or client.containers.get(target.container_id)
        container.restart(timeout=STOP_TIMEOUT)
    except docker.errors.NotFound:
        raise ContainerGoneError(
            "is gone: it was removed while dtr-tui was changing its config",
            source=target.label,
        ) from None
    except DtrError:
        raise
    except (docker.errors.DockerException, OSError) as exc:  # requests' errors are OSErrors
        raise RestartFailedError(
            f"was not restarted: {engine_failure(exc)}", source=target.label
        ) from None
    return container


def _get(url: str, timeout: float) -> int:
    return _fetch(url, timeout)[0]


def _fetch(url: str, timeout: float) -> tuple[int, str]:
    """The status and (the start of) the body of a GET."""
    context = ssl._create_unverified_context() if url.startswith("https") else None
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    opener.addheaders = [("User-Agent", USER_AGENT)]
    try:
        with opener.open(url, timeout=timeout) as response:
            return int(response.status), response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read(4096).decode("utf-8", "replace")
        except OSError:
            body = ""
        return int(exc.code), body
    except http.client.HTTPException as exc:  # not HTTP at all (BadStatusLine): unreachable
        raise OSError(f"{url} did not answer as HTTP ({type(exc).__name__})") from None


def _state(container: Any) -> tuple[str, int, int]:
    import docker.errors

    try:
        container.reload()
    except (docker.errors.DockerException, OSError) as exc:
        return f"unknown: {engine_failure(exc)}", 0, 0
    state = container.attrs.get("State") or {}
    return (
        str(state.get("Status") or ""),
        int(state.get("ExitCode") or 0),
        int(container.attrs.get("RestartCount") or 0),
    )


def wait_until_serving(
    container: Any,
    base_url: str,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    started: float | None = None,
    stop: threading.Event | None = None,
    check: HealthCheck | None = None,
    debug_base: str = "",
    secrets: Iterable[str] = (),
) -> Health:
    """Poll until the registry serves (and its storage answers), exits, crash-loops, shows a
    definite storage error, `stop` is set, or `timeout` passes.

    `check`: the registry's storage health check (proves storage when auth hides it);
    `debug_base`: where its /debug/health answers, for the driver's own error."""
    began = started if started is not None else time.monotonic()
    deadline = began + timeout
    restarts_before = int(container.attrs.get("RestartCount") or 0)
    last = "no answer yet"
    next_log_look = 0.0

    def ended(ok: bool, reason: str, **kw: Any) -> Health:
        return Health(ok, reason, time.monotonic() - began, **kw)

    while True:
        now = time.monotonic()
        if stop is not None and stop.is_set():
            return ended(
                False, "interrupted before the registry was seen serving", interrupted=True
            )
        if now >= deadline:
            return ended(False, f"not serving after {timeout:g} s ({last})")
        try:
            status, body = _fetch(base_url + "/v2/", min(2.0, max(0.1, deadline - now)))
            if status == 503 and "health check failed" in body:
                return ended(False, _health_failure(debug_base, deadline, secrets))
            if status in _SERVING:
                # at most 5 s per try: a signal or the deadline is looked at between tries
                left = min(5.0, max(0.1, deadline - time.monotonic()))
                try:
                    storage, body = _fetch(base_url + "/v2/_catalog?n=1", left)
                except (OSError, urllib.error.URLError) as exc:
                    # /v2/ answered: the registry runs, its storage does not answer in time
                    why = getattr(exc, "reason", exc)
                    last = f"GET /v2/_catalog failed: {why} (the storage backend does not answer)"
                    time.sleep(_POLL)
                    continue
                if storage == 200:
                    return ended(True, "serving", storage_checked=True, how="GET /v2/_catalog")
                if storage == 401:
                    return _prove_by_health_check(
                        base_url, began, deadline, stop, check, debug_base, secrets
                    )
                if storage == 503 and "health check failed" in body:
                    return ended(False, _health_failure(debug_base, deadline, secrets))
                last = f"GET /v2/_catalog answered {storage}: the storage backend fails"
                if time.monotonic() >= next_log_look:
                    next_log_look = time.monotonic() + 1.0
                    definite = definite_storage_error(container, secrets)
                    if definite:
                        return ended(False, f"the storage backend refuses: {definite}")
            else:
                last = f"GET /v2/ answered {status}"
        except (OSError, urllib.error.URLError) as exc:
            last = f"GET /v2/ failed: {getattr(exc, 'reason', exc)}"
            status_name, exit_code, restarts = _state(container)
            if status_name.startswith("unknown: "):
                return ended(False, status_name.removeprefix("unknown: "))
            if status_name in ("exited", "dead"):
                return ended(False, f"the registry exited with code {exit_code}")
            if status_name == "restarting" or restarts > restarts_before:
                return ended(
                    False, "the registry is crash-looping (the engine keeps restarting it)"
                )
        time.sleep(_POLL)


def _prove_by_health_check(
    base_url: str,
    began: float,
    deadline: float,
    stop: threading.Event | None,
    check: HealthCheck | None,
    debug_base: str,
    secrets: Iterable[str],
) -> Health:
    """Auth hides storage from /v2/_catalog: serving, and storage proven only when the
    registry's storage health check has run without turning it to 503."""
    if check is None or not check.enabled:
        return Health(
            True, "serving", time.monotonic() - began, False,
            "auth is on (GET /v2/_catalog answered 401) and the config has no storage health "
            "check (health.storagedriver.enabled: true), so no request without credentials "
            "reaches storage",
        )  # fmt: skip
    settled = began + check.settles_after
    if settled > deadline:
        return Health(
            True, "serving", time.monotonic() - began, False,
            f"auth is on and the registry's storage health check first reports after "
            f"{check.settles_after:g} s, past the --timeout",
        )  # fmt: skip
    while time.monotonic() < settled:
        if stop is not None and stop.is_set():
            return Health(
                False, "interrupted while the storage health check was awaited",
                time.monotonic() - began, interrupted=True,
            )  # fmt: skip
        try:
            status, body = _fetch(base_url + "/", 2.0)
        except (OSError, urllib.error.URLError):
            status, body = 0, ""
        if status == 503:
            reason = _health_failure(debug_base, deadline, secrets)
            return Health(False, reason, time.monotonic() - began)
        time.sleep(0.25)
    detail = ""
    if debug_base:
        try:
            status, body = _fetch(debug_base + "/debug/health", 2.0)
        except (OSError, urllib.error.URLError):
            status = 0
        if status == 503:
            return Health(
                False, _health_failure(debug_base, deadline, secrets), time.monotonic() - began
            )
        detail = " and /debug/health" if status == 200 else ""
    return Health(
        True, "serving", time.monotonic() - began, True,
        f"the registry's storage health check (every {check.interval:g} s) passed: no 503 "
        f"from / after {check.settles_after:g} s{detail}",
    )  # fmt: skip


def _health_failure(debug_base: str, deadline: float, secrets: Iterable[str]) -> str:
    """The registry's storage health check fails: its own words from /debug/health if the
    debug server answers."""
    said = ""
    if debug_base:
        try:
            status, body = _fetch(
                debug_base + "/debug/health", max(0.5, min(2.0, deadline - time.monotonic()))
            )
            found = json.loads(body) if status == 503 else {}
            if isinstance(found, dict):
                said = "; ".join(f"{k}: {v}" for k, v in found.items())
        except (OSError, urllib.error.URLError, ValueError):
            said = ""
    text = "the registry's storage health check fails (every request answers 503)"
    return _masked(f"{text}: {_first_line(said)}" if said else text, secrets)


_LOG_ERROR = re.compile(r'err\.detail="([^"]*)"')
# error codes a backend gives for a setting that is wrong, not for a passing fault
DEFINITE_CODES = (
    "SignatureDoesNotMatch", "InvalidAccessKeyId", "NoSuchBucket", "AccessDenied",
    "InvalidBucketName", "AuthorizationHeaderMalformed", "PermanentRedirect",
    "InvalidClientTokenId", "NoCredentialProviders",
)  # fmt: skip


def definite_storage_error(container: Any, secrets: Iterable[str] = ()) -> str:
    """The driver's error the registry logged since its last start, when it is one that
    retrying will not fix (wrong key, missing bucket); else ""."""
    try:
        text = container.logs(tail=100).decode("utf-8", errors="replace")
    except Exception:  # the container may be gone; the wait sees that itself
        return ""
    rows = text.splitlines()
    starts = [i for i, row in enumerate(rows) if "listening on" in row]
    for row in reversed(rows[starts[-1] if starts else 0 :]):
        match = _LOG_ERROR.search(row)
        if match and any(code in match.group(1) for code in DEFINITE_CODES):
            return _masked(_first_line(match.group(1).replace("\\n", "\n")), secrets)
    return ""


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _masked(text: str, secrets: Iterable[str]) -> str:
    """`text` without any secret, in any form the registry may log it (quoted and escaped,
    URL-encoded): the checks' one rule."""
    from .checks.model import Scrubber

    return Scrubber(secrets)(text)


def log_tail(container: Any, lines: int = 15, secrets: Iterable[str] = ()) -> str:
    """The container's last log lines, with every known secret value masked."""
    try:
        text = container.logs(tail=200).decode("utf-8", errors="replace")
    except Exception as exc:  # the container may be gone by now
        return f"(no log: {type(exc).__name__})"
    # our own polling requests that went well say nothing: only the registry's own lines
    rows = [
        row
        for row in text.rstrip().splitlines()
        if USER_AGENT not in row or "level=error" in row or "level=warn" in row
    ]
    # A Go panic is one line and then a goroutine dump: show the panic and what led to it.
    panics = [i for i, row in enumerate(rows) if row.startswith(("panic:", "configuration error"))]
    if panics:
        rows = rows[max(0, panics[-1] - lines + 3) : panics[-1] + 3]
    return _masked("\n".join(rows[-lines:]), secrets).rstrip()


Progress = Callable[[str], None]
