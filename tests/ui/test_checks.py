"""ctrl+t Test connection on the screen, against a real S3 (moto in auth mode): results stream
into the panel while the keys still edit the form, escape stops a run, and a backend switch
says how much data the registry would stop seeing."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks import run_checks
from dtr_tui.ui.app import make_app
from dtr_tui.ui.check_panel import CheckPanel
from dtr_tui.ui.deps import Deps
from dtr_tui.ui.screens.main import MainScreen
from dtr_tui.ui.screens.upload import UploadDialog
from tests.support.moto import MotoServer

from .test_flows import ready, settle, type_into, wait_for_screen

SIZE = (110, 40)


def filesystem_with_a_repository(tmp_path: Path) -> Path:
    """A config whose filesystem backend holds one repository and one blob."""
    root = tmp_path / "data"
    v2 = root / "docker/registry/v2"
    (v2 / "repositories/team/app/_manifests/tags").mkdir(parents=True)
    blob = v2 / "blobs/sha256/ab" / ("ab" + "0" * 62)
    blob.mkdir(parents=True)
    (blob / "data").write_bytes(b"layer")
    config = tmp_path / "config.yml"
    config.write_text(
        f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {root}\nhttp:\n  addr: :5000\n"
    )
    return config


async def upload(pilot: Pilot[int], path: Path) -> None:
    await pilot.press("ctrl+o")
    await wait_for_screen(pilot, UploadDialog)
    await pilot.press(*str(path), "enter")
    await wait_for_screen(pilot, MainScreen)
    await settle(pilot)


def s3_upload(tmp_path: Path, storage: dict[str, Any]) -> Path:
    path = tmp_path / f"storage-{uuid.uuid4().hex[:6]}.yml"
    path.write_text("storage: " + json.dumps(storage) + "\n")
    return path


async def wait_until(pilot: Pilot[int], condition: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.02)


def panel_text(main: MainScreen) -> str:
    return main.query_one(CheckPanel).plain()


async def test_results_stream_in_while_keys_still_edit(
    moto_auth_server: MotoServer, tmp_path: Path
) -> None:
    bucket = moto_auth_server.create_bucket(f"ui-{uuid.uuid4().hex[:8]}")
    config = filesystem_with_a_repository(tmp_path)
    # the real runner against the real server; the test holds the worker after the first
    # result, so it can prove the screen takes keys while the checks are still going
    go = threading.Event()
    arrived: list[float] = []

    def held_runner(draft: Any, version: Any, **kwargs: Any) -> Any:
        on_result = kwargs.pop("on_result")

        def stream(result: Any) -> None:
            arrived.append(time.monotonic())
            on_result(result)
            if len(arrived) == 1:
                go.wait(20)

        return run_checks(draft, version, on_result=stream, **kwargs)

    app = make_app(ConfigDocument.load(config), V2_8, deps=Deps(run_checks=held_runner))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await upload(pilot, s3_upload(tmp_path, moto_auth_server.registry_storage(bucket)))
        assert main.session.draft.driver == "s3"
        await pilot.press("ctrl+t")
        panel = main.query_one(CheckPanel)
        await wait_until(pilot, lambda: panel.updates >= 1)
        # one result in, the rest still running: the worker is busy, the keys edit a field
        assert panel.running and len(panel.results) == 1 < len(panel.names) == 10
        assert "… wait" in panel_text(main)
        worker = next(w for w in app.workers if w.group == "checks")
        assert worker.is_running
        await type_into(pilot, "#f-s3--rootdirectory Input", "/typed")
        assert main.query_one("#f-s3--rootdirectory Input", Input).value == "/typed"
        assert main.session.draft.params["rootdirectory"] == "/typed"
        assert panel.running and len(panel.results) == 1
        go.set()
        await wait_until(pilot, lambda: not panel.running)
        await settle(pilot)
        assert len(panel.results) == 10
        assert panel.updates == 10 and arrived == sorted(arrived)
        statuses = {r.name: str(r.status) for r in panel.results.values()}
        assert all(s in ("pass", "skipped") for s in statuses.values()), statuses
        text = panel_text(main)
        assert "✓ pass" in text and "credentials" in text and "10 passed" not in text
        # the switch hides the filesystem's repository: said, with a fix
        assert panel.move is not None and panel.move.warning
        assert "1 repository" in text and "fix: copy docker/registry/v2" in text
        assert moto_auth_server.secret_key not in text
        assert "Stop test" not in str(app.screen.active_bindings)


async def test_escape_stops_a_run_against_an_endpoint_that_never_answers(
    tmp_path: Path,
) -> None:
    silent = socket.socket()  # listens, never accepts: connections hang until the timeout
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    config = tmp_path / "config.yml"
    config.write_text(
        "version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    bucket: nobody\n"
        "    accesskey: AKIAEXAMPLE\n    secretkey: not-a-real-secret-value\n"
        f"    regionendpoint: http://127.0.0.1:{silent.getsockname()[1]}\n"
    )
    app = make_app(ConfigDocument.load(config), V2_8)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("ctrl+t")
        panel = main.query_one(CheckPanel)
        await wait_until(pilot, lambda: bool(panel.names))
        assert panel.running
        assert "cancel_checks" in {b.binding.action for b in app.screen.active_bindings.values()}
        began = time.monotonic()
        await pilot.press("escape")
        await wait_until(pilot, lambda: not panel.running, seconds=3)
        assert time.monotonic() - began < 1.5  # not the 5 s timeout
        assert "stopped (escape)" in str(panel.headline())
        assert any("cancelled" in r.detail for r in panel.results.values())
        assert "not-a-real-secret-value" not in panel_text(main)
        assert isinstance(app.screen, MainScreen) and app.is_running
    silent.close()


@pytest.mark.parametrize("driver", ["filesystem"])
async def test_filesystem_checks_of_a_temp_dir(tmp_path: Path, driver: str) -> None:
    root = tmp_path / "fresh"
    config = tmp_path / "config.yml"
    config.write_text(f"version: 0.1\nstorage:\n  {driver}:\n    rootdirectory: {root}\n")
    app = make_app(ConfigDocument.load(config), V2_8)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("ctrl+t")
        panel = main.query_one(CheckPanel)
        await wait_until(pilot, lambda: bool(panel.names) and not panel.running)
        assert panel.results and all(str(r.status) != "fail" for r in panel.results.values())
        assert panel.move is None  # the draft is what the file says: nothing moves


# -- the picture of the panel: a deterministic runner injected through Deps (no network, fixed
# times), so the snapshot shows every status word and a data-move warning, always the same.

FIXED_RESULTS = [
    ("credentials", "pass", 0.12, "the draft's access key (AKIA…MPLE)", ""),
    ("bucket exists", "pass", 0.08, "registry-images", ""),
    (
        "bucket region",
        "fail",
        0.09,
        "the bucket is in eu-west-1, not us-east-1",
        "set region: eu-west-1",
    ),
    ("multipart upload", "skipped", 0.0, 'not checked: "bucket region" did not pass', ""),
    ("clock skew", "warn", 0.10, "this host is 6 min behind S3", "sync the clock (chrony, ntp)"),
]


def fixed_deps() -> Deps:
    from dtr_tui.services.checks import CheckResult, Status
    from dtr_tui.services.checks.inventory import Inventory, compare

    results = [CheckResult(n, Status(s), t, d, f) for n, s, t, d, f in FIXED_RESULTS]

    def runner(draft: Any, version: Any, *, on_result: Any, **_: Any) -> Any:
        for result in results:
            on_result(result)
        return results

    move = compare(
        Inventory(3, 12, "", where="/var/lib/registry", names=("a", "b", "c"), seconds=0.02),
        Inventory(0, 0, "", where="s3://registry-images/", seconds=0.05),
    )
    return Deps(
        run_checks=runner,
        check_names=lambda draft, version: [r.name for r in results],
        moves_data=lambda current, new, version: True,
        data_move=lambda current, new, version, **_: move,
    )


async def checks_shown(pilot: Pilot[int]) -> None:
    from .test_flows import fill_s3

    await ready(pilot)
    await fill_s3(pilot)
    await pilot.press("ctrl+t")
    panel = pilot.app.screen.query_one(CheckPanel)
    await wait_until(pilot, lambda: not panel.running and panel.move is not None)
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_result_panel_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    from .conftest import FILESYSTEM_CONFIG

    doc = ConfigDocument.parse(FILESYSTEM_CONFIG, "/etc/docker/registry/config.yml")
    app = make_app(doc, V2_8, deps=fixed_deps())
    assert snap_compare(app, terminal_size=size, run_before=checks_shown)
