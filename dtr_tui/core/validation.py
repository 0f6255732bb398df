"""Validation of a storage section as the target registry version will read it.

Catches what makes the registry crash-loop before it does: two drivers, a misspelt
reserved key, a driver name in the wrong case, empty values read as `<nil>`, a bad
redirect or uploadpurging block, unknown regions, and every type and range.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .drivers import DRIVERS, UNMANAGED_DRIVERS, driver_model, registered_names
from .drivers.s3 import is_aws_endpoint
from .options import StorageOptions, reserved_keys
from .params import Kind, Param, ParamGroup, specs
from .problems import Path, Problem, Severity
from .versions import RegistryVersion

STORAGE: Path = ("storage",)


def allowed_drivers(version: RegistryVersion) -> str:
    return "one of " + ", ".join(m.name for m in DRIVERS.values() if m.known_in(version))


def find_driver(storage: Any, version: RegistryVersion) -> tuple[str | None, list[Problem]]:
    """The one driver of a storage section, or the problems that stop there being one."""
    if storage is None:
        return None, [
            Problem(
                STORAGE,
                "is missing: the registry stops with `no storage configuration provided`",
                "a storage section with exactly one driver: " + allowed_drivers(version),
            )
        ]
    if isinstance(storage, str):  # `storage: inmemory` shorthand
        storage = {storage: None}
    if not isinstance(storage, Mapping):
        return None, [Problem(STORAGE, "is not a mapping", "a mapping with exactly one driver key")]
    reserved = reserved_keys(version.major)
    names = registered_names(version)
    candidates = [str(k) for k in storage if str(k) not in reserved]
    problems: list[Problem] = []
    for key in candidates:
        problem = _explain_driver_key(key, names, reserved, version)
        if problem is not None:
            problems.append(problem)
    if not candidates:
        problems.append(
            Problem(
                STORAGE,
                "has no driver: the registry stops with `no storage configuration provided`",
                allowed_drivers(version),
            )
        )
    elif len(candidates) > 1:
        problems.append(
            Problem(
                STORAGE,
                f"has {len(candidates)} driver keys ({', '.join(candidates)}): the registry stops "
                f"with `must provide exactly one storage type. Provided: [{' '.join(candidates)}]`",
                "exactly one driver: " + allowed_drivers(version),
            )
        )
    if len(candidates) == 1 and not problems:
        return candidates[0], []
    return None, problems


def _explain_driver_key(
    key: str, names: list[str], reserved: tuple[str, ...], version: RegistryVersion
) -> Problem | None:
    path = (*STORAGE, key)
    if key in names:
        return None
    if key.lower() in names:
        return Problem(
            path,
            f"driver names are case-sensitive: the registry stops with "
            f"`StorageDriver not registered: {key}`",
            key.lower(),
        )
    if key == "tag" and version.major == 2:
        return Problem(
            path,
            "is read by registry 3.x only; 2.8 counts it as a second storage driver",
            "remove it, or target registry 3.x",
        )
    close = difflib.get_close_matches(key.lower(), list(reserved), n=1, cutoff=0.7)
    if close:
        return Problem(
            path,
            f"looks like a misspelt `{close[0]}`: the registry would count it as a second "
            "storage driver",
            f"{close[0]}, or one of " + ", ".join(reserved),
        )
    model = driver_model(key)
    if model is not None and not model.known_in(version):
        return Problem(
            path,
            f"the {model.title} driver does not exist in registry {version.line}"
            + (f" (removed in {model.until})" if model.until else ""),
            allowed_drivers(version),
        )
    if key in UNMANAGED_DRIVERS:
        return Problem(
            path, f"the {key} driver was removed in registry 3.0", allowed_drivers(version)
        )
    suggestion = difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.6)
    hint = f" (did you mean {suggestion[0]}?)" if suggestion else ""
    return Problem(path, f"is not a storage driver{hint}", allowed_drivers(version))


def validate_storage(
    storage: Any, version: RegistryVersion, *, has_redis: bool = True
) -> list[Problem]:
    """Every problem of a storage section (registry view: plain Python, yaml.v2 types)."""
    driver, problems = find_driver(storage, version)
    if isinstance(storage, str):
        storage = {storage: None}
    if not isinstance(storage, Mapping):
        return problems
    if driver is not None:
        problems += validate_driver(driver, storage[driver], version)
        problems += _driver_traps(driver, storage, version, problems)
    problems += _validate_options(storage, version, has_redis)
    return problems


# Characters seen to break registry 2.8 (2.8.2 against moto S3 and a Swift all-in-one):
# an S3 rootdirectory with `#`, `?` or a non-ASCII character, and a Swift prefix with `?` or
# `&`, fail every push at the upload's move (`Path not found: …/_uploads/<uuid>/data`),
# redirects on or off. A Swift prefix with `#` or a space stores blobs, but the TempURL the
# downloads are redirected to is not escaped: `#` cuts the URL (401), a space makes clients
# refuse it. Other characters tried (space % & + ; [ ] " in S3; ü % + ; = in Swift) worked.
_S3_ROOT_BREAKS = "#?"
_SWIFT_PREFIX_BREAKS = "?&"
_SWIFT_REDIRECT_BREAKS = "# "
_FALSE_TEXT = ("0", "f", "F", "false", "FALSE", "False")  # Go's strconv.ParseBool


def _driver_traps(
    driver: str, storage: Mapping[str, Any], version: RegistryVersion, found: list[Problem]
) -> list[Problem]:
    """Settings the registry refuses beyond the driver model, or 2.8 starts with but fails on."""
    params = storage[driver]
    if not isinstance(params, Mapping):
        return []
    path = (*STORAGE, driver)
    problems: list[Problem] = []
    if driver in ("s3", "s3aws"):
        problems += _s3_refusals(params, path, version, found)
    redirect = storage.get("redirect")
    redirects_on = not (isinstance(redirect, Mapping) and redirect.get("disable") is True)
    endpoint_key = {"s3": "regionendpoint", "s3aws": "regionendpoint", "azure": "serviceurl"}
    if redirects_on and driver in endpoint_key:
        problems += _private_endpoint(
            params.get(endpoint_key[driver]), (*path, endpoint_key[driver])
        )
    if version.major != 2:
        return problems
    if driver in ("s3", "s3aws"):
        v4auth = params.get("v4auth")
        refused = any(p.path == (*path, "v4auth") for p in [*found, *problems])
        if (
            (v4auth is False or v4auth in _FALSE_TEXT)
            and params.get("regionendpoint")
            and redirects_on
            and not refused
        ):
            problems.append(
                Problem(
                    (*path, "v4auth"),
                    "is false with a region endpoint and redirects on: registry 2.8 redirects "
                    "blob downloads to a URL without the endpoint's host, so every pull fails "
                    "(404 from the registry's own address)",
                    "v4auth: true (the default), or redirect: {disable: true} under storage",
                    Severity.WARNING,
                )
            )
        root = params.get("rootdirectory")
        if isinstance(root, str) and _odd_chars(root, _S3_ROOT_BREAKS, non_ascii=True):
            problems.append(
                Problem(
                    (*path, "rootdirectory"),
                    f"contains {_odd_chars(root, _S3_ROOT_BREAKS, non_ascii=True)}: registry 2.8 "
                    "starts but fails every push with `Path not found: …/_uploads/<uuid>/data` "
                    "(seen with an S3-compatible server; disabling redirects does not help)",
                    "a root directory without #, ? or non-ASCII characters, e.g. /registry",
                    Severity.WARNING,
                )
            )
    if driver == "swift":
        container = params.get("container")
        if isinstance(container, str) and "/" in container:
            problems.append(_swift_container(container, (*path, "container")))
        prefix = params.get("prefix")
        if isinstance(prefix, str) and _odd_chars(prefix, _SWIFT_PREFIX_BREAKS):
            problems.append(
                Problem(
                    (*path, "prefix"),
                    f"contains {_odd_chars(prefix, _SWIFT_PREFIX_BREAKS)}: registry 2.8 starts "
                    "but fails every push with `Path not found: …/_uploads/<uuid>/data`",
                    "a prefix without ? or &, e.g. /registry",
                    Severity.WARNING,
                )
            )
        elif (
            isinstance(prefix, str) and redirects_on and _odd_chars(prefix, _SWIFT_REDIRECT_BREAKS)
        ):
            problems.append(
                Problem(
                    (*path, "prefix"),
                    f"contains {_odd_chars(prefix, _SWIFT_REDIRECT_BREAKS)}: registry 2.8 stores "
                    "blobs but redirects downloads to a TempURL it does not escape, so pulls "
                    "fail (`#` cuts the URL short; clients refuse a URL with a space)",
                    "a prefix without # or spaces, or redirect: {disable: true} under storage",
                    Severity.WARNING,
                )
            )
    return problems


def _private_endpoint(endpoint: Any, path: Path) -> list[Problem]:
    """With redirects on, Docker clients download blobs from the storage endpoint itself
    (reference pain point 13): a host name without a dot (`minio`, a Compose service) or
    `localhost` resolves on the registry's network, not on the clients'."""
    if not isinstance(endpoint, str) or "://" not in endpoint:
        return []
    try:
        host = urlsplit(endpoint).hostname or ""
    except ValueError:  # `http://[` half typed: the URL rules say what is wrong with it
        return []
    if not host or "." in host or ":" in host:  # a domain name or an IP address
        return []
    return [
        Problem(
            path,
            f"names the host {host!r}, which resolves on the registry's own network only: with "
            "redirects on, every blob download is sent to this endpoint, so clients on other "
            "hosts cannot pull",
            "redirect: {disable: true} under storage (the registry serves blobs itself), or "
            "an endpoint the clients resolve and reach too",
            Severity.WARNING,
        )
    ]


def _s3_refusals(
    params: Mapping[str, Any], path: Path, version: RegistryVersion, found: list[Problem]
) -> list[Problem]:
    """s3 values both lines refuse at startup that the parameter types let through."""
    problems: list[Problem] = []
    endpoint = params.get("regionendpoint")
    v4auth = params.get("v4auth")
    already = {p.path for p in found}
    if (
        isinstance(v4auth, str)
        and v4auth in _FALSE_TEXT
        and (not endpoint or is_aws_endpoint(str(endpoint)))
        and (*path, "v4auth") not in already
    ):
        problems.append(
            Problem(
                (*path, "v4auth"),
                f"is {v4auth!r}, which the registry reads as false, but Amazon S3 only accepts "
                "signature v4: the registry stops with `on Amazon S3 this storage driver can only "
                "be used with v4 authentication`",
                "true; false only with a non-AWS region endpoint",
            )
        )
    said = {
        "storageclass": "the storageclass parameter must be one of [...], {} invalid",
        "objectacl": "invalid value for objectacl parameter: {}",
    }
    for name, message in said.items():
        value = params.get(name)
        if value is not None and not isinstance(value, str) and (*path, name) not in already:
            problems.append(  # booleans are caught by the type check; numbers get here
                Problem(
                    (*path, name),
                    "is not text: the registry stops with `" + message.format(value) + "`",
                    specs(DRIVERS["s3"])[name].describe_allowed(version),
                )
            )
    return problems


def _swift_container(container: str, path: Path) -> Problem:
    allowed = "a container name without /; put a path in prefix instead"
    if container.startswith("/"):
        said = (
            f"`failed to retrieve info about container {container} (HTTP Error: 412: 412 "
            "Precondition Failed)`"
        )
        return Problem(path, "starts with `/`: the registry stops with " + said, allowed)
    if "/" not in container.rstrip("/"):
        return Problem(
            path,
            "ends with `/`: registry 2.8 starts but fails every push with `Path not found: "
            "…/_uploads/<uuid>/data`",
            container.rstrip("/"),
            Severity.WARNING,
        )
    first = container.split("/")[0]
    return Problem(
        path,
        "contains `/`, which a Swift container name cannot: the registry stops with "
        f"`failed to create container {container} (Container Not Found)` (or `failed to fetch "
        f"container info {container}` when a container {first} exists)",
        allowed,
    )


def _odd_chars(text: str, chars: str, *, non_ascii: bool = False) -> str:
    """The characters of `chars` (and any non-ASCII one) in `text`, quoted, or ''."""
    seen = [c for c in dict.fromkeys(text) if c in chars or (non_ascii and not c.isascii())]
    return ", ".join("a space" if c == " " else f"`{c}`" for c in seen)


def validate_driver(name: str, params: Any, version: RegistryVersion) -> list[Problem]:
    """Problems in one driver's block; paths are absolute (`storage.s3.bucket`)."""
    path = (*STORAGE, name)
    model = driver_model(name)
    if model is None:  # oss on 2.8: registered, kept, not managed here
        return [
            Problem(
                path,
                f"the {name} driver is not managed here: its settings are kept as written",
                "",
                Severity.NOTE,
            )
        ]
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        return [Problem(path, "is not a mapping of parameters", "key: value lines under it")]
    problems = check_group(model, params, path, version)
    problems += [
        Problem((*path, *p.path), p.message, p.allowed, p.severity)
        for p in model.cross_checks(params, version)
    ]
    return problems


