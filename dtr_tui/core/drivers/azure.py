"""The azure driver: Azure Blob Storage (2.8: shared key; 3.x: credentials block)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..params import Kind, param
from ..problems import Problem, Severity
from ..versions import V3_0, RegistryVersion
from .base import DriverModel, ParamGroup

if TYPE_CHECKING:  # the value types are pydantic's: read when a check runs
    from ..models import Duration, StrictBool, StrictInt, Text, Url

CREDENTIAL_TYPES = ("shared_key", "client_secret", "default_credentials")


class AzureCredentials(ParamGroup):
    type: Text | None = param(
        label="Credential type",
        help="How the registry authenticates: account key, service principal or environment.",
        kind=Kind.CHOICE,
        choices=CREDENTIAL_TYPES,
        required=True,
        advanced=False,
    )
    clientid: Text | None = param(
        label="Client id",
        help="Service principal's application (client) id, for client_secret.",
    )
    tenantid: Text | None = param(
        label="Tenant id",
        help="Service principal's Azure AD tenant id, for client_secret.",
    )
    secret: Text | None = param(
        label="Client secret",
        help="Service principal's secret, for client_secret.",
        secret=True,
    )


class AzureDriver(DriverModel):
    name = "azure"
    title = "Azure Blob"
    summary = "A container in an Azure storage account."

    accountname: Text | None = param(
        label="Account name",
        help="Name of the Azure storage account.",
        required=True,
        advanced=False,
    )
    accountkey: Text | None = param(
        label="Account key",
        help="Primary or secondary access key of the account (base64).",
        secret=True,
        required={RegistryVersion(2, 8): True, V3_0: False},
        advanced=False,
    )
    container: Text | None = param(
        label="Container",
        help="Blob container for the registry's data (2.8 creates it; 3.x needs it to exist).",
        required=True,
        advanced=False,
    )
    realm: Text | None = param(
        label="Realm",
        help="Domain of the Azure cloud; change it for sovereign clouds.",
        default="core.windows.net",
        advanced=False,
        example="core.chinacloudapi.cn",
    )
    credentials: AzureCredentials | None = param(
        label="Credentials",
        help="How the 3.x registry authenticates to the account.",
        kind=Kind.GROUP,
        since=V3_0,
        required=True,
    )
    serviceurl: Url | None = param(
        label="Service URL",
        help="Blob endpoint, when not https://ACCOUNT.blob.REALM (Azurite, private endpoints).",
        kind=Kind.URL,
        since=V3_0,
        example="https://myaccount.blob.core.windows.net",
    )
    rootdirectory: Text | None = param(
        label="Root directory",
        help="Prefix for every blob name the registry writes.",
        since=V3_0,
    )
    max_retries: StrictInt | None = param(
        label="Max retries",
        help="Retries of a failed request (-1: do not wait for server-side copies).",
        kind=Kind.INTEGER,
        default=5,
        minimum=-1,
        since=V3_0,
    )
    retry_delay: Duration | None = param(
        label="Retry delay",
        help="Wait between retries.",
        kind=Kind.DURATION,
        default="100ms",
        since=V3_0,
    )
    skipverify: StrictBool | None = param(
        label="Skip TLS verification",
        help="Accept any certificate from the endpoint (test servers only).",
        kind=Kind.BOOLEAN,
        default=False,
        since=V3_0,
    )
    connectionstring: Text | None = param(
        label="Connection string",
        help="Read but not used by the registry; kept for reference.",
        secret=True,
        since=V3_0,
    )

    @classmethod
    def cross_checks(cls, params: Mapping[str, Any], version: RegistryVersion) -> list[Problem]:
        found: list[Problem] = []
        key = params.get("accountkey")
        if isinstance(key, str) and key and not _is_base64(key):
            found.append(
                Problem(
                    ("accountkey",),
                    "is not valid base64: Azure would refuse it as a malformed account key",
                    "the account key exactly as the Azure portal shows it",
                )
            )
        if version.major >= 3:
            creds = params.get("credentials")
            kind = creds.get("type") if isinstance(creds, Mapping) else None
            if kind == "shared_key" and not key:
                found.append(
                    Problem(
                        ("accountkey",),
                        "is required with credentials type shared_key",
                        "the account key (base64)",
                    )
                )
            if kind == "client_secret" and isinstance(creds, Mapping):
                for name in ("clientid", "tenantid", "secret"):
                    if not creds.get(name):
                        found.append(
                            Problem(
                                ("credentials", name),
                                "is required with credentials type client_secret",
                                "the service principal's " + name,
                            )
                        )
            if kind == "default_credentials" and version.minor == 0:
                found.append(
                    Problem(
                        ("credentials", "type"),
                        "default_credentials does not work on registry 3.0.0 (it uses the "
                        "shared key client); fixed in 3.1.0",
                        "shared_key or client_secret on 3.0; default_credentials on 3.1",
                        Severity.WARNING,
                    )
                )
        return found


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
