"""What every storage parameter is, once: label, help, default, range, secret, versions.

The form, the validation, `--set`, the YAML preview and the docs all read these specs
from the models, so a parameter is described in exactly one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, cast
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StrictBool, StrictStr
from pydantic.fields import FieldInfo

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
    """A model field carrying its `Param`; the value itself defaults to unset (None).

    Unset means "leave it out of the file": the registry reads an empty key as the
    string `<nil>`, so we never write one.
    """
    spec = Param(**kwargs)
    return Field(
        default=None,
        description=spec.help,
        ge=spec.minimum,
        le=spec.maximum,
        multiple_of=spec.multiple_of,
        json_schema_extra={"param": cast(Any, spec)},
    )


def spec_of(info: FieldInfo) -> Param:
    extra = info.json_schema_extra
    assert isinstance(extra, dict), "every storage field is declared with param()"
    return cast(Param, extra["param"])


def specs(model: type[BaseModel]) -> dict[str, Param]:
    """The parameters of a model, in declaration order."""
    return {name: spec_of(info) for name, info in model.model_fields.items()}


# -- value types that accept what the registry's Go code accepts -------------------------

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _parse_bool(value: Any) -> Any:
    """Go's strconv.ParseBool, which the s3 driver applies to string values."""
    if isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError("is not true or false")
    return value


def _parse_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("is not a whole number")
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text, 10)
        except ValueError:
            raise ValueError("is not a whole number") from None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_text(value: Any) -> Any:
    """Drivers `fmt.Sprint` most text values: numbers are fine, maps and lists are not."""
    if isinstance(value, bool):
        raise ValueError("is a boolean; write it in quotes to make it text")
    if isinstance(value, int | float):
        return str(value)
    return value


LooseBool = Annotated[StrictBool, BeforeValidator(_parse_bool)]
LooseInt = Annotated[int, BeforeValidator(_parse_int)]
Text = Annotated[str, BeforeValidator(_as_text)]

_DURATION = re.compile(r"^(0|([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$")


def _check_duration(value: str) -> str:
    """Go's time.ParseDuration syntax, which the registry uses for ages and intervals."""
    if not _DURATION.match(value) or value in {"", "."}:
        raise ValueError("is not a duration")
    return value


def _check_url(value: str) -> str:
    parsed = urlsplit(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ValueError("is not an http:// or https:// URL with a host")
    return value


Duration = Annotated[StrictStr, AfterValidator(_check_duration)]
Url = Annotated[Text, AfterValidator(_check_url)]