def check_group(
    model: type[ParamGroup], params: Mapping[str, Any], path: Path, version: RegistryVersion
) -> list[Problem]:
    """Version gates, required keys, empty values, choices, then types and ranges."""
    problems: list[Problem] = []
    fields = specs(model)
    checkable: dict[str, Any] = {}
    for key, value in params.items():
        key_path = (*path, str(key))
        if str(key) not in fields:
            if not (model is DRIVERS.get("s3") and key == "useragent"):
                problems.append(_unmanaged(key_path, model, str(key), version))
            continue
        spec = fields[str(key)]
        if not spec.known_in(version):
            problems.append(
                Problem(
                    key_path,
                    f"is not read by registry {version.line} (it is for {spec.versions_text()})",
                    f"remove it, or target a registry version that has it ({spec.versions_text()})",
                )
            )
            continue
        if value is None:
            problems.append(
                Problem(
                    key_path,
                    "is empty: the registry would read it as the text `<nil>`",
                    "a value (" + spec.describe_allowed(version) + "), or remove the key",
                )
            )
            continue
        if value == "" and spec.required_in(version) and path[-1] in DRIVERS:
            # The drivers test `fmt.Sprint(v) == ""`: an empty string is as good as no key.
            problems.append(
                Problem(
                    key_path,
                    f"is empty: the registry stops with `no {key} parameter provided`",
                    spec.describe_allowed(version),
                )
            )
            continue
        checkable[str(key)] = value
    for name, spec in fields.items():
        if spec.known_in(version) and spec.required_in(version) and name not in params:
            problems.append(
                Problem(
                    (*path, name),
                    f"is required: the registry stops with `no {name} parameter provided`"
                    if path[-1] in DRIVERS
                    else "is required",
                    spec.describe_allowed(version),
                )
            )
    problems += _check_choices(model, checkable, path, version)
    problems += _check_types(model, checkable, path, version)
    for name, value in checkable.items():
        if fields[name].kind is Kind.GROUP and isinstance(value, Mapping):
            problems += check_group(model.group(name), value, (*path, name), version)
    return problems


