"""Drivers with no server to probe here (gcs, inmemory, unknown ones): say what was not checked."""

from __future__ import annotations

import json
from pathlib import Path

from ...core.draft import StorageDraft
from ...core.versions import RegistryVersion
from .model import Check, CheckContext, CheckFailed, Outcome, passed, skipped, warned

_SA_FIELDS = ("type", "project_id", "private_key", "client_email")


def offline_checks(
    draft: StorageDraft, version: RegistryVersion, timeout: float = 5.0
) -> list[Check]:
    if draft.driver == "inmemory":
        return [Check("non-persistent", _inmemory)]
    if draft.driver == "gcs":
        return _gcs_checks(draft)
    return [
        Check(
            "backend",
            lambda ctx: skipped(f"no live checks for the {draft.driver} driver: nothing checked"),
        )
    ]


def _inmemory(ctx: CheckContext) -> Outcome:
    return warned(
        "inmemory keeps images in the registry's memory: a restart loses every image, and "
        "each replica has its own",
        "use it for tests only; pick filesystem, s3, swift or azure for real use",
    )


def _gcs_checks(draft: StorageDraft) -> list[Check]:
    params = draft.params

    def credentials(ctx: CheckContext) -> Outcome:
        keyfile = params.get("keyfile")
        if keyfile:
            path = Path(str(keyfile))
            try:
                data = json.loads(path.read_text())
            except OSError as err:
                raise CheckFailed(
                    f"cannot read keyfile {path} on this host: {err.strerror or err}",
                    "the path must exist where the registry runs (mount it into the container)",
                ) from None
            except ValueError:
                raise CheckFailed(f"keyfile {path} is not JSON", "download the key again") from None
            missing = [f for f in _SA_FIELDS if not data.get(f)]
            if missing:
                raise CheckFailed(f"keyfile {path} lacks {', '.join(missing)}")
            return passed(f"keyfile {path} is a service-account key for {data['client_email']}")
        inline = params.get("credentials")
        if isinstance(inline, dict):
            missing = [f for f in _SA_FIELDS if not inline.get(f)]
            if missing:
                raise CheckFailed(f"credentials lack {', '.join(missing)}")
            return passed(f"inline service-account credentials for {inline['client_email']}")
        return skipped(
            "no keyfile or credentials: the registry uses Application Default Credentials, "
            "which cannot be checked from here"
        )

    def not_checked(ctx: CheckContext) -> Outcome:
        return skipped(
            f"not checked: that bucket {params.get('bucket')} exists and the key may write "
            "to it (no Google Cloud access from dtr-tui)",
            "after saving, push a test image to prove it",
        )

    return [Check("credentials", credentials), Check("bucket and permissions", not_checked)]
