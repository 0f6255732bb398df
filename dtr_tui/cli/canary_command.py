"""`dtr-tui check --canary [CONTAINER]`: run the proposed config in a throwaway registry
container from the production registry's image, push and pull a blob, remove it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..core.errors import DtrError
from ..core.plan import plan_change
from .inputs import Inputs


def prepare(args: argparse.Namespace) -> tuple[Any, Any]:
    """The registry container whose image the canary runs, and the engine client; the config
    file is the container's unless --config names one."""
    from ..services.canary import require_local_engine
    from ..services.docker_target import docker_client, find_target

    client = docker_client()
    target = find_target(client, args.canary or None)
    if target is None:
        raise DtrError(
            "the canary runs the registry's own image, and no registry container is running",
            hint="name one with --canary CONTAINER",
        )
    require_local_engine(target)
    if not getattr(args, "config", None) and target.config_on_host is not None:
        args.config = str(target.config_on_host)
    return target, client


def run(
    prepared: tuple[Any, Any], inputs: Inputs, *, quiet: bool, timeout: float
) -> dict[str, Any]:
    """Run the canary on the config the draft makes; print each step unless `quiet`."""
    from ..services.apply import secret_values
    from ..services.canary import CanaryStep, run_canary

    target, client = prepared
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
        print(f"Canary: the proposed config in a throwaway container from {target.image}:")
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
