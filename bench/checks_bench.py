"""Benchmark: one backend's checks run concurrently, and an unreachable endpoint fails in time.

Run: `python -m bench.checks_bench` (from the repo root, test servers installed). Starts moto
(auth mode), Swift and Azurite, then prints for each backend the time of every check run alone,
the time of all of them together, and the ratio all / slowest single (target <= 1.3; S3 is
judged behind a 20 ms round trip, as a real endpoint is: moto on this host answers one request
at a time, about 4 ms each, so there the checks queue on its CPU). Then an
endpoint that accepts TCP but never answers, per backend: elapsed against the timeout (also
the first run in a fresh process for S3). And the inventory of a registry layout on S3.
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import threading
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
    # Against a local server on 2 shared cores the checks compete for CPU (client and server
    # in Python); the sum says how much running them at once still saved.
    total = sum(singles.values())
    print(f"  one after another {total * 1000:7.1f} ms; at once saves {1 - together / total:.0%}")
    return ratio


UNREACHABLE_ROUNDS = 5
MARGIN = 0.1  # seconds over the timeout a run may take (thread start, result hand-over)

COLD_S3 = """
import socket, sys, time
from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks import run_checks
url = sys.argv[1]
draft = StorageDraft("s3", {"bucket": "b", "region": "us-east-1", "regionendpoint": url,
                            "accesskey": "a", "secretkey": "b"})
