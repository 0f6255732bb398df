"""Save & restart made safe, against a real dockerd and real registry 2.8 containers, through
the real CLI in its own process:

- a real SIGINT, SIGTERM or SIGHUP sent from outside at the "waiting" step rolls back: the
  previous file (bytes and mode) is back, the registry serves on it, the audit line says
  "interrupted"; a second SIGINT during the rollback is answered with what is on disk and
  what runs, and the rollback still ends;
- a rollback puts back the mode the file had before the write (0644, not the 0640 the
  secret rule gave the new file), and a definite storage error (a missing bucket: the
  registry logs NoSuchBucket) is rolled back in seconds, not after the whole timeout;
- `apply --restart --container X --config Y` where X reads another file is refused before
  anything is written, naming both files.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import apply_plan
from dtr_tui.services.docker_target import find_target
from tests.support.dockerd import run_registry_container
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]

# Runs the real CLI; at the step containing argv[1] it prints HOOK and waits (up to 10 s)
# until a signal sent from outside has been seen, so the signal lands at that exact step.
HOOK = r"""
import os, sys, time
from dtr_tui.cli import commands
from dtr_tui.cli.main import main
from dtr_tui.services import apply as apply_mod
steps = sys.argv[1].split("|")
rest = sys.argv[2:]
orig = commands.apply_plan
def wrapped(*a, **kw):
    p = kw.get("progress")
    fired = set()
    def prog(s):
        if p: p(s)
        for i, step in enumerate(steps):
            if step in s and i not in fired:
                fired.add(i)
                before = len(getattr(apply_mod, "_INTERRUPT_BY", []))
                print(f"HOOK {i}", flush=True)
                # the first signal is seen when it is recorded; a later one changes nothing
                # there, so give it a second to arrive
                end = time.monotonic() + (10 if i == 0 else 1)
                while time.monotonic() < end:
                    if i == 0 and len(getattr(apply_mod, "_INTERRUPT_BY", [])) > before:
                        break
                    time.sleep(0.05)
    kw["progress"] = prog
    return orig(*a, **kw)
