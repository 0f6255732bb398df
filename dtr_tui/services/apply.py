"""The one pipeline that writes a plan: refuse what is invalid, stale or shadowed by the
environment, back up, write, and for a container restart it, wait until it serves, roll back
by itself when it does not, and append an audit line.

The screen and the CLI both call `apply_plan`, so they refuse, write and report alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.document import ConfigDocument, fingerprint_of
from ..core.env_overrides import merge_env
from ..core.errors import DtrError
from ..core.plan import Plan
from ..core.safe_write import WriteResult, write_config
from ..core.secrets import is_secret_key

Progress = Callable[[str], None]

if TYPE_CHECKING:  # the docker SDK stays out of import time
    from .docker_target import DockerTarget


@dataclass(frozen=True)
class ApplyResult:
    written: bool
    steps: list[str] = field(default_factory=list)
    write: WriteResult | None = None
    restarted: bool = False
    healthy: bool | None = None  # None: not restarted, so not waited for
    rolled_back: bool = False
    rollback_failed: bool = False
    failure: str = ""  # why the new config was not accepted, for a person
    log_tail: str = ""  # the container's last log lines (secrets masked)
    seconds: float = 0.0  # from the write to serving (or to the end of the rollback)
    audit: Path | None = None

    @property
    def backup(self) -> Path | None:
        return self.write.backup if self.write else None

    @property
    def ok(self) -> bool:
        return self.written and self.healthy is not False


def refuse_invalid(plan: Plan, verb: str) -> None:
    """Nothing is written or rolled out while the new config has an error."""
    if plan.errors:
        first = plan.errors[0]
        raise DtrError(
            f"refusing to {verb}: the new config has {len(plan.errors)} problem(s); first: "
            f"{first.field}: {first.message}",
            source=plan.source,
            hint="allowed: " + first.allowed if first.allowed else "",
        )


def apply_plan(
    plan: Plan,
    *,
    progress: Progress | None = None,
    target: DockerTarget | None = None,
    client: Any = None,
    restart: bool = False,
    timeout: float = 60.0,
    force: bool = False,
    audit: bool = True,
) -> ApplyResult:
    """Write `plan` to its file if it is valid and the file is unchanged since it was read.

    With a Docker `target` (and its engine `client`), the environment is checked first, the
    container must still exist, and with `restart` it is restarted and waited for; a registry
    that does not serve within `timeout` seconds gets the backup back and another restart.
    """
    steps: list[str] = []
    container: Any = None

    def say(step: str) -> None:
        steps.append(step)
        if progress is not None:
            progress(step)

    refuse_invalid(plan, "write")
    if target is not None:
        _refuse_shadowed(plan, target, force, say)
        if client is not None:
            from .docker_target import get_container

            say(f"checking {target.label} is still there")
            container = get_container(client, target.container_id)
    if not plan.has_changes and not restart:
        say("nothing to change: the file already says this")
        return ApplyResult(False, steps)
    began = time.monotonic()
    result: WriteResult | None = None
    if plan.has_changes:
        say("checking the file is unchanged since it was read")
        result = write_config(
            Path(plan.source),
            plan.new_text,
            expected_fingerprint=plan.fingerprint,
            expected_exists=plan.file_exists,
            holds_secret=plan.holds_inline_secret,
            replace_inode=not (target is not None and target.file_mount),
        )
        if result.backup is not None:
            say(f"backed up the previous version to {result.backup}")
        say(f"{'created' if result.created else 'wrote'} {result.path} (mode {result.mode:04o})")
        for note in result.notes:
            say(note)
    else:
        say("the file already says this; restarting only")
    outcome = ApplyResult(plan.has_changes, steps, result)
    if restart and target is not None and client is not None:
        outcome = _restart_and_verify(
            plan, target, client, container, result, timeout, say, steps, began
        )
    if audit and outcome.written:
        outcome = _audit(plan, target, outcome, say)
    return outcome


def _refuse_shadowed(plan: Plan, target: Any, force: bool, say: Progress) -> None:
    """`target`: a DockerTarget or a SwarmTarget (both have `env` and `label`)."""
    merged = merge_env(plan.draft.as_view(), target.env, plan.version)
    reasons = [f.message for f in merged.errors]
    reasons += merged.shadowing(c.path for c in plan.changes)
    if not reasons:
        return
    if force:
        for reason in reasons:
            say(f"warning (forced): {reason}")
        return
    raise DtrError(
        f"refusing to write: the environment of {target.label} overrides this change: "
        + "; ".join(reasons)
        + "; nothing was written",
        hint="remove the REGISTRY_STORAGE* variables from the container, or add --force "
        "to write anyway",
    )


def _secret_values(*texts: str) -> Iterator[str]:
    def walk(view: Any) -> Iterator[str]:
        if isinstance(view, Mapping):
            for key, value in view.items():
                if is_secret_key(key) and isinstance(value, str | int):
                    yield str(value)
                else:
                    yield from walk(value)
        elif isinstance(view, list):
            for item in view:
                yield from walk(item)

    for text in texts:
        try:
            yield from walk(ConfigDocument.parse(text, "config").view)
        except DtrError:
            continue


def secret_values(*texts: str) -> list[str]:
    """Every secret value in these config texts, to mask them in logs shown to a person."""
    return list(_secret_values(*texts))


def _http_addr(text: str) -> str | None:
    try:
        view = ConfigDocument.parse(text, "config").view
    except DtrError:
        return None
    http = view.get("http") if isinstance(view, Mapping) else None
    addr = http.get("addr") if isinstance(http, Mapping) else None
    return str(addr) if addr else None


def _restart_and_verify(
    plan: Plan,
    target: DockerTarget,
    client: Any,
    container: Any,
    written: WriteResult | None,
    timeout: float,
    say: Progress,
    steps: list[str],
    began: float,
) -> ApplyResult:
    from .restart import log_tail, restart_container, wait_until_serving

    def result(
        healthy: bool, rolled_back: bool, failed: bool, failure: str, tail: str
    ) -> ApplyResult:
        return ApplyResult(
            bool(written), steps, written, True, healthy, rolled_back, failed, failure, tail,
            time.monotonic() - began,
        )  # fmt: skip

    base = target.health_base(_http_addr(plan.new_text))  # parsed before the clock matters
    say(f"restarting {target.label}")
    try:
        container = restart_container(client, target, container)
    except DtrError as exc:  # gone, or the engine stopped answering: it runs no new config
        say(f"the restart failed: {exc}")
        return _restore_without_restart(plan, target, written, str(exc), say, result)
    say(f"waiting for {base}/v2/ and a storage request (up to {timeout:g} s)")
    health = wait_until_serving(container, base, timeout)
    if health.ok:
        checked = "" if health.storage_checked else " (storage not checked: auth required)"
        say(f"the registry serves again after {time.monotonic() - began:.2f} s{checked}")
        return result(True, False, False, "", "")
    tail = log_tail(container, secrets=list(_secret_values(plan.new_text, plan.old_text)))
    say(f"the new config failed: {health.reason}")
    if written is None or written.backup is None:
        say("no backup to roll back to: the registry is left as it is")
        return result(False, False, True, health.reason, tail)
    say(f"rolling back: restoring {written.backup}")
    restored: WriteResult | None = None
    try:
        restored = _restore(plan, target, written)
        say(f"restored the previous config; restarting {target.label} on it")
        container = restart_container(client, target)
        again = wait_until_serving(
            container, target.health_base(_http_addr(plan.old_text)), timeout
        )
        reason, served = again.reason, again.ok
    except (DtrError, OSError) as exc:
        reason, served = _reason(exc), False
    if served:
        say("rolled back: the registry serves again on the previous config")
        return result(False, True, False, health.reason, tail)
    say(_rollback_failed(reason, written, restored))
    return result(False, False, True, f"{health.reason}; the rollback failed too: {reason}", tail)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DtrError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}"
    return type(exc).__name__


def _restore(plan: Plan, target: DockerTarget, written: WriteResult) -> WriteResult:
    """Put the backup taken by this apply back over the new file (itself kept as a backup)."""
    assert written.backup is not None
    old_text = written.backup.read_text(encoding="utf-8")
    return write_config(
        written.path,
        old_text,
        expected_fingerprint=fingerprint_of(plan.new_text.encode("utf-8")),
        expected_exists=True,
        holds_secret=any(True for _ in _secret_values(old_text)),
        replace_inode=not target.file_mount,
    )


def _rollback_failed(reason: str, written: WriteResult, restored: WriteResult | None) -> str:
    """The loud line: what failed, and where each version of the file is now."""
    assert written.backup is not None
    if restored is not None:
        where = (
            f"the previous config is back in {written.path}; the failed one is kept as "
            f"{restored.backup}; the registry is NOT serving: start it by hand"
        )
    elif written.backup.exists():
        where = (
            f"{written.path} still holds the failed new config; the previous one is in "
            f"{written.backup}: restore it with `dtr-tui rollback --config {written.path}`"
        )
    else:
        where = (
            f"{written.path} still holds the failed new config and its backup "
            f"{written.backup} is gone; older backups: `dtr-tui backups --config {written.path}`"
        )
    return f"ROLLBACK FAILED: {reason}. Both versions are kept where they can be: {where}"


def _restore_without_restart(
    plan: Plan,
    target: DockerTarget,
    written: WriteResult | None,
    failure: str,
    say: Progress,
    result: Callable[[bool, bool, bool, str, str], ApplyResult],
) -> ApplyResult:
    """The container could not be restarted, so it never ran the new config: put the previous
    file back so whatever starts it next starts it as it was."""
    if written is None or written.backup is None:
        say("the file was not changed by this apply (restart only): nothing to restore")
        return result(False, False, False, failure, "")
    try:
        restored = _restore(plan, target, written)
    except (DtrError, OSError) as exc:
        say(_rollback_failed(_reason(exc), written, None))
        failed = f"{failure}; restoring the file failed: {_reason(exc)}"
        return replace(result(False, False, True, failed, ""), restarted=False)
    say(
        f"restored the previous config in {written.path} (the new one is kept as "
        f"{restored.backup}); the registry was not restarted, so it runs, or will start with, "
        "the previous config"
    )
    return replace(result(False, True, False, failure, ""), restarted=False)


def _audit(plan: Plan, target: Any, outcome: ApplyResult, say: Progress) -> ApplyResult:
    from .audit import append_audit

    if outcome.rollback_failed:
        state = "rollback-failed"
    elif outcome.rolled_back:
        state = "rolled-back"
    elif outcome.healthy is False:
        state = "unhealthy"
    else:
        state = "applied" if outcome.healthy is None else "applied-and-serving"
    entry = {
        "target": target.label if target else "file",
        "config": plan.source,
        "fingerprint_before": plan.fingerprint,
        "fingerprint_after": fingerprint_of(plan.new_text.encode("utf-8")),
        "summary": plan.summary,
        "outcome": state,
        "rolled_back": outcome.rolled_back,
        "failure": outcome.failure,
        "backup": str(outcome.backup) if outcome.backup else None,
        "seconds": round(outcome.seconds, 3),
    }
    try:
        path = append_audit(Path(plan.source), entry)
    except OSError as exc:
        say(f"warning: the audit line could not be written: {exc.strerror}")
        return outcome
    return replace(outcome, audit=path)
