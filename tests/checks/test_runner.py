"""The runner on its own: concurrency, deadlines, cancel, held failures, secret scrubbing."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks import Check, CheckContext, CheckFailed, Status, run_checks
from dtr_tui.services.checks.model import Outcome, passed

DRAFT = StorageDraft("s3", {"bucket": "b", "region": "us-east-1", "secretkey": "s3cr3t-value"})


def sleeper(seconds: float) -> Check:
    def run(ctx: CheckContext) -> Outcome:
        time.sleep(seconds)
        return passed(f"slept {seconds}")

    return Check(f"sleep {seconds}", run)


def test_checks_run_concurrently_and_stream() -> None:
    seen: list[str] = []
    checks = [sleeper(0.3), sleeper(0.2), sleeper(0.1)]
    began = time.monotonic()
    results = run_checks(DRAFT, V2_8, checks=checks, on_result=lambda r: seen.append(r.name))
    assert time.monotonic() - began < 0.45
    assert seen == ["sleep 0.1", "sleep 0.2", "sleep 0.3"]  # completion order
    assert [r.name for r in results] == ["sleep 0.3", "sleep 0.2", "sleep 0.1"]  # declared


def test_a_hung_check_fails_at_its_timeout() -> None:
    began = time.monotonic()
    results = run_checks(DRAFT, V2_8, checks=[sleeper(5), sleeper(0.01)], timeout=0.3)
    assert time.monotonic() - began < 1.0
    assert results[0].status is Status.FAIL and "no answer within 0.3 s" in results[0].detail
    assert results[1].status is Status.PASS


def test_cancel_reports_the_rest_as_skipped() -> None:
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    began = time.monotonic()
    results = run_checks(DRAFT, V2_8, checks=[sleeper(3), sleeper(0.01)], cancel=cancel)
    assert time.monotonic() - began < 0.5
    assert results[0].status is Status.SKIPPED and results[0].detail == "cancelled"
    assert results[1].status is Status.PASS


def test_a_failure_after_a_failed_prerequisite_is_skipped() -> None:
    def fail(ctx: CheckContext) -> Outcome:
        time.sleep(0.1)
        raise CheckFailed("bad key", "fix the key")

    def also_fail(ctx: CheckContext) -> Outcome:
        raise CheckFailed("denied")

    checks = [Check("auth", fail), Check("write", also_fail, ("auth",))]
    results = run_checks(DRAFT, V2_8, checks=checks)
    assert results[0].status is Status.FAIL
    assert results[1].status is Status.SKIPPED and '"auth" did not pass' in results[1].detail


def test_no_secret_leaves_a_check() -> None:
    def leak(ctx: CheckContext) -> Outcome:
        raise RuntimeError("server said: bad signature for s3cr3t-value")

    def leak_fix(ctx: CheckContext) -> Outcome:
        raise CheckFailed("x", "use s3cr3t-value")

    results = run_checks(DRAFT, V2_8, checks=[Check("a", leak), Check("b", leak_fix)])
    text = " ".join(r.detail + r.fix for r in results)
    assert "s3cr3t-value" not in text and "********" in text


def test_importing_the_checks_imports_no_sdk() -> None:
    code = (
        "import sys, dtr_tui.services.checks, dtr_tui.services.checks.runner;"
        "import dtr_tui.services.checks.s3, dtr_tui.services.checks.swift,"
        " dtr_tui.services.checks.azure, dtr_tui.services.checks.provision;"
        "bad = [m for m in ('boto3', 'botocore', 'swiftclient', 'azure.storage.blob')"
        " if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
