"""The one pipeline that writes a plan: refuse what is invalid or stale, back up, write.

The screen and the CLI both call `apply_plan`, so they refuse, write and report alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import DtrError
from ..core.plan import Plan
from ..core.safe_write import WriteResult, write_config

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ApplyResult:
    written: bool
    steps: list[str] = field(default_factory=list)
    write: WriteResult | None = None

    @property
    def backup(self) -> Path | None:
        return self.write.backup if self.write else None


def apply_plan(plan: Plan, *, progress: Progress | None = None) -> ApplyResult:
    """Write `plan` to its file if it is valid and the file is unchanged since it was read."""
    steps: list[str] = []

    def say(step: str) -> None:
        steps.append(step)
        if progress is not None:
            progress(step)

    if plan.errors:
        first = plan.errors[0]
        raise DtrError(
            f"refusing to write: the new config has {len(plan.errors)} problem(s); first: "
            f"{first.field}: {first.message}",
            source=plan.source,
            hint="allowed: " + first.allowed if first.allowed else "",
        )
    if not plan.has_changes:
        say("nothing to change: the file already says this")
        return ApplyResult(False, steps)
    say("checking the file is unchanged since it was read")
    result = write_config(
        Path(plan.source),
        plan.new_text,
        expected_fingerprint=plan.fingerprint,
        expected_exists=plan.file_exists,
        holds_secret=plan.holds_inline_secret,
    )
    if result.backup is not None:
        say(f"backed up the previous version to {result.backup}")
    say(f"{'created' if result.created else 'wrote'} {result.path} (mode {result.mode:04o})")
    for note in result.notes:
        say(note)
    return ApplyResult(True, steps, result)