began = time.monotonic()
results = run_checks(draft, V2_8, timeout=float(sys.argv[2]))
took = time.monotonic() - began
sdk = sum(r.detail.startswith("no answer from") for r in results)
print(f"{took:.3f} {sdk}")
"""


def _unreachable_drafts(url: str) -> dict[str, tuple[StorageDraft, RegistryVersion]]:
    return {
        "s3": (StorageDraft("s3", {"bucket": "b", "region": "us-east-1",
                                   "regionendpoint": url, "accesskey": "a",
                                   "secretkey": "b"}), V2_8),
        "swift": (StorageDraft("swift", {"authurl": url + "/auth/v1.0", "username": "a:b",
                                         "password": "p", "container": "c"}), V2_8),
        "azure": (StorageDraft("azure", {"accountname": "a", "accountkey": "a2V5",
                                         "container": "c", "serviceurl": url + "/a",
                                         "credentials": {"type": "shared_key"}}), V3_0),
    }  # fmt: skip


def bench_unreachable(timeout: float = 1.0) -> bool:
    """Every backend against a port that accepts TCP and never answers: the whole run must end
    within timeout + MARGIN, and the failures should be the SDK's own (naming the endpoint),
    not the runner giving up on a hung thread."""
    import subprocess

    ok = True
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(128)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        print(
            f"\nunreachable endpoint (accepts TCP, never answers), timeout {timeout:g} s, "
            f"{UNREACHABLE_ROUNDS} rounds; limit timeout + {MARGIN:g} s"
        )
        for name, (draft, version) in _unreachable_drafts(url).items():
            took: list[float] = []
            sdk_errors = 0
            failed: list[Any] = []
            for _ in range(UNREACHABLE_ROUNDS):
                began = time.monotonic()
                results = run_checks(draft, version, timeout=timeout)
                took.append(time.monotonic() - began)
                failed = [r for r in results if r.status == "fail"]
                sdk_errors += sum(r.detail.startswith("no answer from") for r in failed)
            worst = max(took)
            within = worst <= timeout + MARGIN
            ok = ok and within and bool(failed)
            first = f"{failed[0].name}: {failed[0].detail}" if failed else "no failure"
            print(
                f"  {name:<6} median {statistics.median(took):5.2f} s, max {worst:5.2f} s "
                f"({'ok' if within else 'OVER'}); SDK timeouts {sdk_errors}; {first}"
            )
        # The first run in a fresh process pays for importing boto3 and loading its models.
        cold: list[float] = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", COLD_S3, url, str(timeout)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            cold.append(float(out[0]))
        within = max(cold) <= timeout + MARGIN
        ok = ok and within
        print(
            f"  s3 first run in a fresh process: max {max(cold):5.2f} s of 3 "
            f"({'ok' if within else 'OVER'})"
        )
    return ok


def bench_inventory(moto: MotoServer, repos: int = 300, blobs: int = 900) -> bool:
    """Counting a bucket laid out as a registry's: REPOS repositories (8 keys each, as a small
    image with tags leaves) and BLOBS blobs, within the default 5 s; and a 0.5 s budget gives
    "at least" instead of running over."""
    from concurrent.futures import ThreadPoolExecutor

    from dtr_tui.services.checks.inventory import count_registry_data

    bucket = moto.create_bucket(f"inv-{uuid.uuid4().hex[:8]}")
    client = moto.client("s3")
    base = "docker/registry/v2"
    keys: list[str] = []
    for i in range(repos):
        repo = f"{base}/repositories/team{i % 20}/app{i}"
        digests = [uuid.uuid4().hex * 2 for _ in range(3)]
        keys += [f"{repo}/_layers/sha256/{d}/link" for d in digests]
        keys += [f"{repo}/_manifests/revisions/sha256/{digests[0]}/link"]
        keys += [f"{repo}/_manifests/tags/v{t}/current/link" for t in range(2)]
        keys += [f"{repo}/_manifests/tags/v{t}/index/sha256/{digests[0]}/link" for t in range(2)]
    for _ in range(blobs):
        digest = uuid.uuid4().hex * 2
        keys.append(f"{base}/blobs/sha256/{digest[:2]}/{digest}/data")
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: client.put_object(Bucket=bucket, Key=k, Body=b"x"), keys))
    draft = StorageDraft("s3", moto.registry_storage(bucket)["s3"])
    count_registry_data(draft, V2_8, timeout=5)  # warm up
    runs = [count_registry_data(draft, V2_8, timeout=5) for _ in range(3)]
    found = runs[-1]
    seconds = statistics.median(r.seconds for r in runs)
    right = (found.repositories, found.blobs, found.complete) == (repos, blobs, True)
    short = count_registry_data(draft, V2_8, timeout=0.5)
    bounded = short.seconds <= 0.5 + MARGIN and (not short.complete or not short.counted)
    print(f"\ninventory of a registry layout on moto S3 ({len(keys)} keys)")
    print(
        f"  {found.repositories} repositories and {found.blobs} blobs counted in "
        f"{seconds:5.2f} s (median of 3; {'ok' if right else 'WRONG'})"
    )
    print(
        f"  with a 0.5 s budget: {short.seconds:5.2f} s, {short.detail} "
        f"({'ok' if bounded else 'OVER'})"
    )
    return right and bounded


class LatencyProxy:
    """A TCP relay on 127.0.0.1 that holds every chunk `delay` seconds each way, so a local
    server answers like a remote one (20 ms round trip at 10 ms). Against moto on this host
    the checks otherwise queue on the server's own CPU (about 4 ms per request, one at a
    time), which a real S3 does not do."""

    def __init__(self, upstream: str, delay: float = 0.010) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(upstream)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.delay = delay
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                time.sleep(self.delay)
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


def main() -> int:
    work = tempfile.mkdtemp(prefix="dtr-bench-")
    ratios: list[float] = []
    with MotoServer(f"{work}/moto", auth=True) as moto:
        bucket = moto.create_bucket(f"bench-{uuid.uuid4().hex[:8]}")
        draft = StorageDraft("s3", moto.registry_storage(bucket)["s3"])
        bench_backend("s3 (moto, auth mode, on this host)", draft, V2_8)
        proxy = LatencyProxy(moto.endpoint_url)
        remote = draft.with_value(("s3", "regionendpoint"), proxy.url)
        ratios.append(bench_backend("s3 (moto behind a 20 ms round trip)", remote, V2_8))
        proxy.close()
        inventory_ok = bench_inventory(moto)
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
    ok = all(r <= TARGET for r in ratios) and unreachable_ok and inventory_ok
    print("\nresult:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
