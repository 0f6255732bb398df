"""The canary against a real dockerd: the proposed config in a throwaway container from the
registry's image, a blob pushed and pulled through it, the container removed; a config that
fails there is reported with the canary's log tail, and production is never touched."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.cli.main import main
from dtr_tui.services.canary import LABEL, canary_config, run_canary
from dtr_tui.services.docker_target import find_target
from tests.support.dockerd import run_registry_container
from tests.support.ports import free_port
from tests.support.push import blob_data_path
from tests.support.registry import registry_config_text, storage_file

DATA_INSIDE = "/var/lib/registry"
FS = {"filesystem": {"rootdirectory": DATA_INSIDE}}


class Prod:
    def __init__(self, client: Any, root: Path) -> None:
        self.client = client
        self.port = free_port()
        self.etc, self.data = root / "etc", root / "data"
        self.etc.mkdir()
        self.data.mkdir()
        self.config = self.etc / "config.yml"
        self.config.write_text(registry_config_text(FS, self.port))
        self.name = f"prod-{uuid.uuid4().hex[:8]}"
        self.container = run_registry_container(
            client,
            self.etc,
            name=self.name,
            volumes={str(self.data): {"bind": DATA_INSIDE, "mode": "rw"}},
        )
        self.started_at = self.state()["StartedAt"]

    def state(self) -> dict[str, Any]:
        self.container.reload()
        return dict(self.container.attrs["State"])

    def canaries(self) -> list[Any]:
        return list(self.client.containers.list(all=True, filters={"label": LABEL}))

    def untouched(self, before: str) -> bool:
        return (
            self.config.read_text() == before
            and self.state()["Running"]
            and self.state()["StartedAt"] == self.started_at
        )


@pytest.fixture
def prod(
    dockerd: Any, registry_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Prod]:
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    made = Prod(dockerd.client(), tmp_path)
    yield made
    for container in [made.container, *made.canaries()]:
        with contextlib.suppress(Exception):
            container.remove(force=True)


def test_canary_config_keeps_storage_and_drops_what_reaches_outside() -> None:
    text = registry_config_text(
        FS,
        5000,
        extra="auth:\n  htpasswd:\n    realm: r\n    path: /auth/htpasswd\n"
        "notifications:\n  endpoints: []\n",
    )
    config = json.loads(canary_config(text, 41234))
    assert config["http"] == {"addr": "127.0.0.1:41234"}
    assert "auth" not in config and "notifications" not in config
    assert config["storage"]["filesystem"] == FS["filesystem"]
    assert config["storage"]["delete"] == {"enabled": True}
    assert config["version"] == "0.1"


def test_cli_canary_on_s3_passes_and_production_is_untouched(
    prod: Prod, moto_server: Any, tmp_path: Path, capsys: Any
) -> None:
    before = prod.config.read_text()
    bucket = moto_server.create_bucket(f"canary-{uuid.uuid4().hex[:8]}")
    storage = storage_file(tmp_path, moto_server.registry_storage(bucket))
    code = main(["check", "--canary", prod.name, "--from", storage])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    for step in ("start the canary", "registry serves", "push a blob", "pull the blob"):
        assert f"ok    canary: {step}" in out.out
    assert "canary: delete the blob" in out.out and "canary: remove the canary" in out.out
    assert "through a redirect to 127.0.0.1" in out.out  # the blob came back from moto
    assert "Canary passed" in out.out
    assert moto_server.secret_key not in out.out + out.err
    keys = [
        o["Key"]
        for o in moto_server.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    ]
    assert any("/blobs/sha256/" in k for k in keys)  # it really went through S3
    assert prod.canaries() == []
    assert prod.untouched(before)


def test_cli_canary_with_a_wrong_swift_password_fails_with_its_log(
    prod: Prod, swift_server: Any, tmp_path: Path, capsys: Any
) -> None:
    before = prod.config.read_text()
    wrong = "wrong-" + uuid.uuid4().hex[:8]
    storage = swift_server.registry_storage(f"c-{uuid.uuid4().hex[:6]}", password=wrong)
    code = main(["check", "--canary", "--from", storage_file(tmp_path, storage)])
    out = capsys.readouterr()
    assert code == 1
    assert "FAIL  canary: registry serves" in out.out
    assert "exited with code" in out.out
    assert "Canary FAILED: this config would not serve" in out.out
    assert "Last lines of the canary registry's log" in out.err
    assert "swift authentication failed" in out.err
    assert wrong not in out.out + out.err
    assert prod.canaries() == []
    assert prod.untouched(before)


def test_canary_service_json_and_same_mounts(prod: Prod, capsys: Any) -> None:
    """The service function the app calls; the canary gets production's mounts, so a
    filesystem probe lands under production's root directory."""
    target = find_target(prod.client, prod.name)
    assert target is not None
    steps: list[str] = []
    result = run_canary(
        registry_config_text(FS, prod.port),
        target,
        prod.client,
        progress=lambda step: steps.append(step.name),
    )
    assert result.ok, result.as_dict()
    assert steps == [
        "start the canary",
        "registry serves",
        "push a blob",
        "pull the blob",
        "delete the blob",
        "remove the canary",
    ]
    blobs = prod.data / Path(blob_data_path("sha256:" + "0" * 64)).parents[2]
    assert any(blobs.rglob("data"))
    assert prod.canaries() == []

    assert main(["check", "--canary", "--output", "json", "--config", str(prod.config)]) == 0
    report = json.loads(capsys.readouterr().out)["canary"]
    assert report["ok"] is True and report["image"] == target.image
    assert [s["step"] for s in report["steps"]] == steps
