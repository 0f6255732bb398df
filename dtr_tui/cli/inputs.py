"""Turn --config, --from, --driver, --set and --unset into a document and a draft."""

from __future__ import annotations

import argparse
import difflib
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.backend_switch import switch_warning
from ..core.document import MAX_CONFIG_BYTES, ConfigDocument, decode_text
from ..core.draft import StorageDraft, driver_keys
from ..core.drivers import DRIVERS, driver_model
from ..core.errors import ConfigReadError, DtrError
from ..core.options import StorageOptions, reserved_keys
from ..core.params import Kind, specs
from ..core.secrets import is_secret_key
from ..core.upload import Upload, parse_upload, read_upload
from ..core.validation import allowed_drivers, model_for_path
from ..core.versions import RegistryVersion
from .locate import config_path, registry_version


@dataclass
class Inputs:
    path: Path
    version: RegistryVersion
    doc: ConfigDocument
    draft: StorageDraft
    notes: list[str] = field(default_factory=list)


def load_inputs(args: argparse.Namespace, doc: ConfigDocument | None = None) -> Inputs:
    """The config as read (or `doc`, e.g. a Swarm config object) and the draft the flags make
    of it."""
    path = config_path(args) if doc is None else Path(doc.source)
    version = registry_version(args)
    doc = doc if doc is not None else ConfigDocument.load_or_default(path)
    notes: list[str] = []
    if not doc.exists:
        notes.append(f"{path} does not exist yet: it will be created with the settings below")
    driver_flag = getattr(args, "driver", None)
    upload = getattr(args, "from_file", None)
    current = _current_draft(doc, version, allow_broken=bool(upload or driver_flag))
    if upload:
        loaded = _read_upload(upload, version, current)
        draft = loaded.draft
        notes.append(f"read a {loaded.kind} from {_upload_name(upload)}")
        notes += loaded.notes
        stored = current.driver if current is not None and doc.exists else None
        warning = switch_warning(stored, draft.driver)
        notes += [warning] if warning else []
    elif current is not None:
        draft = current
    else:  # the file's storage is broken and --driver mends it
        draft = _mended(doc, version, driver_flag or "filesystem", notes)
    if driver_flag:
        draft = switch_driver(draft, driver_flag, version, notes, stored=doc.exists)
    given: dict[tuple[str, ...], tuple[str, Any]] = {}  # path -> (flag, value): one each
    for item in getattr(args, "set", None) or []:
        path_, value = parse_assignment(item, draft, version)
        _once(given, path_, "--set", value)
        notes += _literal_secret_note(item, path_)
        draft = draft.with_value(path_, value)
    for item in getattr(args, "unset", None) or []:
        path_ = resolve_unset(item, draft, version)
        _once(given, path_, "--unset", None)
        draft = draft.with_value(path_, None)
    return Inputs(path, version, doc, draft, notes)


def _literal_secret_note(item: str, path: tuple[str, ...]) -> list[str]:
    """A secret typed on the command line stays in the shell history and in `ps`: say so,
    and name the forms that keep it out (the value itself is never repeated)."""
    key, raw = item.split("=", 1)
    from_elsewhere = raw.startswith(("@", "env:")) and not raw.startswith("@@")
    if not is_secret_key(path[-1]) or from_elsewhere:
        return []
    return [
        f"storage.{'.'.join(path)} was given on the command line, so it stays in the shell "
        f"history and shows in `ps`: --set {key.strip()}=@FILE or =env:VAR keep it out"
    ]


def _once(
    given: dict[tuple[str, ...], tuple[str, Any]], path: tuple[str, ...], flag: str, value: Any
) -> None:
    """Refuse a key given twice with different values, or both set and unset: the last flag
    would win silently. The values are never shown (one may be a secret)."""
    before = given.setdefault(path, (flag, value))
    if before == (flag, value):
        return
    key = "storage." + ".".join(path)
    if before[0] != flag:
        what = "both set (--set) and removed (--unset)"
    else:
        what = "set twice with different values"
    raise DtrError(
        f"{key} is {what}: it is not clear which one is meant",
        field=flag,
        hint=f"give {'.'.join(path)} once",
    )


def _upload_name(name: str) -> str:
    return "standard input" if name == "-" else name


