"""`DOCKER_HOST=ssh://...` for real: the installed `dtr-tui` CLI, run as a subprocess, reaches
the private test dockerd through a real sshd (tests/support/sshd.py) and the system `ssh`
client, which runs `docker system dial-stdio` on the far side. The registry container is set
up over the engine's unix socket; everything dtr-tui does goes over ssh."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.dockerd import CONTAINER_CONFIG_DIR, TEST_LABEL, Dockerd
from tests.support.ports import LOOPBACK, free_port, wait_for_http
from tests.support.procs import clean_env
from tests.support.push import blob_data_path, push_test_image
from tests.support.registry import registry_config_text
from tests.support.sshd import Sshd

DATA = "/var/lib/registry"
OTHER = "/var/lib/other"
ROOT_VAR = "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"


def dtr_tui_bin() -> str:
    """The console script installed beside this Python (the venv's `dtr-tui`)."""
    found = Path(sys.executable).parent / "dtr-tui"
    if found.exists():
        return str(found)
    which = shutil.which("dtr-tui")
    assert which, "dtr-tui is not installed: pip install -e ."
    return which


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [dtr_tui_bin(), *args],
        env=clean_env(env),
        stdin=subprocess.DEVNULL,  # no terminal: ssh could not ask anything even if it wanted to
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )


class Registry:
    """A registry container on the private engine (set up over its unix socket): a config
    dir, two data dirs mounted at DATA and OTHER, host networking on a free port."""

    def __init__(self, client: Any, image: str, root: Path, env: dict[str, str]) -> None:
        self.name = f"ssh-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.config_dir, self.data, self.other = root / "etc", root / "data", root / "other"
        for folder in (self.config_dir, self.data, self.other):
            folder.mkdir()
        self.config = self.config_dir / "config.yml"
        storage = {"filesystem": {"rootdirectory": DATA}}
        self.config.write_text(registry_config_text(storage, self.port))
        self.container = client.containers.run(
            image,
            name=self.name,
            detach=True,
            network_mode="host",
            environment=env,
            volumes={
                str(self.config_dir): {"bind": CONTAINER_CONFIG_DIR, "mode": "rw"},
                str(self.data): {"bind": DATA, "mode": "rw"},
                str(self.other): {"bind": OTHER, "mode": "rw"},
            },
            labels={TEST_LABEL: "true"},
        )
        wait_for_http(self.url + "/v2/", 20, (200,))

    def started_at(self) -> str:
        self.container.reload()
        return str(self.container.attrs["State"]["StartedAt"])


@pytest.fixture
def registries(dockerd: Dockerd, registry_image: str, tmp_path: Path) -> Iterator[Any]:
    made: list[Registry] = []

    def make(env: dict[str, str] | None = None) -> Registry:
        root = tmp_path / f"r{len(made)}"
        root.mkdir()
        made.append(Registry(dockerd.client(), registry_image, root, env or {}))
        return made[-1]

    yield make
    for reg in made:
        with contextlib.suppress(Exception):
            reg.container.remove(force=True)


def test_plan_finds_the_container_over_ssh_and_reads_its_environment(
    sshd: Sshd, registries: Any
) -> None:
    """No --container: the one running registry is found by listing the engine over ssh; its
    REGISTRY_* environment is read from its inspect, also over ssh."""
    reg = registries({ROOT_VAR: DATA})
    before = reg.config.read_bytes()
    change = ["--set", f"filesystem.rootdirectory={OTHER}"]

    found = run_cli(sshd.env(), "plan", *change)
    assert found.returncode == 2, found.stderr  # apply would refuse: the variable shadows it
    assert f"target: container {reg.name}" in found.stderr
    assert f"--- {reg.config} (on disk)" in found.stdout
    assert f"Environment of container {reg.name}" in found.stdout
    assert f"shadowed: storage.filesystem.rootdirectory: the environment variable {ROOT_VAR}" in (
        found.stdout
    )
    assert "Traceback" not in found.stderr

    named = run_cli(sshd.env(), "plan", "--container", reg.name, "--output", "json", *change)
    assert named.returncode == 2, named.stderr
    report = json.loads(named.stdout)
    assert report["file"] == str(reg.config)
    assert report["environment"]["variables"] == [ROOT_VAR]
    assert report["environment"]["refused"] is True
    assert reg.config.read_bytes() == before  # plan never writes

    # What went over ssh: the SDK's own command line, accepted by sshd with the client key.
    calls = sshd.calls_log.read_text().splitlines()
    assert calls and set(calls) == {
        f"-l root -p {sshd.port} -- {LOOPBACK} docker system dial-stdio"
    }
    assert "Accepted publickey for root" in sshd.log_text()


