"""What every storage parameter is, once: label, help, default, range, secret, versions.

The form, the validation, `--set`, the YAML preview and the docs all read these specs
from the groups (`ParamGroup`), so a parameter is described in exactly one place. Reading
them needs no pydantic: the screen's first frame is drawn from them alone, and the pydantic
model that checks values (`core.models`) is built from the same declarations on first use.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from .versions import RegistryVersion


class Kind(StrEnum):
    """How a value is typed and edited."""

    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    DURATION = "duration"
    URL = "url"
    LIST = "list"
    GROUP = "group"  # a nested mapping of its own parameters (azure credentials)
    MAPPING = "mapping"  # free-form mapping (gcs inline credentials)


VersionDependent = Any  # a value, or a {RegistryVersion: value} mapping


@dataclass(frozen=True)
class Param:
    """The description of one storage parameter."""

    label: str
    help: str
    kind: Kind = Kind.TEXT
    default: VersionDependent = None  # the registry's own default, for display
    secret: bool = False
    advanced: bool = True
    since: RegistryVersion | None = None
    until: RegistryVersion | None = None  # first version that no longer reads it
    required: VersionDependent = False
    choices: VersionDependent = None  # tuple of allowed strings
    ignore_case: bool = False  # the registry upper- or lower-cases before it compares
    minimum: int | None = None
    maximum: int | None = None
    multiple_of: int | None = None
    unit: str = ""  # "bytes" shows sizes in MiB/GiB too
    example: str = ""
    note: VersionDependent = ""  # a hint about this version's behaviour

    def known_in(self, version: RegistryVersion) -> bool:
        if self.since is not None and version < self.since:
            return False
        return not (self.until is not None and version >= self.until)

    def default_for(self, version: RegistryVersion) -> Any:
        return _for_version(self.default, version)

    def required_in(self, version: RegistryVersion) -> bool:
        return bool(_for_version(self.required, version))

    def choices_for(self, version: RegistryVersion) -> tuple[str, ...] | None:
        found = _for_version(self.choices, version)
        return tuple(found) if found else None

    def note_for(self, version: RegistryVersion) -> str:
        return str(_for_version(self.note, version) or "")

    def versions_text(self) -> str:
        if self.since and self.until:
            return f"registry {self.since} to before {self.until}"
        if self.since:
            return f"registry {self.since} and later"
        if self.until:
            return f"registry before {self.until}"
        return "every registry version"

    def describe_allowed(self, version: RegistryVersion) -> str:
        """What a person may write here, in plain words."""
        parts: list[str] = []
        choices = self.choices_for(version)
        if choices:
            parts.append("one of " + ", ".join(choices))
        elif self.kind is Kind.BOOLEAN:
            parts.append("true or false")
        elif self.kind is Kind.INTEGER:
            parts.append(_range_text(self))
        elif self.kind is Kind.DURATION:
            parts.append("a duration such as 30s, 10m, 24h or 168h")
        elif self.kind is Kind.URL:
            parts.append("a URL such as " + (self.example or "https://host:port"))
        elif self.kind is Kind.LIST:
            parts.append("a list of text values")
        elif self.kind in (Kind.GROUP, Kind.MAPPING):
            parts.append("a mapping of keys")
        else:
            parts.append("text" + (f", e.g. {self.example}" if self.example else ""))
        default = self.default_for(version)
        if default is not None and default != "":
            parts.append(f"default {format_value(default, self)}")
        return "; ".join(parts)


def _for_version(value: VersionDependent, version: RegistryVersion) -> Any:
    if isinstance(value, Mapping) and value and all(isinstance(k, RegistryVersion) for k in value):
        best = None
        for since in sorted(value):
            if since <= version:
                best = value[since]
        return best
    return value


def human_bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


def format_value(value: Any, spec: Param) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and spec.unit == "bytes":
        return f"{value} ({human_bytes(value)})"
    return str(value)


def _range_text(spec: Param) -> str:
    def show(n: int) -> str:
        return format_value(n, spec)

    if spec.minimum is not None and spec.maximum is not None:
        text = f"a whole number from {show(spec.minimum)} to {show(spec.maximum)}"
    elif spec.minimum is not None:
        text = f"a whole number of at least {show(spec.minimum)}"
    elif spec.maximum is not None:
        text = f"a whole number of at most {show(spec.maximum)}"
    else:
        text = "a whole number"
    if spec.multiple_of:
        text += f", a multiple of {show(spec.multiple_of)}"
    return text


def param(**kwargs: Any) -> Any:
    """Declare a parameter of a `ParamGroup`; its value itself defaults to unset (None).

    Unset means "leave it out of the file": the registry reads an empty key as the
    string `<nil>`, so we never write one.
    """
    return Param(**kwargs)


class ParamGroup:
    """A mapping of parameters, declared as `name: ValueType | None = param(...)`.

    Keys a group does not know are kept, never dropped. The annotations name the value
    types of `core.models` (imported for type checking only) or, for a `Kind.GROUP`
    parameter, the nested group; they are read when a model is built or a group looked up.
    """

    params: ClassVar[Mapping[str, Param]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, Param] = {}
        for klass in reversed(cls.__mro__):
            found.update((k, v) for k, v in vars(klass).items() if isinstance(v, Param))
        cls.params = found

    @classmethod
    def annotation(cls, name: str, namespace: Mapping[str, Any] | None = None) -> Any:
        """The type declared for parameter `name`, evaluated in its module (plus `namespace`)."""
        for klass in cls.__mro__:
            declared = vars(klass).get("__annotations__", {})
            if name in declared:
                text = declared[name]
                if not isinstance(text, str):
                    return text
                scope = {**vars(sys.modules[klass.__module__]), **(namespace or {})}
                return eval(text, scope)  # our own declaration, as typing.get_type_hints does
        raise KeyError(f"{cls.__name__} has no parameter {name}")

    @classmethod
    def group(cls, name: str) -> type[ParamGroup]:
        """The group a `Kind.GROUP` parameter holds."""
        annotation = cls.annotation(name)
        for arg in (annotation, *getattr(annotation, "__args__", ())):
            if isinstance(arg, type) and issubclass(arg, ParamGroup):
                return arg
        raise TypeError(f"{cls.__name__}.{name} is not a group")


def specs(group: type[ParamGroup]) -> Mapping[str, Param]:
    """The parameters of a group, in declaration order."""
    return group.params
