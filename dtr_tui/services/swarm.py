"""A registry running as a Swarm service: found by name, its config delivered the way the
service already gets it, and changed by a rolling update that Swarm rolls back by itself when
a task fails (`update_config.failure_action = rollback`).

- A bind-mounted config file: write it safely (backup, atomic) and force an update, so every
  task restarts on the new file. On failure the file is restored and the update forced again.
- A Docker config object: create a new config object holding the new text and swap it into
  the service spec; the old object stays as the backup, and a rollback swaps it back.

After the update completes, the registry must answer `GET /v2/` and a storage request, within
the timeout, or dtr-tui rolls the service back itself.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..core.document import ConfigDocument, fingerprint_of
from ..core.errors import DtrError, StaleFileError
from ..core.plan import Plan
from ..core.safe_write import WriteResult, write_config
from ..core.versions import RegistryVersion
from .apply import (
    ApplyResult,
    _audit,
    _http_addr,
    _refuse_shadowed,
    refuse_invalid,
    secret_values,
)
from .docker_target import ContainerGoneError, config_path_inside, version_from_image

Progress = Callable[[str], None]
MONITOR_NS = 2_000_000_000  # Swarm watches each new task this long before calling it healthy
LABEL = "dtr-tui.previous-config"


@dataclass(frozen=True)
class SwarmTarget:
    """Where a registry service reads its config, and how the update reaches it."""

    service_id: str
    name: str
    image: str
    config_inside: str
    config_on_host: Path | None  # bind-mounted config (file or its directory)
    file_mount: bool
    config_ref: dict[str, Any] | None  # the service's reference to a Docker config object
    env: dict[str, str] = field(default_factory=dict)
    version: RegistryVersion | None = None
    host_network: bool = False
    published: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"service {self.name} ({self.service_id[:12]})"

    @property
    def delivery(self) -> str:
        return "config object" if self.config_ref is not None else "bind mount"

    def health_base(self, http_addr: str | None) -> str:
        addr = self.env.get("REGISTRY_HTTP_ADDR") or http_addr or ":5000"
        host, _, port = addr.rpartition(":")
        port = port or "5000"
        if not self.host_network and self.published.get(port):
            return f"http://127.0.0.1:{self.published[port]}"
        if host in ("", "0.0.0.0", "[::]", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{port}"


def find_service(client: Any, name: str) -> SwarmTarget:
    import docker.errors

    try:
        service = client.services.get(name)
    except docker.errors.NotFound:
        raise ContainerGoneError(
            f"no Swarm service named {name} on this engine", hint="list them: docker service ls"
        ) from None
    except docker.errors.APIError as exc:
        raise DtrError(
            f"cannot read Swarm service {name}: {exc.explanation}",
            hint="is this engine a Swarm manager? (docker swarm init)",
        ) from None
    target = service_target(service.attrs)
    if not target.host_network and _on_host_network(client, service.attrs):
        target = replace(target, host_network=True)
    return target


def service_target(attrs: Mapping[str, Any]) -> SwarmTarget:
    spec = attrs.get("Spec") or {}
    template = spec.get("TaskTemplate") or {}
    cspec = template.get("ContainerSpec") or {}
    env = dict(str(item).partition("=")[::2] for item in cspec.get("Env") or [])
    image = str(cspec.get("Image") or "").split("@")[0]
    fake = {"Args": cspec.get("Args") or [], "Config": {"Image": image}}
    inside = config_path_inside(fake, env)
    ref = next(
        (c for c in cspec.get("Configs") or [] if (c.get("File") or {}).get("Name") == inside),
        None,
    )
    on_host: Path | None = None
    file_mount = False
    target = PurePosixPath(inside)
    best = -1
    for mount in cspec.get("Mounts") or []:
        if mount.get("Type") != "bind" or not mount.get("Source"):
            continue
        destination = PurePosixPath(str(mount.get("Target")))
        if destination == target and len(destination.parts) > best:
            on_host, file_mount, best = Path(mount["Source"]), True, len(destination.parts)
        elif destination in target.parents and len(destination.parts) > best:
            on_host = Path(mount["Source"]) / target.relative_to(destination)
            file_mount, best = False, len(destination.parts)
    networks = [n.get("Target") for n in template.get("Networks") or []]
    ports = ((attrs.get("Endpoint") or {}).get("Ports")) or []
    published = {
        str(p.get("TargetPort")): str(p.get("PublishedPort"))
        for p in ports
        if p.get("PublishedPort")
    }
    return SwarmTarget(
        service_id=str(attrs.get("ID") or ""),
        name=str(spec.get("Name") or ""),
        image=image,
        config_inside=inside,
        config_on_host=on_host if ref is None else None,
        file_mount=file_mount,
        config_ref=dict(ref) if ref is not None else None,
        env=env,
        version=version_from_image({"Config": {"Image": image}}),
        host_network="host" in networks,
        published=published,
    )


def _on_host_network(client: Any, attrs: Mapping[str, Any]) -> bool:
    """Swarm names networks by id in the spec: ask which one is `host`."""
    template = (attrs.get("Spec") or {}).get("TaskTemplate") or {}
    for net in template.get("Networks") or []:
        try:
            if client.networks.get(net.get("Target")).name == "host":
                return True
        except Exception:  # a network removed meanwhile: not the host's
            continue
    return False


def read_service_config(client: Any, target: SwarmTarget) -> ConfigDocument:
    """The config as the service gets it now: the bind-mounted file, or the config object."""
    if target.config_ref is None:
        if target.config_on_host is None:
            raise DtrError(
                f"reads {target.config_inside}, which neither a bind mount nor a Docker config "
                "object provides (baked into the image): nothing can be changed here",
                source=target.label,
                hint="give the service its config with --config-add or --mount, then run "
                "dtr-tui again",
            )
        return ConfigDocument.load(target.config_on_host)
    data = client.configs.get(target.config_ref["ConfigID"]).attrs["Spec"]["Data"]
    text = base64.b64decode(data).decode("utf-8")
    return ConfigDocument.parse(text, f"docker config {target.config_ref['ConfigName']}")


def apply_to_service(
    plan: Plan,
    target: SwarmTarget,
    client: Any,
    *,
    progress: Progress | None = None,
    timeout: float = 60.0,
    force: bool = False,
    audit: bool = True,
) -> ApplyResult:
    """Deliver `plan` to the service by a rolling update; roll back when it does not serve."""
    steps: list[str] = []

    def say(step: str) -> None:
        steps.append(step)
        if progress is not None:
            progress(step)

    refuse_invalid(plan, "update")
    _refuse_shadowed(plan, target, force, say)
    say(f"checking {target.label} is still there and unchanged")
    service = _service(client, target)
    began = time.monotonic()
    written: WriteResult | None = None
    old_ref = target.config_ref
    new_ref: dict[str, Any] = {}
    if old_ref is not None:
        current = _current_ref(service, target)
        if current is None or current.get("ConfigID") != old_ref.get("ConfigID"):
            raise StaleFileError(
                "the service was given another config since it was read; nothing was changed",
                source=target.label,
                hint="run dtr-tui again to plan against the config it has now",
            )
        new_ref = _create_config(client, old_ref, plan.new_text)
        say(f"created config object {new_ref['ConfigName']} (the previous one is kept)")
        stale = _update(service, target, say, configs=_swap(service, target, new_ref))
    else:
        assert target.config_on_host is not None
        _refuse_other_nodes(client, service, target)
        written = write_config(
            target.config_on_host,
            plan.new_text,
            expected_fingerprint=plan.fingerprint,
            expected_exists=plan.file_exists,
            holds_secret=plan.holds_inline_secret,
            replace_inode=not target.file_mount,
        )
        if written.backup is not None:
            say(f"backed up the previous version to {written.backup}")
        say(f"wrote {written.path} (mode {written.mode:04o})")
        stale = _update(service, target, say, force_update=True)
    base = target.health_base(_http_addr(plan.new_text))
    say(f"waiting for the rolling update and {base}/v2/ (up to {timeout:g} s)")
    state, reason = _wait(client, target, base, began + timeout, stale=stale)
    if state == "serving":
        say(f"the registry serves again after {time.monotonic() - began:.2f} s (rolling update)")
        outcome = ApplyResult(True, steps, written, True, True, seconds=time.monotonic() - began)
        return _audit_service(plan, target, outcome, say) if audit else outcome
    tail = _log_tail(service, began, secret_values(plan.new_text, plan.old_text))
    say(f"the new config failed: {reason}")
    rolled = _roll_back(client, target, service, plan, written, old_ref, state, timeout, say)
    if rolled:
        say("rolled back: the registry serves again on the previous config")
        if old_ref is not None:
            _drop_config(client, new_ref, say)
    else:
        say(
            "ROLLBACK FAILED: the service does not serve on the previous config either; "
            + (
                f"the previous config is {old_ref['ConfigName']}"
                if old_ref
                else f"the previous file is {written.backup if written else '?'}"
            )
        )
    outcome = ApplyResult(
        True, steps, written, True, False, rolled, not rolled,
        reason if rolled else f"{reason}; the rollback failed too", tail,
        time.monotonic() - began,
    )  # fmt: skip
    return _audit_service(plan, target, outcome, say) if audit else outcome


def _refuse_other_nodes(client: Any, service: Any, target: SwarmTarget) -> None:
    """A bind-mounted file is written on this host only: tasks elsewhere would not see it."""
    try:
        here = client.info()["Swarm"]["NodeID"]
        nodes = {t.get("NodeID") for t in service.tasks({"desired-state": "running"})}
    except Exception:  # cannot tell: the update and the health wait still judge the result
        return
    elsewhere = sorted(n for n in nodes if n and n != here)
    if elsewhere:
        raise DtrError(
            f"runs tasks on other nodes ({', '.join(n[:12] for n in elsewhere)}), and the "
            f"bind-mounted {target.config_on_host} would be written on this host only; "
            "nothing was changed",
            source=target.label,
            hint="give the service its config as a Docker config object (docker service "
            "update --config-add), or run dtr-tui on each node",
        )


def _drop_config(client: Any, ref: Mapping[str, Any], say: Progress) -> None:
    """Remove the config object of a failed change once nothing uses it (best effort)."""
    try:
        client.configs.get(ref["ConfigID"]).remove()
        say(f"removed the unused config object {ref['ConfigName']}")
    except Exception:  # still referenced by a task being shut down: harmless, say so
        say(f"the unused config object {ref['ConfigName']} is left: docker config rm it later")


def _service(client: Any, target: SwarmTarget) -> Any:
    import docker.errors

    try:
        return client.services.get(target.service_id)
    except docker.errors.NotFound:
        raise ContainerGoneError(
            "is gone: it was removed since dtr-tui read it; nothing was changed",
            source=target.label,
        ) from None


def _current_ref(service: Any, target: SwarmTarget) -> dict[str, Any] | None:
    cspec = service.attrs["Spec"]["TaskTemplate"].get("ContainerSpec") or {}
    for ref in cspec.get("Configs") or []:
        if (ref.get("File") or {}).get("Name") == target.config_inside:
            return dict(ref)
    return None


def _create_config(client: Any, old_ref: Mapping[str, Any], text: str) -> dict[str, Any]:
    base = str(old_ref["ConfigName"]).split("--dtr-")[0]
    name = f"{base}--dtr-{fingerprint_of(text.encode())[:10]}-{int(time.time())}"
    created = client.configs.create(
        name=name, data=text.encode("utf-8"), labels={LABEL: str(old_ref["ConfigName"])}
    )
    return {**dict(old_ref), "ConfigID": created.id, "ConfigName": name}


def _swap(service: Any, target: SwarmTarget, new_ref: Mapping[str, Any]) -> list[dict[str, Any]]:
    cspec = service.attrs["Spec"]["TaskTemplate"].get("ContainerSpec") or {}
    refs = [
        dict(new_ref) if (r.get("File") or {}).get("Name") == target.config_inside else dict(r)
        for r in cspec.get("Configs") or []
    ]
    return refs


def _update(
    service: Any,
    target: SwarmTarget,
    say: Progress,
    *,
    configs: list[dict[str, Any]] | None = None,
    force_update: bool = False,
) -> str:
    """One rolling update of the service: new config references and/or a forced restart.
    Returns when the previous update started, to tell its status from this one's."""
    service.reload()
    spec = service.attrs["Spec"]
    previous = str((service.attrs.get("UpdateStatus") or {}).get("StartedAt") or "")
    template: dict[str, Any] = {}
    if configs is not None:
        template["ContainerSpec"] = {"Configs": configs}
    if force_update:
        template["ForceUpdate"] = int(spec["TaskTemplate"].get("ForceUpdate") or 0) + 1
    update_config = {
        **(spec.get("UpdateConfig") or {}),
        "FailureAction": "rollback",
        "Monitor": MONITOR_NS,
    }
    service.client.api.update_service(
        service.id,
        service.version,
        task_template=template,
        update_config=update_config,
        fetch_current_spec=True,
    )
    say(
        f"rolling update of {target.label} started ({'new config object' if configs else 'forced'}"
        ", failure action: rollback)"
    )
    return previous


