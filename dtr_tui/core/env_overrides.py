"""What the registry will really run: the file's storage section merged with `REGISTRY_*`
environment variables by the registry's own rules (configuration/parser.go), and what goes
wrong on the way: a wiped section, two drivers, misspelt or ignored variables, retyped values.

Values of secret parameters never appear in a finding.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .drivers import DRIVERS, driver_model
from .errors import ConfigReadError
from .options import reserved_keys
from .params import Kind, specs
from .problems import Path, Severity, dotted
from .secrets import is_secret_key
from .versions import RegistryVersion
from .yaml_nodes import compose, to_view

PREFIX = "REGISTRY_"

# The Go Configuration struct's fields, upper-cased: a first component outside these is
# ignored by the registry with "Ignoring unrecognized environment variable".
_TOP_FIELDS = {
    "VERSION",
    "LOG",
    "LOGLEVEL",
    "STORAGE",
    "AUTH",
    "MIDDLEWARE",
    "REPORTING",
    "HTTP",
    "NOTIFICATIONS",
    "REDIS",
    "HEALTH",
    "PROXY",
    "COMPATIBILITY",
    "VALIDATION",
    "POLICY",
    "CATALOG",
}
_NESTED_OPTIONS = {"maintenance"}  # yaml.v2 maps with non-string keys once read from the file


@dataclass(frozen=True)
class EnvFinding:
    """One thing the environment does to the storage section, phrased for a person."""

    variable: str
    message: str
    severity: Severity = Severity.WARNING
    path: Path = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "variable": self.variable,
            "field": dotted(self.path),
            "problem": self.message,
            "severity": self.severity.value,
        }

    @property
    def line(self) -> str:
        return f"{self.severity.value}: {self.variable}: {self.message}"


@dataclass(frozen=True)
class EnvOverrides:
    """The storage section the registry will run, and how the environment shaped it."""

    storage: dict[str, Any]
    findings: list[EnvFinding] = field(default_factory=list)
    controlled: dict[Path, str] = field(default_factory=dict)  # storage path -> variable
    wiped_by: str | None = None  # the variable that replaced the whole section

    @property
    def errors(self) -> list[EnvFinding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def driver(self) -> str | None:
        names = drivers_in(self.storage)
        return names[0] if len(names) == 1 else None

    def shadowing(self, changed: Iterable[Path]) -> list[str]:
        """For each changed storage path the environment overrides, a sentence saying so.

        Paths are relative to `storage` (`("s3", "bucket")`) or start with "storage".
        """
        found: list[str] = []
        for raw in changed:
            path = tuple(raw[1:]) if raw and raw[0] == "storage" else tuple(raw)
            where = "storage" + "".join(f".{p}" for p in path)
            if self.wiped_by is not None:
                found.append(
                    f"{where}: {self.wiped_by} replaces the whole storage "
                    "section, so the file's value is not used"
                )
                continue
            for length in range(len(path), 0, -1):
                variable = self.controlled.get(tuple(p.lower() for p in path[:length]))
                if variable is not None:
                    found.append(
                        f"storage.{dotted(path)}: the environment variable {variable} sets "
                        "this, so the file's value is not used"
                    )
                    break
        return found


def registry_env(env: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """`REGISTRY_*` variables from a mapping or Docker's `NAME=value` list."""
    pairs: Iterable[tuple[str, str]]
    if isinstance(env, Mapping):
        pairs = env.items()
    else:
        pairs = (item.partition("=")[::2] for item in env)
    return {name: value for name, value in pairs if name.upper().startswith(PREFIX)}


def drivers_in(storage: Mapping[str, Any] | None, version_major: int = 2) -> list[str]:
    if not isinstance(storage, Mapping):
        return []
    reserved = reserved_keys(version_major)
    return [str(k) for k in storage if str(k).lower() not in reserved]


