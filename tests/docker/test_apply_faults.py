"""Faults during Save & restart, each made for real against a real dockerd: permission denied
on the socket, the engine stopping between the write and the restart, the container removed
mid-apply, and rollbacks that themselves fail (immutable config directory, backup removed,
container removed after the failed restart)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import ApplyResult, apply_plan
from dtr_tui.services.docker_target import find_target
from tests.support.dockerd import Dockerd, build_registry_image, run_registry_container
from tests.support.ports import free_port
from tests.support.registry import registry_config_text

FS = {"filesystem": {"rootdirectory": "/var/lib/registry"}}


class Reg:
    """A registry container on the engine `client`, config dir under `root`."""

    def __init__(self, client: Any, root: Path, image: str | None = None) -> None:
        self.client = client
        self.port = free_port()
        self.dir = root / f"etc-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir()
        self.config = self.dir / "config.yml"
        self.config.write_text(registry_config_text(FS, self.port))
        self.name = f"fault-{uuid.uuid4().hex[:8]}"
        kwargs = {"image": image} if image else {}
        self.container = run_registry_container(client, self.dir, name=self.name, **kwargs)

    def plan(self, storage: dict[str, Any]) -> Any:
        doc = ConfigDocument.load(self.config)
        text = registry_config_text(storage, self.port)
        return plan_change(doc, ConfigDocument.parse(text, "new").draft(V2_8), V2_8)

    def apply(self, storage: dict[str, Any], on_step: Callable[[str], None]) -> ApplyResult:
        target = find_target(self.client, self.name)
        return apply_plan(
            self.plan(storage),
            target=target,
            client=self.client,
            restart=True,
            timeout=15,
            progress=on_step,
        )


@pytest.fixture
def reg(dockerd: Any, registry_image: str, tmp_path: Path) -> Iterator[Reg]:
    made = Reg(dockerd.client(), tmp_path)
    yield made
    with contextlib.suppress(Exception):
        made.container.remove(force=True)


def when(prefix: str, action: Callable[[], None], seen: list[str]) -> Callable[[str], None]:
    """A progress callback that records each step and runs `action` at the one that starts
    with `prefix` (once)."""

    def step(text: str) -> None:
        seen.append(text)
        if text.startswith(prefix) and not getattr(step, "done", False):
            step.done = True  # type: ignore[attr-defined]
            action()

    return step


def backups_of(config: Path) -> list[Path]:
    return sorted(p for p in config.parent.iterdir() if p.name.startswith(config.name + ".bak"))


def audit_outcome(config: Path) -> str:
    audit = config.with_name(config.name + ".dtr-tui-audit.jsonl")
    return str(json.loads(audit.read_text().splitlines()[-1])["outcome"])


# -- the socket ---------------------------------------------------------------------------


def test_permission_denied_on_the_socket(dockerd: Any) -> None:
    """The CLI run as `nobody` against the test engine's socket (srw-rw---- root:root)."""
    folder = Path(tempfile.mkdtemp(prefix="dtr-tui-perm-"))
    folder.chmod(0o777)
    config = folder / "config.yml"
    config.write_text(registry_config_text(FS, 5000))
    config.chmod(0o666)
    before = config.read_text()
    socket_dir = Path(dockerd.socket_path).parent
    mode = stat.S_IMODE(socket_dir.stat().st_mode)
    socket_dir.chmod(0o711)  # so the refusal is the socket's own, not the directory's
    try:
        result = subprocess.run(
            ["setpriv", "--reuid=nobody", "--regid=65534", "--clear-groups"]
            + [sys.executable, "-m", "dtr_tui", "apply", "--config", str(config)]
            + ["--restart", "--yes", "--driver", "inmemory"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "DOCKER_HOST": dockerd.base_url},
        )
    finally:
        socket_dir.chmod(mode)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        f"dtr-tui: error: cannot reach the Docker engine at {dockerd.base_url}: "
        "permission denied on the socket" in result.stderr
    )
    assert "run dtr-tui as root or as a user in the socket's group" in result.stderr
    assert config.read_text() == before
    assert sorted(p.name for p in folder.iterdir()) == ["config.yml"]
    config.unlink()
    folder.rmdir()


# -- the engine or the container going away between the write and the restart ---------------


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Dockerd]:
    """A second, private dockerd this test may stop (the shared one serves the others)."""
    engine = Dockerd()
    engine.start()
    try:
        build_registry_image(engine.client())
        yield engine
    finally:
        engine.stop()


def test_engine_stops_between_the_write_and_the_restart(
    own_engine: Dockerd, tmp_path: Path
) -> None:
    reg = Reg(own_engine.client(), tmp_path)
    before = reg.config.read_text()
    seen: list[str] = []
    result = reg.apply({"inmemory": {}}, when("restarting", own_engine.stop, seen))
    assert result.written and not result.ok
    assert result.rolled_back and not result.rollback_failed and not result.restarted
    assert "the Docker engine stopped answering" in result.failure
    assert reg.config.read_text() == before
    said = "\n".join(seen)
    assert "the restart failed" in said
    assert f"restored the previous config in {reg.config}" in said
    newest = backups_of(reg.config)[-1]
    assert "inmemory" in newest.read_text()  # the new config is kept too
    assert audit_outcome(reg.config) == "rolled-back"


