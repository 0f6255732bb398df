"""Azure Blob Storage emulator for tests: ``azurite-blob`` (npm, in .test-servers/node).

The registry build on Debian has no azure driver, but the project still edits azure storage
sections and checks them against a real Blob endpoint: Azurite over HTTP, and over HTTPS with a
throwaway CA so certificate verification is exercised too.
"""

from __future__ import annotations

import ssl
import tempfile
import time
from pathlib import Path
from typing import Any

from .ports import LOOPBACK, free_port, wait_for_http
from .procs import ManagedProcess, ProcessServer, clean_env
from .tls import TestCA, make_test_ca

REPO_ROOT = Path(__file__).resolve().parents[2]
AZURITE_BIN = REPO_ROOT / ".test-servers" / "node" / "node_modules" / ".bin" / "azurite-blob"

# Azurite's published, well-known development account (not a secret).
ACCOUNT_NAME = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


class Azurite(ProcessServer):
    """``azurite-blob`` on 127.0.0.1 (HTTP, or HTTPS when ``https=True``)."""

    def __init__(self, workdir: str | Path | None = None, *, https: bool = False) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="azurite-"))
        self.https = https
        self.port = free_port()
        self.account_name = ACCOUNT_NAME
        self.account_key = ACCOUNT_KEY
        scheme = "https" if https else "http"
        self.endpoint_url = f"{scheme}://{LOOPBACK}:{self.port}/{ACCOUNT_NAME}"
        self.ca: TestCA | None = None
        self.ca_path: Path | None = None
        self.log_path = self.workdir / "azurite.log"
        self.start_seconds: float | None = None
        self._proc = None

    @property
    def connection_string(self) -> str:
        proto = "https" if self.https else "http"
        return (
            f"DefaultEndpointsProtocol={proto};AccountName={self.account_name};"
            f"AccountKey={self.account_key};BlobEndpoint={self.endpoint_url};"
        )

    def start(self, timeout: float = 20.0) -> Azurite:
        began = time.monotonic()
        if not AZURITE_BIN.exists():
            raise FileNotFoundError(f"{AZURITE_BIN} missing: run scripts/install-test-deps")
        data = self.workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        argv = [
            str(AZURITE_BIN),
            "--blobHost", LOOPBACK,
            "--blobPort", str(self.port),
            "--location", str(data),
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--loose",
        ]  # fmt: skip
        context: ssl.SSLContext | None = None
        if self.https:
            self.ca = make_test_ca(self.workdir / "tls")
            self.ca_path = self.ca.ca_cert
            argv += ["--cert", str(self.ca.server_cert), "--key", str(self.ca.server_key)]
            context = ssl.create_default_context(cafile=str(self.ca_path))
        self._proc = ManagedProcess(
            "azurite-blob" + (" (https)" if self.https else ""),
            argv,
            self.log_path,
            env=clean_env(),
        )
        proc = self._proc.start()
        try:
            # Unauthenticated account request: 403 means the service is up and answering.
            wait_for_http(
                self.endpoint_url + "?comp=properties&restype=service",
                timeout,
                (200, 400, 403),
                proc=proc,
                context=context,
            )
        except (RuntimeError, TimeoutError) as err:
            self._proc.stop()
            raise self._proc.start_error(err) from None
        self.start_seconds = time.monotonic() - began
        return self

    def service_client(self, account_key: str | None = None) -> Any:
        """An azure-storage-blob ``BlobServiceClient`` (verifying TLS with ``ca_path``)."""
        from azure.storage.blob import BlobServiceClient

        kwargs: dict[str, Any] = {}
        if self.ca_path is not None:
            kwargs["connection_verify"] = str(self.ca_path)
        return BlobServiceClient(
            self.endpoint_url,
            credential={
                "account_name": self.account_name,
                "account_key": account_key or self.account_key,
            },
            **kwargs,
        )
