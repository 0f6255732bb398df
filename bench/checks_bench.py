"""Benchmark: one backend's checks run concurrently, and an unreachable endpoint fails in time.

Run: `python -m bench.checks_bench` (from the repo root, test servers installed). Starts moto
(auth mode), Swift and Azurite, then prints for each backend the time of every check run alone,
the time of all of them together, and the ratio all / slowest single (target <= 1.3). Then an
endpoint that accepts TCP but never answers, per backend: elapsed against the timeout.
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8, V3_0, RegistryVersion
from dtr_tui.services.checks import checks_for, run_checks
from tests.support.azurite import Azurite
from tests.support.moto import MotoServer
from tests.support.swift import SwiftAIO

ROUNDS = 5
TARGET = 1.3
FLOOR = 0.005  # below this the ratio measures thread start-up, not the checks


def timed(fn: Callable[[], Any]) -> float:
    began = time.monotonic()
    fn()
    return time.monotonic() - began


def bench_backend(label: str, draft: StorageDraft, version: RegistryVersion) -> float:
    names = [c.name for c in checks_for(draft, version)]
    run_checks(draft, version)  # warm up: SDK imports, connection pools, server caches
    singles: dict[str, float] = {}
    for name in names:

        def one(name: str = name) -> None:
            check = [c for c in checks_for(draft, version) if c.name == name]
            run_checks(draft, version, checks=check)

        singles[name] = statistics.median(timed(one) for _ in range(ROUNDS))
    together = statistics.median(timed(lambda: run_checks(draft, version)) for _ in range(ROUNDS))
    slowest = max(singles.values())
    ratio = together / slowest
    if slowest < FLOOR:
        # Sub-millisecond checks: starting threads costs more than the checks themselves.
        print(f"\n{label}: {len(names)} checks, all under {FLOOR * 1000:.0f} ms alone")
        print(f"  all together {together * 1000:7.2f} ms (ratio not meaningful; n/a)")
        return 1.0
    print(f"\n{label}: {len(names)} checks, median of {ROUNDS} rounds")
    for name, seconds in singles.items():
        print(f"  {name:<22} alone {seconds * 1000:7.1f} ms")
    verdict = "ok" if ratio <= TARGET else "OVER"
    print(
        f"  all together {together * 1000:7.1f} ms; slowest alone {slowest * 1000:7.1f} ms; "
        f"ratio {ratio:.2f} ({verdict}, target <= {TARGET})"
    )
    return ratio


def bench_unreachable(timeout: float = 1.0) -> bool:
    """Every backend against a port that accepts TCP and never answers."""
    ok = True
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(128)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        drafts = {
            "s3": (StorageDraft("s3", {"bucket": "b", "region": "us-east-1",
                                       "regionendpoint": url, "accesskey": "a",
                                       "secretkey": "b"}), V2_8),
            "swift": (StorageDraft("swift", {"authurl": url + "/auth/v1.0", "username": "a:b",
                                             "password": "p", "container": "c"}), V2_8),
            "azure": (StorageDraft("azure", {"accountname": "a", "accountkey": "a2V5",
                                             "container": "c", "serviceurl": url + "/a",
                                             "credentials": {"type": "shared_key"}}), V3_0),
        }  # fmt: skip
        print(f"\nunreachable endpoint (accepts TCP, never answers), timeout {timeout:g} s")
        for name, (draft, version) in drafts.items():
            began = time.monotonic()
            results = run_checks(draft, version, timeout=timeout)
            took = time.monotonic() - began
            failed = [r for r in results if r.status == "fail"]
            within = took <= timeout * 1.3
            ok = ok and within and bool(failed)
            first = f"{failed[0].name}: {failed[0].detail}" if failed else "no failure"
            print(
                f"  {name:<6} all checks done in {took:5.2f} s "
                f"({took / timeout:.2f} x timeout, {'ok' if within else 'OVER'}); {first}"
            )
    return ok


def main() -> int:
    work = tempfile.mkdtemp(prefix="dtr-bench-")
    ratios: list[float] = []
    with MotoServer(f"{work}/moto", auth=True) as moto:
        bucket = moto.create_bucket(f"bench-{uuid.uuid4().hex[:8]}")
        draft = StorageDraft("s3", moto.registry_storage(bucket)["s3"])
        ratios.append(bench_backend("s3 (moto, auth mode)", draft, V2_8))
    with SwiftAIO(f"{work}/swift") as swift:
        swift.connection().put_container("bench")
        draft = StorageDraft("swift", swift.registry_storage("bench")["swift"])
        ratios.append(bench_backend("swift (all-in-one, tempauth)", draft, V2_8))
    with Azurite(f"{work}/azurite") as azurite:
        azurite.service_client().create_container("bench")
        params = {
            "accountname": azurite.account_name,
            "accountkey": azurite.account_key,
            "container": "bench",
            "serviceurl": azurite.endpoint_url,
            "credentials": {"type": "shared_key"},
        }
        ratios.append(bench_backend("azure (Azurite)", StorageDraft("azure", params), V3_0))
    with tempfile.TemporaryDirectory() as root:
        draft = StorageDraft("filesystem", {"rootdirectory": root})
        ratios.append(bench_backend("filesystem", draft, V2_8))
    unreachable_ok = bench_unreachable()
    ok = all(r <= TARGET for r in ratios) and unreachable_ok
    print("\nresult:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
