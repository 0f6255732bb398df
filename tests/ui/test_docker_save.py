"""Save & restart from the screen against a real dockerd and the real registry image: the app
finds the container, switches it filesystem → S3 (moto), restarts it, and a push lands in the
bucket; the whole round filesystem → S3 → Swift → filesystem, each push found in the backend
itself; a broken change is rolled back with the log tail on screen; several containers give a
picker; an engine that is not there leaves the file alone, said in the header."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, OptionList

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app
from dtr_tui.ui.container import find_containers
from dtr_tui.ui.screens.main import MainScreen
from dtr_tui.ui.screens.pick_container import PickContainer
from dtr_tui.ui.screens.save import SaveDialog
from dtr_tui.ui.widgets.status_header import StatusHeader
from tests.support.dockerd import run_registry_container
from tests.support.ports import free_port
from tests.support.push import blob_data_path, push_test_image
from tests.support.registry import registry_config_text

from .test_checks import s3_upload, upload, wait_until
from .test_flows import ready, settle, wait_for_screen

SIZE = (110, 40)
DATA_INSIDE = "/var/lib/registry"


class Registry:
    def __init__(self, client: Any, root: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.name = f"ui-reg-{uuid.uuid4().hex[:8]}"
        self.config_dir = root / self.name / "etc"
        self.data_dir = root / self.name / "data"
        self.config_dir.mkdir(parents=True)
        self.data_dir.mkdir()
        self.config = self.config_dir / "config.yml"
        self.config.write_text(
            registry_config_text({"filesystem": {"rootdirectory": DATA_INSIDE}}, self.port)
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.container = run_registry_container(
            client,
            self.config_dir,
            name=self.name,
            volumes={str(self.data_dir): {"bind": DATA_INSIDE, "mode": "rw"}},
        )


@pytest.fixture
def engine(dockerd: Any, registry_image: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    client = dockerd.client()
    started: list[Registry] = []

    def start(root: Path) -> Registry:
        reg = Registry(client, root)
        started.append(reg)
        return reg

    yield start
    for reg in started:
        with contextlib.suppress(Exception):
            reg.container.remove(force=True)


def only(name: str) -> Any:
    found = find_containers(name)
    assert len(found.targets) == 1, found
    return found.targets[0]


async def save_and_restart(pilot: Any, canary: bool = False) -> SaveDialog:
    await pilot.press("ctrl+s")
    await wait_for_screen(pilot, SaveDialog)
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveDialog)
    if canary:  # the throwaway container first: the production registry is not touched
        dialog.query_one("#canary", Button).press()
        await wait_until(pilot, lambda: dialog.canary_ok is not None, seconds=60)
        await pilot.pause()
        assert dialog.canary_ok, str(dialog.query_one("#save-steps").render())
        assert "canary passed" in str(dialog.query_one("#save-steps").render())
    assert dialog.query_one("#save-restart", Button).has_focus
    await pilot.press("enter")  # Save & restart has the focus
    await wait_until(pilot, lambda: dialog.outcome is not None, seconds=60)
    await pilot.pause()
    return dialog


async def test_switch_to_s3_save_and_restart_then_a_push_lands_in_the_bucket(
    engine: Any, moto_server: Any, tmp_path: Path
) -> None:
    reg = engine(tmp_path)
    bucket = moto_server.create_bucket(f"ui-{uuid.uuid4().hex[:8]}")
    container = only(reg.name)
    app = make_app(ConfigDocument.load(reg.config), V2_8, target=container)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        header = main.query_one(StatusHeader)
        assert f"container {reg.name} (running)" in header.target
        await upload(pilot, s3_upload(tmp_path, moto_server.registry_storage(bucket)))
        assert main.session.draft.driver == "s3"
        steps_seen: list[int] = []
        dialog = await save_and_restart(pilot, canary=True)
        steps_seen.append(len(dialog._steps))
        outcome = dialog.outcome
        assert outcome is not None and outcome.ok and outcome.written, outcome
        shown = str(dialog.query_one("#save-steps").render())
        assert f"restarting container {reg.name}" in shown
        assert "the registry serves again" in shown
        assert "serves on the new config" in outcome.message
        assert moto_server.secret_key not in shown
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not main.session.dirty
        assert "(running)" in header.target
    assert "s3:" in reg.config.read_text()
    pushed = push_test_image(reg.url, "ui/img")
    keys = {
        o["Key"]
        for o in moto_server.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    }
    assert any(k.endswith(blob_data_path(pushed["layer_digest"])) for k in keys)


async def test_broken_change_is_rolled_back_and_the_log_tail_stays_on_screen(
    engine: Any, moto_server: Any, tmp_path: Path
) -> None:
    reg = engine(tmp_path)
    before = reg.config.read_text()
    storage = moto_server.registry_storage("nobucket")
    storage["s3"]["regionendpoint"] = f"http://127.0.0.1:{free_port()}"  # nobody listens
    container = only(reg.name)

    def restart_quick(plan: Any, progress: Any) -> Any:
        from dtr_tui.services.apply import apply_plan

        return apply_plan(
            plan,
            target=container.target,
            client=container.client,
            restart=True,
            progress=progress,
            timeout=8,
        )

    from dtr_tui.ui.deps import Deps

    app = make_app(
        ConfigDocument.load(reg.config), V2_8, target=container, deps=Deps(restart=restart_quick)
    )
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await upload(pilot, s3_upload(tmp_path, storage))
        dialog = await save_and_restart(pilot)
        outcome = dialog.outcome
        assert outcome is not None and not outcome.ok and not outcome.written
        shown = str(dialog.query_one("#save-steps").render())
        assert "✗ the new config failed" in shown
        assert "rolled back: the registry serves again" in shown
        assert "Rolled back" in outcome.message
        log = dialog.query_one("#save-log")
        assert log.display and outcome.log_tail
        assert "last log lines" in str(dialog.query_one("#save-log-text").render())
        assert moto_server.secret_key not in shown + outcome.log_tail
        await pilot.press("escape")
        await settle(pilot)
        assert main.session.dirty  # the draft is kept; the file is the old one
        assert "(running)" in main.query_one(StatusHeader).target
    assert reg.config.read_text() == before


async def test_several_containers_give_a_picker(engine: Any, tmp_path: Path) -> None:
    first, second = engine(tmp_path), engine(tmp_path)
    found = find_containers()
    names = {c.name for c in found.targets}
    assert {first.name, second.name} <= names
    fallback = ConfigDocument.parse("version: 0.1\n", str(tmp_path / "none.yml"))
    app = make_app(fallback, V2_8, choices=found.targets)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickContainer)
        options = app.screen.query_one(OptionList)
        index = next(i for i, c in enumerate(found.targets) if c.name == second.name)
        options.highlighted = index
        await pilot.press("enter")
        main = await ready(pilot)
        assert main.session.source == str(second.config)
        assert f"container {second.name} (running)" in main.query_one(StatusHeader).target


def test_a_host_without_docker_is_said_in_the_header_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No DOCKER_HOST, no local socket, no --container: nothing to explain in a toast."""
    from dtr_tui.services import docker_target

    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr(docker_target, "LOCAL_SOCKET", str(tmp_path / "docker.sock"))
    found = find_containers()
    assert found.note == "file only (no Docker engine on this host)" and not found.detail
    asked = find_containers("registry")  # a container was asked for: the reason is said
    assert "cannot reach the Docker engine" in asked.detail


