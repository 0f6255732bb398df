"""Plain-text and JSON output for the commands: tables a person reads, JSON a script parses."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ..core.problems import Problem, Severity


def problems_table(problems: Sequence[Problem], out: TextIO | None = None) -> None:
    """FIELD / LINE / PROBLEM / ALLOWED, errors first."""
    if not problems:
        return
    out = out or sys.stdout  # looked up at call time, so a replaced stdout is honoured
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    rows = [
        (p.severity.value, p.field, str(p.line or ""), p.message, p.allowed)
        for p in sorted(problems, key=lambda p: (order[p.severity], p.line or 0))
    ]
    headers = ("LEVEL", "FIELD", "LINE", "PROBLEM", "ALLOWED")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:3])]

    def line(cells: Sequence[str]) -> str:
        head = "  ".join(c.ljust(w) for c, w in zip(cells[:3], widths, strict=True))
        return f"{head}  {cells[3]}" + (
            f"\n{' ' * (sum(widths) + 6)}allowed: {cells[4]}" if cells[4] else ""
        )

    out.write(
        "  ".join(h.ljust(w) for h, w in zip(headers[:3], widths, strict=True)) + "  PROBLEM\n"
    )
    for row in rows:
        out.write(safe_text(line(row)) + "\n")


def dump_json(data: Any, out: TextIO | None = None) -> None:
    (out or sys.stdout).write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def colour_diff(diff: str, enabled: bool) -> str:
    if not enabled:
        return diff
    lines = []
    for text in diff.splitlines(keepends=True):
        if text.startswith(("+++", "---")):
            lines.append(f"\x1b[1m{text.rstrip(chr(10))}\x1b[0m\n")
        elif text.startswith("+"):
            lines.append(f"\x1b[32m{text.rstrip(chr(10))}\x1b[0m\n")
        elif text.startswith("-"):
            lines.append(f"\x1b[31m{text.rstrip(chr(10))}\x1b[0m\n")
        elif text.startswith("@@"):
            lines.append(f"\x1b[36m{text.rstrip(chr(10))}\x1b[0m\n")
        else:
            lines.append(text)
    return "".join(lines)


# C0 controls but tab and line feed, DEL and the C1 controls: an escape sequence in a config
# value must not reach the terminal (it could set the title, the colours, or hide a line).
# A carriage return is kept only before a line feed (a CRLF file's line ends).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\x1b": "\\e", "\r": "\\r"}.get(char) or f"\\x{ord(char):02x}"


def safe_text(text: str) -> str:
    """`text` with every control character shown as a visible escape (ESC as \\e)."""
    return _CONTROL.sub(_escape, text)


def colour_enabled(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set or TERM is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
