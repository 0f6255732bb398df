"""Uploaded storage YAML (DTR's "Upload"), and the storage-only export (DTR's "Download")."""

from __future__ import annotations

import copy
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import ConfigDocument, read_text_file
from .draft import StorageDraft
from .drivers import DRIVERS, UNMANAGED_DRIVERS
from .errors import ConfigReadError, WriteError
from .options import reserved_keys
from .problems import Path as KeyPath
from .problems import dotted
from .secrets import REDACTED, masked_view, secret_paths
from .versions import RegistryVersion
from .yaml_edit import emit_key

UPLOAD_SUFFIXES = (".yml", ".yaml", ".txt")


def upload_suffixes() -> str:
    """`.yml, .yaml or .txt`: the suffixes an upload may have, as the dialog and errors say."""
    return ", ".join(UPLOAD_SUFFIXES[:-1]) + " or " + UPLOAD_SUFFIXES[-1]


@dataclass(frozen=True)
class Upload:
    draft: StorageDraft
    kind: str  # "config" (a whole registry config) or "storage" (only a storage section)
    notes: list[str] = field(default_factory=list)  # every note, the kept options' one too
    kept: list[str] = field(default_factory=list)  # storage options kept from the current config
    # redacted secrets that neither the current draft nor the saved file could fill (paths
    # under `storage`): left empty, and must be filled before a save
    unfilled: list[KeyPath] = field(default_factory=list)

    @property
    def kept_note(self) -> str:
        if not self.kept:
            return ""
        return f"kept {', '.join(self.kept)} from the current config: the upload does not set them"


def read_upload(
    path: Path,
    version: RegistryVersion,
    current: StorageDraft | None = None,
    saved: StorageDraft | None = None,
) -> Upload:
    """A whole config or a storage section (see `parse_upload`)."""
    if path.suffix.lower() not in UPLOAD_SUFFIXES and not path.is_dir():
        raise ConfigReadError(
            f"has the suffix {path.suffix or '(none)'!r}; uploads are {upload_suffixes()} files",
            source=str(path),
        )
    text, _ = read_text_file(path, what="storage YAML")
    return parse_upload(text, str(path), version, current, saved)


def parse_upload(
    text: str,
    source: str,
    version: RegistryVersion,
    current: StorageDraft | None = None,
    saved: StorageDraft | None = None,
) -> Upload:
    """The upload as a draft, on top of `current` (the form, or the file for the CLI):

    - the storage options (delete, redirect, cache, maintenance, tag) the upload does not set
      are kept from `current`; one the upload sets replaces the current one whole;
    - a redacted secret (`<redacted>`, as an export writes) keeps the value `current` has for
      the same key, else the one `saved` (the config file as read) has; with neither it is
      left out and listed in `unfilled`.
    """
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
    draft, kept = _keep_options(draft, current, version)
    draft, notes, unfilled = _restore_redacted(draft, current, saved)
    upload = Upload(draft, kind, notes, kept, unfilled)
    if upload.kept_note:
        upload.notes.insert(0, upload.kept_note)
    return upload


def _looks_like_storage(view: Mapping[str, Any], version: RegistryVersion) -> bool:
    names = set(DRIVERS) | set(UNMANAGED_DRIVERS) | {"s3aws"} | set(reserved_keys(3))
    return any(str(key).lower() in names for key in view)


def _keep_options(
    draft: StorageDraft, current: StorageDraft | None, version: RegistryVersion
) -> tuple[StorageDraft, list[str]]:
    """The current storage options the upload does not mention, added to its draft."""
    if current is None:
        return draft, []
    reserved = reserved_keys(version.major)
    missing = {
        key: copy.deepcopy(value)
        for key, value in current.options.items()
        if key in reserved and key not in draft.options
    }
    if not missing:
        return draft, []
    options = {**draft.options, **missing}
    return StorageDraft(draft.driver, draft.params, options), list(missing)


def _restore_redacted(
    draft: StorageDraft, current: StorageDraft | None, saved: StorageDraft | None
) -> tuple[StorageDraft, list[str], list[KeyPath]]:
    notes: list[str] = []
    unfilled: list[KeyPath] = []
    for path in _redacted_paths(draft.as_view()):
        where = f"storage.{dotted(path)}"
        found = [
            (whose, source.get(path))
            for whose, source in (("current", current), ("saved", saved))
            if source is not None
        ]
        kept = next(((w, v) for w, v in found if v not in (None, "", REDACTED)), None)
        if kept is not None:
            draft = draft.with_value(path, kept[1])
            origin = "current secret" if kept[0] == "current" else "secret in the config file"
            notes.append(f"{where}: redacted in the upload, {origin} kept")
        else:
            draft = draft.with_value(path, None)
            unfilled.append(path)
            notes.append(f"{where}: redacted in the upload and not set: fill it in")
    return draft, notes, unfilled


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


class ExportExistsError(WriteError):
    """The export's file exists already: nothing was written (replace it only when asked)."""


def write_export(
    path: Path, exported: Export, *, config: Path | None = None, replace: bool = False
) -> None:
    """Write an export to `path`: a new file (0600 when it holds secrets in the clear).

    One rule for the screen and the CLI: never over the registry's config file `config`
    (the same file by inode or resolved path, even with `replace`); an existing file only
    with `replace`, and then through a temp file renamed over it."""
    source = str(path)
    if config is not None and _same_file(path, config):
        raise WriteError(
            f"is the registry's config file ({config}): an export never writes over it "
            "(nothing was overwritten)",
            source=source,
            hint="pick another name, e.g. " + str(path.with_name("storage-export.yml")),
        )
    parent = path.absolute().parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise WriteError(
            f"cannot be written: the directory {parent} {what} (nothing was written)",
            source=source,
            hint="create the directory first, or pick another path",
        )
    if path.is_dir():
        raise WriteError(
            "is a directory (nothing was written)",
            source=source,
            hint=f"name a file inside it, e.g. {path / 'storage-export.yml'}",
        )
    mode = 0o600 if exported.included and exported.secrets else 0o644
    if replace and (path.exists() or path.is_symlink()):
        _replace_file(path, exported.text, mode)
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise ExportExistsError(
            "exists already; pick a new name (nothing was overwritten)", source=source
        ) from None
    except OSError as exc:
        raise WriteError(f"cannot be written: {exc.strerror}", source=source) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(exported.text)
    except OSError as exc:
        path.unlink(missing_ok=True)  # ours, made just now: no half-written export stays
        raise WriteError(
            f"cannot be written: {exc.strerror} (nothing was kept)", source=source
        ) from None


def _same_file(path: Path, other: Path) -> bool:
    try:
        if os.path.samefile(path, other):
            return True
    except OSError:
        pass  # one of them does not exist (yet): compare where they point
    return path.resolve() == other.resolve()


def _replace_file(path: Path, text: str, mode: int) -> None:
    """Replace an existing file (or a symlink's target) whole, as a config save does."""
    from .safe_write import replace_atomically

    source = str(path)
    target = path.resolve()
    try:
        info = target.stat()
    except OSError as exc:
        raise WriteError(f"cannot be written: {exc.strerror}", source=source) from None
    if not stat.S_ISREG(info.st_mode):
        raise WriteError("is not a regular file (nothing was overwritten)", source=source)
    try:
        replace_atomically(target, text.encode("utf-8"), mode, None)
    except OSError as exc:
        raise WriteError(
            f"cannot be written: {exc.strerror} (the old file is as it was)", source=source
        ) from None
