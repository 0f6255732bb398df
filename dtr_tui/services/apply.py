"""The one pipeline that writes a plan: refuse what is invalid, stale or shadowed by the
environment, back up, write, and for a container restart it, wait until it serves, roll back
by itself when it does not, and append an audit line.

The screen and the CLI both call `apply_plan`, so they refuse, write and report alike.

Interrupted after the write (SIGINT, SIGTERM, SIGHUP in the main thread; `interrupt_apply`
from another thread, e.g. the screen's), an apply does not stop halfway: it puts the previous
config back, restarts the registry on it, writes the audit line and says so. A second signal
during that rollback is answered with what is on disk and what runs, and the rollback goes on
(it is bounded by the restart's and the wait's own timeouts).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.document import ConfigDocument, fingerprint_of
from ..core.env_overrides import merge_env
from ..core.errors import DtrError
from ..core.plan import Plan
from ..core.safe_write import WriteResult, config_lock, write_config
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
    interrupted: str = ""  # the signal (or "quit") that stopped the apply after the write
    unverified: str = ""  # serving, but why its storage could not be proven ("" when it was)
    accept_unverified: bool = False  # the caller takes "serving, storage NOT verified" as ok

    @property
    def backup(self) -> Path | None:
        return self.write.backup if self.write else None

    @property
    def ok(self) -> bool:
        if self.unverified and not self.accept_unverified:
            return False
        return self.written and self.healthy is not False and not self.interrupted


_INTERRUPT = threading.Event()
_INTERRUPT_BY: list[str] = []
_IDLE = threading.Event()  # cleared while an apply is between its lock and its audit line
_IDLE.set()
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def interrupt_apply(reason: str = "quit") -> None:
    """Ask the apply running in this process to stop safely: before its write it writes
    nothing, after it it rolls back (the screen calls this when it must end mid-save)."""
    if not _INTERRUPT.is_set():
        _INTERRUPT_BY.append(reason)
        _INTERRUPT.set()


def roll_back_on_signals(
    signals: tuple[signal.Signals, ...] = (signal.SIGHUP, signal.SIGTERM), bound: float = 300.0
) -> None:
    """For a program whose applies run in worker threads (the screen): call once from the
    main thread. A signal that comes while an apply runs makes it stop safely (roll back,
    audit) without touching the screen again (its terminal may be gone), then the process
    exits with 128 + the signal's number; with no apply running the signal acts as before."""

    def handler(signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if _IDLE.is_set():
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)
            return
        signal.signal(signum, signal.SIG_IGN)  # a second one must not cut the rollback short
        interrupt_apply(name)

        def exit_when_done() -> None:
            _IDLE.wait(bound)
            os._exit(128 + signum)

        threading.Thread(target=exit_when_done, name="dtr-tui-signal", daemon=True).start()

    for sig in signals:
        signal.signal(sig, handler)


def _interrupted_by() -> str:
    return _INTERRUPT_BY[-1] if _INTERRUPT.is_set() and _INTERRUPT_BY else ""


class _Status:
    """What is on disk and what runs, said when a second signal comes during the rollback."""

    def __init__(self, restart: bool) -> None:
        self.file = "the file is unchanged"
        self.runs = "the registry runs its previous config"
        self.doing = ""
        self.restart = restart  # a restart (and so a rollback) is part of this apply
        self.writing = False  # the write has begun: a signal now rolls back, it cannot undo

    def first(self, name: str) -> str:
        """What a first signal does, said at once."""
        if not self.writing:
            return f"dtr-tui: {name}: stopping before the write; nothing was written"
        if not self.restart:
            return (
                f"dtr-tui: {name}: the write is one step and ends now; no registry is restarted "
                "by this apply"
            )
        return (
            f"dtr-tui: {name}: not stopping halfway: {self.line()}; the previous config is "
            "being put back and the registry restarted on it"
        )

    def line(self) -> str:
        doing = f"now {self.doing}; " if self.doing else ""
        return f"{doing}{self.file}; {self.runs}"