def _unmanaged(
    path: Path, model: type[ParamGroup], key: str, version: RegistryVersion | None = None
) -> Problem:
    """A key the model does not have; `allowed` lists what `version` reads (all without)."""
    known = [n for n, spec in specs(model).items() if version is None or spec.known_in(version)]
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.75)
    if close:
        return Problem(
            path,
            f"is not a parameter the registry reads (did you mean {close[0]}?); it is ignored",
            ", ".join(known),
            Severity.WARNING,
        )
    return Problem(
        path,
        "is not managed here: kept as written, the registry ignores it",
        ", ".join(known) if known else "",
        Severity.NOTE,
    )


def _check_choices(
    model: type[ParamGroup], values: Mapping[str, Any], path: Path, version: RegistryVersion
) -> list[Problem]:
    problems = []
    for name, value in values.items():
        spec = specs(model)[name]
        choices = spec.choices_for(version)
        if not choices or not isinstance(value, str):
            continue
        candidates = {c.lower(): c for c in choices} if spec.ignore_case else None
        ok = value.lower() in candidates if candidates is not None else value in choices
        if not ok:
            problems.append(
                Problem((*path, name), f"{value!r} is not allowed", spec.describe_allowed(version))
            )
    return problems


_PHRASES = {
    "int_parsing": "is not a whole number",
    "int_type": "is not a whole number",
    "int_from_float": "is not a whole number",
    "bool_parsing": "is not true or false",
    "bool_type": "is not true or false (write true or false without quotes)",
    "string_type": "is not text",
    "list_type": "is not a list",
    "dict_type": "is not a mapping",
    "model_type": "is not a mapping",
    "model_attributes_type": "is not a mapping",
    "greater_than_equal": "is too small",
    "less_than_equal": "is too large",
    "multiple_of": "is not an allowed multiple",
}