def test_container_removed_between_the_write_and_the_restart(reg: Reg) -> None:
    before = reg.config.read_text()
    seen: list[str] = []
    remove = lambda: reg.container.remove(force=True)  # noqa: E731
    result = reg.apply({"inmemory": {}}, when("restarting", remove, seen))
    assert result.rolled_back and not result.ok
    assert "removed while dtr-tui was changing its config" in result.failure
    assert reg.config.read_text() == before
    assert any(s.startswith("restored the previous config") for s in seen)


# -- rollbacks that fail -------------------------------------------------------------------


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Folders made immutable (chattr +i: even root cannot create files there), undone after."""
    marked: list[Path] = []
    yield marked
    for folder in marked:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


@pytest.mark.parametrize("fault", ["immutable-directory", "backup-removed", "container-removed"])
def test_rollback_that_fails_is_loud_and_keeps_both_versions(
    reg: Reg, swift_server: Any, immutable: list[Path], fault: str
) -> None:
    before = reg.config.read_text()
    wrong = "wrong-" + uuid.uuid4().hex[:8]
    storage = swift_server.registry_storage(f"c-{uuid.uuid4().hex[:6]}", password=wrong)

    def break_rollback() -> None:
        backup = backups_of(reg.config)[-1]
        if fault == "immutable-directory":
            subprocess.run(["chattr", "+i", str(reg.dir)], check=True)
            immutable.append(reg.dir)
        elif fault == "backup-removed":
            backup.unlink()
        else:
            reg.container.remove(force=True)

    seen: list[str] = []
    result = reg.apply(storage, when("the new config failed", break_rollback, seen))
    said = "\n".join(seen)
    assert wrong not in said + result.failure + result.log_tail
    assert result.rollback_failed and not result.rolled_back and not result.ok
    assert "the rollback failed too" in result.failure
    assert "ROLLBACK FAILED" in said
    assert "swift authentication failed" in result.log_tail
    new_text = reg.config.read_text()
    if fault == "immutable-directory":
        assert "swift" in new_text  # the failed config is still in place ...
        assert backups_of(reg.config)[-1].read_text() == before  # ... and the previous kept
        assert "is not writable" in said and "dtr-tui rollback --config" in said
    elif fault == "backup-removed":
        assert "swift" in new_text  # the only copy of the new config; older backups named
        assert "is gone" in said and "dtr-tui backups" in said
    else:
        assert new_text == before  # restored; the failed one is the newest backup
        assert "swift" in backups_of(reg.config)[-1].read_text()
        assert "the previous config is back" in said and "NOT serving" in said
        assert "is gone" in said  # why the restart on it failed


def test_engine_stops_while_waiting_for_the_registry(own_engine: Dockerd, tmp_path: Path) -> None:
    """Restarted on the new config, then the engine goes: the file is put back, and since the
    engine cannot restart it on the old one, that is said loudly with both versions named."""
    reg = Reg(own_engine.client(), tmp_path)
    before = reg.config.read_text()
    seen: list[str] = []
    result = reg.apply({"inmemory": {}}, when("waiting for", own_engine.stop, seen))
    said = "\n".join(seen)
    assert not result.ok and result.restarted
    assert result.rollback_failed, said
    assert "the Docker engine stopped answering" in result.failure
    assert "ROLLBACK FAILED" in said and "the previous config is back in" in said
    assert reg.config.read_text() == before
    assert "inmemory" in backups_of(reg.config)[-1].read_text()


def test_crash_looping_registry_is_rolled_back(
    dockerd: Any, registry_image: str, swift_server: Any, tmp_path: Path
) -> None:
    """A container with `--restart always`: the engine restarts the crashing registry again
    and again; dtr-tui sees the loop, restores the file and the registry serves again."""
    from tests.support.dockerd import CONTAINER_CONFIG_DIR, TEST_LABEL
    from tests.support.ports import LOOPBACK, wait_for_http

    client = dockerd.client()
    folder = tmp_path / "etc"
    folder.mkdir()
    port = free_port()
    config = folder / "config.yml"
    config.write_text(registry_config_text(FS, port))
    name = f"loop-{uuid.uuid4().hex[:8]}"
    container = client.containers.run(
        registry_image,
        name=name,
        detach=True,
        network_mode="host",
        restart_policy={"Name": "always"},
        volumes={str(folder): {"bind": CONTAINER_CONFIG_DIR, "mode": "rw"}},
        labels={TEST_LABEL: "true"},
    )
    try:
        wait_for_http(f"http://{LOOPBACK}:{port}/v2/", 20, (200,))
        before = config.read_text()
        wrong = "wrong-" + uuid.uuid4().hex[:8]
        storage = swift_server.registry_storage(f"c-{uuid.uuid4().hex[:6]}", password=wrong)
        target = find_target(client, name)
        doc = ConfigDocument.load(config)
        draft = ConfigDocument.parse(registry_config_text(storage, port), "new").draft(V2_8)
        seen: list[str] = []
        result = apply_plan(
            plan_change(doc, draft, V2_8),
            target=target,
            client=client,
            restart=True,
            timeout=20,
            progress=seen.append,
        )
        said = "\n".join(seen)
        assert result.rolled_back and not result.ok, said
        assert "crash-looping" in result.failure, result.failure
        assert "swift authentication failed" in result.log_tail
        assert wrong not in said + result.failure + result.log_tail
        assert config.read_text() == before
        wait_for_http(f"http://{LOOPBACK}:{port}/v2/", 5, (200,))
    finally:
        container.remove(force=True)
