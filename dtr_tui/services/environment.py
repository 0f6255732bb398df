"""What a registry container's (or Swarm service's) REGISTRY_* environment does to a planned
storage section, as plain data the screen and `dtr-tui plan` both show."""

from __future__ import annotations

from typing import Any

from ..core.env_overrides import merge_env
from ..core.plan import Plan


def environment_report(plan: Plan, target: Any) -> dict[str, Any]:
    """Findings (wipe, two drivers, misspelt, retyped) and the changes the environment would
    shadow. `target` is a DockerTarget or a SwarmTarget (`label` and `env` are read)."""
    merged = merge_env(plan.draft.as_view(), target.env, plan.version)
    shadowed = merged.shadowing(c.path for c in plan.changes)
    return {
        "container": target.label,
        "variables": sorted(k for k in target.env if k.upper().startswith("REGISTRY_")),
        "driver": merged.driver,
        "findings": [f.as_dict() for f in merged.findings],
        "shadowed": shadowed,
        # apply refuses these unless --force: the registry would not run what the file says
        "refused": bool(merged.errors or shadowed),
    }