commands.apply_plan = wrapped
sys.exit(main(rest))
"""


def config_text(port: int, storage: str) -> str:
    return (
        "version: 0.1\n"
        "log:\n  level: info\n  formatter: text\n"
        "# the storage the registry uses\n"
        f"storage:\n{storage}"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: HTTPSECRET-{uuid.uuid4().hex[:8]}\n"
    )


FS = "  filesystem:\n    rootdirectory: /var/lib/registry\n"


class Reg:
    """A registry 2.8 container reading `dir/config.yml` (0644, holds http.secret)."""

    def __init__(self, client: Any, root: Path, storage: str = FS) -> None:
        self.client = client
        self.port = free_port()
        self.dir = root / f"etc-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir()
        self.config = self.dir / "config.yml"
        self.config.write_text(config_text(self.port, storage))
        self.config.chmod(0o644)
        self.name = f"safe-{uuid.uuid4().hex[:8]}"
        self.container = run_registry_container(client, self.dir, name=self.name)
        self.url = f"http://127.0.0.1:{self.port}"

    def catalog(self) -> int:
        try:
            with urllib.request.urlopen(self.url + "/v2/_catalog", timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def audit(self) -> dict[str, Any]:
        audit = self.config.with_name(self.config.name + ".dtr-tui-audit.jsonl")
        return dict(json.loads(audit.read_text().splitlines()[-1]))


@pytest.fixture
def reg(dockerd: Any, registry_image: str, tmp_path: Path) -> Iterator[Reg]:
    made = Reg(dockerd.client(), tmp_path)
    yield made
    with contextlib.suppress(Exception):
        made.container.remove(force=True)


def cli(dockerd: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": dockerd.base_url, "PYTHONPATH": str(ROOT)}
    env.pop("AWS_CA_BUNDLE", None)
    return subprocess.run(
        [sys.executable, "-m", "dtr_tui", *args],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )  # fmt: skip


def cli_signalled(
    dockerd: Any, steps: list[tuple[str, signal.Signals]], *args: str
) -> tuple[int, str, str]:
    """The CLI in its own process; at each step (a substring of a progress line) the test
    sends the signal to that process from outside."""
    env = {**os.environ, "DOCKER_HOST": dockerd.base_url, "PYTHONPATH": str(ROOT)}
    env.pop("AWS_CA_BUNDLE", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOOK, "|".join(s for s, _ in steps), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    out: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        out.append(line)
        if line.startswith("HOOK "):
            proc.send_signal(steps[int(line.split()[1])][1])
    err = proc.stderr.read() if proc.stderr else ""
    return proc.wait(60), "".join(out), err


APPLY = ("apply", "--restart", "--yes", "--timeout", "30")
OTHER_ROOT = ("--set", "filesystem.rootdirectory=/var/lib/registry2")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_waiting_rolls_back(dockerd: Any, reg: Reg, sig: signal.Signals) -> None:
    before = reg.config.read_bytes()
    code, out, err = cli_signalled(
        dockerd, [("waiting for", sig)], *APPLY, "--container", reg.name, *OTHER_ROOT
    )
    assert code == 128 + sig, out + err  # 130 for Ctrl-C
    assert f"{sig.name}: not stopping halfway" in err
    assert f"The new config is not in use: interrupted ({sig.name}) while waiting" in err
    if sig is not signal.SIGHUP:  # after a hangup the steps are no longer printed
        assert f"stopped: interrupted ({sig.name}) while waiting" in out
        assert "rolled back: the registry serves again on the previous config" in out
    assert reg.config.read_bytes() == before
    assert stat.S_IMODE(reg.config.stat().st_mode) == 0o644  # the write made it 0640
    assert reg.catalog() == 200
    entry = reg.audit()
    assert entry["outcome"] == "interrupted-rolled-back" and entry["interrupted"] == sig.name
    assert "HTTPSECRET" not in out + err + json.dumps(entry)


def test_a_second_sigint_during_the_rollback_says_what_is_where(dockerd: Any, reg: Reg) -> None:
    before = reg.config.read_bytes()
    code, out, err = cli_signalled(
        dockerd,
        [("waiting for", signal.SIGINT), ("restored the previous config", signal.SIGINT)],
        *APPLY, "--container", reg.name, *OTHER_ROOT,
    )  # fmt: skip
    assert code == 130
    assert "SIGINT again: the rollback goes on" in err, err
    assert f"{reg.config} holds the previous config again" in err
    assert "rolled back: the registry serves again on the previous config" in out
    assert reg.config.read_bytes() == before and reg.catalog() == 200
    assert reg.audit()["outcome"] == "interrupted-rolled-back"


def test_rollback_restores_the_mode_and_a_missing_bucket_fails_fast(
    reg: Reg, moto_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    before = reg.config.read_bytes()
    storage = (
        "  s3:\n    bucket: nosuchbucket-" + uuid.uuid4().hex[:6] + "\n    region: us-east-1\n"
        f"    regionendpoint: {moto_server.endpoint_url}\n    accesskey: {moto_server.access_key}\n"
        f"    secretkey: {moto_server.secret_key}\n  redirect:\n    disable: true\n"
    )
    doc = ConfigDocument.load(reg.config)
    new = ConfigDocument.parse(config_text(reg.port, storage), "new").draft(V2_8)
    plan = plan_change(doc, new, V2_8)
    seen: list[str] = []
    result = apply_plan(
        plan, target=find_target(reg.client, reg.name), client=reg.client, restart=True,
        timeout=60, progress=seen.append,
    )  # fmt: skip
    assert result.rolled_back and not result.ok, seen
    assert "NoSuchBucket" in result.failure and "NoSuchBucket" in result.log_tail
    polls = [r for r in result.log_tail.splitlines() if "dtr-tui-wait" in r and "error" not in r]
    assert not polls  # dtr-tui's own polling is left out of the tail
    assert result.seconds < 15  # not the whole 60 s
    assert any("0644 -> 0640" in s for s in seen)  # the new file lost "other" ...
    assert stat.S_IMODE(reg.config.stat().st_mode) == 0o644  # ... and got it back
    assert reg.config.read_bytes() == before and reg.catalog() == 200
    assert moto_server.secret_key not in "\n".join(seen) + result.failure + result.log_tail


def test_restart_of_a_container_that_reads_another_file_is_refused(
    dockerd: Any, reg: Reg, tmp_path: Path
) -> None:
    decoy = tmp_path / "decoy" / "config2.yml"
    decoy.parent.mkdir()
    decoy.write_bytes(reg.config.read_bytes())
    before, theirs = decoy.read_bytes(), reg.config.read_bytes()
    reg.container.reload()
    started = reg.container.attrs["State"]["StartedAt"]
    done = cli(dockerd, "--config", str(decoy), *APPLY, "--container", reg.name, *OTHER_ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"reads /etc/docker/registry/config.yml, which is {reg.config}" in done.stderr
    assert f"not {decoy}" in done.stderr and "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert decoy.read_bytes() == before and reg.config.read_bytes() == theirs
    reg.container.reload()
    assert reg.container.attrs["State"]["StartedAt"] == started  # not restarted


# The screen's shape: apply in a worker thread, the main thread in its loop, progress sent to
# a terminal that is gone once the SSH link drops (it then never returns).
SCREEN_LIKE = r"""
import sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8
from dtr_tui.services import apply as apply_mod
from dtr_tui.services.docker_target import docker_client, find_target
config, name = sys.argv[1], sys.argv[2]
apply_mod.roll_back_on_signals()
client = docker_client()
target = find_target(client, name)
text = Path(config).read_text().replace("/var/lib/registry\n", "/var/lib/registry2\n")
new = ConfigDocument.parse(text, "new").draft(V2_8)
plan = plan_change(ConfigDocument.load(Path(config)), new, V2_8)
gone = threading.Event()
def progress(step):
    if gone.is_set():
        threading.Event().wait()  # the terminal is gone: this never returns
    if "waiting for" in step:
        gone.set()
        print("HOOK 0", flush=True)
        time.sleep(2)  # the hangup arrives here
