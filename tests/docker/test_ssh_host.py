"""`DOCKER_HOST=ssh://...` for real: the installed `dtr-tui` CLI, run as a subprocess, reaches
the private test dockerd through a real sshd (tests/support/sshd.py) and the system `ssh`
client, which runs `docker system dial-stdio` on the far side. The registry container is set
up over the engine's unix socket; everything dtr-tui does goes over ssh.

ssh runs with dtr-tui's own options (BatchMode, ConnectTimeout, ServerAlive*), its stderr is
kept out of the terminal and put in the one error line, a host that never answers ends in
that error within the timeouts, and one ssh serves all of a command's requests."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.services.docker_target import (
    SSH_ALIVE_COUNT,
    SSH_ALIVE_INTERVAL,
    SSH_CONNECT_TIMEOUT,
    SSH_OPTIONS,
)
from tests.support.dockerd import CONTAINER_CONFIG_DIR, TEST_LABEL, Dockerd
from tests.support.ports import LOOPBACK, free_port, wait_for_http
from tests.support.procs import clean_env
from tests.support.push import blob_data_path, push_test_image
from tests.support.registry import registry_config_text
from tests.support.sshd import MuteHost, Sshd

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


def run_cli_on_a_terminal(
    env: dict[str, str], *args: str, timeout: float = 60
) -> tuple[subprocess.CompletedProcess[str], str]:
    """`dtr-tui` as an admin runs it: a terminal (a pty) as its controlling terminal and stdin,
    where ssh could ask a question and wait. stdout and stderr are captured; the second value
    is what reached the terminal. A run that waits for an answer fails on `timeout`."""
    master, slave = os.openpty()

    def take_terminal() -> None:  # in the child, after setsid: the pty becomes /dev/tty
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    try:
        proc = subprocess.Popen(
            [dtr_tui_bin(), *args],
            env=clean_env(env),
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=take_terminal,
        )
        os.close(slave)
        slave = -1
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.communicate()
            raise
        shown = b""
        os.set_blocking(master, False)
        with contextlib.suppress(OSError):  # EIO once every end of the pty is closed
            while chunk := os.read(master, 4096):
                shown += chunk
    finally:
        os.close(master)
        if slave != -1:
            os.close(slave)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done, shown.decode(errors="replace")


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

    # What went over ssh: the SDK's command line with dtr-tui's -o options before it,
    # accepted by sshd with the client key.
    calls = sshd.calls_log.read_text().splitlines()
    assert calls and set(calls) == {
        f"{' '.join(SSH_OPTIONS)} -l root -p {sshd.port} -- {LOOPBACK} docker system dial-stdio"
    }
    assert "-o BatchMode=yes" in calls[0] and "-F" not in calls[0].split()
    assert "Accepted publickey for root" in sshd.log_text()


def test_one_ssh_login_serves_all_of_a_commands_requests(sshd: Sshd, registries: Any) -> None:
    """`plan` asks the engine several times (version, list, inspect...): one ssh, one login,
    the HTTP connection kept alive over `docker system dial-stdio` (the SDK alone started an
    ssh for every request)."""
    reg = registries()
    calls_before = len(sshd.calls_log.read_text().splitlines()) if sshd.calls_log.exists() else 0
    logins_before = sshd.accepted_logins()

    found = run_cli(sshd.env(), "plan", "--driver", "inmemory")  # lists, then inspects
    assert found.returncode == 1, found.stdout + found.stderr  # a change is planned
    assert f"target: container {reg.name}" in found.stderr

    assert len(sshd.calls_log.read_text().splitlines()) - calls_before == 1
    deadline = time.monotonic() + 5  # sshd may log the login a moment after it happens
    while sshd.accepted_logins() - logins_before < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sshd.accepted_logins() - logins_before == 1


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
) -> str:
    """One error line (returned), its hint, nothing else on stderr: ssh's own lines appear
    only inside that error line."""
    assert result.returncode == 2, result.stdout + result.stderr  # as for any engine failure
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("dtr-tui: error:")]
    assert len(errors) == 1, result.stderr
    assert f"cannot reach the Docker engine at {url}: ssh" in errors[0]
    assert lines == [errors[0], lines[1]], result.stderr
    assert lines[1].startswith("  check that `ssh -o BatchMode=yes -p "), result.stderr
    assert config.read_bytes() == before
    return errors[0]


APPLY = ("apply", "--restart", "--yes", "--driver", "inmemory")


def test_wrong_key_is_one_clear_error_and_nothing_is_written(sshd: Sshd, registries: Any) -> None:
    reg = registries()
    before = reg.config.read_bytes()
    started = reg.started_at()
    result = run_cli(sshd.env("wrong"), *APPLY, "--container", reg.name)
    error = _assert_clear_engine_error(result, sshd.url, reg.config, before)
    assert error.endswith(f": ssh: root@{LOOPBACK}: Permission denied (publickey).")
    assert reg.started_at() == started


@pytest.mark.parametrize(
    ("client", "said"),
    [
        ("unknown-host", "ssh: Host key verification failed."),
        ("locked-key", f"ssh: root@{LOOPBACK}: Permission denied (publickey)."),
    ],
)
def test_ssh_never_asks_on_the_terminal(
    sshd: Sshd, registries: Any, client: str, said: str
) -> None:
    """On a terminal, without BatchMode, ssh would ask "Are you sure you want to continue
    connecting?" (a host key not in known_hosts) or "Enter passphrase for key" (a key file
    with a passphrase, no agent) there and wait; inside the TUI over its screen. It asks
    nothing, writes nothing to the terminal, and what it says is in the one error line."""
    reg = registries()
    before = reg.config.read_bytes()
    began = time.monotonic()
    result, shown = run_cli_on_a_terminal(sshd.env(client=client), *APPLY, "--container", reg.name)
    assert time.monotonic() - began < 30
    assert shown == ""  # not a byte on the terminal
    error = _assert_clear_engine_error(result, sshd.url, reg.config, before)
    assert error.endswith(f": {said}"), error
    assert sshd.empty_known_hosts.read_text() == ""  # no host key was accepted


@pytest.mark.parametrize(
    ("banner", "gives_up_after"),
    [(False, SSH_CONNECT_TIMEOUT), (True, SSH_ALIVE_INTERVAL * SSH_ALIVE_COUNT)],
    ids=["silent", "banner-then-silent"],
)
def test_a_host_that_never_answers_is_one_clear_error_within_the_timeouts(
    sshd: Sshd, registries: Any, banner: bool, gives_up_after: int
) -> None:
    """A host that accepts the connection and never answers (ConnectTimeout covers the TCP
    connect and the banner exchange) or sends its banner and goes silent in the key exchange
    (ServerAliveInterval x ServerAliveCountMax covers that): the SDK alone waited forever."""
    reg = registries()
    before = reg.config.read_bytes()
    started = reg.started_at()
    with MuteHost(banner=banner) as mute:
        env = {**sshd.env(), "DOCKER_HOST": mute.url}
        began = time.monotonic()
        result = run_cli(env, *APPLY, "--container", reg.name, timeout=60)
        took = time.monotonic() - began
        assert mute.accepted == 1
    assert took < gives_up_after + 5, took
    error = _assert_clear_engine_error(result, mute.url, reg.config, before)
    assert error.endswith(f": ssh: Connection to {LOOPBACK} port {mute.port} timed out"), error
    assert reg.started_at() == started


def test_no_ssh_client_is_one_clear_error(sshd: Sshd, registries: Any, tmp_path: Path) -> None:
    reg = registries()
    before = reg.config.read_bytes()
    env = {**sshd.env(), "PATH": str(tmp_path)}  # no ssh on it
    result = run_cli(env, *APPLY, "--container", reg.name)
    error = _assert_clear_engine_error(result, sshd.url, reg.config, before)
    assert error.endswith(": ssh: command not found (install openssh-client)"), error


def test_ssh_host_down_is_one_clear_error_and_nothing_is_written(
    dockerd: Dockerd, registries: Any
) -> None:
    reg = registries()
    before = reg.config.read_bytes()
    down = Sshd(dockerd.base_url).start()
    try:
        down.stop_sshd()
        began = time.monotonic()
        result = run_cli(down.env(), *APPLY, "--container", reg.name)
        assert time.monotonic() - began < 30
    finally:
        down.stop()
    error = _assert_clear_engine_error(result, down.url, reg.config, before)
    assert error.endswith(f": ssh: connect to host {LOOPBACK} port {down.port}: Connection refused")


def test_ssh_transport_loads_without_paramiko_and_leaves_no_stand_in() -> None:
    """docker's sshconn.py imports paramiko at its top although the `ssh` shell-out never uses
    it: without the stand-in every ssh:// host failed ("Install paramiko package")."""
    import docker.api.client as api_client

    from dtr_tui.services.docker_target import _load_ssh_client_transport

    _load_ssh_client_transport()
    assert hasattr(api_client, "SSHHTTPAdapter")
    loaded = sys.modules.get("paramiko")
    assert loaded is None or hasattr(loaded, "SSHClient")  # never the empty stand-in


