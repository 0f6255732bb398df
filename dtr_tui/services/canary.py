"""The canary: before the production registry restarts on a proposed config, run a throwaway
container from the same image on it, on a free loopback port, push and pull a small blob
through the registry's HTTP API, and remove the container. A config that fails there never
reaches production, and the canary's log tail says why.

The canary gets the production container's mounts (so a filesystem root, CA bundle or
credentials file is the same) and its REGISTRY_* environment (what the registry will really
run), but its own http section (loopback, no TLS), no auth, no notifications and no proxy,
and `storage.delete.enabled: true` so the probe blob is deleted again.

For a Swarm service the same canary runs as a plain container on this engine, from the image,
environment and mounts of the service's spec; Swarm secrets and config objects (other than the
registry's config itself) cannot be given to a plain container, and the start step says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import socket
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.document import ConfigDocument
from ..core.errors import DtrError

if TYPE_CHECKING:
    from .docker_target import DockerTarget
    from .swarm import SwarmTarget

CONFIG_DIR_INSIDE = "/etc/dtr-tui-canary"
REPO = "dtr-tui-canary/probe"
LABEL = "dtr-tui.canary"
# Sections that would reach outside the canary or need files only production has.
_DROPPED_SECTIONS = ("auth", "notifications", "proxy", "reporting")
_DROPPED_ENV = (
    "REGISTRY_HTTP",
    "REGISTRY_AUTH",
    "REGISTRY_NOTIFICATIONS",
    "REGISTRY_PROXY",
    "REGISTRY_REPORTING",
    "REGISTRY_CONFIGURATION_PATH",
)

Progress = Callable[["CanaryStep"], None]


@dataclass(frozen=True)
class CanaryStep:
    """One step of the canary, as a person reads it."""

    name: str
    ok: bool
    detail: str
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class CanaryResult:
    ok: bool
    image: str
    steps: list[CanaryStep] = field(default_factory=list)
    log_tail: str = ""  # the canary registry's last log lines when it failed (secrets masked)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "image": self.image,
            "steps": [s.as_dict() for s in self.steps],
            "log_tail": self.log_tail,
        }


def canary_config(config_text: str, port: int, source: str = "proposed config") -> str:
    """The proposed config as the canary runs it (JSON, which the registry reads as YAML)."""
    view = ConfigDocument.parse(config_text, source).view
    config: dict[str, Any] = dict(view) if isinstance(view, Mapping) else {}
    for section in _DROPPED_SECTIONS:
        config.pop(section, None)
    config["version"] = str(config.get("version") or "0.1")
    config["http"] = {"addr": f"127.0.0.1:{port}"}
    storage = dict(config.get("storage") or {})
    delete = storage.get("delete")
    storage["delete"] = {**(delete if isinstance(delete, Mapping) else {}), "enabled": True}
    config["storage"] = storage
    return json.dumps(config, indent=2, default=str) + "\n"


@dataclass(frozen=True)
class Borrowed:
    """What the canary takes from production: the image to run (by id when this engine has
    it), the environment, the mounts, and what production has that the canary cannot get."""

    image: str
    env: dict[str, str]
    volumes: dict[str, dict[str, str]]
    left_out: tuple[str, ...] = ()


def borrowed(client: Any, target: DockerTarget | SwarmTarget) -> Borrowed:
    """What the canary takes from a registry container, or from a Swarm service's spec."""
    from .swarm import SwarmTarget

    if isinstance(target, SwarmTarget):
        return _from_service(client, target)
    attrs = _production_attrs(client, target)
    image = str(attrs.get("Image") or target.image)  # the very image it runs, by id
    return Borrowed(image, dict(target.env), _canary_volumes(attrs.get("Mounts") or []))


