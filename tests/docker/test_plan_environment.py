"""`dtr-tui plan` against a real registry container's REGISTRY_* environment: the wipe, the
"multiple storage drivers" panic, misspelt variables and YAML retypes, in text and JSON."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.cli.main import main
from tests.support.dockerd import CONTAINER_CONFIG_DIR, TEST_LABEL
from tests.support.ports import LOOPBACK, free_port, wait_for_http
from tests.support.registry import registry_config_text

SECRET = "s3cr3t-" + uuid.uuid4().hex
S3 = ["--driver", "s3", "--set", "s3.region=us-east-1", "--set", "s3.bucket=fromfile"]


class Containers:
    """Registry containers made for one test, each with its own config dir; removed after."""

    def __init__(self, client: Any, image: str, root: Path) -> None:
        self.client, self.image, self.root = client, image, root
        self.made: list[Any] = []

    def make(self, env: dict[str, str], *, run: bool) -> tuple[Any, Path]:
        name = f"env-{uuid.uuid4().hex[:8]}"
        config_dir = self.root / name
        config_dir.mkdir()
        port = free_port()
        config = config_dir / "config.yml"
        config.write_text(
            registry_config_text({"filesystem": {"rootdirectory": "/var/lib/registry"}}, port)
        )
        kwargs: dict[str, Any] = {
            "name": name,
            "network_mode": "host",
            "environment": env,
            "volumes": {str(config_dir): {"bind": CONTAINER_CONFIG_DIR, "mode": "rw"}},
            "labels": {TEST_LABEL: "true"},
        }
        if run:
            container = self.client.containers.run(self.image, detach=True, **kwargs)
            wait_for_http(f"http://{LOOPBACK}:{port}/v2/", 20, (200,))
        else:  # inspect is all plan needs; this environment would stop the registry
            container = self.client.containers.create(self.image, **kwargs)
        self.made.append(container)
        return container, config


@pytest.fixture
def containers(
    dockerd: Any, registry_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Containers]:
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    made = Containers(dockerd.client(), registry_image, tmp_path)
    yield made
    for container in made.made:
        with contextlib.suppress(Exception):
            container.remove(force=True)


def test_found_by_default_storage_variable_wipes_the_section(
    containers: Containers, capsys: Any
) -> None:
    """No --container, no --config: the one running registry is found, its file planned, and
    REGISTRY_STORAGE=inmemory shown to replace the whole section the plan edits."""
    _, config = containers.make({"REGISTRY_STORAGE": "inmemory"}, run=True)
    before = config.read_text()
    assert main(["plan", *S3]) == 2
    out = capsys.readouterr()
    assert "target: container env-" in out.err
    assert f"--- {config} (on disk)" in out.out  # the diff is of the container's file
    assert "Environment of container env-" in out.out
    assert "REGISTRY_STORAGE: replaces the file's whole storage section" in out.out
    assert "shadowed: storage.s3.bucket: REGISTRY_STORAGE replaces" in out.out
    assert "apply refuses this change unless --force" in out.out
    assert config.read_text() == before

    assert main(["plan", "--output", "json", *S3]) == 2
    report = json.loads(capsys.readouterr().out)
    env = report["environment"]
    assert env["variables"] == ["REGISTRY_STORAGE"] and env["driver"] == "inmemory"
    assert env["refused"] is True
    assert env["findings"][0]["variable"] == "REGISTRY_STORAGE"
    assert env["findings"][0]["field"] == "storage"
    assert report["file"] == str(config)


def test_named_container_second_driver_misspelt_and_retyped_values(
    containers: Containers, capsys: Any
) -> None:
    container, config = containers.make(
        {
            "REGISTRY_STORAGE_S3_BUCKET": "0777",  # octal for YAML
            "REGISTRY_STORAGE_S3_ACESSKEY": "AKIAEXAMPLE",  # misspelt
            "REGISTRY_STORAGE_S3_SECRETKEY": SECRET,
            "REGISTRY_STOARGE_DELETE_ENABLED": "true",  # misspelt top level
        },
        run=False,
    )
    # The file keeps filesystem: the S3 variables add a second driver, the registry panics.
    keep = ["--set", "filesystem.maxthreads=50"]
    assert main(["plan", "--container", container.name, *keep]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert SECRET not in text
    assert "multiple storage drivers" in text and "filesystem, s3" in text
    assert "REGISTRY_STORAGE_S3_ACESSKEY" in text and "REGISTRY_STORAGE_S3_ACCESSKEY?" in text
    assert "did you mean REGISTRY_STORAGE?" in text
    assert "octal number 511" in text
    assert "apply refuses" in text

    # Switching the file to s3 clears the panic; the variables still override the file.
    assert main(["plan", "--output", "json", "--container", container.name, *S3]) == 2
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    env = json.loads(out.out)["environment"]
    assert env["driver"] == "s3"
    assert not any("multiple storage drivers" in f["problem"] for f in env["findings"])
    assert env["shadowed"] == [
        "storage.s3.bucket: the environment variable REGISTRY_STORAGE_S3_BUCKET sets this, "
        "so the file's value is not used"
    ]
    bucket = [f for f in env["findings"] if f["variable"] == "REGISTRY_STORAGE_S3_BUCKET"]
    assert {f["severity"] for f in bucket} == {"warning"}
    assert any("becomes 511 (int), not text" in f["problem"] for f in bucket)
    assert config.read_text().count("filesystem") == 1  # plan never writes


def test_clean_environment_and_another_file(containers: Containers, capsys: Any) -> None:
    container, config = containers.make({"REGISTRY_LOG_LEVEL": "debug"}, run=True)
    assert main(["plan", "--container", container.name, *S3]) == 1
    assert "nothing overrides the storage section (REGISTRY_LOG_LEVEL)" in capsys.readouterr().out

    other = config.parent / "other.yml"
    other.write_text(config.read_text())
    assert main(["plan", "--config", str(other), *S3]) == 1  # found, but it reads another file
    out = capsys.readouterr()
    assert f"reads {config}, not {other}" in out.err
    assert "Environment of" not in out.out

    assert main(["plan", "--no-container", "--output", "json", *S3, "--config", str(other)]) == 1
    assert json.loads(capsys.readouterr().out)["environment"] is None
