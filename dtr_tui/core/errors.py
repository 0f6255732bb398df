"""Errors meant for a person: they name the file, the line and the field, and what to do."""

from __future__ import annotations


class DtrError(Exception):
    """Anything that stops an operation; the message is shown as it is, never a traceback."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "") + ": "
        field = f"{self.field}: " if self.field else ""
        text = f"{where}{field}{self.message}"
        return f"{text}\n  {self.hint}" if self.hint else text


class ConfigReadError(DtrError):
    """The file cannot be read as a registry config: missing, binary, huge, not YAML."""


class StaleFileError(DtrError):
    """The file changed on disk since it was read; writing now would lose that change."""


class WriteError(DtrError):
    """The new config could not be written. The file on disk is as it was, unless the message
    says otherwise (an in-place rewrite that could not put the old bytes back names the
    backup to restore)."""