def _check_types(
    model: type[ParamGroup], values: Mapping[str, Any], path: Path, version: RegistryVersion
) -> list[Problem]:
    from pydantic import ValidationError  # with the models, on the first check

    from .models import check_values

    fields = specs(model)
    try:
        check_values(model, values)
    except ValidationError as exc:
        problems = []
        seen: set[Path] = set()
        for error in exc.errors(include_input=False, include_url=False):
            loc = tuple(str(part) for part in error["loc"])
            if not loc or loc[0] not in fields:
                continue
            name = loc[0]
            spec = fields[name]
            if spec.kind is Kind.GROUP and len(loc) > 1:
                continue  # reported by the group's own check
            where = (*path, name)
            if where in seen:
                continue
            seen.add(where)
            problems.append(Problem(where, _phrase(error, spec), spec.describe_allowed(version)))
        return problems
    return []


def _phrase(error: Any, spec: Param) -> str:
    kind = str(error["type"])
    if kind == "value_error":
        context = error.get("ctx", {}).get("error")
        return str(context) if context else "is not allowed"
    if kind == "string_type" and spec.kind is Kind.CHOICE:
        return "is not text: write the value in quotes"
    return _PHRASES.get(kind, "is not allowed")


def _validate_options(
    storage: Mapping[str, Any], version: RegistryVersion, has_redis: bool
) -> list[Problem]:
    options = {k: v for k, v in storage.items() if k in reserved_keys(version.major)}
    problems: list[Problem] = []
    for name, value in options.items():
        path = (*STORAGE, str(name))
        if name == "redirect":
            if not isinstance(value, Mapping) or not isinstance(value.get("disable"), bool):
                problems.append(
                    Problem(
                        (*path, "disable"),
                        "must be true or false when a redirect block is present: the registry "
                        "stops with `invalid type for redirect config`",
                        "disable: true or disable: false under redirect, or no redirect block",
                    )
                )
            if isinstance(value, Mapping):
                redirect = StorageOptions.group("redirect")
                problems += [
                    _unmanaged((*path, str(k)), redirect, str(k)) for k in value if k != "disable"
                ]
            continue
        if name == "maintenance":
            problems += _maintenance(value, path, version)
            continue
        if value is None:
            continue  # `delete:` / `cache:` alone read as empty: harmless
        if not isinstance(value, Mapping):
            problems.append(Problem(path, "is not a mapping", "keys under it, one per line"))
            continue
        group = check_group(StorageOptions.group(str(name)), value, path, version)
        if name == "cache":
            group = [_unknown_cache(p, value) for p in group]
            group += _cache(value, path, has_redis)
        problems += group
    return problems


