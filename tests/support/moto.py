"""A real S3 endpoint for tests: ``moto_server`` on 127.0.0.1, optionally enforcing IAM auth.

The registry's s3 driver needs an S3 server that does signatures and multipart uploads; moto
does both. By default it accepts any credentials. In auth mode (``auth=True``) it is started with
``INITIAL_NO_AUTH_ACTION_COUNT`` so the first requests can create an admin user and its keys;
then enforcement is switched on at once, so a wrong secret gives ``SignatureDoesNotMatch``.
With ``https=True`` it serves TLS with a certificate from a throwaway CA (``ca_path``).
"""

from __future__ import annotations

import json
import shutil
import ssl
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from .ports import LOOPBACK, free_port, wait_for_http
from .procs import ManagedProcess, ProcessServer, clean_env
from .tls import make_test_ca

REGION = "us-east-1"
# Well-known placeholder credentials: moto accepts anything until auth mode is on.
ANON_ACCESS_KEY = "testing"
ANON_SECRET_KEY = "testing"
ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def moto_server_bin() -> str:
    """``moto_server`` of the running Python environment (not some other one on PATH)."""
    here = Path(sys.executable).parent / "moto_server"
    if here.exists():
        return str(here)
    found = shutil.which("moto_server")
    if not found:
        raise FileNotFoundError("moto_server not found: run scripts/install-test-deps")
    return found


class MotoServer(ProcessServer):
    """``moto_server -H 127.0.0.1 -p PORT``; ``endpoint_url``, keys and boto3 clients."""

    def __init__(
        self, workdir: str | Path | None = None, *, auth: bool = False, https: bool = False
    ) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="moto-"))
        self.auth = auth
        self.https = https
        self.port = free_port()
        self.endpoint_url = f"{'https' if https else 'http'}://{LOOPBACK}:{self.port}"
        # With https: the PEM of the throwaway CA that signed the server's certificate.
        self.ca_path: Path | None = None
        self._context: ssl.SSLContext | None = None
        self.region = REGION
        # In auth mode these become the admin user's keys once start() has made them.
        self.access_key = ANON_ACCESS_KEY
        self.secret_key = ANON_SECRET_KEY
        env = clean_env(
            {"AWS_DEFAULT_REGION": REGION, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
            drop_prefixes=("AWS_ACCESS_KEY", "AWS_SECRET", "AWS_SESSION", "AWS_PROFILE"),
        )
        if auth:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = "100"
        self.log_path = self.workdir / "moto.log"
        self._env = env
        self._proc = None
        self.start_seconds: float | None = None

    def start(self, timeout: float = 30.0) -> MotoServer:
        began = time.monotonic()
        argv = [moto_server_bin(), "-H", LOOPBACK, "-p", str(self.port)]
        if self.https:
            ca = make_test_ca(self.workdir / "tls")
            self.ca_path = ca.ca_cert
            self._context = ssl.create_default_context(cafile=str(ca.ca_cert))
            argv += ["-c", str(ca.server_cert), "-k", str(ca.server_key)]
        mode = ", ".join(m for m, on in (("auth", self.auth), ("https", self.https)) if on)
        self._proc = ManagedProcess(
            "moto_server" + (f" ({mode})" if mode else ""), argv, self.log_path, env=self._env
        )
        proc = self._proc.start()
        try:
            wait_for_http(
                self.endpoint_url + "/moto-api/data.json", timeout, proc=proc, context=self._context
            )
            if self.auth:
                self.access_key, self.secret_key = self.create_admin_user("dtr-tui-admin")
                self._enforce_auth_now()
        except Exception as err:
            self._proc.stop()
            raise self._proc.start_error(err) from None
        self.start_seconds = time.monotonic() - began
        return self

    def _enforce_auth_now(self) -> None:
        req = urllib.request.Request(
            self.endpoint_url + "/moto-api/reset-auth",
            data=b"0",
            headers={"Content-Type": "text/plain"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10, context=self._context) as resp:
            json.load(resp)

    def client(
        self,
        service: str = "s3",
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> Any:
        """A boto3 client for this server (default keys: ``access_key``/``secret_key``)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
            verify=str(self.ca_path) if self.ca_path else None,
        )

    def create_bucket(self, name: str) -> str:
        self.client("s3").create_bucket(Bucket=name)
        return name

    def create_admin_user(self, name: str) -> tuple[str, str]:
        """An IAM user with an allow-all inline policy; returns (access key id, secret key)."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name, PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY)
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    def registry_storage(self, bucket: str, **extra: Any) -> dict[str, Any]:
        """A registry 2.8 ``storage:`` mapping for ``bucket`` on this server.

        In auth mode presigned redirects fail on moto (500), so redirects are disabled. With
        https the registry must trust ``ca_path``: a host process via ``SSL_CERT_FILE`` in its
        env, a container via ``run_registry_container(..., ca_bundle=ca_path)``.
        """
        s3: dict[str, Any] = {
            "accesskey": self.access_key,
            "secretkey": self.secret_key,
            "region": self.region,
            "regionendpoint": self.endpoint_url,
            "bucket": bucket,
            "v4auth": True,
            "secure": self.https,
        }
        s3.update(extra)
        storage: dict[str, Any] = {"s3": s3}
        if self.auth:
            storage["redirect"] = {"disable": True}
        return storage
