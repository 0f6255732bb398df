"""A problem found in a config: where it is, what is wrong, and what is allowed instead."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is: errors stop a save, warnings and notes do not."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


Path = tuple[str, ...]


def dotted(path: Path) -> str:
    """`("storage", "s3", "chunksize")` → `storage.s3.chunksize`."""
    return ".".join(path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config, phrased for a person."""

    path: Path
    message: str
    allowed: str = ""
    severity: Severity = Severity.ERROR
    line: int | None = None  # 1-based, when the problem comes from a file

    @property
    def field(self) -> str:
        return dotted(self.path)

    def at_line(self, line: int | None) -> Problem:
        return Problem(self.path, self.message, self.allowed, self.severity, line)

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "problem": self.message,
            "allowed": self.allowed,
            "severity": self.severity.value,
            "line": self.line,
        }


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]
