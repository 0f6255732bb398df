"""Save & restart of a registry with auth on (htpasswd), against a real registry 2.8 container
and moto enforcing S3 signatures.

With auth on, /v2/_catalog answers 401 before any storage call, so it proves nothing. What
works against 2.8 here: the registry's storage health check (`health.storagedriver`, a
Stat("/") on the driver every interval, no auth): once it fails, every request answers 503
and /debug/health on `http.debug.addr` names the driver's error. So:
- with that check in the config, a wrong S3 secret is caught and rolled back, and a right
  one is reported proven by the check;
- without it, apply says storage is NOT verified and exits non-zero (it used to report
  success with a wrong secret live).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import ApplyResult, apply_plan
from dtr_tui.services.docker_target import find_target
from tests.support.dockerd import run_registry_container
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
HTPASSWD = "admin:$2y$05$abcdefghijklmnopqrstuuQ9sL1Z9pI.f0r8Xj5qK7C0J6mQwTVHy\n"


def config_text(port: int, moto: Any, secret: str, *, health: bool, chunk: int = 0) -> str:
    text = (
        "version: 0.1\nlog:\n  level: info\n  formatter: text\n"
        "storage:\n  s3:\n    bucket: images\n    region: us-east-1\n"
        f"    regionendpoint: {moto.endpoint_url}\n    accesskey: {moto.access_key}\n"
        f"    secretkey: {secret}\n"
        + (f"    chunksize: {chunk}\n" if chunk else "")
        + "  redirect:\n    disable: true\n"
        "auth:\n  htpasswd:\n    realm: basic-realm\n    path: /etc/docker/registry/htpasswd\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    if health:
        text += f"  debug:\n    addr: 127.0.0.1:{free_port()}\n"
        text += "health:\n  storagedriver:\n    enabled: true\n    interval: 1s\n    threshold: 1\n"
    return text


class AuthReg:
    def __init__(self, client: Any, root: Path, moto: Any, *, health: bool) -> None:
        self.client, self.moto, self.health = client, moto, health
        self.port = free_port()
        self.dir = root / f"etc-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir()
        (self.dir / "htpasswd").write_text(HTPASSWD)
        self.config = self.dir / "config.yml"
        self.config.write_text(config_text(self.port, moto, moto.secret_key, health=health))
        self.config.chmod(0o600)
        self.name = f"auth-{uuid.uuid4().hex[:8]}"
        self.container = run_registry_container(client, self.dir, name=self.name)

    def apply(self, secret: str, chunk: int = 0) -> tuple[ApplyResult, list[str]]:
        doc = ConfigDocument.load(self.config)
        text = config_text(self.port, self.moto, secret, health=self.health, chunk=chunk)
        if self.health:  # keep the debug port the file has
            old = doc.view["http"]["debug"]["addr"]
            new_debug = text.split("  debug:\n    addr: ")[1].split("\n")[0]
            text = text.replace(new_debug, str(old))
        plan = plan_change(doc, ConfigDocument.parse(text, "new").draft(V2_8), V2_8)
        seen: list[str] = []
        result = apply_plan(
            plan, target=find_target(self.client, self.name), client=self.client,
            restart=True, timeout=30, progress=seen.append,
        )  # fmt: skip
        return result, seen

    def audit(self) -> dict[str, Any]:
        audit = self.config.with_name(self.config.name + ".dtr-tui-audit.jsonl")
        return dict(json.loads(audit.read_text().splitlines()[-1]))


@pytest.fixture
def make(
    dockerd: Any, registry_image: str, moto_auth_server: Any, tmp_path: Path, monkeypatch: Any
) -> Iterator[Any]:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    with contextlib.suppress(Exception):
        moto_auth_server.create_bucket("images")
    made: list[AuthReg] = []

    def build(health: bool) -> AuthReg:
        made.append(AuthReg(dockerd.client(), tmp_path, moto_auth_server, health=health))
        return made[-1]

    yield build
    for reg in made:
        with contextlib.suppress(Exception):
            reg.container.remove(force=True)


def test_wrong_secret_is_caught_by_the_storage_health_check_and_rolled_back(make: Any) -> None:
    reg = make(health=True)
    before = reg.config.read_bytes()
    wrong = "Wrong" + uuid.uuid4().hex
    result, seen = reg.apply(wrong)
    assert result.rolled_back and not result.ok, seen
    assert "storage health check fails" in result.failure
    assert "SignatureDoesNotMatch" in result.failure  # the driver's words, from /debug/health
    assert reg.config.read_bytes() == before
    assert wrong not in "\n".join(seen) + result.failure + result.log_tail
    assert reg.audit()["outcome"] == "rolled-back"


def test_right_secret_is_proven_by_the_storage_health_check(make: Any) -> None:
    reg = make(health=True)
    result, seen = reg.apply(reg.moto.secret_key, chunk=10485760)
    assert result.ok and result.healthy and not result.unverified, seen
    assert any("storage proven by the registry's storage health check" in s for s in seen)
    assert reg.audit()["outcome"] == "applied-and-serving"


def test_without_a_health_check_storage_is_not_verified_and_the_cli_fails(
    dockerd: Any, make: Any
) -> None:
    reg = make(health=False)
    wrong = "Wrong" + uuid.uuid4().hex
    env = {**os.environ, "DOCKER_HOST": dockerd.base_url, "PYTHONPATH": str(ROOT), "BAD": wrong}
    env.pop("AWS_CA_BUNDLE", None)
    done = subprocess.run(
        [sys.executable, "-m", "dtr_tui", "apply", "--container", reg.name, "--restart"]
        + ["--yes", "--timeout", "20", "--set", "s3.secretkey=env:BAD"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "storage is NOT verified" in out and "health.storagedriver.enabled: true" in out
    assert "Storage NOT verified: the registry serves on the new config, but auth is on" in out
    assert "add --accept-unverified to accept this" in done.stderr
    assert "storage not checked: auth required" not in out
    assert wrong not in out
    assert reg.audit()["outcome"] == "applied-serving-storage-not-verified"

    accepted = subprocess.run(
        [sys.executable, "-m", "dtr_tui", "apply", "--container", reg.name, "--restart"]
        + ["--yes", "--timeout", "20", "--accept-unverified", "--set", "s3.chunksize=10485760"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Storage NOT verified" in accepted.stderr and "Accepted (--accept-unverified)" in (
        accepted.stderr
    )