def _stderr(text: str) -> None:
    with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
        os.write(2, (text + "\n").encode("utf-8", "replace"))


@contextlib.contextmanager
def _signals_roll_back(status: _Status, bound: float) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP become a request to roll back (the main thread only: the
    screen's worker threads get `interrupt_apply` instead)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if not _INTERRUPT.is_set():
            interrupt_apply(name)
            _stderr(status.first(name))
            return
        if not status.restart:
            _stderr(f"dtr-tui: {name} again: the write ends now: {status.file}")
            return
        _stderr(
            f"dtr-tui: {name} again: the rollback goes on, it ends within about {bound:g} s: "
            f"{status.line()}"
        )

    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in _SIGNALS:
            previous[sig] = signal.signal(sig, handler)
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


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
    accept_unverified: bool = False,
) -> ApplyResult:
    """Write `plan` to its file if it is valid and the file is unchanged since it was read.

    With a Docker `target` (and its engine `client`), the environment is checked first, the
    container must still exist, and with `restart` it is restarted and waited for; a registry
    that does not serve within `timeout` seconds gets the backup back and another restart.
    The config's lock (`config_lock`) is held from the stale check to the audit line, so a
    second dtr-tui waits (a few seconds) or is told who holds it.

    A restarted registry whose storage cannot be proven (auth on, no storage health check)
    is not `ok` unless `accept_unverified`.
    """
    if not (timeout > 0 and timeout != float("inf")):  # also refuses nan
        raise DtrError(
            f"--timeout {timeout:g} is not allowed: give a number of seconds above 0 and "
            "finite (e.g. 60); nothing was written"
        )
    steps: list[str] = []
    container: Any = None

    def say(step: str) -> None:
        steps.append(step)
        if progress is not None and _interrupted_by() != "SIGHUP":  # its terminal is gone
            try:
                progress(step)
            except Exception:  # noqa: BLE001 - a gone terminal must not stop a rollback
                pass

    refuse_invalid(plan, "write")
    if target is not None:
        if restart:
            target.refuse_other_file(plan.source)
            _refuse_unreadable(plan, target)
        _refuse_shadowed(plan, target, force, say)
        if client is not None:
            from .docker_target import get_container

            say(f"checking {target.label} is still there")
            container = get_container(client, target.container_id)
    if not plan.has_changes and not restart:
        say("nothing to change: the file already says this")
        return ApplyResult(False, steps)
    status = _Status(restart and target is not None and client is not None)
    bound = 2 * (timeout + 15)  # a rollback: restart (10 s stop) and wait, twice at worst
    _INTERRUPT.clear()
    del _INTERRUPT_BY[:]
    _IDLE.clear()
    try:
        with config_lock(Path(plan.source)), _signals_roll_back(status, bound):
            outcome = _apply_locked(
                plan, target, client, container, restart, timeout, say, steps, status
            )
            outcome = replace(outcome, accept_unverified=accept_unverified)
            if audit and outcome.written:
                outcome = _audit(plan, target, outcome, say)
    finally:
        _IDLE.set()
    return outcome


def _apply_locked(
    plan: Plan,
    target: DockerTarget | None,
    client: Any,
    container: Any,
    restart: bool,
    timeout: float,
    say: Progress,
    steps: list[str],
    status: _Status,
) -> ApplyResult:
    began = time.monotonic()
    result: WriteResult | None = None
    if plan.has_changes:
        say("checking the file is unchanged since it was read")
        status.writing = True  # from here a signal is told the apply rolls back
    # the last look before the write: a signal that came before (while `say` printed) was
    # told "nothing was written", so it stops here; one from now on is seen after the write
    if _interrupted_by():
        raise DtrError(f"interrupted ({_interrupted_by()}) before the write; nothing was written")
    if plan.has_changes:
        result = write_config(
            Path(plan.source),
            plan.new_text,
            expected_fingerprint=plan.fingerprint,
            expected_exists=plan.file_exists,
            holds_secret=plan.holds_inline_secret,
            replace_inode=not (target is not None and target.file_mount),
        )
        status.file = f"{result.path} holds the new config"
        if result.backup is not None:
            say(f"backed up the previous version to {result.backup}")
        say(f"{'created' if result.created else 'wrote'} {result.path} (mode {result.mode:04o})")
        for note in result.notes:
            say(note)
    else:
        status.writing = True  # restart only: a signal from here on restarts nothing more
        say("the file already says this; restarting only")
    outcome = ApplyResult(plan.has_changes, steps, result)
    if restart and target is not None and client is not None:
        outcome = _restart_and_verify(
            plan, target, client, container, result, timeout, say, steps, began, status
        )
    return outcome