def _from_service(client: Any, target: SwarmTarget) -> Borrowed:
    spec: Mapping[str, Any] = {}
    with contextlib.suppress(Exception):  # gone meanwhile: what find_service read is used
        spec = client.services.get(target.service_id).attrs["Spec"]
    cspec = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    mounts = [
        {
            "Type": m.get("Type") or "volume",
            "Name": m.get("Source"),
            "Source": m.get("Source"),
            "Destination": m.get("Target"),
            "RW": not m.get("ReadOnly"),
        }
        for m in cspec.get("Mounts") or []
        if (m.get("Type") or "volume") in ("bind", "volume")
    ]
    left_out = [
        f"secret {ref.get('SecretName')} ({_secret_path(ref)})"
        for ref in cspec.get("Secrets") or []
    ]
    left_out += [
        f"config object {ref.get('ConfigName')} ({(ref.get('File') or {}).get('Name')})"
        for ref in cspec.get("Configs") or []
        if (ref.get("File") or {}).get("Name") != target.config_inside
    ]
    image = _local_image(client, str(cspec.get("Image") or target.image))
    return Borrowed(image, dict(target.env), _canary_volumes(mounts), tuple(left_out))


def _secret_path(ref: Mapping[str, Any]) -> str:
    name = str((ref.get("File") or {}).get("Name") or ref.get("SecretName") or "")
    return name if name.startswith("/") else f"/run/secrets/{name}"


def _local_image(client: Any, reference: str) -> str:
    """The id of the image a service names (with its digest, else by tag) when this engine
    has it; else the name itself, for the engine to pull or refuse."""
    for name in dict.fromkeys((reference, reference.split("@")[0])):
        with contextlib.suppress(Exception):
            return str(client.images.get(name).id)
    return reference


def run_canary(
    config_text: str,
    target: DockerTarget | SwarmTarget,
    client: Any,
    *,
    timeout: float = 30.0,
    progress: Progress | None = None,
    secrets: list[str] | None = None,
) -> CanaryResult:
    """Run the canary for `config_text` (the whole proposed config) with the image of `target`,
    a registry container or a Swarm service."""
    from .restart import log_tail, wait_until_serving

    steps: list[CanaryStep] = []

    def record(name: str, ok: bool, detail: str, began: float) -> bool:
        step = CanaryStep(name, ok, detail, time.monotonic() - began)
        steps.append(step)
        if progress is not None:
            progress(step)
        return ok

    port = _free_port()
    folder = tempfile.mkdtemp(prefix="dtr-tui-canary-")  # 0700: the config may hold secrets
    container: Any = None
    tail = ""
    ok = False
    try:
        path = os.path.join(folder, "config.yml")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(canary_config(config_text, port))
        began = time.monotonic()
        production = borrowed(client, target)
        try:
            container = client.containers.run(
                production.image,
                command=["serve", f"{CONFIG_DIR_INSIDE}/config.yml"],
                name=f"dtr-tui-canary-{uuid.uuid4().hex[:8]}",
                detach=True,
                network_mode="host",
                environment=_canary_env(production.env),
                volumes={
                    **production.volumes,
                    folder: {"bind": CONFIG_DIR_INSIDE, "mode": "ro"},
                },
                labels={LABEL: target.name},
            )
        except Exception as exc:  # the engine's refusal, for a person
            from .restart import engine_failure

            record("start the canary", False, engine_failure(exc), began)
            return CanaryResult(False, target.image, steps)
        detail = f"{container.name} from {target.image} on 127.0.0.1:{port}"
        if production.left_out:
            detail += "; not given to it: " + ", ".join(production.left_out)
        record("start the canary", True, detail, began)
        began = time.monotonic()
        base = f"http://127.0.0.1:{port}"
        health = wait_until_serving(container, base, timeout)
        if not record("registry serves", health.ok, health.reason, began):
            tail = log_tail(container, secrets=secrets or [])
            return CanaryResult(False, target.image, steps, tail)
        ok = _push_and_pull(base, record)
        if not ok:
            tail = log_tail(container, secrets=secrets or [])
        return CanaryResult(ok, target.image, steps, tail)
    finally:
        if container is not None:
            began = time.monotonic()
            try:
                container.remove(force=True)
                record("remove the canary", True, f"{container.name} removed", began)
            except Exception as exc:
                record(
                    "remove the canary",
                    False,
                    f"{container.name} could not be removed ({type(exc).__name__}): "
                    f"docker rm -f {container.name}",
                    began,
                )
        shutil.rmtree(folder, ignore_errors=True)


