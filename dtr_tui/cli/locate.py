"""Which config file and which registry version the command line names.

Apart from `inputs` so that opening the screen does not load what the headless commands need
to build a draft from flags (uploads, key suggestions)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.document import default_config_path
from ..core.errors import DtrError
from ..core.versions import RegistryVersion, UnknownVersionError, parse_version


def config_path(args: argparse.Namespace) -> Path:
    given = getattr(args, "config", None)
    return Path(given) if given else default_config_path()


def registry_version(args: argparse.Namespace) -> RegistryVersion:
    try:
        return parse_version(getattr(args, "registry_version", None) or "2.8")
    except UnknownVersionError as exc:
        raise DtrError(str(exc), field="--registry-version") from None
