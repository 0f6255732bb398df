"""Reading a registry container's inspect: config path inside, host path, health address."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtr_tui.core.errors import DtrError
from dtr_tui.core.versions import V3_0
from dtr_tui.services.docker_target import is_registry, target_from_inspect


def inspect(
    args: list[str],
    mounts: list[dict[str, str]],
    env: list[str] | None = None,
    image: str = "registry:2",
    network: str = "host",
) -> dict[str, object]:
    return {
        "Id": "0123456789abcdef",
        "Name": "/reg",
        "Path": "/bin/registry",
        "Args": args,
        "Config": {"Image": image, "Env": env or [], "Labels": {}},
        "Mounts": mounts,
        "HostConfig": {"NetworkMode": network},
        "NetworkSettings": {"Ports": {"5000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "5555"}]}},
    }


def test_directory_mount_and_serve_argument() -> None:
    attrs = inspect(
        ["serve", "/etc/docker/registry/config.yml"],
        [{"Type": "bind", "Source": "/srv/reg", "Destination": "/etc/docker/registry"}],
    )
    target = target_from_inspect(attrs)
    assert is_registry(attrs)
    assert target.config_on_host == Path("/srv/reg/config.yml")
    assert not target.file_mount
    assert target.health_base("0.0.0.0:5001") == "http://127.0.0.1:5001"


def test_file_mount_and_configuration_path_env() -> None:
    attrs = inspect(
        [],
        [{"Type": "bind", "Source": "/srv/r.yml", "Destination": "/conf/r.yml"}],
        env=["REGISTRY_CONFIGURATION_PATH=/conf/r.yml"],
        network="bridge",
    )
    target = target_from_inspect(attrs)
    assert target.config_on_host == Path("/srv/r.yml") and target.file_mount
    assert target.health_base(":5000") == "http://127.0.0.1:5555"


def test_image_default_by_version_and_baked_config() -> None:
    attrs = inspect([], [], image="registry:3.0.0")
    target = target_from_inspect(attrs)
    assert target.version == V3_0
    assert target.config_inside == "/etc/distribution/config.yml"
    with pytest.raises(DtrError, match="baked into its image"):
        target.require_writable_config()


def test_apply_refuses_a_change_the_container_environment_shadows(tmp_path: Path) -> None:
    from dtr_tui.core.document import ConfigDocument
    from dtr_tui.core.plan import plan_change
    from dtr_tui.core.versions import V2_8
    from dtr_tui.services.apply import apply_plan
    from dtr_tui.services.docker_target import DockerTarget

    config = tmp_path / "config.yml"
    config.write_text("version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    bucket: old\n")
    doc = ConfigDocument.load(config)
    new = "version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    bucket: new\n"
    plan = plan_change(doc, ConfigDocument.parse(new, "x").draft(V2_8), V2_8)
    target = DockerTarget(
        "0123456789ab", "reg", "registry:2", "/etc/docker/registry/config.yml", config, False,
        env={"REGISTRY_STORAGE_S3_BUCKET": "from-env"},
    )  # fmt: skip
    with pytest.raises(DtrError, match="REGISTRY_STORAGE_S3_BUCKET sets this"):
        apply_plan(plan, target=target)
    assert config.read_text() == doc.text
    forced = apply_plan(plan, target=target, force=True)
    assert forced.written and any("forced" in step for step in forced.steps)


def test_ssh_docker_host_uses_the_system_ssh_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """paramiko is not a dependency: ssh:// goes through `ssh` (the admin's config and keys)."""
    import docker

    from dtr_tui.services.docker_target import docker_client

    seen: dict[str, object] = {}

    class Client:
        def ping(self) -> bool:
            return True

    def from_env(**kwargs: object) -> Client:
        seen.update(kwargs)
        return Client()

    monkeypatch.setattr(docker, "from_env", from_env)
    monkeypatch.setenv("DOCKER_HOST", "ssh://admin@registry-host")
    docker_client()
    assert seen["use_ssh_client"] is True
    monkeypatch.setenv("DOCKER_HOST", "unix:///var/run/docker.sock")
    docker_client()
    assert seen["use_ssh_client"] is False