def _push_and_pull(base: str, record: Callable[[str, bool, str, float], bool]) -> bool:
    blob = b"dtr-tui canary " + os.urandom(1024)
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    began = time.monotonic()
    start = _request("POST", f"{base}/v2/{REPO}/blobs/uploads/", b"")
    if start.status != 202 or not start.location:
        return record("push a blob", False, start.explain("POST /blobs/uploads/", 202), began)
    location = urllib.parse.urljoin(base + "/", start.location)
    location += ("&" if "?" in location else "?") + "digest=" + urllib.parse.quote(digest)
    put = _request("PUT", location, blob, {"Content-Type": "application/octet-stream"})
    if put.status != 201:
        return record("push a blob", False, put.explain("PUT upload", 201), began)
    record("push a blob", True, f"{len(blob)} bytes as {digest[:19]}…", began)

    url = f"{base}/v2/{REPO}/blobs/{digest}"
    began = time.monotonic()
    head = _request("HEAD", url)  # 200, or a redirect to the backend (signed for GET only)
    if head.status not in (200, 302, 307):
        return record("pull the blob", False, head.explain("HEAD blob", 200), began)
    got = _request("GET", url, follow=True)
    if got.status != 200:
        return record("pull the blob", False, got.explain("GET blob", 200), began)
    if got.body != blob:
        return record(
            "pull the blob", False, f"GET returned {len(got.body)} bytes that differ", began
        )
    via = f" (through a redirect to {got.host})" if got.redirected else ""
    record("pull the blob", True, f"read back byte for byte{via}", began)

    began = time.monotonic()
    gone = _request("DELETE", url)
    if gone.status != 202:
        return record("delete the blob", False, gone.explain("DELETE blob", 202), began)
    return record("delete the blob", True, f"{REPO} no longer links it", began)


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    location: str = ""
    error: str = ""
    host: str = ""
    redirected: bool = False

    def explain(self, what: str, wanted: int) -> str:
        if self.error:
            return f"{what}: {self.error}"
        text = self.body[:300].decode("utf-8", errors="replace").strip()
        return f"{what} answered {self.status}, not {wanted}" + (f": {text}" if text else "")


def _request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    follow: bool = False,
) -> _Answer:
    redirected = False
    for _ in range(5):
        parts = urllib.parse.urlsplit(url)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            import ssl

            conn = http.client.HTTPSConnection(
                parts.netloc, timeout=30, context=ssl.create_default_context()
            )
        else:
            conn = http.client.HTTPConnection(parts.netloc, timeout=30)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request(method, path, body=body, headers=dict(headers or {}))
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            return _Answer(0, error=f"{type(exc).__name__}: {exc}", host=parts.netloc)
        finally:
            conn.close()
        location = response.headers.get("Location") or ""
        if follow and response.status in (301, 302, 303, 307, 308) and location:
            url = urllib.parse.urljoin(url, location)
            redirected = True
            continue
        host = parts.hostname or ""
        return _Answer(response.status, data, location, host=host, redirected=redirected)
    return _Answer(0, error="too many redirects")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _canary_env(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.upper().startswith(_DROPPED_ENV)}


def _production_attrs(client: Any, target: DockerTarget) -> dict[str, Any]:
    """The production container's inspect, or nothing when it is gone (the tag is used then)."""
    with contextlib.suppress(Exception):
        return dict(client.containers.get(target.container_id).attrs)
    return {}


def _canary_volumes(mounts: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Production's mounts (same data, CA bundle, credentials), as the SDK takes them; not
    the canary's own config folder."""
    volumes: dict[str, dict[str, str]] = {}
    for mount in mounts:
        source = mount.get("Name") if mount.get("Type") == "volume" else mount.get("Source")
        destination = mount.get("Destination")
        if source and destination and destination != CONFIG_DIR_INSIDE:
            volumes[str(source)] = {
                "bind": str(destination),
                "mode": "rw" if mount.get("RW", True) else "ro",
            }
    return volumes


def require_local_engine(client: Any) -> None:
    """The canary listens on the engine host's loopback: only a local engine can reach it."""
    host = str(getattr(getattr(client, "api", None), "base_url", "") or "")
    if host and not host.startswith(("unix://", "http+unix://", "npipe://")):
        if "127.0.0.1" not in host and "localhost" not in host:
            raise DtrError(
                f"the canary listens on the engine host's loopback, and {host} is another host",
                hint="run dtr-tui on the registry's host (over SSH) for the canary",
            )