def _is_stream(name: str) -> bool:
    """`-`, /dev/stdin, /dev/fd/N (a process substitution) or any pipe: read as a stream, so
    the suffix rule of named upload files does not apply."""
    if name == "-" or name.startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = Path(name).stat().st_mode
    except OSError:
        return False  # read_upload says why
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _read_upload(name: str, version: RegistryVersion, current: StorageDraft | None) -> Upload:
    """--from FILE, or --from - for standard input (a pipe, /dev/stdin, <(…) too)."""
    if not _is_stream(name):
        return read_upload(Path(name), version, current)
    source = _upload_name(name)
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_CONFIG_BYTES + 1)
        else:
            with Path(name).open("rb") as handle:
                data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigReadError(
            f"cannot be read: {exc.strerror or type(exc).__name__}", source=source, field="--from"
        ) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigReadError(
            f"holds more than {MAX_CONFIG_BYTES // 1024} KiB; a storage section is a few KB",
            source=source,
            field="--from",
        )
    return parse_upload(decode_text(data, source), source, version, current)


def _current_draft(
    doc: ConfigDocument, version: RegistryVersion, *, allow_broken: bool
) -> StorageDraft | None:
    try:
        return doc.draft(version)
    except DtrError as exc:
        if allow_broken:
            return None
        exc.hint = (exc.hint + "\n  " if exc.hint else "") + (
            "fix it with --driver NAME (replaces the driver keys) or --from FILE"
        )
        raise


def _mended(
    doc: ConfigDocument, version: RegistryVersion, flag: str, notes: list[str]
) -> StorageDraft:
    """The draft --driver makes of a storage section without a single driver: the named
    driver's own block as written when the file has it (one of several), else a new empty
    one; the storage options are kept and every other driver key is dropped (noted)."""
    storage = doc.storage_view
    model = driver_model(flag)
    name = model.name if model is not None else flag
    keys = driver_keys(storage, version)
    kept = next((k for k in (flag, name) if k in keys), None)
    draft = StorageDraft.keeping(storage, kept or name, version)
    dropped = [k for k in keys if k != kept]
    if len(keys) > 1:
        what = f"the file has {len(keys)} storage drivers ({', '.join(keys)}): the registry "
        what += "refuses it"
        if kept is not None:
            notes.append(
                f"{what}; --driver {flag} keeps its storage.{kept} block as written and "
                f"removes {_blocks(dropped)}"
            )
        else:
            notes.append(f"{what}; --driver {flag} replaces them: removes {_blocks(dropped)}")
    elif dropped:
        notes.append(f"--driver {flag} replaces {_blocks(dropped)}")
    return draft


def _blocks(keys: list[str]) -> str:
    names = ", ".join(f"storage.{k}" for k in keys)
    return f"the {names} block{'s' if len(keys) > 1 else ''}"


def switch_driver(
    draft: StorageDraft, name: str, version: RegistryVersion, notes: list[str], *, stored: bool
) -> StorageDraft:
    """`draft` on driver `name`; `stored`: the file exists, so its backend holds images and
    leaving it gets the warning (a new file has none to lose)."""
    model = driver_model(name)
    if model is None or not model.known_in(version):
        reason = (
            f"does not exist in registry {version.line}"
            if model is not None
            else "is not a storage driver"
        )
        raise DtrError(
            f"{name!r} {reason}",
            field="--driver",
            hint=_did_you_mean(name, version) + "allowed: " + allowed_drivers(version),
        )
    warning = switch_warning(draft.driver if stored else None, model.name)
    if warning:
        notes.append(warning)
    return draft.with_driver(model.name)


def _did_you_mean(name: str, version: RegistryVersion) -> str:
    """`did you mean s3? ` for `S3` or `s33`: driver names are case-sensitive."""
    known = [n for n, m in DRIVERS.items() if m.known_in(version)]
    close = [n for n in known if n.lower() == name.lower()]
    close = close or difflib.get_close_matches(name.lower(), known, n=1)
    return f"did you mean {close[0]}? " if close else ""


