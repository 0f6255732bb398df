"""A registry running in a Docker container: found by asking the engine, read from its
inspect (config path inside, the host file behind it, environment, health address), and
restarted over the socket. The docker SDK is imported only when an engine is asked.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
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


def docker_client(base_url: str | None = None) -> Any:
    """A client for `base_url`, else `DOCKER_HOST`, else the local socket; checked with ping."""
    try:
        import docker
    except ImportError:
        raise DockerUnavailableError(
            "the docker Python package is not installed", hint="pip install docker"
        ) from None
    where = base_url or os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
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
        if reason.startswith("permission denied"):
            hint = (
                "run dtr-tui as root or as a user in the socket's group (see `ls -l` of the "
                "socket), or point DOCKER_HOST at an engine you may use"
            )
        elif ssh:
            # ssh writes why (refused, unknown host key, publickey denied, no docker CLI
            # there) to stderr itself; the SDK only sees the pipe close.
            reason = "ssh ended without an answer from the engine (ssh says why on stderr)"
            hint = (
                f"check that `{_ssh_command(where)} docker version` works without a prompt "
                "(key or agent, known_hosts, the docker CLI on that host)"
            )
        else:
            hint = "start dockerd, set DOCKER_HOST, or run as a user in the docker group"
        raise DockerUnavailableError(
            f"cannot reach the Docker engine at {where}: {reason}",
            hint=hint + "; without an engine dtr-tui edits the config file alone",
        ) from None
    return client


def _ssh_command(url: str) -> str:
    """`ssh [-p PORT] [USER@]HOST` for an ssh:// DOCKER_HOST."""
    parts = urlsplit(url)
    login = f"{parts.username}@{parts.hostname}" if parts.username else str(parts.hostname)
    return f"ssh -p {parts.port} {login}" if parts.port else f"ssh {login}"


_SSH_TRANSPORT_LOCK = threading.Lock()


def _load_ssh_client_transport() -> None:
    """Make docker's `ssh` shell-out transport usable when paramiko is not installed.

    With `use_ssh_client=True` the SDK runs `ssh -l USER -p PORT -- HOST 'docker system
    dial-stdio'` and never calls paramiko, yet docker/transport/sshconn.py imports paramiko at
    its top; without it `SSHHTTPAdapter` is never defined and every ssh:// host fails with
    "Install paramiko package to enable ssh:// support". Import that module once with an
    empty stand-in for paramiko (removed again at once) and hand its adapter to the client.
    """
    import importlib
    import importlib.util
    import sys
    import types

    import docker.api.client as api_client

    with _SSH_TRANSPORT_LOCK:  # the app asks the engine from worker threads
        if hasattr(api_client, "SSHHTTPAdapter") or importlib.util.find_spec("paramiko"):
            return
        stand_in = types.ModuleType("paramiko")
        sys.modules["paramiko"] = stand_in
        try:
            sshconn = importlib.import_module("docker.transport.sshconn")
        finally:
            if sys.modules.get("paramiko") is stand_in:
                del sys.modules["paramiko"]
        api_client.SSHHTTPAdapter = sshconn.SSHHTTPAdapter


def _engine_reason(exc: BaseException) -> str:
    text = str(exc)
    if "Permission denied" in text or "PermissionError" in text:
        return "permission denied on the socket"
    if "No such file" in text or "FileNotFoundError" in text:
        return "no socket there (is dockerd running?)"
    if "Connection refused" in text:
        return "connection refused (is dockerd running?)"
    return type(exc).__name__


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
    )
