"""Swarm services updated with a rolling restart, on a private single-node swarm (its own
dockerd, so the shared engine never becomes a swarm manager): the config as a Docker config
object (a new object swapped in) and as a bind-mounted file (written, update forced), and a
broken change Swarm rolls back by itself."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.cli.main import main
from tests.support.dockerd import Dockerd
from tests.support.ports import free_port
from tests.support.push import blob_data_path, push_test_image
from tests.support.registry import storage_file
from tests.support.swarm import CONFIG_INSIDE, DATA_INSIDE, RegistryService, wait_serving


@pytest.fixture
def made(swarm: Dockerd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DOCKER_HOST", swarm.base_url)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    services: list[RegistryService] = []

    def make(config_object: bool) -> RegistryService:
        root = tmp_path / f"svc{len(services)}"
        root.mkdir()
        services.append(RegistryService(swarm, root, config_object=config_object))
        return services[-1]

    yield make
    for service in services:
        with contextlib.suppress(Exception):
            service.service.remove()


def apply(svc: RegistryService, tmp_path: Path, storage: dict[str, Any]) -> int:
    return main(
        ["apply", "--service", svc.name, "--yes", "--timeout", "40"]
        + ["--from", storage_file(tmp_path, storage)]
    )


def test_config_object_service_switched_to_s3_by_a_rolling_update(
    made: Any, moto_server: Any, tmp_path: Path, capsys: Any
) -> None:
    svc = made(config_object=True)
    old_ref, old_tasks = svc.config_ref(), svc.running_tasks()
    bucket = moto_server.create_bucket(f"swarm-{uuid.uuid4().hex[:8]}")
    assert apply(svc, tmp_path, moto_server.registry_storage(bucket)) == 0
    out = capsys.readouterr()
    assert "from a config object (docker config " in out.out
    assert "created config object" in out.out and "rolling update of service" in out.out
    assert moto_server.secret_key not in out.out + out.err
    spec = svc.spec()
    assert spec["UpdateConfig"]["FailureAction"] == "rollback"
    new_ref = svc.config_ref()
    assert new_ref["ConfigID"] != old_ref["ConfigID"]
    assert new_ref["File"]["Name"] == CONFIG_INSIDE
    assert f"bucket: {bucket}" in svc.config_text()
    assert svc.client.configs.get(old_ref["ConfigID"])  # the previous object is kept
    assert svc.running_tasks().isdisjoint(old_tasks)  # the task was replaced
    pushed = push_test_image(svc.url, "swarm/s3")
    keys = {
        o["Key"]
        for o in moto_server.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    }
    assert any(k.endswith(blob_data_path(pushed["layer_digest"])) for k in keys)
    history = (tmp_path / "state" / "dtr-tui").glob("*.dtr-tui-audit.jsonl")
    entry = json.loads(next(history).read_text().splitlines()[-1])
    assert entry["outcome"] == "applied-and-serving"
    assert moto_server.secret_key not in json.dumps(entry)
    assert main(["history", "--service", svc.name]) == 0
    assert "applied-and-serving  service " + svc.name in capsys.readouterr().out

    assert main(["plan", "--service", svc.name, "--output", "json", "--driver", "inmemory"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["file"].startswith("docker config " + svc.name)
    assert report["environment"]["container"].startswith("service " + svc.name)
    assert moto_server.secret_key not in report["diff"]


def test_bind_mounted_service_written_and_force_updated(
    made: Any, tmp_path: Path, capsys: Any
) -> None:
    svc = made(config_object=False)
    old_tasks = svc.running_tasks()
    force_before = int(svc.spec()["TaskTemplate"].get("ForceUpdate") or 0)
    moved = {"filesystem": {"rootdirectory": DATA_INSIDE + "/moved"}}
    assert apply(svc, tmp_path, moved) == 0
    out = capsys.readouterr()
    assert "from a bind mount" in out.out and "backed up the previous version" in out.out
    assert "/moved" in (svc.etc / "config.yml").read_text()
    assert int(svc.spec()["TaskTemplate"]["ForceUpdate"]) == force_before + 1
    assert svc.running_tasks().isdisjoint(old_tasks)
    pushed = push_test_image(svc.url, "swarm/bind")
    assert (svc.data / "moved" / blob_data_path(pushed["layer_digest"])).is_file()

    # The task's container is no target of its own: Swarm owns its config.
    task = svc.service.tasks({"desired-state": "running"})[0]
    container_id = task["Status"]["ContainerStatus"]["ContainerID"]
    before = (svc.etc / "config.yml").read_text()
    code = main(
        ["apply", "--container", container_id, "--restart", "--yes", "--driver", "inmemory"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert f"is a task of the Swarm service {svc.name}" in err
    assert f"use --service {svc.name}" in err
    assert (svc.etc / "config.yml").read_text() == before


def test_broken_change_is_rolled_back_by_swarm(
    made: Any, swift_server: Any, tmp_path: Path, capsys: Any
) -> None:
    svc = made(config_object=True)
    old_ref = svc.config_ref()
    wrong = "wrong-" + uuid.uuid4().hex[:8]
    storage = swift_server.registry_storage(f"c-{uuid.uuid4().hex[:6]}", password=wrong)
    assert apply(svc, tmp_path, storage) == 2
    out = capsys.readouterr()
    assert wrong not in out.out + out.err
    assert "Swarm is rolling the service back" in out.out
    assert "rolled back: the registry serves again on the previous config" in out.out
    assert "swift authentication failed" in out.err  # the log tail
    assert svc.config_ref()["ConfigID"] == old_ref["ConfigID"]
    assert "config object" in out.out.split("rolled back:")[1]  # the failed one removed or named
    names = {c.name for c in svc.client.configs.list()}
    assert f"{svc.name}-config" in names
    wait_serving(svc.url, 5)


def test_broken_change_to_a_bind_mounted_file_is_restored_and_updated_again(
    made: Any, swift_server: Any, tmp_path: Path, capsys: Any
) -> None:
    svc = made(config_object=False)
    before = (svc.etc / "config.yml").read_text()
    wrong = "wrong-" + uuid.uuid4().hex[:8]
    storage = swift_server.registry_storage(f"c-{uuid.uuid4().hex[:6]}", password=wrong)
    assert apply(svc, tmp_path, storage) == 2
    out = capsys.readouterr()
    assert wrong not in out.out + out.err
    assert "restored" in out.out and "forcing another update" in out.out
    assert "rolled back: the registry serves again on the previous config" in out.out
    assert (svc.etc / "config.yml").read_text() == before
    wait_serving(svc.url, 5)


def test_update_that_runs_but_cannot_reach_storage_is_swapped_back_by_dtr_tui(
    made: Any, moto_server: Any, tmp_path: Path, capsys: Any
) -> None:
    """Swarm sees a running task (no failure to roll back on); dtr-tui's storage request
    fails until the timeout, so dtr-tui swaps the previous config object back itself."""
    svc = made(config_object=True)
    old_ref = svc.config_ref()
    storage = moto_server.registry_storage("nobucket")
    storage["s3"]["regionendpoint"] = f"http://127.0.0.1:{free_port()}"
    code = main(
        ["apply", "--service", svc.name, "--yes", "--timeout", "8"]
        + ["--from", storage_file(tmp_path, storage)]
    )
    out = capsys.readouterr()
    assert code == 2
    assert "not serving before the timeout" in out.out
    assert "storage backend fails" in out.out
    assert f"swapping the previous config object {old_ref['ConfigName']} back in" in out.out
    assert "rolled back: the registry serves again on the previous config" in out.out
    assert svc.config_ref()["ConfigID"] == old_ref["ConfigID"]
    wait_serving(svc.url, 5)


def test_bind_mounted_file_is_refused_when_tasks_run_on_other_nodes(
    made: Any, swarm: Dockerd
) -> None:
    """The guard reads the real node id; another node's task is simulated (one-node swarm)."""
    from dtr_tui.core.errors import DtrError
    from dtr_tui.services.swarm import _refuse_other_nodes, find_service

    svc = made(config_object=False)
    client = swarm.client()
    target = find_service(client, svc.name)
    _refuse_other_nodes(client, svc.service, target)  # all tasks here: allowed

    class Elsewhere:
        def tasks(self, filters: Any = None) -> list[dict[str, str]]:
            return [{"NodeID": "othernode0123456789"}]

    with pytest.raises(DtrError, match="runs tasks on other nodes \\(othernode012\\)"):
        _refuse_other_nodes(client, Elsewhere(), target)
