"""The "settings" check: what the registry refuses at startup, known without any network.

Live probes prove the backend; they cannot prove the registry will start. A chunksize out of
range or a redirect block with a typo passes every probe and still stops the registry, so the
offline validation of the draft is the first row of every check run.
"""

from __future__ import annotations

from ...core.draft import StorageDraft
from ...core.problems import Problem, Severity
from ...core.validation import validate_storage
from ...core.versions import RegistryVersion
from .model import Check, CheckContext, CheckFailed, Outcome, passed, warned

NAME = "settings"


def _line(problem: Problem) -> str:
    text = f"{problem.field} {problem.message}"
    if problem.allowed:
        text += f" (allowed: {problem.allowed})"
    return text


def settings_check(
    draft: StorageDraft, version: RegistryVersion, *, has_redis: bool = True
) -> Check:
    """A check that fails with every validation error of the draft (one per field, with
    what is allowed), warns with its warnings, and passes when the registry will start."""

    def run(ctx: CheckContext) -> Outcome:
        problems = validate_storage(draft.as_view(), version, has_redis=has_redis)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        warnings = [p for p in problems if p.severity is Severity.WARNING]
        if errors:
            count = f"{len(errors)} setting{'s' if len(errors) > 1 else ''}"
            raise CheckFailed(
                f"registry {version} refuses to start with {count}: "
                + "; ".join(_line(p) for p in errors),
                "set each field named here to an allowed value (dtr-tui validate shows "
                "the line of each); the live checks below cannot prove a config the "
                "registry refuses",
            )
        if warnings:
            return warned(
                f"registry {version} starts, but: " + "; ".join(_line(p) for p in warnings),
                "change the fields named here (dtr-tui validate shows the line of each)",
            )
        return passed(f"registry {version} accepts these settings at startup")

    return Check(NAME, run)


__all__ = ["NAME", "settings_check"]
