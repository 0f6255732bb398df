"""The audit log: one JSON line per apply, beside the config and its backups."""

from __future__ import annotations

import getpass
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.errors import DtrError
from ..core.safe_write import target_of

SUFFIX = ".dtr-tui-audit.jsonl"


def audit_path(config: Path) -> Path:
    real = target_of(config)
    return real.with_name(real.name + SUFFIX)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in a container
        return str(os.getuid())


def append_audit(config: Path, entry: dict[str, Any]) -> Path:
    """Append one line (time, user and host are added); entries must hold no secret."""
    line = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": _user(),
        "host": socket.gethostname(),
        **entry,
    }
    path = audit_path(config)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (json.dumps(line, sort_keys=False) + "\n").encode())
    finally:
        os.close(fd)
    return path


def read_history(config: Path) -> list[dict[str, Any]]:
    """Every audit entry for `config`, oldest first; unreadable lines are skipped."""
    path = audit_path(config)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise DtrError(f"cannot be read: {exc.strerror}", source=str(path)) from None
    entries = []
    for raw in text.splitlines():
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if isinstance(value, dict):
            entries.append(value)
    return entries