def _refuse_unreadable(plan: Plan, target: DockerTarget) -> None:
    """A registry that runs as a user who could not read the file once it holds a secret
    (0644 -> 0640 takes "other" away) would not start, nor on the rollback: refused first."""
    import stat as stat_module

    from ..core.safe_write import mode_after, target_of

    path = target_of(Path(plan.source))
    try:
        mode = stat_module.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    after, _ = mode_after(mode, plan.holds_inline_secret)
    why = target.cannot_read(path, after if after is not None else mode)
    if why and after != mode:
        raise DtrError(
            f"refusing to write: {why}, the mode this change gives the file (it holds a "
            f"secret in the clear): the registry would not start; nothing was written",
            source=target.label,
            hint=f"give the file's group to that user's group (chgrp GID {path}: 0640 stays "
            "readable by it), or keep the secret out of the file (env:VAR with a "
            "REGISTRY_STORAGE_* variable on the container)",
        )


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


def _health_check(plan: Plan, target: DockerTarget) -> tuple[Any, str]:
    from .restart import health_check_of

    try:
        view = ConfigDocument.parse(plan.new_text, "config").view
    except DtrError:
        view = {}
    check = health_check_of(view, target.env)
    return check, target.debug_base(check.debug_addr) if check.enabled else ""


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
    status: _Status,
) -> ApplyResult:
    from .restart import log_tail, restart_container, wait_until_serving

    def result(
        healthy: bool, rolled_back: bool, failed: bool, failure: str, tail: str
    ) -> ApplyResult:
        return ApplyResult(
            bool(written), steps, written, True, healthy, rolled_back, failed, failure, tail,
            time.monotonic() - began, interrupted=_interrupted_by(),
        )  # fmt: skip

    secrets = list(_secret_values(plan.new_text, plan.old_text))
    base = target.health_base(_http_addr(plan.new_text))  # parsed before the clock matters
    check, debug_base = _health_check(plan, target)
    if _interrupted_by():  # during the write: the container never ran the new config
        failure = f"interrupted ({_interrupted_by()}) before the restart"
        say(f"the new config was not tried: {failure}")
        return _restore_without_restart(plan, target, written, failure, say, result, status)
    say(f"restarting {target.label}")
    status.doing, status.runs = "restarting the registry", "the registry is restarting"
    try:
        container = restart_container(client, target, container)
    except DtrError as exc:  # gone, or the engine stopped answering: it runs no new config
        say(f"the restart failed: {exc}")
        return _restore_without_restart(plan, target, written, str(exc), say, result, status)
    status.doing, status.runs = "", "the registry runs the new config, not yet verified"
    say(f"waiting for {base}/v2/ and a storage request (up to {timeout:g} s)")
    if check.enabled:
        say(
            f"the config's storage health check runs every {check.interval:g} s: with auth "
            f"on, its first report (after about {check.settles_after:g} s) proves storage"
        )
    health = wait_until_serving(
        container, base, timeout, stop=_INTERRUPT, check=check, debug_base=debug_base,
        secrets=secrets,
    )  # fmt: skip
    if health.ok:
        status.runs = "the registry serves the new config"
        serving = f"the registry serves again after {time.monotonic() - began:.2f} s"
        if _interrupted_by():  # it came after the answer: nothing is undone
            say(f"{_interrupted_by()} came once the registry served: the new config is kept")
        if health.storage_checked:
            say(f"{serving}; storage proven by {health.how}")
            return replace(result(True, False, False, "", ""), interrupted="")
        say(f"{serving}, but its storage is NOT verified: {health.how}")
        say(
            "warning: storage NOT verified: the new config stays in use; to let apply prove "
            "it, set health.storagedriver.enabled: true (and http.debug.addr for the "
            "driver's own error) in the config"
        )
        return replace(result(True, False, False, "", ""), unverified=health.how, interrupted="")
    if health.interrupted:
        reason = f"interrupted ({_interrupted_by()}) while waiting for the registry to serve"
    else:
        reason = health.reason
    tail = log_tail(container, secrets=secrets)
    say(f"the new config failed: {reason}" if not health.interrupted else f"stopped: {reason}")
    if written is None or written.backup is None:
        say("no backup to roll back to: the registry is left as it is")
        return result(False, False, True, reason, tail)
    say(f"rolling back: restoring {written.backup}")
    status.doing = f"restoring {written.backup}"
    restored: WriteResult | None = None
    try:
        restored = _restore(plan, target, written)
        status.file = f"{written.path} holds the previous config again"
        say(f"restored the previous config; restarting {target.label} on it")
        status.doing, status.runs = "restarting the registry", "the registry is restarting"
        container = restart_container(client, target)
        status.doing, status.runs = "waiting for it to serve", "the previous config is starting"
        again = wait_until_serving(
            container, target.health_base(_http_addr(plan.old_text)), timeout
        )
        back, served = again.reason, again.ok
    except (DtrError, OSError) as exc:
        back, served = _reason(exc), False
    status.doing = ""
    if served:
        status.runs = "the registry serves the previous config"
        say("rolled back: the registry serves again on the previous config")
        return result(False, True, False, reason, tail)
    status.runs = "the registry is NOT serving"
    say(_rollback_failed(back, written, restored))
    return result(False, False, True, f"{reason}; the rollback failed too: {back}", tail)


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
        mode=written.mode_before,  # the mode it had before this apply, not the new rule's
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
    status: _Status,
) -> ApplyResult:
    """The container could not be restarted, so it never ran the new config: put the previous
    file back so whatever starts it next starts it as it was."""
    if written is None or written.backup is None:
        say("the file was not changed by this apply (restart only): nothing to restore")
        return result(False, False, False, failure, "")
    status.doing = f"restoring {written.backup}"
    try:
        restored = _restore(plan, target, written)
    except (DtrError, OSError) as exc:
        status.doing = ""
        say(_rollback_failed(_reason(exc), written, None))
        failed = f"{failure}; restoring the file failed: {_reason(exc)}"
        return replace(result(False, False, True, failed, ""), restarted=False)
    status.doing, status.file = "", f"{written.path} holds the previous config again"
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
    elif outcome.unverified:
        state = "applied-serving-storage-not-verified"
    else:
        state = "applied" if outcome.healthy is None else "applied-and-serving"
    if outcome.interrupted:
        state = f"interrupted-{state}"
    entry = {
        "target": target.label if target else "file",
        "config": str(Path(plan.source).absolute()),  # means the same from any directory
        "fingerprint_before": plan.fingerprint,
        "fingerprint_after": fingerprint_of(plan.new_text.encode("utf-8")),
        "summary": plan.summary,
        "outcome": state,
        "rolled_back": outcome.rolled_back,
        "failure": outcome.failure,
        "interrupted": outcome.interrupted or None,
        "storage_not_verified": outcome.unverified or None,
        "backup": str(outcome.backup.absolute()) if outcome.backup else None,
        "seconds": round(outcome.seconds, 3),
    }
    try:
        path = append_audit(Path(plan.source), entry)
    except OSError as exc:
        say(f"warning: the audit line could not be written: {exc.strerror}")
        return outcome
    return replace(outcome, audit=path)