def merge_env(
    storage: Mapping[str, Any] | None,
    env: Mapping[str, str] | Iterable[str],
    version: RegistryVersion,
) -> EnvOverrides:
    """Apply the environment to the file's storage section as the registry does at start."""
    result: dict[str, Any] = copy.deepcopy(dict(storage)) if isinstance(storage, Mapping) else {}
    file_driver_names = drivers_in(result, version.major)
    findings: list[EnvFinding] = []
    controlled: dict[Path, str] = {}
    wiped_by: str | None = None
    variables = registry_env(env)
    for name in sorted(variables):  # the registry sorts, so a parent is replaced first
        value = variables[name]
        if not name.startswith(PREFIX):
            findings.append(
                EnvFinding(
                    name,
                    "ignored: the registry reads only upper-case REGISTRY_ variables",
                )
            )
            continue
        parts = name[len(PREFIX) :].split("_")
        if parts[0] != "STORAGE":
            if parts[0] not in _TOP_FIELDS:
                findings.append(
                    EnvFinding(
                        name,
                        f"ignored: the registry has no top-level setting {parts[0]!r}"
                        + _suggest_top(parts[0]),
                    )
                )
            continue
        rest = parts[1:]
        if any(p == "" for p in rest):
            findings.append(
                EnvFinding(name, "ignored: an empty name component (two underscores in a row)")
            )
            continue
        secret = bool(rest) and is_secret_key(rest[-1])
        parsed, error = _parse_value(name, value, secret)
        if error:
            findings.append(
                EnvFinding(name, error, Severity.ERROR, ("storage", *map(str.lower, rest)))
            )
            continue
        if not rest:
            wiped = [k for k in result]
            result = _storage_from_value(parsed)
            wiped_by = name
            controlled = {}
            if wiped:
                findings.append(
                    EnvFinding(
                        name,
                        "replaces the file's whole storage section (lost: "
                        + ", ".join(f"storage.{k}" for k in wiped)
                        + "); only REGISTRY_STORAGE_* variables fill it again",
                        Severity.WARNING,
                        ("storage",),
                    )
                )
            continue
        path = _set_in(result, rest, parsed, name, findings, version)
        if path is not None:
            controlled[path] = name
            findings.extend(_check_param(name, path, parsed, value, secret, version))
    findings.extend(_check_drivers(result, file_driver_names, variables, version))
    return EnvOverrides(result, findings, controlled, wiped_by)


# -- internals ---------------------------------------------------------------------------


def _suggest_top(part: str) -> str:
    close = difflib.get_close_matches(part, sorted(_TOP_FIELDS), n=1)
    return f"; did you mean REGISTRY_{close[0]}?" if close else ""


def _parse_value(name: str, value: str, secret: bool) -> tuple[Any, str]:
    try:
        return to_view(compose(value, name), name), ""
    except ConfigReadError as exc:
        detail = "" if secret else f" ({exc.message})"
        return None, (
            "the registry parses the value as YAML and refuses to start: it is not valid YAML"
            f"{detail}; quote it inside the variable, e.g. NAME=\"'...'\""
        )


def _storage_from_value(parsed: Any) -> dict[str, Any]:
    if isinstance(parsed, str):
        return {parsed: {}}
    if isinstance(parsed, Mapping):
        return {str(k): (v if v is not None else {}) for k, v in parsed.items()}
    return {}


def _match_key(mapping: Mapping[str, Any], part: str) -> str:
    for key in mapping:
        if str(key).lower() == part.lower():
            return str(key)
    return part.lower()


def _set_in(
    storage: dict[str, Any],
    rest: list[str],
    parsed: Any,
    name: str,
    findings: list[EnvFinding],
    version: RegistryVersion,
) -> Path | None:
    top = _match_key(storage, rest[0])
    if top.lower() in _NESTED_OPTIONS and len(rest) > 2:
        if (
            isinstance(storage.get(top), Mapping)
            and _match_key(storage[top], rest[1]) in storage[top]
        ):
            findings.append(
                EnvFinding(
                    name,
                    f"ignored by the registry: the file already has storage.{top}."
                    f"{rest[1].lower()}, and the registry cannot override inside it from the "
                    "environment; set the whole block with "
                    f"REGISTRY_STORAGE_{rest[0]}='{{...}}' or edit the file",
                    Severity.WARNING,
                    ("storage", top, rest[1].lower()),
                )
            )
            return None
        findings.append(
            EnvFinding(
                name,
                f"the registry will not start: a storage.{top}.{rest[1].lower()} block made "
                f"from the environment panics ('{rest[1].lower()} config key must contain "
                "additional keys'); set it in the file instead",
                Severity.ERROR,
                ("storage", top, rest[1].lower()),
            )
        )
    node: dict[str, Any] = storage
    keys: list[str] = []
    for part in rest[:-1]:
        key = _match_key(node, part)
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
        keys.append(key)
    last = _match_key(node, rest[-1])
    node[last] = parsed if parsed is not None or len(rest) > 1 else {}
    keys.append(last)
    return tuple(k.lower() for k in keys)


