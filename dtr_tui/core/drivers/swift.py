"""The swift driver: OpenStack Swift (registry 2.x only; removed in 3.0)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..params import Kind, param
from ..problems import Problem
from ..versions import V3_0, RegistryVersion
from .base import DriverModel

if TYPE_CHECKING:  # the value types are pydantic's: read when a check runs
    from ..models import StrictBool, StrictInt, StrictStr, Text, Url


class SwiftDriver(DriverModel):
    name = "swift"
    title = "OpenStack Swift"
    summary = "A container in OpenStack Swift (registry 2.x only)."
    until = V3_0

    authurl: Url | None = param(
        label="Auth URL",
        help="Keystone or tempauth URL; its v1/v2/v3 part sets the auth version.",
        kind=Kind.URL,
        required=True,
        advanced=False,
        example="https://keystone.example.com/v3",
    )
    username: Text | None = param(
        label="Username",
        help="OpenStack user name.",
        required=True,
        advanced=False,
    )
    password: Text | None = param(
        label="Password",
        help="OpenStack password or API key.",
        secret=True,
        required=True,
        advanced=False,
    )
    container: Text | None = param(
        label="Container",
        help="Swift container for the registry's data; created at start if missing.",
        required=True,
        advanced=False,
    )
    tenant: Text | None = param(
        label="Tenant",
        help="Tenant (project) name; use it or the tenant id.",
        advanced=False,
    )
    tenantid: Text | None = param(
        label="Tenant id",
        help="Tenant (project) id; use it or the tenant name.",
        advanced=False,
    )
    domain: Text | None = param(
        label="Domain",
        help="Keystone v3 user domain name.",
        advanced=False,
    )
    domainid: Text | None = param(
        label="Domain id",
        help="Keystone v3 user domain id.",
        advanced=False,
    )
    insecureskipverify: StrictBool | None = param(
        label="Skip TLS verification",
        help="Accept any certificate from Swift and Keystone (test servers only).",
        kind=Kind.BOOLEAN,
        default=False,
        advanced=False,
    )
    region: Text | None = param(
        label="Region",
        help="OpenStack region of the Swift endpoint.",
        advanced=False,
    )
    chunksize: StrictInt | None = param(
        label="Chunk size",
        help="Size of each segment of a large object, in bytes.",
        kind=Kind.INTEGER,
        default=20 * 1024 * 1024,
        minimum=1024 * 1024,
        unit="bytes",
        advanced=False,
    )
    prefix: Text | None = param(
        label="Prefix",
        help="Prefix under which the registry stores its objects in the container.",
        advanced=False,
    )
    authversion: StrictInt | None = param(
        label="Auth version",
        help="1, 2 or 3; needed when the auth URL does not say v1, v2 or v3.",
        kind=Kind.INTEGER,
        minimum=1,
        maximum=3,
    )
    tenantdomain: Text | None = param(
        label="Tenant domain",
        help="Keystone v3 project domain name, when it differs from the user's.",
    )
    tenantdomainid: Text | None = param(
        label="Tenant domain id",
        help="Keystone v3 project domain id, when it differs from the user's.",
    )
    trustid: Text | None = param(
        label="Trust id",
        help="Keystone v3 trust to authenticate with.",
    )
    endpointtype: Text | None = param(
        label="Endpoint type",
        help="Which catalog endpoint to use.",
        kind=Kind.CHOICE,
        choices=("public", "internal", "admin"),
        default="public",
    )
    secretkey: Text | None = param(
        label="TempURL key",
        help="Key for TempURL redirects; when empty the registry makes one and stores it.",
        secret=True,
    )
    accesskey: Text | None = param(
        label="TempURL access key",
        help="HP Cloud TempURL access key.",
    )
    tempurlcontainerkey: StrictBool | None = param(
        label="Container TempURL key",
        help="Use a container-level TempURL key (only when /info is unavailable).",
        kind=Kind.BOOLEAN,
    )
    tempurlmethods: list[StrictStr] | None = param(
        label="TempURL methods",
        help="HTTP methods TempURLs may use (only when /info is unavailable).",
        kind=Kind.LIST,
    )

    @classmethod
    def cross_checks(cls, params: Mapping[str, Any], version: RegistryVersion) -> list[Problem]:
        url = params.get("authurl")
        if isinstance(url, str) and url and params.get("authversion") is None:
            if not any(v in url for v in ("v1", "v2", "v3")):
                return [
                    Problem(
                        ("authversion",),
                        "is needed: the auth URL does not contain v1, v2 or v3, and the "
                        "registry would stop with `Can't find AuthVersion in AuthUrl`",
                        "1, 2 or 3",
                    )
                ]
        return []
