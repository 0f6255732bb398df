"""Turn network and SDK exceptions into one line a person can act on."""

from __future__ import annotations

import http.client
import socket
import ssl
import warnings
from collections.abc import Iterator

from .model import CheckFailed

# How a server that drops the connection unanswered shows up through botocore, requests and
# http.client.
_CLOSED = (
    "ConnectionClosedError",
    "Connection was closed before we received a valid response",
    "closed connection without response",
    "Connection reset by peer",
)


def quiet_insecure_requests() -> None:
    """No urllib3 InsecureRequestWarning on stderr for skipverify: the TLS check already warns,
    once and with a fix, and the warning blocks would break the output."""
    try:
        from urllib3.exceptions import InsecureRequestWarning
    except ImportError:  # pragma: no cover - urllib3 comes with every SDK used here
        return
    warnings.filterwarnings("ignore", category=InsecureRequestWarning)


def _chain(err: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        cur = todo.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        todo.extend([cur.__cause__, cur.__context__])
        todo.extend(a for a in getattr(cur, "args", ()) if isinstance(a, BaseException))
        for attr in ("error", "reason", "inner_exception", "exc"):
            inner = getattr(cur, attr, None)
            if isinstance(inner, BaseException):
                todo.append(inner)


def network_problem(
    err: BaseException, where: str, timeout: float | None = None
) -> CheckFailed | None:
    """A CheckFailed for refused/unresolvable/timed-out/untrusted connections, else None.
    `timeout` (seconds) is named in the message of a connection that timed out."""
    text = " ".join(f"{type(e).__name__}: {e}" for e in _chain(err))
    for cur in _chain(err):
        if isinstance(cur, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
            reason = getattr(cur, "verify_message", "") or "certificate verify failed"
            return CheckFailed(
                f"TLS: the certificate of {where} is not trusted ({reason})",
                "give the registry host the CA that signed it (mount it at "
                "/etc/ssl/certs/ca-certificates.crt in the registry container), "
                "or set skipverify: true (not for production)",
            )
        if isinstance(cur, ssl.SSLError) or "WRONG_VERSION_NUMBER" in text:
            return CheckFailed(
                f"TLS handshake with {where} failed ({cur})",
                "check http:// versus https:// (and `secure`) for this endpoint",
            )
        if isinstance(cur, socket.gaierror) or "Name or service not known" in text:
            return CheckFailed(
                f"cannot resolve the host of {where}",
                "check the host name; the registry host must resolve it too",
            )
        if isinstance(cur, ConnectionRefusedError) or "Connection refused" in text:
            return CheckFailed(
                f"connection to {where} refused",
                "check the address and port, and that the service is running",
            )
        if isinstance(cur, ConnectionResetError | http.client.RemoteDisconnected) or any(
            m in text for m in _CLOSED
        ):
            plain = where.startswith("http://")
            return CheckFailed(
                f"{where} closed the connection without an answer"
                + (" (an HTTPS server does that to a plain HTTP request)" if plain else ""),
                "check http:// versus https:// (and `secure`) for this endpoint"
                if plain
                else "check the address and port: it must be the storage API's",
            )
        if isinstance(cur, TimeoutError | socket.timeout) or "timed out" in text.lower():
            within = f"within {timeout:g} s" if timeout else "in time"
            return CheckFailed(
                f"no answer from {where} {within}",
                "check that the endpoint is reachable from this host (firewall, proxy, port)",
            )
    return None


def describe_unexpected(err: BaseException) -> str:
    """Short text for an error nobody classified (secrets are scrubbed by the runner)."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"unexpected error: {type(err).__name__}" + (f": {text[:300]}" if text else "")
