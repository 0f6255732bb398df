"""`dtr-tui check --canary [CONTAINER]`: run the proposed config in a throwaway registry
container from the production registry's image, push and pull a blob, remove it.
`check --canary --service NAME` takes the image, environment and mounts from a Swarm
service's spec instead, and checks the config the service gets."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import DtrError
from ..core.plan import plan_change
from .inputs import Inputs

if TYPE_CHECKING:
    from ..core.document import ConfigDocument
    from ..services.docker_target import DockerTarget
    from ..services.swarm import SwarmTarget


@dataclass(frozen=True)
class Prepared:
    """The registry the canary borrows from (a container or a Swarm service), the engine
    client, and the service's config object when that is the config checked."""

    target: DockerTarget | SwarmTarget
    client: Any
    doc: ConfigDocument | None = None


def wanted(args: argparse.Namespace) -> bool:
    return getattr(args, "canary", None) is not None or bool(getattr(args, "service", None))


def prepare(args: argparse.Namespace) -> Prepared:
    """The registry whose image the canary runs, and the engine client; the config file is
    the registry's (its bind mount, or the service's config object) unless --config names one."""
    from ..services.canary import require_local_engine
    from ..services.docker_target import docker_client, find_target

    service = getattr(args, "service", None)
    if service and getattr(args, "canary", None) is None:
        raise DtrError(
            "--service names the Swarm service the canary borrows from, and --canary is missing",
            field="--service",
            hint=f"dtr-tui check --canary --service {service}",
        )
    if service and args.canary:
        raise DtrError(
            f"--canary {args.canary} and --service {service} both name the registry",
            field="--service",
            hint="give one of them",
        )
    client = docker_client()
    require_local_engine(client)
    if service:
        return _prepare_service(args, client, service)
    target = find_target(client, args.canary or None)
    if target is None:
        raise DtrError(
            "the canary runs the registry's own image, and no registry container is running",
            hint="name one with --canary CONTAINER, or a Swarm service with --service NAME",
        )
    if not getattr(args, "config", None) and target.config_on_host is not None:
        args.config = str(target.config_on_host)
    return Prepared(target, client)


def _prepare_service(args: argparse.Namespace, client: Any, name: str) -> Prepared:
    from ..services.swarm import find_service, read_service_config

    target = find_service(client, name)
    if getattr(args, "config", None):
        return Prepared(target, client)
    if target.config_ref is None and target.config_on_host is not None:
        args.config = str(target.config_on_host)
        return Prepared(target, client)
    return Prepared(target, client, read_service_config(client, target))


def document(prepared: Prepared | None) -> ConfigDocument | None:
    """The config to check when it is a service's config object (None: the --config file)."""
    return prepared.doc if prepared is not None else None


def run(prepared: Prepared, inputs: Inputs, *, quiet: bool, timeout: float) -> dict[str, Any]:
    """Run the canary on the config the draft makes; print each step unless `quiet`."""
    from ..services.apply import secret_values
    from ..services.canary import CanaryStep, run_canary

    target, client = prepared.target, prepared.client
    plan = plan_change(inputs.doc, inputs.draft, inputs.version)
    if plan.errors:
        first = plan.errors[0]
        detail = f"the proposed config is invalid: {first.field}: {first.message}"
        if not quiet:
            print(f"Canary: not run: {detail}")
        return {"ok": False, "image": target.image, "steps": [], "log_tail": "", "error": detail}

    def show(step: CanaryStep) -> None:
        mark = "ok  " if step.ok else "FAIL"
        print(f"  {mark}  canary: {step.name} ({step.seconds:.2f} s): {step.detail}", flush=True)

    if not quiet:
        print(
            f"Canary: the proposed config in a throwaway container from {target.image} "
            f"({target.label}):"
        )
    result = run_canary(
        plan.new_text,
        target,
        client,
        timeout=timeout,
        progress=None if quiet else show,
        secrets=secret_values(plan.new_text, plan.old_text),
    )
    if not quiet:
        verdict = "passed" if result.ok else "FAILED: this config would not serve; not applied"
        print(f"Canary {verdict}")
        if result.log_tail:
            print("Last lines of the canary registry's log:", file=sys.stderr)
            print("  " + result.log_tail.replace("\n", "\n  "), file=sys.stderr)
    return result.as_dict()
