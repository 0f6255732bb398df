"""Benchmark: load + validate + plan on a 300-line commented config, and a keystroke's preview.

Targets: under 30 ms per plan (issue 2); under 5 ms for the screen's per-keystroke preview,
the same Planner composing again only the storage section (issue 3). Both are reported as a
ratio against a baseline measured in the same run: ruamel.yaml's own round-trip load of the
same file (what any editor that keeps comments pays before doing anything), so a noisy shared
machine affects both alike.

Run: python bench/bench_plan.py
"""

from __future__ import annotations

import io
import itertools
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import Planner, plan_change
from dtr_tui.core.versions import V2_8

CONFIG = Path(__file__).parent.parent / "tests" / "data" / "commented-config.yml"
ROUNDS = 60


def timed(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def ruamel_round_trip() -> None:
    yaml = YAML(typ="rt")
    data = yaml.load(CONFIG.read_text())
    yaml.dump(data, io.StringIO())


def our_plan() -> None:
    doc = ConfigDocument.load(CONFIG)
    draft = doc.draft(V2_8).with_driver(
        "s3", {"bucket": "b", "region": "us-east-1", "accesskey": "a", "secretkey": "s"}
    )
    plan = plan_change(doc, draft, V2_8)
    assert plan.has_changes and not plan.errors


def keystroke_previews() -> Callable[[], object]:
    """One preview per call, each with the root directory one character longer."""
    doc = ConfigDocument.load(CONFIG)
    planner = Planner(doc, V2_8)
    drafts = itertools.cycle(
        doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/srv/" + "z" * i)
        for i in range(1, 40)
    )
    planner.preview(next(drafts))
    return lambda: planner.preview(next(drafts))


def main() -> None:
    lines = len(CONFIG.read_text().splitlines())
    timed(our_plan, 5)
    timed(ruamel_round_trip, 5)
    preview = keystroke_previews()
    timed(preview, 5)
    ours = timed(our_plan)
    base = timed(ruamel_round_trip)
    key = timed(preview)
    print(f"config: {CONFIG.name}, {lines} lines, median of {ROUNDS}")
    print(f"baseline  ruamel round-trip load+dump : {base * 1000:7.2f} ms")
    print(f"dtr-tui   load + validate + plan      : {ours * 1000:7.2f} ms")
    print(f"ratio     plan / baseline             : {ours / base:7.2f}x")
    print(f"target    under 30 ms per plan        : {'met' if ours < 0.030 else 'NOT met'}")
    print(f"dtr-tui   preview of a keystroke      : {key * 1000:7.2f} ms")
    print(f"ratio     preview / baseline          : {key / base:7.3f}x")
    print(f"target    under 5 ms per keystroke    : {'met' if key < 0.005 else 'NOT met'}")


if __name__ == "__main__":
    main()