def test_what_docker_says_on_the_ssh_host_is_the_reason() -> None:
    """ssh logs in but `docker system dial-stdio` there cannot reach an engine: its own words
    (sent back on ssh's stderr) are the reason, not a bare "connection aborted"."""
    nowhere = Sshd("unix:///nonexistent/docker.sock").start()
    try:
        result = run_cli(nowhere.env(), *APPLY, "--container", "any")
    finally:
        nowhere.stop()
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("dtr-tui: error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].endswith(": connect: no such file or directory"), errors[0]
    assert "ssh: failed to open the raw stream connection: dial unix /nonexistent/" in errors[0]


def test_an_engine_silent_behind_ssh_is_a_read_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ssh is up but nothing answers behind it (a unix socket that accepts and never speaks):
    the client's timeout ends the wait (the SDK read ssh's pipe with no timeout at all). In
    process, with a 2 s client timeout (dtr-tui's is 30 s)."""
    import docker
    import requests

    from dtr_tui.services.docker_target import _load_ssh_client_transport, _ssh_said

    path = tmp_path / "mute.sock"
    mute = socket.socket(socket.AF_UNIX)
    mute.bind(str(path))
    mute.listen(8)
    silent = Sshd(f"unix://{path}").start()
    try:
        for name, value in silent.env().items():
            monkeypatch.setenv(name, value)
        _load_ssh_client_transport()
        began = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout) as raised:
            docker.DockerClient(
                base_url=silent.url, timeout=2, use_ssh_client=True, version="1.41"
            ).ping()
        assert time.monotonic() - began < 10
    finally:
        silent.stop()
        mute.close()
    assert _ssh_said(raised.value) == "no answer through ssh within 2 s"
