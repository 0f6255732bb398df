"""The registry container the screen saves to: found once at start, restarted by Save & restart.

No Textual here: finding it, describing it for the header, and the environment's findings for
the form are plain functions, so the CLI's `run_app` and the tests call the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.draft import StorageDraft
from ..core.env_overrides import merge_env, registry_env
from ..core.problems import Severity
from ..core.versions import RegistryVersion

ENGINE_AWAY = "the Docker engine does not answer"


@dataclass
class ContainerTarget:
    """A registry container and the engine that runs it (`target` is a DockerTarget)."""

    target: Any
    client: Any
    state: str = ""  # running, restarting, exited, ... as the engine said last

    @property
    def name(self) -> str:
        return str(self.target.name)

    @property
    def header(self) -> str:
        """What the header says: the container and its state."""
        return f"container {self.name} ({self.state or 'state unknown'})"

    def refresh_state(self) -> str:
        """Ask the engine again (blocking: call from a thread). "removed": the engine answers
        but the container is no more; ENGINE_AWAY: the engine does not answer at all."""
        from ..services.docker_target import ContainerGoneError, get_container

        try:
            self.state = str(get_container(self.client, self.target.container_id).status)
        except ContainerGoneError:
            self.state = "removed"
        except Exception:  # noqa: BLE001 - no socket, refused, timed out: said in the header
            self.state = ENGINE_AWAY
        return self.state


@dataclass(frozen=True)
class Found:
    """What asking the engine gave: one target, several to pick from, or a note why none."""

    targets: list[ContainerTarget]
    note: str = ""  # short, for the header: why the screen works on the file alone
    detail: str = ""  # the whole reason, said once


def find_containers(name: str | None = None) -> Found:
    """The registry containers on the engine (`DOCKER_HOST` or the local socket)."""
    from ..core.errors import DtrError
    from ..services.docker_target import (
        DockerUnavailableError,
        docker_client,
        find_registries,
        find_target,
        target_from_inspect,
    )

    try:
        client = docker_client()
    except DockerUnavailableError as exc:
        return Found([], "file only (no Docker engine)", str(exc))
    try:
        if name:
            target = find_target(client, name)
            containers = [client.containers.get(target.container_id)] if target else []
        else:
            containers = find_registries(client)
    except DtrError as exc:
        return Found([], "file only (no registry container)", str(exc))
    found = [
        ContainerTarget(target_from_inspect(c.attrs), client, str(c.status)) for c in containers
    ]
    return Found(found, "" if found else "file only (no registry container running)")


def environment_lines(
    draft: StorageDraft, env: dict[str, str], version: RegistryVersion
) -> list[tuple[bool, str]]:
    """(is an error, sentence) for what the container's REGISTRY_* environment does to the
    draft: findings (wipe, two drivers, misspelt, retyped) and the keys it overrides."""
    if not registry_env(env):
        return []
    merged = merge_env(draft.as_view(), env, version)
    lines = [(f.severity is Severity.ERROR, f"{f.variable}: {f.message}") for f in merged.findings]
    for path, variable in sorted(merged.controlled.items()):
        where = "storage." + ".".join(path)
        lines.append((False, f"{where} is set by {variable}: the file's value is not used"))
    return lines
