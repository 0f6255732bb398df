"""Save & restart against a real dockerd and the real registry image: backend switches with a
push landing in each backend, broken changes rolled back by themselves, faults."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.cli.main import main
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import apply_plan
from dtr_tui.services.docker_target import ContainerGoneError, docker_client, find_target
from tests.support.dockerd import run_registry_container
from tests.support.ports import free_port
from tests.support.push import blob_data_path, push_test_image
from tests.support.registry import registry_config_text

DATA_INSIDE = "/var/lib/registry"
FS_STORAGE = {"filesystem": {"rootdirectory": DATA_INSIDE}}


class Registry:
    def __init__(self, client: Any, root: Path, name: str) -> None:
        self.port = free_port()
        self.config_dir = root / "etc"
        self.data_dir = root / "data"
        self.config_dir.mkdir()
        self.data_dir.mkdir()
        self.config = self.config_dir / "config.yml"
        self.config.write_text(registry_config_text(FS_STORAGE, self.port))
        self.name = name
        self.url = f"http://127.0.0.1:{self.port}"
        self.container = run_registry_container(
            client,
            self.config_dir,
            name=name,
            volumes={str(self.data_dir): {"bind": DATA_INSIDE, "mode": "rw"}},
        )

    def status(self, path: str = "/v2/") -> int:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url + path, timeout=5) as response:
            return int(response.status)


@pytest.fixture
def registry(
    dockerd: Any, registry_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    reg = Registry(dockerd.client(), tmp_path, f"reg-{uuid.uuid4().hex[:8]}")
    yield reg
    with contextlib.suppress(Exception):  # a test may have removed it already
        reg.container.remove(force=True)


def storage_file(tmp_path: Path, storage: dict[str, Any]) -> str:
    path = tmp_path / f"storage-{uuid.uuid4().hex[:6]}.yml"
    path.write_text("storage: " + json.dumps(storage) + "\n")
    return str(path)


def apply_cli(reg: Registry, tmp_path: Path, storage: dict[str, Any], timeout: float = 20) -> int:
    return main(
        [
            "apply",
            "--container",
            reg.name,
            "--restart",
            "--yes",
            "--timeout",
            str(timeout),
            "--from",
            storage_file(tmp_path, storage),
        ]
    )


def test_switch_filesystem_s3_swift_filesystem_by_the_cli(
    registry: Registry, moto_server: Any, swift_server: Any, tmp_path: Path, capsys: Any
) -> None:
    bucket = moto_server.create_bucket(f"b-{uuid.uuid4().hex[:8]}")
    assert apply_cli(registry, tmp_path, moto_server.registry_storage(bucket)) == 0
    pushed = push_test_image(registry.url, "s3/img")
    keys = {
        o["Key"]
        for o in moto_server.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    }
    assert any(k.endswith(blob_data_path(pushed["layer_digest"])) for k in keys)

    container = f"c-{uuid.uuid4().hex[:8]}"
    assert apply_cli(registry, tmp_path, swift_server.registry_storage(container)) == 0
    pushed = push_test_image(registry.url, "swift/img")
    names = {o["name"] for o in swift_server.connection().get_container(container)[1]}
    assert any(n.endswith(blob_data_path(pushed["layer_digest"])) for n in names)

    assert apply_cli(registry, tmp_path, FS_STORAGE) == 0
    pushed = push_test_image(registry.url, "fs/img")
    assert (registry.data_dir / blob_data_path(pushed["layer_digest"])).is_file()

    out = capsys.readouterr()
    assert swift_server.key not in out.out + out.err
    assert moto_server.secret_key not in out.out + out.err
    assert main(["history", "--config", str(registry.config)]) == 0
    history = capsys.readouterr().out
    assert history.count("applied-and-serving") == 3
    assert swift_server.key not in history


def test_wrong_swift_password_is_rolled_back_with_the_log_tail(
    registry: Registry, swift_server: Any, tmp_path: Path, capsys: Any
) -> None:
    before = registry.config.read_text()
    wrong = "not-the-password-" + uuid.uuid4().hex[:6]
    storage = swift_server.registry_storage("c-wrong", password=wrong)
    assert apply_cli(registry, tmp_path, storage) == 2
    out = capsys.readouterr()
    assert "rolled back: the registry serves again" in out.out
    assert "exited with code" in out.err
    assert "swift authentication failed" in out.err  # the log tail
    assert wrong not in out.out + out.err
    assert registry.config.read_text() == before
    assert registry.status() == 200
    entry = json.loads(
        (registry.config_dir / "config.yml.dtr-tui-audit.jsonl").read_text().splitlines()[-1]
    )
    assert entry["outcome"] == "rolled-back" and entry["rolled_back"] is True
    assert wrong not in json.dumps(entry)


def test_s3_endpoint_nobody_listens_on_is_rolled_back(
    registry: Registry, moto_server: Any, tmp_path: Path, capsys: Any
) -> None:
    before = registry.config.read_text()
    storage = moto_server.registry_storage("nobucket")
    storage["s3"]["regionendpoint"] = f"http://127.0.0.1:{free_port()}"
    began = time.monotonic()
    assert apply_cli(registry, tmp_path, storage, timeout=8) == 2
    out = capsys.readouterr()
    assert "rolled back" in out.out
    assert "storage backend fails" in out.err or "not serving" in out.err
    assert registry.config.read_text() == before
    assert registry.status() == 200
    assert time.monotonic() - began < 30


def test_no_docker_socket_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    config = tmp_path / "config.yml"
    config.write_text(registry_config_text(FS_STORAGE, 5000))
    before = config.read_text()
    code = main(["apply", "--config", str(config), "--restart", "--yes", "--driver", "inmemory"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot reach the Docker engine" in err and "no socket" in err
    assert config.read_text() == before


def test_container_gone_between_plan_and_apply(registry: Registry) -> None:
    client = docker_client()
    target = find_target(client, registry.name)
    assert target is not None and target.config_on_host == registry.config
    doc = ConfigDocument.load(registry.config)
    draft = ConfigDocument.parse(registry_config_text({"inmemory": {}}, registry.port), "x").draft(
        V2_8
    )
    plan = plan_change(doc, draft, V2_8)
    registry.container.remove(force=True)
    with pytest.raises(ContainerGoneError):
        apply_plan(plan, target=target, client=client, restart=True)
    assert registry.config.read_text() == doc.text


def test_restart_is_as_fast_as_docker_restart(registry: Registry, capsys: Any) -> None:
    """Save & restart (same config) against `docker restart` plus the first 200 on /v2/."""
    began = time.monotonic()
    registry.container.restart(timeout=10)
    while True:
        try:
            if registry.status() == 200:
                break
        except OSError:
            time.sleep(0.02)
    plain = time.monotonic() - began
    client = docker_client()
    target = find_target(client, registry.name)
    doc = ConfigDocument.load(registry.config)
    plan = plan_change(doc, doc.draft(V2_8), V2_8)
    began = time.monotonic()
    result = apply_plan(plan, target=target, client=client, restart=True, audit=False)
    ours = time.monotonic() - began
    assert result.healthy is True
    with capsys.disabled():
        print(
            f"\ndocker restart + first 200: {plain:.3f} s; dtr-tui restart: {ours:.3f} s; "
            f"ratio {ours / plain:.2f}"
        )
    assert ours < plain * 1.2 + 0.5
