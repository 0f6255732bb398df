"""What a check is and what it reports: a name, a status, its time, and what to do about it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """How a check ended. `warn` works but deserves attention; `skipped` was not checked."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome; `detail` says what was found, `fix` what a person should do."""

    name: str
    status: Status
    seconds: float
    detail: str = ""
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": str(self.status),
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            "fix": self.fix,
        }


class CheckFailed(Exception):
    """Raised inside a check to end it with a failure (or a warning) a person can act on."""

    def __init__(self, detail: str, fix: str = "", status: Status = Status.FAIL) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix
        self.status = status


@dataclass(frozen=True)
class Outcome:
    """What a check function returns when it did not fail."""

    detail: str
    status: Status = Status.PASS
    fix: str = ""


def passed(detail: str) -> Outcome:
    return Outcome(detail)


def warned(detail: str, fix: str = "") -> Outcome:
    return Outcome(detail, Status.WARN, fix)


def skipped(detail: str, fix: str = "") -> Outcome:
    return Outcome(detail, Status.SKIPPED, fix)


@dataclass
class CheckContext:
    """Given to every check: its deadline, the cancel flag, and the trust settings."""

    timeout: float
    cancel: threading.Event
    ca_bundle: str | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def remaining(self) -> float:
        """Seconds left before this check's deadline (at least a small positive value)."""
        return max(0.05, self.timeout - (time.monotonic() - self.started))

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise CheckFailed("cancelled", status=Status.SKIPPED)


CheckFn = Callable[[CheckContext], Outcome]


@dataclass(frozen=True)
class Check:
    """A named probe. `requires` names checks whose failure makes this one's failure moot."""

    name: str
    run: CheckFn
    requires: tuple[str, ...] = ()


def sdk_timeout(timeout: float) -> float:
    """The connect/read timeout given to an SDK: under the check's own deadline, so the SDK's
    error (which says what timed out) normally arrives before the runner gives up."""
    return max(0.1, timeout * 0.8)


MASK = "********"
# Secrets this short would be masked inside ordinary words ("a" in "bucket"): they are masked
# only as a whole delimited value, in quotes or after `=` or `: ` (b'x', key=x&, "secret": "x").
SHORT = 4


def secret_forms(secret: str) -> set[str]:
    """The ways a secret shows up in error text: as is, escaped as a Python str or bytes repr
    (an InvalidHeader quotes b'pa\\nss'), as JSON, and URL-encoded."""
    import json
    from urllib.parse import quote, quote_plus

    forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    try:
        forms.add(repr(secret.encode("utf-8"))[2:-1])
        forms.add(repr(secret.encode("latin-1"))[2:-1])  # how http.client encodes headers
    except UnicodeEncodeError:
        pass
    forms.add(quote(secret, safe=""))
    forms.add(quote_plus(secret, safe=""))
    return {f for f in forms if f}


class Scrubber:
    """Removes secret values (and their escaped and URL-encoded forms) from any text before
    it leaves a check."""

    def __init__(self, secrets: Iterable[str]) -> None:
        import re

        forms: set[str] = set()
        short: set[str] = set()
        for secret in {s for s in secrets if s}:
            (forms if len(secret) >= SHORT else short).update(secret_forms(secret))
        short -= forms
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted(forms, key=len, reverse=True)
        self._short = [
            re.compile(r"(?<=['\"=])" + re.escape(f) + r"(?=['\"&;,)\s]|$)")
            for f in sorted(short, key=len, reverse=True)
        ] + [
            re.compile(r"(?<=: )" + re.escape(f) + r"(?=['\"&;,)\s]|$)")
            for f in sorted(short, key=len, reverse=True)
        ]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        for pattern in self._short:
            text = pattern.sub(MASK, text)
        return text
