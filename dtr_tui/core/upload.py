"""Uploaded storage YAML (DTR's "Upload"), and the storage-only export (DTR's "Download")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import ConfigDocument, read_text_file
from .draft import StorageDraft
from .drivers import DRIVERS, UNMANAGED_DRIVERS
from .errors import ConfigReadError
from .options import reserved_keys
from .problems import Path as KeyPath
from .problems import dotted
from .secrets import REDACTED, masked_view, secret_paths
from .versions import RegistryVersion
from .yaml_edit import emit_key

UPLOAD_SUFFIXES = (".yml", ".yaml", ".txt")


@dataclass(frozen=True)
class Upload:
    draft: StorageDraft
    kind: str  # "config" (a whole registry config) or "storage" (only a storage section)
    notes: list[str] = field(default_factory=list)


def read_upload(
    path: Path, version: RegistryVersion, current: StorageDraft | None = None
) -> Upload:
    """A whole config or a storage section; redacted secrets keep the current values."""
    if path.suffix.lower() not in UPLOAD_SUFFIXES and not path.is_dir():
        raise ConfigReadError(
            f"has the suffix {path.suffix or '(none)'!r}; uploads are .yml, .yaml or .txt files",
            source=str(path),
        )
    text, _ = read_text_file(path, what="storage YAML")
    return parse_upload(text, str(path), version, current)


def parse_upload(
    text: str, source: str, version: RegistryVersion, current: StorageDraft | None = None
) -> Upload:
    if not text.strip():
        raise ConfigReadError(
            "is empty: expected a storage section or a registry config", source=source
        )
    doc = ConfigDocument.parse(text, source)
    view = doc.view
    if not isinstance(view, Mapping) or not view:
        raise ConfigReadError("holds no mapping: expected a storage section", source=source)
    if "storage" in view:
        kind = "config" if set(view) - {"storage"} else "storage"
        storage = view["storage"]
        prefix: KeyPath = ("storage",)
    elif _looks_like_storage(view, version):
        kind, storage, prefix = "storage", view, ()
    else:
        raise ConfigReadError(
            "holds neither a registry config (with a storage: section) nor a storage "
            "section (a driver such as s3: at the top level)",
            source=source,
            line=1,
        )
    try:
        draft = StorageDraft.from_view(storage, version, source)
    except ConfigReadError:
        raise
    except Exception as exc:
        raise ConfigReadError(
            str(getattr(exc, "message", exc)),
            source=source,
            line=doc.line_of((*prefix, *(getattr(exc, "field", "") or "").split(".")[1:])),
            hint=getattr(exc, "hint", ""),
        ) from None
    draft, notes = _restore_redacted(draft, current)
    return Upload(draft, kind, notes)


def _looks_like_storage(view: Mapping[str, Any], version: RegistryVersion) -> bool:
    names = set(DRIVERS) | set(UNMANAGED_DRIVERS) | {"s3aws"} | set(reserved_keys(3))
    return any(str(key).lower() in names for key in view)


def _restore_redacted(
    draft: StorageDraft, current: StorageDraft | None
) -> tuple[StorageDraft, list[str]]:
    notes = []
    view = draft.as_view()
    for path in _redacted_paths(view):
        existing = current.get(path) if current is not None else None
        if existing not in (None, "", REDACTED):
            draft = draft.with_value(path, existing)
            notes.append(f"storage.{dotted(path)}: redacted in the upload, current secret kept")
        else:
            draft = draft.with_value(path, None)
            notes.append(f"storage.{dotted(path)}: redacted in the upload and not set: fill it in")
    return draft, notes


def _redacted_paths(view: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    found: list[KeyPath] = []
    if isinstance(view, Mapping):
        for key, value in view.items():
            if value == REDACTED:
                found.append((*prefix, str(key)))
            else:
                found += _redacted_paths(value, (*prefix, str(key)))
    return found


@dataclass(frozen=True)
class Export:
    text: str
    secrets: list[str]  # dotted paths of the secrets: redacted, or included in the clear
    included: bool


def export_storage(draft: StorageDraft, *, include_secrets: bool = False) -> Export:
    """A storage-only YAML (uploadable again); secrets redacted unless asked for."""
    view = draft.as_view()
    secrets = ["storage." + dotted(p) for p in secret_paths(view)]
    body = view if include_secrets else masked_view(view, REDACTED)
    header = [
        "# Storage section exported by dtr-tui; upload it again or paste it under a"
        " registry config."
    ]
    if secrets and include_secrets:
        header.append("# WARNING: this file holds secrets in the clear: " + ", ".join(secrets))
    elif secrets:
        header.append(
            "# Secrets are redacted (" + ", ".join(secrets) + "); an upload of this file keeps"
            " the current values."
        )
    text = "\n".join(header) + "\n" + emit_key("storage", body, 0, 2)
    return Export(text, secrets, include_secrets)
