"""Counting a containerised registry's filesystem data through the container's mounts.

Real registry containers in a private dockerd, real images pushed through the registry's API.
The registry's root is a path INSIDE the container (here one that does not exist on this host):
a bind mount from another host path and a named volume are counted where their files really
are; data that this host cannot read (the container's own layer, a remote engine, a mount
source that is not here) is "not counted" with the reason, and is never "nothing vanishes".
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks.inventory import (
    RegistryContainer,
    count_registry_data,
    vanishing,
)
from dtr_tui.services.docker_target import find_target, target_from_inspect
from dtr_tui.ui.container import ContainerTarget
from tests.support.dockerd import CONTAINER_CONFIG_DIR, TEST_LABEL, run_registry_container
from tests.support.ports import LOOPBACK, free_port
from tests.support.push import push_test_image
from tests.support.registry import registry_config_text

# The registry's root as the container sees it: nothing at this path on the host.
ROOT = f"/srv/registry-{uuid.uuid4().hex[:8]}"
SOMEWHERE_ELSE = f"/srv/other-{uuid.uuid4().hex[:8]}"  # a root a switch would move to
VANISH_FREE = "nothing vanishes"


@dataclass
class Registry:
    container: Any
    name: str
    repos: tuple[str, ...]
    blobs: int  # distinct blobs pushed (config, layer, manifest of each image)
    host_dir: Path | None = None  # the bind mount's source
    volume: str = ""


def fs(root: str) -> StorageDraft:
    return StorageDraft("filesystem", {"rootdirectory": root})


def _run(
    client: Any, image: str, tmp: Path, repos: tuple[str, ...], volumes: dict[str, Any]
) -> tuple[Any, str, int]:
    """A registry container with its data root at ROOT, `repos` pushed into it."""
    name = f"inv-{uuid.uuid4().hex[:8]}"
    config_dir = tmp / name
    config_dir.mkdir()
    port = free_port()
    text = registry_config_text({"filesystem": {"rootdirectory": ROOT}}, port)
    (config_dir / "config.yml").write_text(text)
    container = run_registry_container(client, config_dir, image=image, name=name, volumes=volumes)
    blobs: set[str] = set()
    for repo in repos:
        pushed = push_test_image(f"http://{LOOPBACK}:{port}", repo=repo)
        blobs |= {pushed[k] for k in ("config_digest", "layer_digest", "manifest_digest")}
    container.reload()
    return container, name, len(blobs)


@pytest.fixture(scope="module")
def registries(
    dockerd: Any, registry_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Registry]]:
    """Three registries holding real images: data in a bind mount from another host path, in
    a named volume, and in no mount at all (the container's own layer)."""
    assert not Path(ROOT).exists()  # the premise: read as a host path, ROOT is missing
    client = dockerd.client()
    tmp = tmp_path_factory.mktemp("inventory-containers")
    made: list[Any] = []
    volume = f"inv-data-{uuid.uuid4().hex[:8]}"
    try:
        host_dir = tmp / "registry-data-on-host"
        host_dir.mkdir()
        repos: tuple[str, ...] = ("library/web", "team/api")
        bind = {str(host_dir): {"bind": ROOT, "mode": "rw"}}
        c, name, blobs = _run(client, registry_image, tmp, repos, bind)
        made.append(c)
        found = {"bind": Registry(c, name, repos, blobs, host_dir=host_dir)}
        client.volumes.create(volume)
        repos = ("shop/cart", "shop/pay", "tools/ci")
        c, name, blobs = _run(
            client, registry_image, tmp, repos, {volume: {"bind": ROOT, "mode": "rw"}}
        )
        made.append(c)
        found["volume"] = Registry(c, name, repos, blobs, volume=volume)
        repos = ("inside/only",)
        c, name, blobs = _run(client, registry_image, tmp, repos, {})
        made.append(c)
        found["none"] = Registry(c, name, repos, blobs)
        yield found
    finally:
        for c in made:
            with contextlib.suppress(Exception):
                c.remove(force=True)
        with contextlib.suppress(Exception):
            client.volumes.get(volume).remove(force=True)


def test_without_a_container_a_missing_root_says_so_not_empty() -> None:
    """A file-only config: the old "holds nothing" becomes "does not exist on this host"."""
    assert not Path(ROOT).exists()
    found = count_registry_data(fs(ROOT), V2_8, timeout=5)
    assert found.detail == "does not exist on this host", found
    moved = vanishing(fs(ROOT), fs(SOMEWHERE_ELSE), V2_8, timeout=5)
    assert moved is not None and not moved.warning
    assert f"the current backend (filesystem {ROOT}) does not exist on this host" in (moved.message)
    assert "holds no repositories" not in moved.message


def test_bind_mount_from_another_host_path_is_counted_there(
    registries: dict[str, Registry],
) -> None:
    reg = registries["bind"]
    assert (reg.host_dir / "docker/registry/v2/repositories").is_dir()  # type: ignore[operator]
    container = RegistryContainer.from_inspect(reg.container.attrs)
    found = count_registry_data(fs(ROOT), V2_8, timeout=10, container=container)
    assert (found.repositories, found.blobs, found.complete) == (2, reg.blobs, True), found
    assert found.names == tuple(sorted(reg.repos))
    assert found.where == f"filesystem {ROOT} in container {reg.name}, {reg.host_dir} on this host"
    # a trailing slash and a relative root are the same place for the registry (cwd /)
    again = count_registry_data(fs(ROOT.lstrip("/") + "/"), V2_8, timeout=10, container=container)
    assert again.repositories == 2 and again.names == found.names


def test_bind_mount_switch_warns_with_the_counts_via_the_cli_target(
    registries: dict[str, Registry], dockerd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DockerTarget plan/apply/canary have (no mounts in it): the engine is asked."""
    reg = registries["bind"]
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    target = find_target(dockerd.client(), reg.name)
    assert target is not None
    moved = vanishing(fs(ROOT), StorageDraft("inmemory", {}), V2_8, timeout=10, container=target)
    assert moved is not None and moved.warning, moved
    assert moved.message.startswith(
        f"the current backend (filesystem {ROOT} in container {reg.name}, {reg.host_dir} on "
        f"this host) holds 2 repositories and {reg.blobs} blobs; the new one (in-memory) holds 0"
    )
    assert "the registry will not see them" in moved.message
    assert VANISH_FREE not in moved.message and "holds no" not in moved.message


def test_mount_above_the_root_maps_the_rest_of_the_path(
    registries: dict[str, Registry], tmp_path: Path
) -> None:
    """The longest Destination that is the root or a parent of it wins: /srv mounted from a
    host folder puts ROOT at that folder + the rest of the path."""
    reg = registries["bind"]
    above = tmp_path / "srv"
    shutil.copytree(reg.host_dir, above / ROOT.rsplit("/", 1)[1])  # type: ignore[arg-type]
    mounts = (
        {"Type": "bind", "Source": str(tmp_path / "decoy"), "Destination": "/"},
        {"Type": "bind", "Source": str(above), "Destination": "/srv"},
    )
    found = count_registry_data(
        fs(ROOT), V2_8, timeout=10, container=RegistryContainer("reg", mounts)
    )
    assert (found.repositories, found.blobs) == (2, reg.blobs), found
    assert found.where.endswith(f", {above}{ROOT.removeprefix('/srv')} on this host")


def test_named_volume_is_counted_in_its_folder_via_the_tui_target(
    registries: dict[str, Registry], dockerd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TUI's ContainerTarget (a DockerTarget and the engine's client): the volume's folder
    under the engine's data-root is read; the new root (not mounted) is not counted."""
    reg = registries["volume"]
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    client = dockerd.client()
    mountpoint = client.volumes.get(reg.volume).attrs["Mountpoint"]
    tui = ContainerTarget(target_from_inspect(reg.container.attrs), client)
    found = count_registry_data(fs(ROOT), V2_8, timeout=10, container=tui)
    assert (found.repositories, found.blobs, found.complete) == (3, reg.blobs, True), found
    assert found.names == tuple(sorted(reg.repos))
    assert found.where == (
        f"filesystem {ROOT} in container {reg.name}, volume {reg.volume} at {mountpoint} on "
        "this host"
    )
    moved = vanishing(fs(ROOT), fs(SOMEWHERE_ELSE), V2_8, timeout=10, container=tui)
    assert moved is not None and moved.warning, moved
    assert f"holds 3 repositories and {reg.blobs} blobs" in moved.message
    assert "holds an unknown number" in moved.message
    assert f"({SOMEWHERE_ELSE}/docker/registry/v2) is inside the container {reg.name}" in (
        moved.message
    )


@pytest.mark.parametrize(
    ("engine", "docker_host"),
    [
        ("http+docker://ssh", "ssh://admin@registry-host.example"),  # a DockerTarget over ssh
        ("", "tcp://10.0.0.7:2376"),
    ],
)
def test_volume_on_a_remote_engine_is_never_read_here(
    registries: dict[str, Registry],
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    docker_host: str,
) -> None:
    """The volume's folder is readable here (same machine in the test), yet an engine reached
    over ssh or tcp keeps its paths on its own host: not counted, with the volume named."""
    reg = registries["volume"]
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    container = RegistryContainer.from_inspect(reg.container.attrs, engine)
    found = count_registry_data(fs(ROOT), V2_8, timeout=5, container=container)
    assert not found.counted and found.repositories == 0, found
    assert (
        f"the registry's data is in its container's volume {reg.volume} on another host "
        f"({docker_host})" in found.detail
    )
    moved = vanishing(fs(ROOT), fs(SOMEWHERE_ELSE), V2_8, timeout=5, container=container)
    assert moved is not None and moved.warning
    assert moved.message.startswith(
        f"could not count what the current backend (filesystem {ROOT} in container "
        f"{reg.name}) holds (the registry's data is in its container's volume {reg.volume} "
        f"on another host ({docker_host})"
    )
    assert VANISH_FREE not in moved.message


def test_data_inside_the_container_is_not_counted(
    registries: dict[str, Registry], dockerd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No mount covers the root: the images are in the container's writable layer."""
    reg = registries["none"]
    assert not [m for m in reg.container.attrs["Mounts"] if ROOT.startswith(m["Destination"] + "/")]
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    target = find_target(dockerd.client(), reg.name)
    found = count_registry_data(fs(ROOT), V2_8, timeout=10, container=target)
    assert not found.counted, found
    assert (
        f"the registry's data ({ROOT}/docker/registry/v2) is inside the container {reg.name}, "
        "not mounted from the host" in found.detail
    )
    moved = vanishing(fs(ROOT), StorageDraft("inmemory", {}), V2_8, timeout=10, container=target)
    assert moved is not None and moved.warning
    assert moved.message.startswith("could not count what the current backend")
    assert "inside the container" in moved.message and VANISH_FREE not in moved.message


def test_bind_source_missing_on_this_host_is_not_empty(
    dockerd: Any, registry_image: str, tmp_path: Path
) -> None:
    """A bind mount whose source is not on this host (the engine sees another filesystem):
    the old code found nothing there and said so; now it is not counted."""
    client = dockerd.client()
    source = tmp_path / "elsewhere"
    source.mkdir()
    container = client.containers.create(
        registry_image,
        name=f"inv-{uuid.uuid4().hex[:8]}",
        network_mode="host",
        volumes={
            str(source): {"bind": ROOT, "mode": "rw"},
            str(tmp_path): {"bind": CONTAINER_CONFIG_DIR, "mode": "rw"},
        },
        labels={TEST_LABEL: "true"},
    )
    try:
        source.rmdir()
        found = count_registry_data(
            fs(ROOT), V2_8, timeout=5, container=RegistryContainer.from_inspect(container.attrs)
        )
        assert not found.counted, found
        assert f"the registry's data is in {source} (mounted at {ROOT} in container" in (
            found.detail
        )
        assert "which is not on this host" in found.detail
    finally:
        container.remove(force=True)


def test_engine_that_does_not_answer_is_not_counted(
    registries: dict[str, Registry], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mounts cannot be asked for: not counted, naming the container."""
    reg = registries["bind"]
    target = target_from_inspect(reg.container.attrs)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    moved = vanishing(fs(ROOT), fs(SOMEWHERE_ELSE), V2_8, timeout=5, container=target)
    assert moved is not None and moved.warning
    assert f"could not ask the Docker engine which mounts container {reg.name} has" in (
        moved.message
    )
    assert VANISH_FREE not in moved.message


def test_plan_inventory_counts_through_the_named_container_s_mounts(
    registries: dict[str, Registry], dockerd: Any
) -> None:
    """The command an admin runs before a switch: `plan --inventory --container` counts the
    bind-mounted data, where it used to read the container's path on the host: "nothing"."""
    import os
    import subprocess
    import sys

    reg = registries["bind"]
    config_dir = next(
        m["Source"]
        for m in reg.container.attrs["Mounts"]
        if m["Destination"] == CONTAINER_CONFIG_DIR
    )
    result = subprocess.run(
        [sys.executable, "-m", "dtr_tui", "plan", "--config", f"{config_dir}/config.yml",
         "--container", reg.name, "--inventory", "10", "--driver", "inmemory"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "DOCKER_HOST": dockerd.base_url},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # a change, planned
    assert (
        f"warning: the current backend (filesystem {ROOT} in container {reg.name}, "
        f"{reg.host_dir} on this host) holds 2 repositories and {reg.blobs} blobs"
    ) in result.stderr, result.stderr
    assert VANISH_FREE not in result.stderr