def _maintenance(value: Any, path: Path, version: RegistryVersion) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [Problem(path, "is not a mapping", "uploadpurging and readonly blocks")]
    problems: list[Problem] = []
    purging = value.get("uploadpurging", ...)
    if purging is not ... and not isinstance(purging, Mapping):
        problems.append(
            Problem(
                (*path, "uploadpurging"),
                "is not a mapping: the registry stops with `uploadpurging config key must "
                "contain additional keys`",
                "enabled, age, interval and dryrun under it",
            )
        )
    elif isinstance(purging, Mapping) and purging.get("enabled") is not False:
        for key in ("age", "interval", "dryrun"):
            if key not in purging:
                problems.append(
                    Problem(
                        (*path, "uploadpurging", key),
                        f"is required once an uploadpurging block is written (unless enabled "
                        f"is false): the registry stops with `{key} missing`",
                        {
                            "age": "a duration such as 168h",
                            "interval": "a duration such as 24h",
                            "dryrun": "true or false",
                        }[key],
                    )
                )
    readonly = value.get("readonly", ...)
    if readonly is not ... and not isinstance(readonly, Mapping):
        problems.append(
            Problem(
                (*path, "readonly"),
                "is not a mapping: the registry stops with `readonly config key must contain "
                "additional keys`",
                "enabled: true or enabled: false under it",
            )
        )
    elif isinstance(readonly, Mapping) and "enabled" not in readonly:
        problems.append(
            Problem(
                (*path, "readonly", "enabled"),
                "is missing: the registry stops with `readonly's enabled config key must have a "
                "boolean value`",
                "true or false",
            )
        )
    groups = {
        k: v
        for k, v in value.items()
        if isinstance(v, Mapping) or k not in ("uploadpurging", "readonly")
    }
    problems += check_group(StorageOptions.group("maintenance"), groups, path, version)
    return problems


