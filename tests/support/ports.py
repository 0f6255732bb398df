"""Free loopback ports and polling for an HTTP server to answer.

Servers get a free port instead of a fixed one so tests never collide with each other or with
something the developer runs; polling replaces sleeps so startup costs only what it must.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_http(
    url: str,
    timeout: float = 15.0,
    ok_statuses: Iterable[int] = (200,),
    *,
    proc: subprocess.Popen[bytes] | None = None,
    context: ssl.SSLContext | None = None,
    alive: Callable[[], bool] | None = None,
    interval: float = 0.05,
) -> int:
    """Poll ``url`` with GET until it answers with one of ``ok_statuses``; return that status.

    Fails fast with RuntimeError if ``proc`` exits (or ``alive()`` turns false) while waiting, and
    raises TimeoutError with the last answer or error after ``timeout`` seconds.
    """
    wanted = set(ok_statuses)
    deadline = time.monotonic() + timeout
    last = "no attempt"
    while True:
        status: int | None = None
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as resp:
                status = resp.status
        except urllib.error.HTTPError as err:
            status = err.code
        except (OSError, http.client.HTTPException) as err:
            last = f"{type(err).__name__}: {err}"
        if status is not None:
            if status in wanted:
                return status
            last = f"HTTP {status}"
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        if alive is not None and not alive():
            raise RuntimeError(f"server died before {url} answered")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} did not answer {sorted(wanted)} in {timeout}s ({last})")
        time.sleep(interval)


def wait_for_port(
    port: int, timeout: float = 10.0, *, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return
        except OSError as err:
            last = err
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"port {port} not open after {timeout}s ({last})")
        time.sleep(0.05)
