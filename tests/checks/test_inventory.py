"""Counting what a backend holds, on data a real registry pushed (filesystem, moto S3, Swift).

Azure has no registry driver here: its test uploads into Azurite the very files a real
registry wrote on a filesystem, under the same keys the azure driver uses.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8, V3_0
from dtr_tui.services.checks.inventory import (
    LAYOUT,
    count_registry_data,
    same_location,
    vanishing,
)
from tests.support.azurite import Azurite
from tests.support.moto import MotoServer
from tests.support.push import push_test_image
from tests.support.swift import SwiftAIO

REPOS = ("alpha", "team/app", "team/app/debug")  # a repository inside another one's folder


def push_all(registry: Any, repos: tuple[str, ...] = REPOS) -> set[str]:
    """Push one image per repository; return the digests of every blob pushed (the registry
    keeps manifests as blobs too)."""
    blobs: set[str] = set()
    for repo in repos:
        pushed = push_test_image(registry.url, repo=repo)
        blobs |= {pushed[k] for k in ("config_digest", "layer_digest", "manifest_digest")}
    return blobs


@pytest.fixture(scope="module")
def filled_root(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A filesystem root a real registry pushed REPOS into; (root, number of blobs)."""
    from tests.fixtures_servers import RegistryFactory

    root = tmp_path_factory.mktemp("filled") / "registry"
    factory = RegistryFactory(tmp_path_factory.mktemp("inventory-registries"))
    try:
        registry = factory.from_storage({"filesystem": {"rootdirectory": str(root)}})
        blobs = push_all(registry)
    finally:
        factory.stop_all()
    return root, len(blobs)


def fs(root: Path | str) -> StorageDraft:
    return StorageDraft("filesystem", {"rootdirectory": str(root)})


def test_filesystem_counts_what_a_registry_pushed(filled_root: tuple[Path, int]) -> None:
    root, blobs = filled_root
    found = count_registry_data(fs(root), V2_8, timeout=5)
    assert (found.repositories, found.blobs, found.complete) == (3, blobs, True), found
    assert found.names == tuple(sorted(REPOS))
    assert found.detail.startswith(f"3 repositories and {blobs} blobs")


def test_limit_says_at_least(filled_root: tuple[Path, int]) -> None:
    root, _ = filled_root
    found = count_registry_data(fs(root), V2_8, timeout=5, limit=1)
    assert not found.complete and found.counted
    assert found.repositories >= 1
    assert found.amount.startswith("at least ")
    assert "counting stopped at 1" in found.detail


def test_switch_to_an_empty_root_warns_with_the_counts(
    filled_root: tuple[Path, int], tmp_path: Path
) -> None:
    root, blobs = filled_root
    moved = vanishing(fs(root), fs(tmp_path / "new"), V2_8, timeout=5)
    assert moved is not None and moved.warning
    assert f"holds 3 repositories and {blobs} blobs" in moved.message
    assert "the new one (filesystem " in moved.message
    assert "holds 0: the registry will not see them" in moved.message
    assert moved.new.detail == "does not exist on this host"
    assert vanishing(fs(root), fs(str(root) + "/"), V2_8) is None  # same place


def test_a_copy_that_holds_everything_is_no_warning(
    filled_root: tuple[Path, int], tmp_path: Path
) -> None:
    import shutil

    root, _ = filled_root
    shutil.copytree(root, tmp_path / "copy")
    moved = vanishing(fs(root), fs(tmp_path / "copy"), V2_8, timeout=5)
    assert moved is not None and not moved.warning, moved
    assert "already holds all 3 repositories" in moved.message


