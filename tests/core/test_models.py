"""The driver models describe every parameter once, with what the form and validation need."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dtr_tui.core.drivers import DRIVERS, registered_names
from dtr_tui.core.models import check_values, model_of
from dtr_tui.core.options import StorageOptions
from dtr_tui.core.params import Kind, specs
from dtr_tui.core.versions import V2_8, V3_0, V3_1, UnknownVersionError, parse_version

# What DTR's form showed, per the issue: everything else is folded under "advanced".
NOT_ADVANCED = {
    "filesystem": {"rootdirectory"},
    "s3": {"region", "bucket", "accesskey", "secretkey", "regionendpoint"},
    "azure": {"accountname", "accountkey", "container", "realm"},
    "swift": {
        "authurl", "username", "password", "container", "tenant", "tenantid", "domain",
        "domainid", "insecureskipverify", "region", "chunksize", "prefix",
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_every_parameter_has_label_help_and_kind(name: str) -> None:
    for field, spec in specs(DRIVERS[name]).items():
        assert spec.label and spec.label[0].isupper(), field
        assert spec.help.endswith("."), f"{name}.{field} help should be one sentence"
        assert isinstance(spec.kind, Kind)


@pytest.mark.parametrize("name", sorted(NOT_ADVANCED))
def test_advanced_flag_matches_dtr_form(name: str) -> None:
    shown = {field for field, spec in specs(DRIVERS[name]).items() if not spec.advanced}
    assert shown == NOT_ADVANCED[name]


def test_parameter_counts_follow_the_reference() -> None:
    # registry-storage.md §3: s3 has 17 user keys + useragent on 2.8, 22 on 3.0, 23 on 3.1.
    s3 = specs(DRIVERS["s3"])
    assert len([s for s in s3.values() if s.known_in(V2_8)]) == 18
    assert len([s for s in s3.values() if s.known_in(V3_0)]) == 22
    assert len([s for s in s3.values() if s.known_in(V3_1)]) == 23
    assert len(specs(DRIVERS["swift"])) == 21
    azure = specs(DRIVERS["azure"])
    assert len([s for s in azure.values() if s.known_in(V2_8)]) == 4
    assert len([s for s in azure.values() if s.known_in(V3_0)]) == 11


def test_secrets_are_flagged() -> None:
    secret = {
        (name, field)
        for name, model in DRIVERS.items()
        for field, spec in specs(model).items()
        if spec.secret
    }
    assert ("s3", "secretkey") in secret
    assert ("azure", "accountkey") in secret
    assert ("swift", "password") in secret
    assert ("swift", "secretkey") in secret
    assert ("filesystem", "rootdirectory") not in secret


def test_version_decides_the_drivers() -> None:
    assert "swift" in registered_names(V2_8)
    assert "swift" not in registered_names(V3_0)
    assert "s3aws" in registered_names(V3_0)
    assert "oss" in registered_names(V2_8) and "oss" not in registered_names(V3_0)


def test_version_dependent_defaults_and_choices() -> None:
    gcs = specs(DRIVERS["gcs"])["chunksize"]
    assert gcs.default_for(V2_8) == 5 * 1024 * 1024
    assert gcs.default_for(V3_0) == 16 * 1024 * 1024
    classes = specs(DRIVERS["s3"])["storageclass"]
    assert "STANDARD_IA" not in (classes.choices_for(V2_8) or ())
    assert "STANDARD_IA" in (classes.choices_for(V3_1) or ())


def test_allowed_text_is_plain_words() -> None:
    chunk = specs(DRIVERS["s3"])["chunksize"]
    text = chunk.describe_allowed(V2_8)
    assert "5242880 (5 MiB)" in text and "5368709120 (5 GiB)" in text
    assert "default 10485760 (10 MiB)" in text
    assert specs(StorageOptions)["tag"].since == V3_0


def test_the_checking_models_are_built_from_the_declarations() -> None:
    """One declaration per parameter: the pydantic model has exactly the declared fields,
    nested groups as nested models, and the ranges of the specs."""
    groups = [*DRIVERS.values(), StorageOptions]
    for group in list(groups) + [StorageOptions.group("maintenance")]:
        groups += [group.group(n) for n, s in specs(group).items() if s.kind is Kind.GROUP]
    for group in groups:
        assert list(model_of(group).model_fields) == list(specs(group)), group.__name__
        assert model_of(group) is model_of(group)
    s3 = DRIVERS["s3"]
    minimum = specs(s3)["chunksize"].minimum
    assert minimum is not None
    check_values(s3, {"chunksize": str(minimum), "secure": "true", "unknown": 1})
    with pytest.raises(ValidationError):
        check_values(s3, {"chunksize": minimum - 1})
    with pytest.raises(ValidationError):
        check_values(DRIVERS["azure"], {"credentials": {"type": True}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2.8", V2_8), ("2", V2_8), ("3", V3_0), ("3.0", V3_0), ("3.1", V3_1), ("v3.0.0", V3_0)],
)
def test_parse_version(text: str, expected: object) -> None:
    assert parse_version(text) == expected


def test_unknown_version_says_what_is_allowed() -> None:
    with pytest.raises(UnknownVersionError, match="use 2.8, or 3.0 / 3.1"):
        parse_version("4.2")