def _wait(
    client: Any,
    target: SwarmTarget,
    base: str,
    deadline: float,
    done: tuple[str, ...] = ("completed",),
    stale: str | None = None,
) -> tuple[str, str]:
    """Until the update reaches a `done` state and the registry serves ("serving"), Swarm
    rolls back or pauses ("rollback"/"paused"), or the deadline passes ("timeout")."""
    from .restart import _get

    last = "the update has not started"
    completed = False
    while time.monotonic() < deadline:
        service = client.services.get(target.service_id)
        status = service.attrs.get("UpdateStatus") or {}
        state = str(status.get("State") or "")
        if stale is not None and str(status.get("StartedAt") or "") == stale:
            state = ""  # still the status of the update before ours
        message = str(status.get("Message") or "")
        completed = state in done
        if state.startswith("rollback") and not completed:
            return "rollback", f"Swarm is rolling the service back: {message or state}"
        if state.endswith("paused") and not completed:
            return "paused", f"Swarm paused the update: {message or state}"
        if completed:
            try:
                if _get(base + "/v2/", 2.0) in (200, 401):
                    storage = _get(base + "/v2/_catalog?n=1", 5.0)
                    if storage in (200, 401):
                        return "serving", "serving"
                    last = f"GET /v2/_catalog answered {storage}: the storage backend fails"
                else:
                    last = "GET /v2/ does not answer 200"
            except OSError as exc:
                last = f"GET /v2/ failed: {getattr(exc, 'reason', exc)}"
        else:
            last = f"the update is {state or 'starting'}"
        time.sleep(0.1)
    return "timeout", f"not serving before the timeout ({last})"