def test_empty_current_backend_says_nothing_vanishes(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    moved = vanishing(fs(tmp_path / "old"), fs(tmp_path / "new"), V2_8, timeout=5)
    assert moved is not None and not moved.warning
    assert "nothing vanishes" in moved.message


@pytest.mark.registry
def test_s3_counts_a_real_push_and_warns_on_a_switch(
    moto_auth_server: MotoServer, registry_factory: Any, tmp_path: Path
) -> None:
    bucket = moto_auth_server.create_bucket(f"inv-{uuid.uuid4().hex[:8]}")
    storage = moto_auth_server.registry_storage(bucket, rootdirectory="/reg/root")
    blobs = push_all(registry_factory.from_storage(storage))
    current = StorageDraft("s3", storage["s3"], {"redirect": {"disable": True}})
    found = count_registry_data(current, V2_8, timeout=5)
    assert (found.repositories, found.blobs, found.complete) == (3, len(blobs), True), found
    assert found.names == tuple(sorted(REPOS))
    # Same bucket and root with other keys: the data stays in view.
    rotated = current.with_value(("s3", "secretkey"), "another-secret")
    assert same_location(current, rotated, V2_8)
    other_root = current.with_value(("s3", "rootdirectory"), "/elsewhere")
    moved = vanishing(current, other_root, V2_8, timeout=5)
    assert moved is not None and moved.warning
    assert f"holds 3 repositories and {len(blobs)} blobs" in moved.message
    assert "holds 0: the registry will not see them" in moved.message
    moved = vanishing(current, fs(tmp_path / "empty"), V2_8, timeout=5)
    assert moved is not None and f"s3 bucket {bucket}" in moved.message
    text = json.dumps(moved.to_dict()) + moved.message
    assert moto_auth_server.secret_key not in text


def test_s3_wrong_secret_is_not_counted_and_says_why(moto_auth_server: MotoServer) -> None:
    bucket = moto_auth_server.create_bucket(f"inv-{uuid.uuid4().hex[:8]}")
    secret = "wrong-" + uuid.uuid4().hex
    params = moto_auth_server.registry_storage(bucket, secretkey=secret)["s3"]
    found = count_registry_data(StorageDraft("s3", params), V2_8, timeout=5)
    assert not found.counted
    assert "SignatureDoesNotMatch" in found.detail and secret not in found.detail
    moved = vanishing(StorageDraft("s3", params), fs("/nonexistent-dtr-tui"), V2_8, timeout=5)
    assert moved is not None and moved.warning
    assert moved.message.startswith("could not count what the current backend")


def test_missing_bucket_holds_nothing(moto_auth_server: MotoServer) -> None:
    params = moto_auth_server.registry_storage("no-such-bucket-inv")["s3"]
    found = count_registry_data(StorageDraft("s3", params), V2_8, timeout=5)
    assert found.counted and found.repositories == 0
    assert "does not exist yet" in found.detail


def test_unreachable_current_backend_names_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        params = {"bucket": "b", "region": "us-east-1", "regionendpoint": url,
                  "accesskey": "a", "secretkey": "b"}  # fmt: skip
        found = count_registry_data(StorageDraft("s3", params), V2_8, timeout=1)
    assert not found.counted
    assert "within 1 s" in found.detail, found


@pytest.mark.registry
def test_swift_counts_a_real_push(swift_server: SwiftAIO, registry_factory: Any) -> None:
    name = f"inv-{uuid.uuid4().hex[:8]}"
    swift_server.connection().put_container(name)
    storage = swift_server.registry_storage(name, prefix="/some/prefix")
    blobs = push_all(registry_factory.from_storage(storage), REPOS[:2])
    current = StorageDraft("swift", storage["swift"])
    found = count_registry_data(current, V2_8, timeout=5)
    assert (found.repositories, found.blobs, found.complete) == (2, len(blobs), True), found
    other = current.with_value(("swift", "container"), f"empty-{name}")
    moved = vanishing(current, other, V2_8, timeout=5)
    assert moved is not None and moved.warning
    assert f"holds 2 repositories and {len(blobs)} blobs" in moved.message
    assert "holds 0" in moved.message


def test_azure_counts_a_registry_layout(azurite: Azurite, filled_root: tuple[Path, int]) -> None:
    root, blobs = filled_root
    container = f"inv{uuid.uuid4().hex[:10]}"
    client = azurite.service_client().create_container(container)
    for dirpath, _dirs, files in os.walk(root):
        for file in files:
            path = Path(dirpath) / file
            key = "registry/" + str(path.relative_to(root))
            client.upload_blob(key, path.read_bytes())
    params = {
        "accountname": azurite.account_name,
        "accountkey": azurite.account_key,
        "container": container,
        "serviceurl": azurite.endpoint_url,
        "credentials": {"type": "shared_key"},
        "rootdirectory": "/registry",
    }
    assert any(b.name.startswith(f"registry/{LAYOUT}/") for b in client.list_blobs())
    found = count_registry_data(StorageDraft("azure", params), V3_0, timeout=5)
    assert (found.repositories, found.blobs, found.complete) == (3, blobs, True), found
    assert found.names == tuple(sorted(REPOS))


# -- `dtr-tui check` -----------------------------------------------------------------------


def write_config(path: Path, storage: dict[str, Any]) -> Path:
    from tests.support.registry import registry_config_text

    path.write_text(registry_config_text(storage, 5000))
    return path


def test_check_json_reports_the_data_a_switch_hides(
    filled_root: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dtr_tui.cli.main import main

    root, blobs = filled_root
    config = write_config(tmp_path / "config.yml", {"filesystem": {"rootdirectory": str(root)}})
    new = tmp_path / "new-root"
    argv = ["check", "--config", str(config), "--set", f"filesystem.rootdirectory={new}"]
    assert main([*argv, "--output", "json"]) == 0  # a warning, not a failed check
    doc = json.loads(capsys.readouterr().out)
    move = doc["data_move"]
    assert move["warning"] is True
    assert (move["current"]["repositories"], move["current"]["blobs"]) == (3, blobs)
    assert move["new"]["repositories"] == 0 and move["missing_repositories"] == 3
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "warn  registry data" in out and "the registry will not see them" in out
    assert "fix: copy docker/registry/v2" in out
    # The same root (credentials or options aside): nothing is counted, nothing said.
    assert main(["check", "--config", str(config), "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["data_move"] is None


@pytest.mark.registry
def test_check_from_s3_to_filesystem_counts_the_bucket(
    moto_auth_server: MotoServer,
    registry_factory: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from dtr_tui.cli.main import main

    bucket = moto_auth_server.create_bucket(f"inv-{uuid.uuid4().hex[:8]}")
    storage = moto_auth_server.registry_storage(bucket)
    blobs = push_all(registry_factory.from_storage(storage), REPOS[:1])
    config = write_config(tmp_path / "config.yml", storage)
    argv = ["check", "--config", str(config), "--driver", "filesystem",
            "--set", f"filesystem.rootdirectory={tmp_path / 'fs'}", "--output", "json"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert moto_auth_server.secret_key not in out
    move = json.loads(out)["data_move"]
    assert move["warning"] and move["current"]["where"].startswith(f"s3 bucket {bucket}")
    assert f"holds 1 repository and {len(blobs)} blobs" in move["message"]


# -- `dtr-tui plan/apply --inventory` ----------------------------------------------------------


def test_plan_and_apply_warn_only_with_inventory(
    filled_root: tuple[Path, int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dtr_tui.cli.main import main

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")  # the file alone
    root, blobs = filled_root
    config = write_config(tmp_path / "config.yml", {"filesystem": {"rootdirectory": str(root)}})
    move = ["--config", str(config), "--set", f"filesystem.rootdirectory={tmp_path / 'new'}"]
    assert main(["plan", *move, "--no-container"]) == 1
    assert "registry will not see" not in capsys.readouterr().err  # no network unless asked
    assert main(["plan", *move, "--no-container", "--inventory"]) == 1
    err = capsys.readouterr().err
    assert f"warning: the current backend (filesystem {root}) holds 3 repositories and " in err
    assert "holds 0: the registry will not see them" in err
    assert main(["plan", *move, "--no-container", "--inventory", "3", "--output", "json"]) == 1
    data = json.loads(capsys.readouterr().out)["data_move"]
    assert data["warning"] and data["current"]["blobs"] == blobs
    assert main(["apply", *move, "--inventory", "--yes"]) == 0
    captured = capsys.readouterr()
    assert "warning: the current backend" in captured.err
    assert str(tmp_path / "new") in config.read_text()


# -- where data lives, and the words (no server needed) --------------------------------------


def test_location_follows_the_registry_drivers_paths() -> None:
    s3 = StorageDraft("s3", {"bucket": "b", "region": "eu-west-1", "rootdirectory": "/r/"})
    assert same_location(s3, s3.with_value(("s3", "rootdirectory"), "r"), V2_8)
    assert same_location(s3, s3.with_value(("s3", "accesskey"), "other"), V2_8)
    assert not same_location(s3, s3.with_value(("s3", "bucket"), "c"), V2_8)
    assert not same_location(s3, s3.with_value(("s3", "region"), "us-east-1"), V2_8)
    swift = StorageDraft("swift", {"authurl": "http://h/auth/v1.0", "username": "acct:u",
                                   "password": "p", "container": "c"})  # fmt: skip
    assert same_location(swift, swift.with_value(("swift", "username"), "acct:other"), V2_8)
    assert not same_location(swift, swift.with_value(("swift", "prefix"), "p"), V2_8)
    memory = StorageDraft("inmemory", {})
    assert not same_location(memory, StorageDraft("inmemory", {}), V2_8)


def test_switching_away_from_in_memory_says_it_is_lost_anyway(tmp_path: Path) -> None:
    moved = vanishing(StorageDraft("inmemory", {}), fs(tmp_path), V2_8, timeout=2)
    assert moved is not None and moved.warning
    assert "in-memory" in moved.message and "lost when it restarts" in moved.message
    moved = vanishing(fs(tmp_path), StorageDraft("inmemory", {}), V2_8, timeout=2)
    assert moved is not None and "nothing vanishes" in moved.message  # tmp_path is empty


def test_a_draft_too_broken_to_read_is_not_counted_and_never_raises(tmp_path: Path) -> None:
    broken = StorageDraft("swift", {"authurl": "x", "authversion": "three", "container": "c",
                                    "password": "hunter2-secret"})  # fmt: skip
    found = count_registry_data(broken, V2_8, timeout=1)
    assert not found.counted and "ValueError" in found.detail
    moved = vanishing(broken, fs(tmp_path), V2_8, timeout=1)
    assert moved is not None and moved.message.startswith("could not count")
    assert "hunter2-secret" not in moved.message + json.dumps(moved.to_dict())