async def test_no_engine_leaves_the_file_alone_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    found = find_containers()
    assert not found.targets and found.note == "file only (no Docker engine)"
    assert "cannot reach the Docker engine" in found.detail
    config = tmp_path / "config.yml"
    config.write_text("version: 0.1\nstorage:\n  inmemory: {}\n")
    app = make_app(ConfigDocument.load(config), V2_8, target=found.note)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert "file only" in main.query_one(StatusHeader).target
        await pilot.press("ctrl+s")  # nothing changed: no dialog, and never a restart button
        await pilot.pause()
        assert app.container is None and app.deps.restart is None


async def test_environment_findings_show_as_general_problems(
    dockerd: Any, registry_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd.base_url)
    client = dockerd.client()
    port = free_port()
    config_dir = tmp_path / "etc"
    config_dir.mkdir()
    config = config_dir / "config.yml"
    config.write_text(registry_config_text({"inmemory": {}}, port))
    name = f"ui-env-{uuid.uuid4().hex[:8]}"
    container = client.containers.run(
        registry_image,
        name=name,
        detach=True,
        network_mode="host",
        volumes={str(config_dir): {"bind": "/etc/docker/registry", "mode": "rw"}},
        environment={"REGISTRY_STORAGE_INMEMORY_FOO": "x", "REGISTRY_STORAGE_S3_BUCKET": "b"},
    )
    try:
        target = only(name)
        app = make_app(ConfigDocument.load(config), V2_8, target=target)
        async with app.run_test(size=SIZE) as pilot:
            main = await ready(pilot)
            await wait_until(pilot, lambda: main.query("#env-problems").first().display)
            text = str(main.query_one("#env-problems").render())
            assert f"environment of {name}" in text
            assert "REGISTRY_STORAGE_S3_BUCKET" in text
    finally:
        container.remove(force=True)


