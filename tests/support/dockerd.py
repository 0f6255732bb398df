"""A private Docker engine for tests, and a registry image built without pulling anything.

dtr-tui restarts a registry container over the Docker socket, so tests need a real engine.
``Dockerd`` runs ``dockerd`` (vfs, no iptables, no bridge) with its own data-root, exec-root,
pidfile, config file and unix socket in a short temp dir, so it neither needs nor disturbs a
daemon on the default ``/var/run/docker.sock``. Give code under test ``base_url`` (or
``env["DOCKER_HOST"]``). No image can be pulled here: ``build_registry_image`` builds one
``FROM scratch`` out of Debian's registry binary and the libraries ``ldd`` says it needs.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .ports import LOOPBACK, free_port, wait_for_http
from .procs import ManagedProcess, ProcessServer, ServerStartError, clean_env
from .registry import REGISTRY_BIN, config_port

REGISTRY_IMAGE = "dtr-tui-test/registry:2.8"
CONTAINER_CONFIG_DIR = "/etc/docker/registry"
CONTAINER_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
TEST_LABEL = "dtr-tui.test"


class Dockerd(ProcessServer):
    """``dockerd`` on a private unix socket; ``base_url``, ``client()``, ``stop()``."""

    def __init__(self, root: str | Path | None = None, *, socket_path: str | Path | None = None):
        # Short path: unix socket paths (also containerd's, under exec-root) max out at 107 bytes.
        self.root = Path(root or tempfile.mkdtemp(prefix="dtrd-", dir="/tmp"))
        self.socket_path = Path(socket_path or self.root / "docker.sock")
        self.base_url = f"unix://{self.socket_path}"
        self.env = {"DOCKER_HOST": self.base_url}
        self.log_path = self.root / "dockerd.log"
        self.start_seconds: float | None = None
        self._proc = None
        self._client: Any = None

    def start(self, timeout: float = 60.0) -> Dockerd:
        began = time.monotonic()
        if not shutil.which("dockerd"):
            raise FileNotFoundError("dockerd missing: run scripts/install-test-deps")
        if self.socket_path.exists():
            raise ServerStartError(f"{self.socket_path} exists: another dockerd may be using it")
        config = self.root / "daemon.json"
        config.write_text("{}\n")  # ignore /etc/docker/daemon.json
        argv = [
            "dockerd",
            "--config-file", str(config),
            "--host", self.base_url,
            "--data-root", str(self.root / "data"),
            "--exec-root", str(self.root / "exec"),
            "--pidfile", str(self.root / "docker.pid"),
            "--storage-driver=vfs",
            "--iptables=false",
            "--ip-masq=false",
            "--bridge=none",
            "--userland-proxy=false",
            "--shutdown-timeout=5",
        ]  # fmt: skip
        self._proc = ManagedProcess("dockerd", argv, self.log_path, env=clean_env())
        proc = self._proc.start()
        deadline = time.monotonic() + timeout
        last: object = "no answer"
        while True:
            if proc.poll() is not None:
                err = self._proc.start_error(f"dockerd exited with {proc.returncode}")
                self.stop()
                raise err
            try:
                client = self.client()
                if client.ping():
                    break
            except Exception as err:  # not up yet: socket missing, connection refused
                last = err
                self._client = None
            if time.monotonic() > deadline:
                err2 = self._proc.start_error(f"/_ping not OK after {timeout}s ({last})")
                self.stop()
                raise err2
            time.sleep(0.1)
        self.start_seconds = time.monotonic() - began
        return self

    def client(self) -> Any:
        """A ``docker.DockerClient`` for this engine (cached)."""
        if self._client is None:
            import docker

            self._client = docker.DockerClient(base_url=self.base_url, timeout=60)
        return self._client

    def remove_test_containers(self) -> None:
        """Force-remove every container of this engine (it is private to the tests)."""
        if not self.alive():
            return
        client = self.client()
        for container in client.containers.list(all=True):
            try:
                container.remove(force=True)
            except Exception:
                pass

    def stop(self) -> None:
        if self._proc is None:
            return
        try:
            self.remove_test_containers()
        except Exception:
            pass
        if self._client is not None:
            self._client.close()
            self._client = None
        self._proc.stop(timeout=20, leader_first=True)
        self._proc = None
        _unmount_under(self.root)
        shutil.rmtree(self.root, ignore_errors=True)


class SwarmEngine(Dockerd):
    """A private ``Dockerd`` made a single-node Swarm manager, with the registry image built.

    Its own engine, so the shared ``dockerd`` never becomes a swarm manager. ``stop()``
    removes its services and leaves the swarm before stopping the engine.
    """

    def start(self, timeout: float = 60.0) -> SwarmEngine:
        super().start(timeout)
        try:
            client = self.client()
            build_registry_image(client)
            client.swarm.init(advertise_addr=LOOPBACK, listen_addr=f"{LOOPBACK}:{free_port()}")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.alive():
            client = self.client()
            for service in _listed(client.services):
                with contextlib.suppress(Exception):
                    service.remove()
            with contextlib.suppress(Exception):
                client.swarm.leave(force=True)
        super().stop()


def _listed(collection: Any) -> list[Any]:
    try:
        return list(collection.list())
    except Exception:  # not a swarm manager (yet): nothing to remove
        return []


def _unmount_under(root: Path) -> None:
    """Lazily unmount anything dockerd left mounted below ``root`` (deepest first)."""
    prefix = str(root.resolve()) + "/"
    try:
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return
    for target in sorted((m for m in mounts if m.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", target], capture_output=True)


def shared_libraries(binary: str) -> list[str]:
    """Absolute paths of the shared objects ``ldd`` lists for ``binary`` (no vdso)."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs: list[str] = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts:
            target = parts[parts.index("=>") + 1]
            if target.startswith("/"):
                libs.append(target)
        elif parts and parts[0].startswith("/"):
            libs.append(parts[0])
    return libs


