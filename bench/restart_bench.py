"""Benchmark: Save & restart, from the confirm to the registry healthy.

Target (issue 4): within 1.2x of the baseline measured in the same run: `docker restart` (the
engine's restart call, as the SDK makes it: the same API request the CLI sends, without the
CLI's own start-up) plus polling `GET /v2/` every 20 ms until the first 200. Ours is
`apply_plan(plan, target=, client=, restart=True)`: stale guard, backup, atomic write, restart,
`/v2/` and a storage request answering, audit line. Each round of ours writes a real change
(alternating `storage.delete.enabled`). Rounds alternate between the two, medians compared.

Starts its own dockerd and builds the FROM-scratch registry image (Debian's docker-registry
and docker.io installed: scripts/install-test-deps).

Run: python -m bench.restart_bench [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import apply_plan
from dtr_tui.services.docker_target import find_target
from tests.support.dockerd import Dockerd, build_registry_image, run_registry_container
from tests.support.ports import free_port
from tests.support.registry import registry_config_text

ROUNDS = 7
POLL = 0.02
TARGET = 1.2


def docker_restart_then_first_200(container: Any, url: str) -> float:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    began = time.monotonic()
    container.restart(timeout=10)
    while True:
        try:
            with opener.open(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - began
        except OSError:
            pass
        time.sleep(POLL)


def dtr_tui_apply(client: Any, name: str, config: Path, port: int, delete: bool) -> float:
    """Plan and target are ready before the confirm, so they are not timed."""
    target = find_target(client, name)
    doc = ConfigDocument.load(config)
    storage = {"filesystem": {"rootdirectory": "/var/lib/registry"}, "delete": {"enabled": delete}}
    draft = ConfigDocument.parse(registry_config_text(storage, port), "bench").draft(V2_8)
    plan = plan_change(doc, draft, V2_8)
    assert plan.has_changes and not plan.errors
    began = time.monotonic()
    result = apply_plan(plan, target=target, client=client, restart=True, timeout=30)
    seconds = time.monotonic() - began
    if not result.ok:
        raise SystemExit(f"apply failed: {result.failure}\n{result.log_tail}")
    return seconds


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    with Dockerd() as engine, tempfile.TemporaryDirectory(prefix="restart-bench-") as tmp:
        client = engine.client()
        build_registry_image(client)
        config_dir = Path(tmp)
        port = free_port()
        config = config_dir / "config.yml"
        config.write_text(
            registry_config_text({"filesystem": {"rootdirectory": "/var/lib/registry"}}, port)
        )
        container = run_registry_container(client, config_dir, name="restart-bench")
        url = f"http://127.0.0.1:{port}/v2/"
        docker_restart_then_first_200(container, url)  # warm-up, both paths
        dtr_tui_apply(client, container.name, config, port, True)
        plain: list[float] = []
        ours: list[float] = []
        for number in range(rounds):
            plain.append(docker_restart_then_first_200(container, url))
            ours.append(dtr_tui_apply(client, container.name, config, port, number % 2 == 1))
        base, mine = statistics.median(plain), statistics.median(ours)
        ratio = mine / base
        print(f"rounds: {rounds} each, alternating; poll every {POLL * 1000:.0f} ms")
        print(f"baseline  docker restart + first 200 on /v2/  : {base * 1000:7.1f} ms (median)")
        print(f"dtr-tui   apply_plan(restart=True) to healthy : {mine * 1000:7.1f} ms (median)")
        print(f"          each round (ms) baseline: {' '.join(f'{s * 1000:.0f}' for s in plain)}")
        print(f"          each round (ms) dtr-tui : {' '.join(f'{s * 1000:.0f}' for s in ours)}")
        print(f"ratio     dtr-tui / baseline          : {ratio:7.2f}x")
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(f"target    within {TARGET}x                  : {verdict}")


if __name__ == "__main__":
    main()
