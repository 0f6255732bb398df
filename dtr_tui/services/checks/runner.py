"""Run a draft's checks concurrently, each under its own deadline, streaming results as they end."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from ...core.draft import StorageDraft
from ...core.errors import DtrError
from ...core.secrets import secret_paths
from ...core.versions import RegistryVersion
from .errors import describe_unexpected
from .model import Check, CheckContext, CheckFailed, CheckResult, Scrubber, Status, skipped

ResultCallback = Callable[[CheckResult], None]

# A check whose thread has not answered this long after its timeout is reported as hung.
_GRACE = 0.05


def checks_for(
    draft: StorageDraft, version: RegistryVersion, timeout: float = 5.0, *, has_redis: bool = True
) -> list[Check]:
    """The checks of a draft: "settings" first (what the registry refuses at startup, known
    offline), then the driver's live checks (the SDK is imported only when a check runs).
    `has_redis`: the config file has a top-level redis section (cache.blobdescriptor: redis
    needs one)."""
    from .settings import settings_check

    first = settings_check(draft, version, has_redis=has_redis)
    try:
        return [first, *_driver_checks(draft, version, timeout)]
    except (TypeError, ValueError) as err:  # a value the driver's checks cannot even read
        reason = f"not checked: the settings cannot be read as the registry would ({err})"
        return [first, Check("backend", lambda ctx: skipped(reason, "fix the settings above"))]


def _driver_checks(draft: StorageDraft, version: RegistryVersion, timeout: float) -> list[Check]:
    driver = draft.driver
    if driver in ("s3", "s3aws"):
        from .s3 import s3_checks

        return s3_checks(draft, version, timeout)
    if driver == "filesystem":
        from .filesystem import filesystem_checks

        return filesystem_checks(draft, version, timeout)
    if driver == "swift":
        from .swift import swift_checks

        return swift_checks(draft, version, timeout)
    if driver == "azure":
        from .azure import azure_checks

        return azure_checks(draft, version, timeout)
    from .offline import offline_checks

    return offline_checks(draft, version, timeout)


def draft_secrets(draft: StorageDraft) -> list[str]:
    """Every secret value of the draft, so no result, log or error text can carry one."""
    view = draft.as_view()
    found: list[str] = []
    for path in secret_paths(view):
        node = view
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        found.append(str(node))
    return found


def run_checks(
    draft: StorageDraft,
    version: RegistryVersion,
    *,
    timeout: float = 5.0,
    on_result: ResultCallback | None = None,
    cancel: threading.Event | None = None,
    ca_bundle: str | None = None,
    checks: list[Check] | None = None,
    has_redis: bool = True,
) -> list[CheckResult]:
    """Run every check of the draft at once and return the results in the checks' order.

    Each check runs in its own daemon thread with `timeout` seconds; one that does not answer
    by then is reported as failed and left behind. `on_result` is called from the calling
    thread as each result is known (completion order). Setting `cancel` reports the checks
    still running as skipped and returns at once. `ca_bundle` is a CA file the registry host
    trusts besides the system's (the one mounted into its container). `checks` overrides the
    draft's checks (tests, benchmarks). `has_redis` says whether the config file has a
    top-level redis section, for the "settings" row (the offline validation, always first:
    a run passes only if the registry will at least start). Raises DtrError when the draft
    cannot be checked.
    Never raises for a failing backend, and no text it returns holds a secret of the draft.
    """
    cancel = cancel or threading.Event()
    scrub = Scrubber(draft_secrets(draft))
    if checks is None:
        checks = checks_for(draft, version, timeout, has_redis=has_redis)
    names = [c.name for c in checks]
    if len(set(names)) != len(names):
        raise DtrError("two checks share a name: " + ", ".join(names))
    done: queue.Queue[tuple[str, CheckResult]] = queue.Queue()
    started: dict[str, float] = {}

    def worker(check: Check, ctx: CheckContext) -> None:
        done.put((check.name, _run_one(check, ctx, scrub)))

    for check in checks:
        ctx = CheckContext(timeout=timeout, cancel=cancel, ca_bundle=ca_bundle)
        started[check.name] = ctx.started
        threading.Thread(
            target=worker, args=(check, ctx), name=f"check {check.name}", daemon=True
        ).start()

    by_name = {c.name: c for c in checks}
    final: dict[str, CheckResult] = {}
    held: dict[str, CheckResult] = {}

    def publish(result: CheckResult) -> None:
        final[result.name] = result
        if on_result is not None:
            on_result(result)

    def settle(name: str, result: CheckResult) -> None:
        """Emit a result, or hold a failure until the checks it depends on are known."""
        reqs = [r for r in by_name[name].requires if r in by_name]
        if result.status is Status.FAIL and reqs:
            if any(r not in final for r in reqs):
                held[name] = result
                return
            broken = [r for r in reqs if final[r].status in (Status.FAIL, Status.SKIPPED)]
            if broken:
                result = CheckResult(
                    name,
                    Status.SKIPPED,
                    result.seconds,
                    "not checked: " + " and ".join(f'"{b}"' for b in broken) + " did not pass",
                    "",
                )
        publish(result)

    def release() -> None:
        """Emit held failures whose prerequisites are now all known."""
        ready = [n for n in held if all(r in final for r in by_name[n].requires if r in by_name)]
        while ready:
            for name in ready:
                settle(name, held.pop(name))
            ready = [
                n for n in held if all(r in final for r in by_name[n].requires if r in by_name)
            ]

    while len(final) + len(held) < len(checks):
        if cancel.is_set():
            now = time.monotonic()
            for name in names:
                if name not in final and name not in held:
                    publish(CheckResult(name, Status.SKIPPED, now - started[name], "cancelled", ""))
            break
        pending = [n for n in names if n not in final and n not in held]
        next_deadline = min(started[n] + timeout + _GRACE for n in pending)
        wait = min(0.05, max(0.0, next_deadline - time.monotonic()))
        try:
            name, result = done.get(timeout=wait)
        except queue.Empty:
            now = time.monotonic()
            for name in pending:
                if now >= started[name] + timeout + _GRACE:
                    settle(name, _hung(name, timeout, now - started[name]))
            release()
            continue
        if name in final or name in held:
            continue  # already reported as hung
        settle(name, result)
        release()
    for result in list(held.values()):
        publish(result)
    return [final[n] for n in names if n in final]


def _hung(name: str, timeout: float, seconds: float) -> CheckResult:
    return CheckResult(
        name,
        Status.FAIL,
        seconds,
        f"no answer within {timeout:g} s",
        "check that the endpoint is reachable from this host (address, port, firewall, proxy)",
    )


def _run_one(check: Check, ctx: CheckContext, scrub: Scrubber) -> CheckResult:
    began = time.monotonic()
    try:
        ctx.check_cancel()
        outcome = check.run(ctx)
        status, detail, fix = outcome.status, outcome.detail, outcome.fix
    except CheckFailed as err:
        status, detail, fix = err.status, err.detail, err.fix
    except Exception as err:  # noqa: BLE001 - a check must never take the runner down
        status, detail, fix = Status.FAIL, describe_unexpected(err), ""
    seconds = time.monotonic() - began
    if seconds > ctx.timeout and status in (Status.PASS, Status.WARN):
        status = Status.FAIL
        detail = f"took {seconds:.1f} s, over the {ctx.timeout:g} s timeout; {detail}"
    return CheckResult(check.name, status, seconds, scrub(detail), scrub(fix))
