"""Two dtr-tui processes saving the same config at once (real processes, the real CLI).

The stale guard alone let both pass when the second read the file between the first's stale
check and its rename (QA: 1 of 41 rounds lost an update). Here the first is held at exactly
that point (after its check, before its rename) while the second runs: the second must wait
for the lock and then be refused as stale, never write over the first. A first that holds
the lock longer than the wait is named (its pid) by the second, which writes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The real CLI, its write held for argv[1] seconds after the stale check (inside the lock).
SLOW_WRITER = r"""
import sys, time
from dtr_tui.core import safe_write
from dtr_tui.cli.main import main
pause = float(sys.argv[1])
real = safe_write.replace_atomically
def slow(*a, **kw):
    print("PAST-THE-CHECK", flush=True)
    time.sleep(pause)
    return real(*a, **kw)
safe_write.replace_atomically = slow
sys.exit(main(sys.argv[2:]))
"""

CONFIG = (
    "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /a\nhttp:\n  addr: 127.0.0.1:5000\n"
)


def env() -> dict[str, str]:
    clean = {**os.environ, "PYTHONPATH": str(ROOT)}
    clean.pop("DOCKER_HOST", None)
    return clean


def apply_args(config: Path, root: str) -> list[str]:
    return ["--config", str(config), "apply", "--no-container", "--yes"] + [
        "--set",
        f"filesystem.rootdirectory={root}",
    ]


def start_slow(config: Path, pause: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(pause), *apply_args(config, "/first")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=ROOT,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if "PAST-THE-CHECK" in line:
            return proc
    raise AssertionError("the first writer never reached its write: " + proc.stderr.read())


def run_second(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dtr_tui", *apply_args(config, "/second")],
        capture_output=True, text=True, timeout=60, env=env(), cwd=ROOT,
    )  # fmt: skip


def test_second_writer_waits_for_the_first_and_is_refused_as_stale(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CONFIG)
    first = start_slow(config, 2.0)
    second = run_second(config)
    assert first.wait(30) == 0
    text = config.read_text()
    assert "/first" in text and "/second" not in text  # nothing lost, nothing overwritten
    assert second.returncode == 2, second.stdout + second.stderr
    assert "changed on disk since it was read; nothing was written" in second.stderr
    assert not any(p.name.endswith(".dtr-tui.lock") for p in tmp_path.iterdir())


def test_a_writer_that_holds_the_lock_too_long_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CONFIG)
    first = start_slow(config, 9.0)
    began = time.monotonic()
    second = run_second(config)
    waited = time.monotonic() - began
    assert second.returncode == 2, second.stdout + second.stderr
    assert f"is being changed by another dtr-tui (pid {first.pid}," in second.stderr
    assert "still after 5 s; nothing was written" in second.stderr
    assert "Traceback" not in second.stderr
    assert 4.5 < waited < 9.0
    assert first.wait(30) == 0
    assert "/first" in config.read_text()
