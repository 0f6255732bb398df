"""A private sshd in front of the private test dockerd, for ``DOCKER_HOST=ssh://...``.

With ``DOCKER_HOST=ssh://user@host:port`` the docker SDK (``use_ssh_client=True``) runs the
system client, ``ssh -l user -p port -- host 'docker system dial-stdio'``, and speaks HTTP over
its stdin/stdout; on the remote side the docker CLI connects that to the engine.

``Sshd`` runs ``/usr/sbin/sshd -D -e -f <own sshd_config>`` on a free loopback port with
everything in its own short temp dir: a generated host key, a client key whose
``authorized_keys`` entry sets ``environment="DOCKER_HOST=unix://<private dockerd socket>"``
(``PermitUserEnvironment DOCKER_HOST``), so ``docker system dial-stdio`` reaches the tests'
private engine, never /var/run/docker.sock. A second key (``wrong``) is not authorized.

The client side never reads or writes root's ~/.ssh (OpenSSH takes the home directory from
the password database, not ``$HOME``, so only a config passed with ``-F`` can redirect it):
``env()`` gives the code under test

- ``DOCKER_HOST`` of this sshd,
- ``SSH_AUTH_SOCK`` of a private ``ssh-agent`` holding one of the keys, and
- ``PATH`` starting with a directory whose ``ssh`` is a wrapper that notes its arguments in
  ``calls_log`` and execs ``/usr/bin/ssh -F <tmp>/ssh_config-default "$@"``. That is test setup,
  standing in for an admin's ~/.ssh/config: its only job is the known_hosts file (this
  sshd's host key) and no default identity files. It sets no BatchMode, ConnectTimeout or
  LogLevel (an admin's config usually does not): those come from dtr-tui's own ``-o``
  options, which reach the real ``ssh`` unchanged.

``env(client=...)`` picks another client setup: ``"unknown-host"`` (an empty known_hosts:
this sshd's host key is unknown) or ``"locked-key"`` (no agent; the only identity is a key
file with a passphrase, authorized on the server). Without BatchMode, on a terminal, both
would make ssh ask a question there and wait.

``MuteHost`` is an ssh host that accepts the TCP connection and then never answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .ports import LOOPBACK, free_port
from .procs import ManagedProcess, ProcessServer, ServerStartError, clean_env

SSHD = "/usr/sbin/sshd"
SSH = "/usr/bin/ssh"
PRIVSEP_DIR = Path("/run/sshd")  # sshd refuses to start without it
KEYS = ("client", "wrong")  # "client" is authorized, "wrong" is not (each in its own agent)
CLIENTS = ("default", "unknown-host", "locked-key")  # the client setups env() can give
LOCKED_KEY = "locked"  # a key file with a passphrase, authorized, never in an agent


class Sshd(ProcessServer):
    """sshd on 127.0.0.1:``port`` forwarding docker to ``docker_host``; ``env(key)``, ``stop()``."""

    def __init__(self, docker_host: str, root: str | Path | None = None, *, user: str = "root"):
        # Short path: the agents' unix sockets must stay under 108 bytes.
        self.root = Path(root or tempfile.mkdtemp(prefix="dtrssh-", dir="/tmp"))
        self.docker_host = docker_host
        self.user = user
        self.port = free_port()
        self.url = f"ssh://{user}@{LOOPBACK}:{self.port}"
        self.log_path = self.root / "sshd.log"
        self.bin_dir = self.root / "bin"
        self.calls_log = self.root / "ssh-calls.log"  # one line per `ssh` run: its arguments
        self.start_seconds: float | None = None
        self._proc: ManagedProcess | None = None
        self._agents: dict[str, ManagedProcess] = {}

    # ------------------------------------------------------------------ setup
    def _keygen(self, name: str, comment: str, passphrase: str = "") -> str:
        path = self.root / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", str(path)],
            check=True,
            capture_output=True,
        )
        return (self.root / f"{name}.pub").read_text().strip()

    def _write_files(self) -> None:
        host_pub = self._keygen("host_ed25519_key", "dtr-tui-test-host")
        client_pub = self._keygen("client", "dtr-tui-test-client")
        self._keygen("wrong", "dtr-tui-test-wrong")
        # A passphrase made up here and never written down: nothing can unlock this key.
        locked_pub = self._keygen(LOCKED_KEY, "dtr-tui-test-locked", os.urandom(12).hex())
        (self.root / "authorized_keys").write_text(
            "".join(
                f'environment="DOCKER_HOST={self.docker_host}" {pub}\n'
                for pub in (client_pub, locked_pub)
            )
        )
        (self.root / "sshd_config").write_text(
            "\n".join(
                [
                    f"ListenAddress {LOOPBACK}:{self.port}",
                    f"HostKey {self.root / 'host_ed25519_key'}",
                    f"PidFile {self.root / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.root / 'authorized_keys'}",
                    "AuthorizedPrincipalsFile none",
                    "PermitRootLogin prohibit-password",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "HostbasedAuthentication no",
                    "PermitUserEnvironment DOCKER_HOST",
                    "StrictModes no",
                    "UsePAM no",
                    "PrintMotd no",
                    "LogLevel VERBOSE",
                ]
            )
            + "\n"
        )
        (self.root / "known_hosts").write_text(f"[{LOOPBACK}]:{self.port} {host_pub}\n")
        self.empty_known_hosts.write_text("")
        for client in CLIENTS:
            self._write_client(client)

    @property
    def empty_known_hosts(self) -> Path:
        """The known_hosts of the ``"unknown-host"`` client: empty, and must stay so."""
        return self.root / "known_hosts-empty"

    def _write_client(self, client: str) -> None:
        """``ssh_config-<client>`` and the ``bin/<client>/ssh`` wrapper that uses it."""
        known = self.empty_known_hosts if client == "unknown-host" else self.root / "known_hosts"
        identity = self.root / (LOCKED_KEY if client == "locked-key" else "no-such-identity")
        config = self.root / f"ssh_config-{client}"
        config.write_text(
            "\n".join(
                line
                for line in [
                    "Host *",
                    f"  UserKnownHostsFile {known}",
                    "  GlobalKnownHostsFile /dev/null",
                    "  UpdateHostKeys no",
                    # Keys come from the agent (or this file), not from ~/.ssh/id_*.
                    f"  IdentityFile {identity}",
                    "  IdentitiesOnly yes" if client == "locked-key" else "",
                ]
                if line
            )
            + "\n"
        )
        folder = self.bin_dir / client
        folder.mkdir(parents=True)
        wrapper = folder / "ssh"
        wrapper.write_text(
            f'#!/bin/sh\nprintf "%s\\n" "$*" >>{self.calls_log}\nexec {SSH} -F {config} "$@"\n'
        )
        wrapper.chmod(0o755)

    def _start_agent(self, key: str) -> None:
        sock = self.root / f"agent-{key}.sock"
        agent = ManagedProcess(
            f"ssh-agent ({key})",
            ["ssh-agent", "-D", "-a", str(sock)],
            self.root / f"agent-{key}.log",
            env=clean_env(),
        )
        self._agents[key] = agent
        proc = agent.start()
        deadline = time.monotonic() + 10
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise agent.start_error("its socket did not appear")
            time.sleep(0.01)
        added = subprocess.run(
            ["ssh-add", "-q", str(self.root / key)],
            env=clean_env({"SSH_AUTH_SOCK": str(sock)}),
            capture_output=True,
            text=True,
        )
        if added.returncode != 0:
            raise ServerStartError(f"ssh-add {key} failed: {added.stderr.strip()}")

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 15.0) -> Sshd:
        began = time.monotonic()
        for tool in (SSHD, SSH, "ssh-keygen", "ssh-agent", "ssh-add"):
            if not shutil.which(tool):
                raise FileNotFoundError(f"{tool} missing: run scripts/install-test-deps")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
            self._write_files()
            for key in KEYS:
                self._start_agent(key)
            argv = [SSHD, "-D", "-e", "-f", str(self.root / "sshd_config")]
            self._proc = ManagedProcess("sshd", argv, self.log_path, env=clean_env())
            proc = self._proc.start()
            self._wait_banner(proc, timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def _wait_banner(self, proc: subprocess.Popen[bytes], timeout: float) -> None:
        """Until sshd greets with its ``SSH-2.0-`` banner on the port."""
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        last: object = "no attempt"
        while True:
            if proc.poll() is not None:
                raise self._proc.start_error(f"sshd exited with {proc.returncode}")
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=2) as sock:
                    banner = sock.recv(64)
                if banner.startswith(b"SSH-2.0-"):
                    return
                last = banner
            except OSError as err:
                last = err
            if time.monotonic() > deadline:
                raise self._proc.start_error(f"no SSH banner on port {self.port} ({last})")
            time.sleep(0.05)

    def env(self, key: str = "client", *, client: str = "default") -> dict[str, str]:
        """What the code under test needs to reach the engine through this sshd with ``key``
        (an agent's; ``client="locked-key"`` has no agent) and one of the ``CLIENTS``."""
        agent = "none" if client == "locked-key" else key
        path = os.environ.get("PATH", "/usr/bin:/bin")
        return {
            "DOCKER_HOST": self.url,
            "SSH_AUTH_SOCK": str(self.root / f"agent-{agent}.sock"),
            "PATH": f"{self.bin_dir / client}{os.pathsep}{path}",
        }

    def accepted_logins(self) -> int:
        """How many ssh logins sshd has accepted so far (its log's "Accepted publickey")."""
        return self.log_path.read_text(errors="replace").count("Accepted publickey for")

    def stop_sshd(self) -> None:
        """Stop sshd alone (the agents and files stay): for "the ssh host is down" tests."""
        if self._proc is not None:
            self._proc.stop()
            self._proc = None

    def stop(self) -> None:
        self.stop_sshd()
        for agent in self._agents.values():
            agent.stop()
        self._agents.clear()
        shutil.rmtree(self.root, ignore_errors=True)


class MuteHost:
    """An ssh host that hangs: a loopback listener that accepts TCP connections and never
    answers (``banner=True``: it sends an SSH banner, then nothing). ``url``; ``stop()``."""

    def __init__(self, *, banner: bool = False, user: str = "root") -> None:
        self.banner = banner
        self._listener = socket.create_server((LOOPBACK, 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"ssh://{user}@{LOOPBACK}:{self.port}"
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="mute-ssh-host", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)  # kept open, never read
            if self.banner:
                conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 mute\r\n")

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()
        for conn in self._held:
            conn.close()

    def __enter__(self) -> MuteHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
