"""Restart a registry container over the socket and wait until it serves: `GET /v2/` answers
200 or 401 and a request that touches storage (`/v2/_catalog`) does not fail, within a timeout
of our own (a registry can hang at start on an unreachable backend)."""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..core.errors import DtrError
from ..core.secrets import MASK
from .docker_target import ContainerGoneError, DockerTarget

DEFAULT_TIMEOUT = 60.0
STOP_TIMEOUT = 10  # seconds the engine waits after SIGTERM before SIGKILL
_POLL = 0.02
_SERVING = (200, 401)


@dataclass(frozen=True)
class Health:
    """How a wait for the registry ended."""

    ok: bool
    reason: str
    seconds: float
    storage_checked: bool = False


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
    context = ssl._create_unverified_context() if url.startswith("https") else None
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


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
    container: Any, base_url: str, timeout: float = DEFAULT_TIMEOUT, *, started: float | None = None
) -> Health:
    """Poll until the registry serves, exits, crash-loops or `timeout` passes."""
    began = started if started is not None else time.monotonic()
    deadline = began + timeout
    restarts_before = int(container.attrs.get("RestartCount") or 0)
    last = "no answer yet"
    while True:
        now = time.monotonic()
        if now >= deadline:
            return Health(False, f"not serving after {timeout:g} s ({last})", now - began)
        try:
            status = _get(base_url + "/v2/", min(2.0, max(0.1, deadline - now)))
            if status in _SERVING:
                storage = _get(base_url + "/v2/_catalog?n=1", max(0.1, deadline - time.monotonic()))
                if storage in _SERVING:
                    return Health(True, "serving", time.monotonic() - began, storage == 200)
                last = f"GET /v2/_catalog answered {storage}: the storage backend fails"
            else:
                last = f"GET /v2/ answered {status}"
        except (OSError, urllib.error.URLError) as exc:
            last = f"GET /v2/ failed: {getattr(exc, 'reason', exc)}"
            status_name, exit_code, restarts = _state(container)
            if status_name.startswith("unknown: "):
                return Health(
                    False, status_name.removeprefix("unknown: "), time.monotonic() - began
                )
            if status_name in ("exited", "dead"):
                return Health(
                    False, f"the registry exited with code {exit_code}", time.monotonic() - began
                )
            if status_name == "restarting" or restarts > restarts_before:
                return Health(
                    False,
                    "the registry is crash-looping (the engine keeps restarting it)",
                    time.monotonic() - began,
                )
        time.sleep(_POLL)


def log_tail(container: Any, lines: int = 15, secrets: Iterable[str] = ()) -> str:
    """The container's last log lines, with every known secret value masked."""
    try:
        text = container.logs(tail=200).decode("utf-8", errors="replace")
    except Exception as exc:  # the container may be gone by now
        return f"(no log: {type(exc).__name__})"
    rows = text.rstrip().splitlines()
    # A Go panic is one line and then a goroutine dump: show the panic and what led to it.
    panics = [i for i, row in enumerate(rows) if row.startswith(("panic:", "configuration error"))]
    if panics:
        rows = rows[max(0, panics[-1] - lines + 3) : panics[-1] + 3]
    text = "\n".join(rows[-lines:])
    for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text.rstrip()


Progress = Callable[[str], None]
