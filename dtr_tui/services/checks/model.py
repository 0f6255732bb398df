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


class Scrubber:
    """Removes secret values from any text before it leaves a check."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text