def _check_param(
    name: str, path: Path, parsed: Any, raw: str, secret: bool, version: RegistryVersion
) -> list[EnvFinding]:
    found: list[EnvFinding] = []
    where = ("storage", *path)
    model = driver_model(path[0])
    if model is not None and len(path) >= 2:
        known = {k.lower(): (k, s) for k, s in specs(model).items()}
        if path[1] not in known and len(path) >= 2:
            joined = "".join(path[1:])
            hint = ""
            if joined in known:
                hint = f"; did you mean {PREFIX}STORAGE_{path[0].upper()}_{joined.upper()}?"
            elif any("_" in k for k in known) and "_".join(path[1:]) in known:
                hint = (
                    f"; {path[0]}.{'_'.join(path[1:])} has an underscore in its name, so no "
                    "environment variable can set it: put it in the file"
                )
            else:
                close = difflib.get_close_matches(joined, list(known), n=1)
                if close:
                    hint = f"; did you mean {PREFIX}STORAGE_{path[0].upper()}_{close[0].upper()}?"
            found.append(
                EnvFinding(
                    name,
                    f"creates storage.{dotted(path)}, which the {model.name} driver does not "
                    f"read{hint}",
                    Severity.WARNING,
                    where,
                )
            )
        elif len(path) == 2:
            spec = known[path[1]][1]
            if spec.kind in (Kind.TEXT, Kind.URL, Kind.CHOICE, Kind.DURATION) and not isinstance(
                parsed, str
            ):
                shown = "the value" if secret else f"{raw!r}"
                became = "a different value" if secret else f"{parsed!r}"
                found.append(
                    EnvFinding(
                        name,
                        f"{shown} is parsed as YAML and becomes {became} "
                        f"({type(parsed).__name__}), not text; quote it inside the variable: "
                        f"{name}=\"'...'\"",
                        Severity.WARNING,
                        where,
                    )
                )
    if not secret and isinstance(parsed, int) and not isinstance(parsed, bool):
        digits = raw.strip().lstrip("+-")
        if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
            found.append(
                EnvFinding(
                    name,
                    f"{raw!r} is read as the octal number {parsed}; quote it to keep it as text",
                    Severity.WARNING,
                    where,
                )
            )
    return found


def _check_drivers(
    storage: Mapping[str, Any],
    file_drivers: list[str],
    variables: Mapping[str, str],
    version: RegistryVersion,
) -> list[EnvFinding]:
    names = drivers_in(storage, version.major)
    storage_vars = sorted(v for v in variables if v.startswith(PREFIX + "STORAGE"))
    culprit = next(
        (
            v
            for v in storage_vars
            if v.split("_")[2:3]
            and v.split("_")[2].lower() not in map(str.lower, file_drivers)
            and v.split("_")[2].lower() not in reserved_keys(version.major)
        ),
        storage_vars[0] if storage_vars else "environment",
    )
    if len(names) > 1:
        return [
            EnvFinding(
                culprit,
                "the registry will not start: multiple storage drivers specified in "
                f"configuration or environment: {', '.join(names)} (it panics, exit 2); "
                f"set REGISTRY_STORAGE={names[-1]} to drop the file's driver, or remove the "
                "variable",
                Severity.ERROR,
                ("storage",),
            )
        ]
    if not names and storage_vars:
        return [
            EnvFinding(
                culprit,
                "the registry will not start: no storage configuration provided",
                Severity.ERROR,
                ("storage",),
            )
        ]
    if names and names[0] not in DRIVERS and driver_model(names[0]) is None and storage_vars:
        return [
            EnvFinding(
                culprit,
                f"the registry will not start: storage driver {names[0]!r} is not registered",
                Severity.ERROR,
                ("storage", names[0]),
            )
        ]
    return []