def _unknown_cache(problem: Problem, value: Mapping[str, Any]) -> Problem:
    """An unknown cache type is not a refusal: 2.8 and 3.x log it and run without a cache."""
    kind = value.get("blobdescriptor")
    if problem.path[-1:] != ("blobdescriptor",) or not isinstance(kind, str):
        return problem
    return Problem(
        problem.path,
        f"{kind!r} is not a cache type: the registry starts but logs `unknown cache type` and "
        "caches nothing",
        problem.allowed,
        Severity.WARNING,
    )


def _cache(value: Mapping[str, Any], path: Path, has_redis: bool) -> list[Problem]:
    if value.get("blobdescriptor") == "redis" and not has_redis:
        return [
            Problem(
                (*path, "blobdescriptor"),
                "is redis but the config has no top-level redis section: the registry stops "
                "with `redis configuration required to use for layerinfo cache`",
                "inmemory, or add a redis section",
            )
        ]
    return []


def model_for_path(path: Path) -> tuple[type[ParamGroup], str] | None:
    """The group and parameter name a `storage.…` path points at, for labels and help."""
    if len(path) < 3 or path[0] != "storage":
        return None
    model: type[ParamGroup] | None
    if path[1] in specs(StorageOptions):
        model = StorageOptions
        rest = path[1:]
    else:
        model = driver_model(path[1])
        rest = path[2:]
    while model is not None and len(rest) > 1:
        if rest[0] not in specs(model) or specs(model)[rest[0]].kind is not Kind.GROUP:
            return None
        model = model.group(rest[0])
        rest = rest[1:]
    if model is None or rest[0] not in specs(model):
        return None
    return model, rest[0]


__all__ = [
    "allowed_drivers",
    "find_driver",
    "model_for_path",
    "validate_driver",
    "validate_storage",
]
