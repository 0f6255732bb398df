"""A registry running in a Docker container: found by asking the engine, read from its
inspect (config path inside, the host file behind it, environment, health address), and
restarted over the socket. The docker SDK is imported only when an engine is asked.
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import socket
import subprocess
import threading
import weakref
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from ..core.errors import DtrError
from ..core.versions import V2_8, V3_0, RegistryVersion

REGISTRY_LABEL = "dtr-tui.registry"  # set to "true" to mark a container as the registry


class DockerUnavailableError(DtrError):
    """The Docker engine cannot be reached (no socket, permission denied, not running)."""


class ContainerGoneError(DtrError):
    """The registry container disappeared since it was found."""


@dataclass(frozen=True)
class DockerTarget:
    """Where a containerised registry reads its config, and how to reach it."""

    container_id: str
    name: str
    image: str
    config_inside: str  # the path the registry opens inside the container
    config_on_host: Path | None  # None: baked into the image, nothing can be written
    file_mount: bool  # the config FILE itself is bind-mounted: rewrite in place
    env: dict[str, str] = field(default_factory=dict)
    version: RegistryVersion | None = None
    host_network: bool = False
    published: dict[str, str] = field(default_factory=dict)  # "5000/tcp" -> host port
    docker_host: str = ""
    swarm_service: str = ""  # a task of this Swarm service: Swarm owns its config
    user: str = ""  # Config.User: who the registry runs as ("" is root)

    @property
    def label(self) -> str:
        return f"container {self.name} ({self.container_id[:12]})"

    def require_writable_config(self) -> Path:
        """The host path of the config, or a clear error when there is none."""
        if self.swarm_service:
            raise DtrError(
                f"is a task of the Swarm service {self.swarm_service}: Swarm would undo a "
                "change made to the container; nothing was written",
                source=self.label,
                hint=f"use --service {self.swarm_service} (a rolling update of the service)",
            )
        if self.config_on_host is None:
            raise DtrError(
                f"reads {self.config_inside}, which is baked into its image (no bind mount "
                "covers it): changing it here would be lost; nothing was written",
                source=self.label,
                hint=f"recreate the container with the config bind-mounted, e.g. "
                f"-v /etc/docker/registry:{PurePosixPath(self.config_inside).parent}, then "
                "run dtr-tui again",
            )
        return self.config_on_host

    def reads(self, path: Path | str) -> bool:
        """Whether `path` is the file this container reads (through its bind mount): the one
        rule for "this container runs this file", used by apply and by the screen's header."""
        if self.config_on_host is None:
            return False
        try:
            return Path(path).resolve() == Path(self.config_on_host).resolve()
        except OSError:
            return False

    def refuse_other_file(self, path: Path | str) -> None:
        """Restarting this container to run `path` when it reads another file would report a
        change it never runs: refused, naming both files, before anything is written."""
        if self.reads(path):
            return
        where = (
            f"{self.config_inside}, which is {self.config_on_host} on this host"
            if self.config_on_host is not None
            else f"{self.config_inside}, baked into its image"
        )
        raise DtrError(
            f"reads {where}, not {path}: restarting it would not use this change; nothing "
            "was written",
            source=self.label,
            hint=(
                f"use --config {self.config_on_host} (or leave --config out), or drop "
                "--restart/--container to edit the other file alone"
                if self.config_on_host is not None
                else "recreate the container with the config bind-mounted"
            ),
        )

    def cannot_read(self, path: Path, mode: int) -> str:
        """Why this container's user could not read `path` with `mode` (owner and group as
        they are now), or "" when it can or it cannot be told (a user given by name)."""
        uid_text, _, gid_text = self.user.partition(":")
        if not uid_text or not uid_text.isdigit() or (gid_text and not gid_text.isdigit()):
            return ""
        uid = int(uid_text)
        try:
            held = Path(path).stat()
        except OSError:
            return ""
        if uid == 0 or mode & 0o004:
            return ""
        if uid == held.st_uid and mode & 0o400:
            return ""
        if gid_text and int(gid_text) == held.st_gid and mode & 0o040:
            return ""
        if not gid_text and mode & 0o040:
            return ""  # its group comes from the image's /etc/passwd: cannot be told here
        return (
            f"runs as user {self.user}, which could not read {path} with mode {mode:04o} "
            f"(owner uid {held.st_uid}, group gid {held.st_gid})"
        )

    def debug_base(self, debug_addr: str) -> str:
        """`http://host:port` of the registry's debug server (`http.debug.addr`), where
        /debug/health answers without auth; "" when it is not reachable from here."""
        addr = self.env.get("REGISTRY_HTTP_DEBUG_ADDR") or debug_addr
        if not addr:
            return ""
        host, _, port = addr.rpartition(":")
        if not port:
            return ""
        if not self.host_network:
            mapped = self.published.get(f"{port}/tcp")
            return f"http://127.0.0.1:{mapped}" if mapped else ""
        if host in ("", "0.0.0.0", "[::]", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{port}"

    def health_base(self, http_addr: str | None) -> str:
        """`http://host:port` for the registry's API, from the config's `http.addr`."""
        addr = self.env.get("REGISTRY_HTTP_ADDR") or http_addr or ":5000"
        host, _, port = addr.rpartition(":")
        port = port or "5000"
        if not self.host_network:
            mapped = self.published.get(f"{port}/tcp")
            if mapped:
                return f"http://127.0.0.1:{mapped}"
        if host in ("", "0.0.0.0", "[::]", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{port}"


LOCAL_SOCKET = "/var/run/docker.sock"  # where the SDK looks when DOCKER_HOST is unset


def engine_configured() -> bool:
    """Whether this host names a Docker engine at all (DOCKER_HOST, or the local socket): on a
    host without one, editing the file alone is the plan, not something to warn about."""
    return bool(os.environ.get("DOCKER_HOST")) or os.path.exists(LOCAL_SOCKET)


def docker_client(base_url: str | None = None) -> Any:
    """A client for `base_url`, else `DOCKER_HOST`, else the local socket; checked with ping."""
    try:
        import docker
    except ImportError:
        raise DockerUnavailableError(
            "the docker Python package is not installed", hint="pip install docker"
        ) from None
    where = base_url or os.environ.get("DOCKER_HOST") or f"unix://{LOCAL_SOCKET}"
    try:
        # ssh:// through the system's ssh client (its config, keys and agent), not paramiko
        ssh = where.startswith("ssh://")
        if ssh:
            _load_ssh_client_transport()
        client = (
            docker.DockerClient(base_url=base_url, timeout=30, use_ssh_client=ssh)
            if base_url
            else docker.from_env(timeout=30, use_ssh_client=ssh)
        )
        client.ping()
    except Exception as exc:
        reason = _engine_reason(exc)
        if ssh:
            # What ssh said on its (captured) stderr: refused, timed out, unknown host key,
            # publickey denied, no docker CLI on that host.
            reason = _ssh_said(exc) or "ssh ended without an answer from the engine"
            hint = (
                f"check that `{_ssh_command(where)} docker version` works (a key from the "
                "agent or a key file without a passphrase, the host in known_hosts, the "
                "docker CLI on that host)"
            )
        elif reason.startswith("permission denied"):
            hint = (
                "run dtr-tui as root or as a user in the socket's group (see `ls -l` of the "
                "socket), or point DOCKER_HOST at an engine you may use"
            )
        else:
            hint = "start dockerd, set DOCKER_HOST, or run as a user in the docker group"
        raise DockerUnavailableError(
            f"cannot reach the Docker engine at {where}: {reason}",
            hint=hint + "; without an engine dtr-tui edits the config file alone",
        ) from None
    return client


def _ssh_command(url: str) -> str:
    """`ssh -o BatchMode=yes [-p PORT] [USER@]HOST` for an ssh:// DOCKER_HOST."""
    parts = urlsplit(url)
    login = f"{parts.username}@{parts.hostname}" if parts.username else str(parts.hostname)
    port = f" -p {parts.port}" if parts.port else ""
    return f"ssh -o BatchMode=yes{port} {login}"


# ---------------------------------------------------------------- ssh:// (the system's ssh)
#
# The SDK runs `ssh [-l USER] [-p PORT] -- HOST 'docker system dial-stdio'` and speaks HTTP
# over its stdin/stdout. Its own transport lets ssh prompt and write on the terminal (stderr
# inherited), reads ssh's stdout with no timeout (a host that never answers hangs us), and
# starts a new ssh for every request. Ours, built on its classes, adds the options below,
# keeps ssh's stderr for the error message, reads with the client's timeout, runs ssh in its
# own session (no controlling terminal: nothing it could prompt on or draw over the TUI) and
# keeps one ssh per client for as long as it answers (HTTP keep-alive over dial-stdio).
# The user's ~/.ssh/config (Port, User, IdentityFile, ProxyJump, ControlMaster...) still
# applies: only these -o options are added (they win over the same options there), no -F.
SSH_CONNECT_TIMEOUT = 10  # s: the TCP connect and the SSH banner exchange (per hop)
SSH_ALIVE_INTERVAL = 5  # s: ask a silent server whether it is alive (key exchange included)
SSH_ALIVE_COUNT = 2  # unanswered asks before ssh gives up: 10 s of silence
SSH_OPTIONS = (
    "-o", "BatchMode=yes",  # never a passphrase or host-key question, not even in a script
    "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT}",
    "-o", f"ServerAliveInterval={SSH_ALIVE_INTERVAL}",
    "-o", f"ServerAliveCountMax={SSH_ALIVE_COUNT}",
)  # fmt: skip
_SSH_NOISE = ("debug", "Warning: Permanently added", "**")  # stderr lines that say nothing


class SshTransportError(ConnectionError):
    """ssh ended before the engine answered; `ssh_detail` is what ssh said on stderr."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.ssh_detail = detail


class SshSilentError(SshTransportError, TimeoutError):
    """Nothing came through ssh within the read timeout (urllib3 makes it a read timeout)."""


def _ssh_said(exc: BaseException) -> str:
    """The `ssh_detail` of an SshTransportError anywhere in what `exc` wraps, else ""."""
    todo: list[object] = [exc]
    seen: set[int] = set()
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        detail = getattr(item, "ssh_detail", "")
        if detail:
            return str(detail)
        # requests and urllib3 wrap it in args (ProtocolError), .reason (MaxRetryError) or a
        # cause (ReadTimeoutError, the SDK's version lookup)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return ""


class _SshStderr:
    """ssh's stderr, drained by a daemon thread into its last few lines, never shown."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self._lines: deque[str] = deque(maxlen=8)
        self._thread = threading.Thread(
            target=self._drain, args=(pipe,), name="ssh-stderr", daemon=True
        )
        self._thread.start()

    def _drain(self, pipe: IO[bytes]) -> None:
        with pipe:
            while line := pipe.readline(4096):
                text = line.decode(errors="replace").strip().removeprefix("ssh: ")
                if text and not text.startswith(_SSH_NOISE):
                    self._lines.append(text)

    def said(self, wait: float = 0.0) -> str:
        """The last thing ssh said (e.g. "Host key verification failed."), once its stderr
        ends or after `wait` s; the lines before it are warnings or the same thing longer."""
        self._thread.join(wait)
        return self._lines[-1] if self._lines else ""


def _end_ssh(proc: subprocess.Popen[bytes]) -> None:
    """Stop one ssh (idempotent; also run when its socket is collected and at exit)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pipe in (proc.stdin, proc.stdout):  # stderr is the drainer's to close
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


class _SshReader(io.RawIOBase):
    """ssh's stdout for http.client: reads wait at most the socket's timeout, an ssh that
    ended says why, and closing it (after each response) keeps the pipe for the next one."""

    def __init__(self, sock: Any) -> None:
        super().__init__()
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return int(self._sock.read_into(buffer))


_SSH_TRANSPORT_LOCK = threading.Lock()


def _load_ssh_client_transport() -> None:
    """Have docker's APIClient build our ssh transport (below) for `use_ssh_client=True`.

    APIClient instantiates the name `SSHHTTPAdapter` of docker.api.client, so that name is
    set once to our subclass; without `use_ssh_client` (paramiko) it is the SDK's adapter
    unchanged. docker/transport/sshconn.py imports paramiko at its top although the ssh
    shell-out never calls it: without paramiko the module is imported once with an empty
    stand-in for it (removed again at once).
    """
    import importlib
    import importlib.util
    import sys
    import types

    import docker.api.client as api_client

    with _SSH_TRANSPORT_LOCK:  # the app asks the engine from worker threads
        if getattr(getattr(api_client, "SSHHTTPAdapter", None), "dtr_tui", False):
            return
        if importlib.util.find_spec("paramiko"):
            sshconn = importlib.import_module("docker.transport.sshconn")
        else:
            stand_in = types.ModuleType("paramiko")
            sys.modules["paramiko"] = stand_in
            try:
                sshconn = importlib.import_module("docker.transport.sshconn")
            finally:
                if sys.modules.get("paramiko") is stand_in:
                    del sys.modules["paramiko"]
        api_client.SSHHTTPAdapter = _ssh_adapter_class(sshconn)


def _ssh_adapter_class(sshconn: Any) -> type:
    """Our subclasses of the SDK's ssh socket, connection, pool and adapter."""

    class SshSocket(sshconn.SSHSocket):
        """One `ssh ... docker system dial-stdio`, its stdout read with a timeout."""

        proc: Any  # subprocess.Popen[bytes] once connected (None before, as in the SDK)
        stderr: _SshStderr | None = None

        def connect(self, **kwargs: Any) -> None:
            argv = ["ssh", *SSH_OPTIONS]
            if self.user:
                argv += ["-l", self.user]
            if self.port:
                argv += ["-p", self.port]
            argv += ["--", self.host, "docker system dial-stdio"]
            env = dict(os.environ)
            env.pop("LD_LIBRARY_PATH", None)  # as the SDK does
            env.pop("SSL_CERT_FILE", None)
            try:
                self.proc = subprocess.Popen(
                    argv,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    # its own session: no Ctrl-C from the TUI's terminal, and no terminal to
                    # open (/dev/tty) for a prompt, whatever the user's config says
                    start_new_session=True,
                )
            except FileNotFoundError:
                raise SshTransportError("ssh: command not found (install openssh-client)") from None
            self.stderr = _SshStderr(self.proc.stderr)
            weakref.finalize(self, _end_ssh, self.proc)

        def makefile(self, mode: str) -> Any:
            if not self.proc:
                self.connect()
            reader = io.BufferedReader(_SshReader(self))
            reader.channel = self  # type: ignore[attr-defined]  # the SDK's streams use it
            return reader

        def recv(self, n: int) -> bytes:
            buffer = bytearray(n)
            return bytes(buffer[: self.read_into(memoryview(buffer))])

        def read_into(self, buffer: Any) -> int:
            if not self.proc:
                raise SshTransportError("ssh was not started")
            fd = self.proc.stdout.fileno()
            timeout = self.gettimeout()
            if timeout is not None and not select.select([fd], [], [], timeout)[0]:
                said = self.stderr.said() if self.stderr else ""
                raise SshSilentError(
                    f"no answer through ssh within {timeout:g} s" + (f" ({said})" if said else "")
                )
            data = os.read(fd, len(buffer))
            if not data:
                self._ended()
            buffer[: len(data)] = data
            return len(data)

        def _ended(self) -> None:
            """ssh's stdout ended: raise what ssh said if it failed."""
            try:
                code = self.proc.wait(2)
            except subprocess.TimeoutExpired:
                return
            if code != 0:
                said = self.stderr.said(wait=1.0) if self.stderr else ""
                raise SshTransportError(
                    f"ssh: {said}" if said else f"ssh exited with {code} without saying why"
                )

        def alive(self) -> bool:
            """Still running and nothing unasked-for (an end) waiting on its stdout."""
            proc = self.proc
            if proc is None or proc.poll() is not None:
                return False
            return not select.select([proc.stdout.fileno()], [], [], 0)[0]

        def close(self) -> None:
            if self.proc is not None:
                _end_ssh(self.proc)
            socket.socket.close(self)  # the SDK leaves this placeholder socket open

    class SshConnection(sshconn.SSHConnection):
        def connect(self) -> None:
            sock = SshSocket(self.ssh_host)
            sock.settimeout(self.timeout)
            try:
                sock.connect()
            except BaseException:
                sock.close()
                raise
            self.sock = sock

        @property
        def is_connected(self) -> bool:
            return self.sock is not None and bool(self.sock.alive())

    class SshConnectionPool(sshconn.SSHConnectionPool):
        def _new_conn(self) -> Any:
            return SshConnection(None, self.timeout, self.ssh_host)

        def _get_conn(self, timeout: Any) -> Any:
            conn = super()._get_conn(timeout)
            if conn.sock is not None and not conn.is_connected:  # ssh ended while idle
                conn.close()
            return conn

    class SshHTTPAdapter(sshconn.SSHHTTPAdapter):
        dtr_tui = True

        def get_connection(self, url: str, proxies: Any = None) -> Any:
            if self.ssh_client:  # paramiko: the SDK's own way
                return super().get_connection(url, proxies)
            with self.pools.lock:  # one pool, kept: its connections (ssh) are reused
                pool = self.pools.get("ssh")
                if pool is None:
                    pool = SshConnectionPool(
                        timeout=self.timeout, maxsize=self.max_pool_size, host=self.ssh_host
                    )
                    self.pools["ssh"] = pool
            return pool

    return SshHTTPAdapter


def _engine_reason(exc: BaseException) -> str:
    text = str(exc)
    if "Permission denied" in text or "PermissionError" in text:
        return "permission denied on the socket"
    if "No such file" in text or "FileNotFoundError" in text:
        return "no socket there (is dockerd running?)"
    if "Connection refused" in text:
        return "connection refused (is dockerd running?)"
    # the SDK's own first line, without the body it quotes after it (an HTML error page)
    first = text.strip().splitlines()[0].split(' ("', 1)[0][:200] if text.strip() else ""
    return first or type(exc).__name__


def is_registry(attrs: Mapping[str, Any]) -> bool:
    """A container that runs `registry serve`, or says it is the registry by label or image."""
    config = attrs.get("Config") or {}
    labels = config.get("Labels") or {}
    if str(labels.get(REGISTRY_LABEL, "")).lower() == "true":
        return True
    command = [str(attrs.get("Path") or ""), *map(str, attrs.get("Args") or [])]
    if "serve" in command[1:] and any(PurePosixPath(c).name.endswith("registry") for c in command):
        return True
    image = str(config.get("Image") or "")
    return image.split("/")[-1].split(":")[0] in ("registry", "distribution")


def find_registries(client: Any) -> list[Any]:
    """Running containers that look like a distribution registry."""
    return [c for c in client.containers.list() if is_registry(c.attrs)]


def find_target(client: Any, name: str | None = None) -> DockerTarget | None:
    """The registry container named `name`, or the only one running; None when there is none."""
    if name:
        container = get_container(client, name)
        return target_from_inspect(container.attrs, docker_host=_base_url(client))
    found = find_registries(client)
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(sorted(c.name for c in found))
        raise DtrError(
            f"several registry containers are running: {names}",
            hint="pick one with --container NAME",
        )
    return target_from_inspect(found[0].attrs, docker_host=_base_url(client))


def get_container(client: Any, name_or_id: str) -> Any:
    import docker.errors

    try:
        return client.containers.get(name_or_id)
    except docker.errors.NotFound:
        raise ContainerGoneError(
            f"no container named {name_or_id} on this Docker engine",
            hint="list them with `docker ps`",
        ) from None


def _base_url(client: Any) -> str:
    return str(getattr(getattr(client, "api", None), "base_url", "") or "")


def version_from_image(attrs: Mapping[str, Any]) -> RegistryVersion | None:
    config = attrs.get("Config") or {}
    labels = config.get("Labels") or {}
    hint = str(labels.get("org.opencontainers.image.version") or "")
    if not hint:
        image = str(config.get("Image") or "")
        hint = image.rpartition(":")[2] if ":" in image.split("/")[-1] else ""
    hint = hint.lstrip("v")
    if hint.startswith("3"):
        return V3_0
    if hint.startswith("2"):
        return V2_8
    return None


def config_path_inside(attrs: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """What `registry serve` opens: its argument, else REGISTRY_CONFIGURATION_PATH, else the
    image's default for its version."""
    args = [str(a) for a in attrs.get("Args") or []]
    if "serve" in args:
        rest = args[args.index("serve") + 1 :]
        positional = [a for a in rest if not a.startswith("-")]
        if positional:
            return positional[0]
    if env.get("REGISTRY_CONFIGURATION_PATH"):
        return env["REGISTRY_CONFIGURATION_PATH"]
    return (version_from_image(attrs) or V2_8).default_config_path


def host_path_of(attrs: Mapping[str, Any], inside: str) -> tuple[Path | None, bool]:
    """The host path behind `inside` through the container's mounts; (path, is_file_mount)."""
    target = PurePosixPath(inside)
    best: tuple[int, Path, bool] | None = None
    for mount in attrs.get("Mounts") or []:
        destination = PurePosixPath(str(mount.get("Destination") or "/nonexistent"))
        source = mount.get("Source")
        if not source:
            continue
        if target == destination:
            candidate = (len(destination.parts), Path(source), True)
        elif destination in target.parents:
            candidate = (
                len(destination.parts),
                Path(source) / target.relative_to(destination),
                False,
            )
        else:
            continue
        if best is None or candidate[0] > best[0]:
            best = candidate
    if best is None:
        return None, False
    return best[1], best[2]


def target_from_inspect(attrs: Mapping[str, Any], docker_host: str = "") -> DockerTarget:
    config = attrs.get("Config") or {}
    env = dict(str(item).partition("=")[::2] for item in config.get("Env") or [])
    inside = config_path_inside(attrs, env)
    on_host, file_mount = host_path_of(attrs, inside)
    host_config = attrs.get("HostConfig") or {}
    ports = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
    published = {
        key: str(bindings[0].get("HostPort"))
        for key, bindings in ports.items()
        if bindings and bindings[0].get("HostPort")
    }
    return DockerTarget(
        container_id=str(attrs.get("Id") or ""),
        name=str(attrs.get("Name") or "").lstrip("/"),
        image=str(config.get("Image") or ""),
        config_inside=inside,
        config_on_host=on_host,
        file_mount=file_mount,
        env=env,
        version=version_from_image(attrs),
        host_network=host_config.get("NetworkMode") == "host",
        published=published,
        docker_host=docker_host,
        swarm_service=str((config.get("Labels") or {}).get("com.docker.swarm.service.name") or ""),
        user=str(config.get("User") or ""),
    )