def test_apply_restart_over_ssh_switches_root_then_inmemory(sshd: Sshd, registries: Any) -> None:
    reg = registries()
    first = push_test_image(reg.url, "before/img")
    assert (reg.data / blob_data_path(first["layer_digest"])).is_file()
    started = reg.started_at()

    flags = ["--container", reg.name, "--restart", "--yes", "--timeout", "30"]
    moved = run_cli(sshd.env(), "apply", *flags, "--set", f"filesystem.rootdirectory={OTHER}")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert f"target: container {reg.name}" in moved.stdout + moved.stderr
    assert reg.started_at() != started  # restarted, over ssh
    assert f"rootdirectory: {OTHER}" in reg.config.read_text()
    pushed = push_test_image(reg.url, "other/img")
    assert (reg.other / blob_data_path(pushed["layer_digest"])).is_file()
    assert not (reg.data / blob_data_path(pushed["layer_digest"])).exists()

    started = reg.started_at()
    memory = run_cli(sshd.env(), "apply", *flags, "--driver", "inmemory")
    assert memory.returncode == 0, memory.stdout + memory.stderr
    assert reg.started_at() != started
    on_disk = {p for d in (reg.data, reg.other) for p in d.rglob("*")}
    pushed = push_test_image(reg.url, "memory/img")
    assert {p for d in (reg.data, reg.other) for p in d.rglob("*")} == on_disk  # memory only
    assert pushed["manifest_digest"]

    history = run_cli(sshd.env(), "history", "--config", str(reg.config))
    assert history.stdout.count("applied-and-serving") == 2, history.stdout


def _assert_clear_engine_error(
    result: subprocess.CompletedProcess[str], url: str, config: Path, before: bytes
) -> None:
    assert result.returncode == 2, result.stdout + result.stderr  # as for any engine failure
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("dtr-tui: error:")]
    assert len(errors) == 1, result.stderr
    assert f"cannot reach the Docker engine at {url}" in errors[0]
    assert config.read_bytes() == before


def test_wrong_key_is_one_clear_error_and_nothing_is_written(sshd: Sshd, registries: Any) -> None:
    reg = registries()
    before = reg.config.read_bytes()
    started = reg.started_at()
    result = run_cli(
        sshd.env("wrong"), "apply", "--container", reg.name, "--restart", "--yes",
        "--driver", "inmemory",
    )  # fmt: skip
    _assert_clear_engine_error(result, sshd.url, reg.config, before)
    assert "Permission denied (publickey)" in result.stderr
    assert reg.started_at() == started


def test_ssh_host_down_is_one_clear_error_and_nothing_is_written(
    dockerd: Dockerd, registries: Any
) -> None:
    reg = registries()
    before = reg.config.read_bytes()
    down = Sshd(dockerd.base_url).start()
    try:
        down.stop_sshd()
        began = time.monotonic()
        result = run_cli(
            down.env(), "apply", "--container", reg.name, "--restart", "--yes",
            "--driver", "inmemory",
        )  # fmt: skip
        assert time.monotonic() - began < 30
    finally:
        down.stop()
    _assert_clear_engine_error(result, down.url, reg.config, before)
    assert "Connection refused" in result.stderr


def test_ssh_transport_loads_without_paramiko_and_leaves_no_stand_in() -> None:
    """docker's sshconn.py imports paramiko at its top although the `ssh` shell-out never uses
    it: without the stand-in every ssh:// host failed ("Install paramiko package")."""
    import docker.api.client as api_client

    from dtr_tui.services.docker_target import _load_ssh_client_transport

    _load_ssh_client_transport()
    assert hasattr(api_client, "SSHHTTPAdapter")
    loaded = sys.modules.get("paramiko")
    assert loaded is None or hasattr(loaded, "SSHClient")  # never the empty stand-in
