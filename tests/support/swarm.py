"""A registry running as a Swarm service on a ``SwarmEngine``, for the service tests.

Its config is a Docker config object or a bind-mounted file; its data is a bind mount of
``data``; it listens on the host network on a free port and is serving when built.
"""

from __future__ import annotations

import base64
import time
import urllib.request
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .dockerd import CONTAINER_CONFIG_DIR, REGISTRY_IMAGE, Dockerd
from .ports import LOOPBACK, free_port
from .registry import registry_config_text

CONFIG_INSIDE = f"{CONTAINER_CONFIG_DIR}/config.yml"
DATA_INSIDE = "/var/lib/registry"
FS = {"filesystem": {"rootdirectory": DATA_INSIDE}}


def wait_serving(url: str, timeout: float = 30) -> None:
    """Until ``url/v2/`` answers 200 (no proxy); the last error after ``timeout``."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while True:
        try:
            with opener.open(url + "/v2/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


class RegistryService:
    """``name``, ``url``, ``data`` and ``etc`` (host folders), ``service`` (the SDK's)."""

    def __init__(
        self,
        engine: Dockerd,
        root: Path,
        *,
        config_object: bool,
        env: Sequence[str] = (),
        secrets: Sequence[str] = (),
    ) -> None:
        """``env``: ``KEY=VALUE`` items of the spec; ``secrets``: names of Swarm secrets made
        for it (not read by the registry)."""
        from docker.types import ConfigReference, SecretReference

        self.client = engine.client()
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.name = f"reg-{uuid.uuid4().hex[:8]}"
        self.data, self.etc = root / "data", root / "etc"
        self.data.mkdir()
        self.etc.mkdir()
        text = registry_config_text(FS, self.port)
        kwargs: dict[str, Any] = {"mounts": [f"{self.data}:{DATA_INSIDE}:rw"], "env": list(env)}
        if secrets:
            kwargs["secrets"] = [
                SecretReference(self.client.secrets.create(name=name, data=b"unused").id, name)
                for name in secrets
            ]
        if config_object:
            made = self.client.configs.create(name=f"{self.name}-config", data=text.encode())
            kwargs["configs"] = [
                ConfigReference(made.id, f"{self.name}-config", filename=CONFIG_INSIDE)
            ]
        else:
            (self.etc / "config.yml").write_text(text)
            kwargs["mounts"].append(f"{self.etc}:{CONTAINER_CONFIG_DIR}:rw")
        self.service = self.client.services.create(
            REGISTRY_IMAGE, name=self.name, networks=["host"], **kwargs
        )
        wait_serving(self.url)

    def spec(self) -> dict[str, Any]:
        self.service.reload()
        return dict(self.service.attrs["Spec"])

    def spec_version(self) -> int:
        self.service.reload()
        return int(self.service.attrs["Version"]["Index"])

    def config_ref(self) -> dict[str, Any]:
        return dict(self.spec()["TaskTemplate"]["ContainerSpec"]["Configs"][0])

    def config_text(self) -> str:
        data = self.client.configs.get(self.config_ref()["ConfigID"]).attrs["Spec"]["Data"]
        return base64.b64decode(data).decode()

    def running_tasks(self) -> set[str]:
        return {t["ID"] for t in self.service.tasks({"desired-state": "running"})}
