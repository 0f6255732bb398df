"""`check --canary --service NAME` on a private single-node swarm: the canary runs as a plain
container on this engine from the service's image, with the environment and mounts of the
service's spec, on the config the service gets (its config object or bind-mounted file); the
service itself is never updated, and no canary is left behind."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.cli.main import main
from dtr_tui.services.canary import LABEL, run_canary
from dtr_tui.services.swarm import find_service
from tests.support.dockerd import REGISTRY_IMAGE, SwarmEngine
from tests.support.push import blob_data_path
from tests.support.registry import registry_config_text, storage_file
from tests.support.swarm import DATA_INSIDE, FS, RegistryService

# The service's environment moves the root below the mount: a blob the canary pushes lands
# there only if the canary got the service's environment and its mount.
ENV_ROOT = DATA_INSIDE + "/from-env"


class Registry(RegistryService):
    """The service, and what tells that the canary left it alone."""

    def __init__(self, engine: SwarmEngine, root: Path, **kwargs: Any) -> None:
        super().__init__(engine, root, **kwargs)
        self.version = self.spec_version()
        self.tasks = self.running_tasks()

    def canaries(self) -> list[Any]:
        return list(self.client.containers.list(all=True, filters={"label": LABEL}))

    def untouched(self) -> bool:
        """Not updated, same tasks, and no canary left behind."""
        return (
            self.spec_version() == self.version
            and self.running_tasks() == self.tasks
            and self.canaries() == []
        )


def blobs_under(folder: Path) -> list[Path]:
    """The blob data files of a registry whose root directory is ``folder``."""
    blobs = folder / Path(blob_data_path("sha256:" + "0" * 64)).parents[2]
    return list(blobs.rglob("data"))


@pytest.fixture
def registry_service(
    swarm: SwarmEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Registry]]:
    monkeypatch.setenv("DOCKER_HOST", swarm.base_url)
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    made: list[Registry] = []

    def make(**kwargs: Any) -> Registry:
        root = tmp_path / f"svc{len(made)}"
        root.mkdir()
        made.append(Registry(swarm, root, **kwargs))
        return made[-1]

    yield make
    for registry in made:
        with contextlib.suppress(Exception):
            registry.service.remove()
        for canary in registry.canaries():
            with contextlib.suppress(Exception):
                canary.remove(force=True)


def test_canary_of_a_config_object_service_uses_its_config_env_and_mounts(
    registry_service: Callable[..., Registry], capsys: Any
) -> None:
    svc = registry_service(
        config_object=True,
        env=[f"REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY={ENV_ROOT}"],
        secrets=[f"token-{uuid.uuid4().hex[:8]}"],
    )
    secret = svc.spec()["TaskTemplate"]["ContainerSpec"]["Secrets"][0]["SecretName"]
    code = main(["check", "--canary", "--service", svc.name])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert f"throwaway container from {REGISTRY_IMAGE} (service {svc.name}" in out.out
    for step in ("start the canary", "registry serves", "push a blob", "pull the blob"):
        assert f"ok    canary: {step}" in out.out
    # What a plain container cannot get is said, not silently dropped.
    assert f"not given to it: secret {secret} (/run/secrets/{secret})" in out.out
    assert "Canary passed" in out.out
    # The config object's filesystem root, moved by the service's env, on the service's mount.
    assert blobs_under(svc.data / "from-env")
    assert not blobs_under(svc.data)
    assert svc.untouched()


def test_canary_of_a_bind_mounted_service_with_a_wrong_swift_password_fails(
    registry_service: Callable[..., Registry], swift_server: Any, tmp_path: Path, capsys: Any
) -> None:
    svc = registry_service(config_object=False)
    before = (svc.etc / "config.yml").read_text()
    wrong = "wrong-" + uuid.uuid4().hex[:8]
    storage = swift_server.registry_storage(f"c-{uuid.uuid4().hex[:6]}", password=wrong)
    args = ["check", "--canary", "--service", svc.name, "--output", "json"]
    code = main([*args, "--from", storage_file(tmp_path, storage)])
    out = capsys.readouterr()
    assert code == 1
    report = json.loads(out.out)["canary"]
    assert report["ok"] is False and report["image"] == REGISTRY_IMAGE
    steps = {s["step"]: s["ok"] for s in report["steps"]}
    assert steps["start the canary"] is True and steps["registry serves"] is False
    assert "swift authentication failed" in report["log_tail"]
    assert wrong not in out.out + out.err
    assert (svc.etc / "config.yml").read_text() == before
    assert svc.untouched()


def test_service_layer_runs_the_canary_from_the_spec(
    registry_service: Callable[..., Registry],
) -> None:
    """What `check` calls: run_canary with a SwarmTarget, the proposed config given as text."""
    svc = registry_service(config_object=True)
    target = find_service(svc.client, svc.name)
    steps: list[str] = []
    result = run_canary(
        registry_config_text(FS, svc.port),
        target,
        svc.client,
        progress=lambda step: steps.append(step.name),
    )
    assert result.ok, result.as_dict()
    assert steps[0] == "start the canary" and steps[-1] == "remove the canary"
    assert blobs_under(svc.data)  # the spec's mount, the text's root
    assert svc.untouched()


def test_service_flag_needs_the_canary_and_names_one_registry(
    registry_service: Callable[..., Registry], capsys: Any
) -> None:
    svc = registry_service(config_object=True)
    assert main(["check", "--service", svc.name]) == 2
    assert "--canary is missing" in capsys.readouterr().err
    assert main(["check", "--canary", "prod", "--service", svc.name]) == 2
    assert "both name the registry" in capsys.readouterr().err
    assert main(["check", "--canary", "--service", "no-such-service"]) == 2
    assert "no Swarm service named no-such-service" in capsys.readouterr().err
    assert svc.untouched()
