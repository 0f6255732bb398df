"""Messages from QA report §D, against the real servers: an http:// endpoint to an HTTPS
server names the scheme (D1), skipverify prints no urllib3 warnings (D3) and is a warning for
Azure as for S3 (D4), and Amazon S3's host is named (D9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8, V3_0
from dtr_tui.services.checks import Status
from dtr_tui.services.checks.s3 import S3Target
from tests.support.azurite import Azurite
from tests.support.moto import MotoServer

from .conftest import check_storage
from .test_azure import made, params3


def test_http_endpoint_to_an_https_s3_server_names_the_scheme(
    moto_https_server: MotoServer,
) -> None:
    bucket = moto_https_server.create_bucket(f"d1-{uuid.uuid4().hex[:8]}")
    params = dict(moto_https_server.registry_storage(bucket)["s3"])
    params["regionendpoint"] = moto_https_server.endpoint_url.replace("https://", "http://")
    params["secure"] = False
    results = check_storage("s3", params)
    creds = results["credentials"]
    assert creds.status is Status.FAIL, results.dump()
    assert "closed the connection" in creds.detail
    assert "http:// versus https://" in creds.fix


def test_http_serviceurl_to_an_https_azurite_names_the_scheme(azurite_https: Azurite) -> None:
    url = azurite_https.endpoint_url.replace("https://", "http://")
    p = params3(azurite_https, "c", serviceurl=url)
    results = check_storage("azure", p, V3_0)
    endpoint = results["endpoint"]
    assert endpoint.status is Status.FAIL, results.dump()
    assert "closed the connection" in endpoint.detail
    assert "http:// versus https://" in endpoint.fix


def check_json(storage: dict[str, Any], tmp_path: Path, version: str) -> tuple[dict[str, Any], str]:
    """`dtr-tui check` in a fresh process (warnings are printed once per process)."""
    config = tmp_path / "config.yml"
    config.write_text(json.dumps({"version": 0.1, "storage": storage}))
    env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
    argv = [sys.executable, "-m", "dtr_tui", "check", "--config", str(config),
            "--registry-version", version, "--output", "json"]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    doc = json.loads(done.stdout)
    return {r["name"]: r for r in doc["results"]}, done.stderr


def test_skipverify_prints_no_urllib3_warning(
    moto_https_server: MotoServer, azurite_https: Azurite, tmp_path: Path
) -> None:
    bucket = moto_https_server.create_bucket(f"d3-{uuid.uuid4().hex[:8]}")
    s3 = {**moto_https_server.registry_storage(bucket)["s3"], "skipverify": True}
    results, stderr = check_json({"s3": s3}, tmp_path, "2.8")
    assert results["write, read, delete"]["status"] == "pass", results
    assert results["TLS"]["status"] == "warn"
    assert "InsecureRequestWarning" not in stderr and "warnings.warn" not in stderr, stderr
    azure = params3(azurite_https, made(azurite_https), skipverify=True)
    results, stderr = check_json({"azure": azure}, tmp_path, "3.0")
    assert results["write, read, delete"]["status"] == "pass", results
    assert "InsecureRequestWarning" not in stderr and "warnings.warn" not in stderr, stderr


def test_azure_skipverify_on_an_untrusted_certificate_warns_like_s3(
    azurite_https: Azurite,
) -> None:
    p = params3(azurite_https, made(azurite_https), skipverify=True)
    results = check_storage("azure", p, V3_0)  # no CA given: the certificate is untrusted
    endpoint = results["endpoint"]
    assert endpoint.status is Status.WARN, results.dump()
    assert "not trusted" in endpoint.detail and "skipverify is on" in endpoint.detail
    assert "skipverify" in endpoint.fix
    assert not results.failed(), results.dump()


def test_amazon_s3_is_named_by_its_host() -> None:
    def where(region: str) -> str:
        return S3Target.from_draft(
            StorageDraft("s3", {"bucket": "b", "region": region}), V2_8
        ).where

    assert where("us-east-1") == "s3.us-east-1.amazonaws.com"
    assert where("eu-west-1") == "s3.eu-west-1.amazonaws.com"
    assert where("cn-north-1") == "s3.cn-north-1.amazonaws.com.cn"
    assert where("") == "s3.us-east-1.amazonaws.com"
