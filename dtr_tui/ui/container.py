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
    started: str = ""  # the engine's StartedAt as first seen, or after the app's own restart
    restarted: str = ""  # when it was started again by someone else, "HH:MM:SS UTC"

    @property
    def name(self) -> str:
        return str(self.target.name)

    @property
    def header(self) -> str:
        """What the header says: the container and its state."""
        state = self.state or "state unknown"
        if self.restarted and self.state == "running":
            state += f", restarted {self.restarted} outside dtr-tui"
        return f"container {self.name} ({state})"

    def own_restart(self) -> None:
        """The app restarted it (Save & restart): the next start seen is not news."""
        self.started = self.restarted = ""

    def refresh_state(self) -> str:
        """Ask the engine again (blocking: call from a thread). "removed": the engine answers
        but the container is no more; ENGINE_AWAY: the engine does not answer at all."""
        from ..services.docker_target import ContainerGoneError, get_container

        try:
            container = get_container(self.client, self.target.container_id)
        except ContainerGoneError:
            self.state = "removed"
        except Exception:  # noqa: BLE001 - no socket, refused, timed out: said in the header
            self.state = ENGINE_AWAY
        else:
            self.state = str(container.status)
            self._saw_start(_started_at(container.attrs))
        return self.state

    def _saw_start(self, started: str) -> None:
        if not self.started:
            self.started = started
        elif started and started != self.started:
            self.restarted = f"{started[11:19]} UTC"  # StartedAt is RFC 3339 in UTC


def _started_at(attrs: Any) -> str:
    state = attrs.get("State") if isinstance(attrs, dict) else None
    return str(state.get("StartedAt") or "") if isinstance(state, dict) else ""


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
        engine_configured,
        find_registries,
        find_target,
        target_from_inspect,
    )

    try:
        client = docker_client()
    except DockerUnavailableError as exc:
        if not name and not engine_configured():
            # a host without Docker, where editing a file is the plan: the header says so,
            # and a toast at every start would only cover the preview
            return Found([], "file only (no Docker engine on this host)")
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
        ContainerTarget(
            target_from_inspect(c.attrs), client, str(c.status), started=_started_at(c.attrs)
        )
        for c in containers
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