def resolve_key(
    key: str, draft: StorageDraft, version: RegistryVersion, flag: str
) -> tuple[str, ...]:
    """`s3.bucket`, `storage.s3.bucket` or plain `bucket` → a path relative to storage."""
    parts = tuple(key.strip().removeprefix("storage.").split("."))
    if not any(parts):
        raise DtrError(f"{key!r} names no key", field=flag, hint="e.g. s3.bucket")
    if not all(parts):
        raise DtrError(
            f"{key!r} has an empty part: keys are names joined by single dots",
            field=flag,
            hint=f"e.g. {flag} {draft.driver}.{_example(draft.driver)}",
        )
    head = parts[0]
    _refuse_whole_block(parts, draft, version, flag)
    if head in reserved_keys(version.major) or head == draft.driver:
        path = parts
    elif driver_model(head) is not None:
        raise DtrError(
            f"{key} belongs to the {head} driver, but the config uses {draft.driver}",
            field=flag,
            hint=f"add --driver {head} to switch backend",
        )
    elif head in _driver_fields(draft.driver):
        path = (draft.driver, *parts)
    else:
        raise DtrError(
            f"{key!r} is not a storage key", field=flag, hint=_suggest(head, draft, version)
        )
    _refuse_key_under_value(path, flag)
    if model_for_path(("storage", *path)) is None and path[0] != draft.driver:
        raise DtrError(
            f"storage.{'.'.join(path)} is not a storage option",
            field=flag,
            hint=_suggest(path[-1], draft, version),
        )
    return path


def _example(driver: str) -> str:
    model = driver_model(driver)
    names = list(specs(model)) if model is not None else []
    return (names[0] if names else "KEY") + "=VALUE"


def _refuse_whole_block(
    parts: tuple[str, ...], draft: StorageDraft, version: RegistryVersion, flag: str
) -> None:
    """`--set s3=x`, `--unset s3`, `--set delete=true`: a driver block or an option group
    names no single value; its keys are set one by one."""
    if len(parts) != 1:
        return
    head = parts[0]
    verb = "set" if flag == "--set" else "remove"
    if head == draft.driver or driver_model(head) is not None:
        model = driver_model(head)
        keys = ", ".join(f"{head}.{n}" for n in _known(model, version)) if model else ""
        other = (
            "leave it with --driver NAME"
            if head == draft.driver
            else f"switch to it with --driver {head}"
        )
        raise DtrError(
            f"storage.{head} is the {head} driver's block, not one value: {verb} its "
            f"parameters one by one, or {other}",
            field=flag,
            hint=f"e.g. {flag} {head}.{_example(head) if flag == '--set' else _first(model)}"
            + (f"; parameters: {keys}" if keys else ""),
        )
    if head in reserved_keys(version.major):
        group = StorageOptions.group(head)
        names = [f"{head}.{n}" for n in _known(group, version)]
        raise DtrError(
            f"storage.{head} is an option group, not one value: {verb} its keys one by one",
            field=flag,
            hint=f"e.g. {flag} {names[0]}{'=VALUE' if flag == '--set' else ''}; keys: "
            + ", ".join(names),
        )


def _first(model: Any) -> str:
    names = list(specs(model)) if model is not None else []
    return names[0] if names else "KEY"


def _refuse_key_under_value(path: tuple[str, ...], flag: str) -> None:
    """`--set s3.bucket.x=1`: bucket holds one value, so a key under it would turn it into a
    mapping the registry cannot read."""
    model: Any
    if path[0] in specs(StorageOptions):
        model, rest = StorageOptions.group(path[0]), path[1:]
        at = 1
    else:
        model, rest = driver_model(path[0]), path[1:]
        at = 1
    while model is not None and len(rest) > 1:
        spec = specs(model).get(rest[0])
        if spec is None:
            return  # an unknown key: the checks after this one say so
        here = "storage." + ".".join(path[: at + 1])
        if spec.kind is Kind.MAPPING:
            return  # free-form (gcs inline credentials)
        if spec.kind is not Kind.GROUP:
            raise DtrError(
                f"{here} holds a single value, not a group: it has no key {rest[1]!r}",
                field=flag,
                hint=f"e.g. {flag} {'.'.join(path[: at + 1])}"
                + ("=VALUE" if flag == "--set" else ""),
            )
        model, rest, at = model.group(rest[0]), rest[1:], at + 1


def _suggest(word: str, draft: StorageDraft, version: RegistryVersion) -> str:
    model = driver_model(draft.driver)
    names = [f"{draft.driver}.{n}" for n in (_known(model, version) if model else [])]
    names += [f"{g}.…" for g in reserved_keys(version.major)]
    close = difflib.get_close_matches(word, [n.split(".")[-1] for n in names], n=3)
    listing = ", ".join(names)
    return (f"did you mean {', '.join(close)}? " if close else "") + f"keys: {listing}"