def _roll_back(
    client: Any,
    target: SwarmTarget,
    service: Any,
    plan: Plan,
    written: WriteResult | None,
    old_ref: Mapping[str, Any] | None,
    state: str,
    timeout: float,
    say: Progress,
) -> bool:
    began = time.monotonic()
    stale: str | None = None
    try:
        if state == "rollback":
            say("Swarm rolls the service back by itself (failure action: rollback)")
            _wait_settled(client, target, began + timeout)
        if written is not None and written.backup is not None:
            old_text = written.backup.read_text(encoding="utf-8")
            write_config(
                written.path,
                old_text,
                expected_fingerprint=fingerprint_of(plan.new_text.encode("utf-8")),
                expected_exists=True,
                holds_secret=bool(secret_values(old_text)),
                replace_inode=not target.file_mount,
            )
            say(f"restored {written.path} from {written.backup}; forcing another update")
            stale = _update(_service(client, target), target, say, force_update=True)
        elif old_ref is not None:
            current = _current_ref(_service(client, target), target) or {}
            if current.get("ConfigID") != old_ref.get("ConfigID"):
                say(f"swapping the previous config object {old_ref['ConfigName']} back in")
                svc = _service(client, target)
                stale = _update(svc, target, say, configs=_swap(svc, target, old_ref))
        base = target.health_base(_http_addr(plan.old_text))
        settled = ("completed", "rollback_completed")
        deadline = time.monotonic() + timeout
        served, reason = _wait(client, target, base, deadline, settled, stale)
        if served != "serving":
            say(f"after the rollback: {reason}")
            return False
    except (DtrError, OSError) as exc:
        say(f"the rollback failed: {exc}")
        return False
    return True