def build_registry_image(client: Any, tag: str = REGISTRY_IMAGE) -> str:
    """Build ``tag`` FROM scratch: Debian's registry as /bin/registry plus its libraries.

    ENTRYPOINT ["/bin/registry"], CMD ["serve", "/etc/docker/registry/config.yml"]. The image has
    no CA bundle: mount one at /etc/ssl/certs/ca-certificates.crt for HTTPS backends.
    """
    with tempfile.TemporaryDirectory(prefix="registry-image-") as tmp:
        ctx = Path(tmp)
        copies = [(REGISTRY_BIN, "/bin/registry")]
        copies += [(lib, lib) for lib in shared_libraries(REGISTRY_BIN)]
        lines = ["FROM scratch"]
        for src, dest in copies:
            local = ctx / "files" / dest.lstrip("/")
            local.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(src).resolve(), local)
        # One COPY = one layer: with the vfs storage driver every layer is a full copy.
        lines += [
            "COPY files/ /",
            f'LABEL {TEST_LABEL}="true"',
            "EXPOSE 5000",
            'ENTRYPOINT ["/bin/registry"]',
            f'CMD ["serve", "{CONTAINER_CONFIG_DIR}/config.yml"]',
        ]
        (ctx / "Dockerfile").write_text("\n".join(lines) + "\n")
        try:
            client.images.build(path=str(ctx), tag=tag, rm=True, forcerm=True, pull=False)
        except Exception as err:
            log = getattr(err, "build_log", None)
            detail = "".join(
                str(entry.get("stream") or entry.get("error") or "") for entry in (log or [])
            )
            raise ServerStartError(f"building {tag} failed: {err}\n{detail}") from None
    return tag


def run_registry_container(
    client: Any,
    config_dir: str | Path,
    *,
    image: str = REGISTRY_IMAGE,
    name: str | None = None,
    ca_bundle: str | Path | None = None,
    volumes: Mapping[str, Mapping[str, str]] | None = None,
    wait: bool = True,
    timeout: float = 20.0,
) -> Any:
    """Run the registry image with host networking and ``config_dir`` at /etc/docker/registry.

    ``config_dir/config.yml`` must set ``http.addr: 127.0.0.1:PORT`` (a free port). With
    ``ca_bundle`` the file is mounted read-only at /etc/ssl/certs/ca-certificates.crt. When
    ``wait``, returns once ``GET /v2/`` answers, else raises with the container's log.
    """
    mounts: dict[str, dict[str, str]] = {
        str(Path(config_dir).resolve()): {"bind": CONTAINER_CONFIG_DIR, "mode": "rw"}
    }
    if ca_bundle is not None:
        mounts[str(Path(ca_bundle).resolve())] = {"bind": CONTAINER_CA_BUNDLE, "mode": "ro"}
    for host, spec in (volumes or {}).items():
        mounts[host] = dict(spec)
    container = client.containers.run(
        image,
        name=name,
        detach=True,
        network_mode="host",
        volumes=mounts,
        labels={TEST_LABEL: "true"},
    )
    if wait:
        port = config_port(Path(config_dir) / "config.yml")
        if port is None:
            raise ValueError(f"{config_dir}/config.yml has no http.addr with a port")
        try:
            wait_for_http(
                f"http://{LOOPBACK}:{port}/v2/",
                timeout,
                (200, 401),
                alive=lambda: _running(container),
            )
        except (RuntimeError, TimeoutError) as err:
            logs = container.logs().decode(errors="replace")[-4000:]
            raise ServerStartError(f"registry container did not answer: {err}\n{logs}") from None
    return container


def _running(container: Any) -> bool:
    container.reload()
    return bool(container.status in ("created", "running"))