def parse_assignment(
    item: str, draft: StorageDraft, version: RegistryVersion
) -> tuple[tuple[str, ...], Any]:
    """`s3.secretkey=@FILE`, `s3.secretkey=env:VAR` or `s3.bucket=x`, typed by the model."""
    if "=" not in item:
        raise DtrError(f"{item!r} is not KEY=VALUE", field="--set", hint="e.g. --set s3.bucket=x")
    key, raw = item.split("=", 1)
    path = resolve_key(key, draft, version, "--set")
    text = _read_value(raw, key)
    if text == "":
        raise DtrError(
            f"{key} is empty: the registry would read an empty key as `<nil>`",
            field="--set",
            hint=f"give a value, or remove the key with --unset {key}",
        )
    found = model_for_path(("storage", *path))
    if found is None:
        _refuse_unknown_parameter(path, "--set", version)
        return path, text
    owner, name = found
    spec = specs(owner)[name]
    return path, _typed(
        text, spec.kind, f"storage.{'.'.join(path)}", spec.describe_allowed(version)
    )


def resolve_unset(key: str, draft: StorageDraft, version: RegistryVersion) -> tuple[str, ...]:
    """The path --unset removes: a parameter the driver has, as --set takes them, or a key
    the config holds (a misspelt one can always be removed)."""
    path = resolve_key(key, draft, version, "--unset")
    if model_for_path(("storage", *path)) is None and draft.get(path) is None:
        _refuse_unknown_parameter(path, "--unset", version)
    return path


def _known(model: Any, version: RegistryVersion) -> list[str]:
    """The parameter names of `model` that registry `version` reads (the hints list only
    those: a 3.x-only key is refused under 2.8 anyway)."""
    return [n for n, spec in specs(model).items() if spec.known_in(version)]


def _refuse_unknown_parameter(path: tuple[str, ...], flag: str, version: RegistryVersion) -> None:
    """An error for `s3.regoin`: not a parameter of the driver (with the close ones)."""
    model = driver_model(path[0])
    if model is None or len(path) < 2:
        return
    prefix, names = path[:2], _known(model, version)
    spec = specs(model).get(path[1])
    if spec is not None and spec.kind is Kind.MAPPING:
        return  # free-form: any key may go under it
    if spec is not None and spec.kind is Kind.GROUP and len(path) > 2:
        prefix, names = path[:3], _known(model.group(path[1]), version)
    elif spec is not None:
        return
    close = difflib.get_close_matches(prefix[-1], names, n=1)
    owner = ".".join(prefix[:-1])
    raise DtrError(
        f"storage.{'.'.join(prefix)} is not a {owner} parameter",
        field=flag,
        hint=(f"did you mean {owner}.{close[0]}? " if close else "")
        + "parameters: "
        + ", ".join(names),
    )


def _read_value(raw: str, key: str) -> str:
    if raw.startswith("@@"):
        return raw[1:]
    if raw.startswith("@"):
        source = Path(raw[1:])
        try:
            return source.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
        except FileNotFoundError:
            raise DtrError(f"the file {source} for {key} does not exist", field="--set") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise DtrError(
                f"the file {source} for {key} cannot be read: {reason}", field="--set"
            ) from None
    if raw.startswith("env:"):
        name = raw[4:]
        if name not in os.environ:
            raise DtrError(
                f"the environment variable {name} for {key} is not set",
                field="--set",
                hint=f"export {name}=… first",
            ) from None
        return os.environ[name]
    return raw


def _typed(text: str, kind: Kind, field_name: str, allowed: str) -> Any:
    if kind is Kind.BOOLEAN:
        lowered = text.strip().lower()
        if lowered in {"true", "yes", "on", "1"}:
            return True
        if lowered in {"false", "no", "off", "0"}:
            return False
        raise DtrError(
            f"{field_name}: {text!r} is not true or false",
            field="--set",
            hint="allowed: " + allowed,
        )
    if kind is Kind.INTEGER:
        try:
            return int(text.strip().replace("_", ""), 10)
        except ValueError:
            raise DtrError(
                f"{field_name}: {text!r} is not a whole number",
                field="--set",
                hint="allowed: " + allowed,
            ) from None
    if kind is Kind.LIST:
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind in (Kind.GROUP, Kind.MAPPING):
        raise DtrError(
            f"{field_name} is a group: set its keys one by one",
            field="--set",
            hint=f"e.g. --set {field_name.removeprefix('storage.')}.KEY=VALUE",
        )
    return text


__all__ = ["Inputs", "load_inputs", "parse_assignment"]


def _driver_fields(name: str) -> dict[str, object]:
    model = driver_model(name)
    return dict(specs(model)) if model is not None else {}