def _wait_settled(client: Any, target: SwarmTarget, deadline: float) -> None:
    while time.monotonic() < deadline:
        status = client.services.get(target.service_id).attrs.get("UpdateStatus") or {}
        if status.get("State") in ("rollback_completed", "rollback_paused", "completed"):
            return
        time.sleep(0.1)


def _log_tail(service: Any, began: float, secrets: list[str]) -> str:
    from .restart import log_tail

    since = int(time.time() - (time.monotonic() - began)) - 1

    class _Logs:
        def logs(self, tail: int = 200) -> bytes:
            chunks = service.logs(stdout=True, stderr=True, since=since, tail=tail)
            return b"".join(chunks)

    return log_tail(_Logs(), secrets=secrets)


def _audit_service(
    plan: Plan, target: SwarmTarget, outcome: ApplyResult, say: Progress
) -> ApplyResult:
    """A bind-mounted file gets its audit line beside it; a config object has no file, so its
    lines go to the state directory ($XDG_STATE_HOME/dtr-tui/service-NAME...)."""
    if target.config_ref is not None:
        plan = replace(plan, source=str(service_audit_base(target.name)))
    return _audit(plan, target, outcome, say)


def service_audit_base(name: str) -> Path:
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    folder = Path(state) / "dtr-tui"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"service-{name}"
