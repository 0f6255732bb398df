"""The pydantic side of the parameter declarations: the value types their annotations name,
and each group's model, built from its declaration the first time a value is checked.

Only validation imports this module, so drawing the screen costs no pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    create_model,
)

from .params import Kind, ParamGroup

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


VALUE_TYPES: dict[str, Any] = {
    "LooseBool": LooseBool,
    "LooseInt": LooseInt,
    "Text": Text,
    "Duration": Duration,
    "Url": Url,
    "StrictBool": StrictBool,
    "StrictInt": StrictInt,
    "StrictStr": StrictStr,
}


_MODELS: dict[type[ParamGroup], type[BaseModel]] = {}


def model_of(group: type[ParamGroup]) -> type[BaseModel]:
    """The pydantic model checking `group`'s values: each declared type, the range of its
    `Param`, unset (None) by default, unknown keys allowed. Built once per group."""
    if group in _MODELS:
        return _MODELS[group]
    fields: dict[str, Any] = {}
    for name, spec in group.params.items():
        if spec.kind is Kind.GROUP:
            annotation: Any = model_of(group.group(name)) | None
        else:
            annotation = group.annotation(name, VALUE_TYPES)
        field = Field(
            default=None,
            description=spec.help,
            ge=spec.minimum,
            le=spec.maximum,
            multiple_of=spec.multiple_of,
        )
        fields[name] = (annotation, field)
    config = ConfigDict(extra="allow", frozen=True)
    model = _MODELS[group] = create_model(group.__name__, __config__=config, **fields)
    return model


def check_values(group: type[ParamGroup], values: Mapping[str, Any]) -> None:
    """Types and ranges of `values`; raises pydantic's ValidationError."""
    model_of(group).model_validate(dict(values))