async def test_the_container_is_found_after_the_first_frame(engine: Any, tmp_path: Path) -> None:
    """As `run_app` builds it: the file first, the engine asked in a worker afterwards."""
    reg = engine(tmp_path)
    elsewhere = tmp_path / "default-config.yml"  # not the container's file, not given
    app = make_app(ConfigDocument.load_or_default(elsewhere), V2_8, target="file (looking…)")
    app.discover, app.container_name = True, reg.name
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.container is not None, seconds=8)
        main = await ready(pilot)
        assert main.session.source == str(reg.config)  # opened on the container's config
        assert f"container {reg.name} (running)" in main.query_one(StatusHeader).target
        assert main.deps.restart is not None


async def switch_by_the_app(pilot: Any, main: MainScreen, tmp_path: Path, storage: Any) -> str:
    """Upload a storage section from the keyboard, Save & restart, back to the main screen;
    returns what the dialog showed."""
    await upload(pilot, s3_upload(tmp_path, storage))
    assert main.session.draft.driver == next(iter(storage))
    dialog = await save_and_restart(pilot)
    outcome = dialog.outcome
    assert outcome is not None and outcome.ok and outcome.written, outcome
    shown = str(dialog.query_one("#save-steps").render())
    assert "the registry serves again" in shown
    assert "serves on the new config" in outcome.message
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen)
    assert not main.session.dirty
    assert "(running)" in main.query_one(StatusHeader).target
    return shown


async def test_switch_filesystem_s3_swift_filesystem_by_the_app(
    engine: Any, moto_server: Any, swift_server: Any, tmp_path: Path
) -> None:
    reg = engine(tmp_path)
    bucket = moto_server.create_bucket(f"ui-{uuid.uuid4().hex[:8]}")
    swift_container = f"ui-{uuid.uuid4().hex[:8]}"
    app = make_app(ConfigDocument.load(reg.config), V2_8, target=only(reg.name))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert f"container {reg.name} (running)" in main.query_one(StatusHeader).target

        shown = await switch_by_the_app(pilot, main, tmp_path, moto_server.registry_storage(bucket))
        assert moto_server.secret_key not in shown
        assert "s3:" in reg.config.read_text()
        pushed = push_test_image(reg.url, "ui-s3/img")
        listed = moto_server.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
        assert any(o["Key"].endswith(blob_data_path(pushed["layer_digest"])) for o in listed)

        shown = await switch_by_the_app(
            pilot, main, tmp_path, swift_server.registry_storage(swift_container)
        )
        assert swift_server.key not in shown
        assert "swift:" in reg.config.read_text()
        pushed = push_test_image(reg.url, "ui-swift/img")
        objects = swift_server.connection().get_container(swift_container)[1]
        assert any(o["name"].endswith(blob_data_path(pushed["layer_digest"])) for o in objects)

        await switch_by_the_app(
            pilot, main, tmp_path, {"filesystem": {"rootdirectory": DATA_INSIDE}}
        )
        text = reg.config.read_text()
        assert "filesystem:" in text and "swift:" not in text and "s3:" not in text
        pushed = push_test_image(reg.url, "ui-fs/img")
        assert (reg.data_dir / blob_data_path(pushed["layer_digest"])).is_file()