future = ThreadPoolExecutor(1).submit(
    apply_mod.apply_plan, plan, target=target, client=client, restart=True, timeout=30,
    progress=progress,
)
while not future.done():
    time.sleep(0.1)
print("DONE", future.result().ok, flush=True)
"""


def test_a_hangup_during_a_save_from_a_worker_thread_rolls_back_then_exits(
    dockerd: Any, reg: Reg
) -> None:
    """SIGHUP (the SSH link dropped) while the screen's worker waits for the registry."""
    before = reg.config.read_bytes()
    env = {**os.environ, "DOCKER_HOST": dockerd.base_url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCREEN_LIKE, str(reg.config), reg.name],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdout is not None
    out = []
    for line in proc.stdout:
        out.append(line)
        if line.startswith("HOOK"):
            proc.send_signal(signal.SIGHUP)
    code = proc.wait(60)
    err = proc.stderr.read() if proc.stderr else ""
    assert code == 128 + signal.SIGHUP, "".join(out) + err
    assert reg.config.read_bytes() == before
    assert stat.S_IMODE(reg.config.stat().st_mode) == 0o644
    assert reg.catalog() == 200
    assert reg.audit()["outcome"] == "interrupted-rolled-back"


def test_a_registry_that_could_not_read_the_tightened_file_is_refused_before_writing(
    dockerd: Any, registry_image: str, tmp_path: Path
) -> None:
    """QA 1.2: a registry run as 65534:65534 reads a root-owned 0644 config; a change that
    puts a secret in the clear makes it 0640, which that user cannot read: the registry (and
    then the rollback) would not start. Refused before anything is written."""
    from dtr_tui.core.errors import DtrError
    from tests.support.dockerd import TEST_LABEL
    from tests.support.ports import wait_for_http

    client = dockerd.client()
    port = free_port()
    folder = tmp_path / "etc"
    folder.mkdir()
    config = folder / "config.yml"
    config.write_text(config_text(port, FS).replace("  secret: HTTPSECRET", "  # was: HTTP"))
    config.chmod(0o644)
    name = f"user-{uuid.uuid4().hex[:8]}"
    container = client.containers.run(
        registry_image, name=name, detach=True, network_mode="host", user="65534:65534",
        volumes={str(folder): {"bind": "/etc/docker/registry", "mode": "rw"}},
        labels={TEST_LABEL: "true"},
    )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v2/", 20, (200,))
        before = config.read_bytes()
        secret = "S3CRET-" + uuid.uuid4().hex[:8]
        storage = (
            "  s3:\n    bucket: images\n    region: us-east-1\n"
            "    regionendpoint: http://127.0.0.1:9\n    accesskey: AKIA\n"
            f"    secretkey: {secret}\n"
        )
        doc = ConfigDocument.load(config)
        plan = plan_change(
            doc, ConfigDocument.parse(config_text(port, storage), "new").draft(V2_8), V2_8
        )
        container.reload()
        started = container.attrs["State"]["StartedAt"]
        with pytest.raises(DtrError) as refused:
            apply_plan(plan, target=find_target(client, name), client=client, restart=True)
        said = str(refused.value)
        assert "runs as user 65534:65534, which could not read" in said
        assert "mode 0640 (owner uid 0, group gid 0)" in said and "nothing was written" in said
        assert secret not in said
        assert config.read_bytes() == before and stat.S_IMODE(config.stat().st_mode) == 0o644
        container.reload()
        assert container.attrs["State"]["StartedAt"] == started
    finally:
        container.remove(force=True)
