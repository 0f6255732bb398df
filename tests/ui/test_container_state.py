"""The header follows the registry container's state while the app runs: stopped, started,
restarted and removed with the Docker SDK behind the app's back (real dockerd, real registry
image), and an engine that goes away altogether, which the header says without a traceback
or a pile of notifications. The app's own Save & restart is not reported as news
(test_docker_save checks the header still says "(running)" after it)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app
from dtr_tui.ui.container import ENGINE_AWAY, find_containers
from dtr_tui.ui.widgets.status_header import POLL_SECONDS
from tests.support.dockerd import Dockerd, build_registry_image

from . import test_docker_save
from .test_checks import wait_until
from .test_docker_save import Registry, only
from .test_flows import ready
from .test_save_outcome_reach import screen_lines

SIZE = (130, 30)
WITHIN = POLL_SECONDS * 2 + 5  # two polls and the engine's own time to stop a container

engine = test_docker_save.engine  # the shared dockerd's registry containers, removed after


def header(app: Any) -> str:
    """The header's two rows as the terminal shows them."""
    return "\n".join(screen_lines(app)[:2])


async def test_a_container_stopped_and_started_outside_the_app_shows_in_the_header(
    engine: Any, tmp_path: Path
) -> None:
    reg = engine(tmp_path)
    app = make_app(ConfigDocument.load(reg.config), V2_8, target=only(reg.name))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert f"container {reg.name} (running)" in header(app)

        reg.container.stop(timeout=2)  # behind the app's back
        await wait_until(pilot, lambda: f"{reg.name} (exited)" in header(app), seconds=WITHIN)

        reg.container.start()
        again = f"{reg.name} (running, restarted "
        await wait_until(pilot, lambda: again in header(app), seconds=WITHIN)
        assert "outside dtr-tui" in header(app)

        reg.container.remove(force=True)
        await wait_until(pilot, lambda: f"{reg.name} (removed)" in header(app), seconds=WITHIN)
        assert not list(app._notifications)


async def test_a_restart_outside_the_app_shows_in_the_header(engine: Any, tmp_path: Path) -> None:
    reg = engine(tmp_path)
    container = only(reg.name)
    app = make_app(ConfigDocument.load(reg.config), V2_8, target=container)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert f"container {reg.name} (running)" in header(app)
        reg.container.restart(timeout=2)  # quicker than a poll: only its start time tells
        reg.container.reload()
        at = str(reg.container.attrs["State"]["StartedAt"])[11:19]
        told = f"{reg.name} (running, restarted {at} UTC outside dtr-tui)"
        await wait_until(pilot, lambda: told in header(app), seconds=WITHIN)


@pytest.fixture
def own_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A private dockerd of this test alone, so it can be stopped under the app."""
    engine = Dockerd().start()
    try:
        build_registry_image(engine.client())
        monkeypatch.setenv("DOCKER_HOST", engine.base_url)
        yield engine
    finally:
        engine.stop()


async def test_an_engine_that_goes_away_is_said_in_the_header(
    own_engine: Dockerd, tmp_path: Path
) -> None:
    reg = Registry(own_engine.client(), tmp_path)
    found = find_containers(reg.name)
    assert len(found.targets) == 1, found
    app = make_app(ConfigDocument.load(reg.config), V2_8, target=found.targets[0])
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert f"container {reg.name} (running)" in header(app)

        with contextlib.suppress(Exception):
            reg.container.kill()  # quicker than a stop; the engine goes next
        own_engine.stop()
        expected = f"{reg.name} ({ENGINE_AWAY})"
        await wait_until(pilot, lambda: expected in header(app), seconds=WITHIN)

        # it keeps asking, quietly: the next polls change nothing on screen and notify nobody
        await pilot.pause(POLL_SECONDS * 2 + 1)
        assert expected in header(app)
        assert not list(app._notifications)
        assert app.is_running and app.return_code is None


HUNG_ENGINE_APP = """
import sys
from pathlib import Path
from types import SimpleNamespace
import docker
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui import app as app_module
from dtr_tui.ui.container import ContainerTarget
from dtr_tui.ui.widgets import status_header

client = docker.DockerClient(base_url=sys.argv[2], version="1.41", timeout=30)
target = SimpleNamespace(
    name="registry", container_id="0123", config_on_host=None, env={}, version=None,
    label="container registry",
)
container = ContainerTarget(target=target, client=client, state="running")
app = app_module.make_app(ConfigDocument.load(Path(sys.argv[1])), V2_8, target=container)

def quit_once_asking():
    header = app.screen.query_one(status_header.StatusHeader)
    header._poll_container()  # the poll the 5 s timer would start
    print("asking" if header._asking else "not asking", flush=True)
    app.set_timer(0.5, app.exit)

app.call_later(quit_once_asking)
app.run(headless=True)
print("exited", flush=True)
"""

HUNG_ENGINE_AT_START = """
import sys, threading
from pathlib import Path
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app

app = make_app(ConfigDocument.load(Path(sys.argv[1])), V2_8, target="file (looking…)")
app.discover = True  # as run_app does: the engine (DOCKER_HOST) is asked after the first frame

def quit_while_asking():
    asking = any("registry container" in t.name for t in threading.enumerate())
    print("asking" if asking else "not asking", flush=True)
    app.exit()

app.call_later(lambda: app.set_timer(1.0, quit_while_asking))
app.run(headless=True)
print("exited", flush=True)
"""


def quits_while_the_engine_hangs(script: str, config_file: Path) -> None:
    """Run `script` against an engine that accepts and never answers (its client waits 30 s):
    it must have been asking that engine, and still quit at once, without a traceback."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        engine = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        began = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", script, str(config_file), engine],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ, DOCKER_HOST=engine),
        )
        took = time.monotonic() - began
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout.split() == ["asking", "exited"]
    assert took < 20, f"the exit waited {took:.0f} s for the engine's 30 s timeout"


def test_quitting_does_not_wait_for_a_hung_engine(config_file: Path) -> None:
    """A state poll stuck on a hung engine does not hold the app's exit: the poll runs on a
    thread nobody joins (a Textual thread worker is joined at exit)."""
    quits_while_the_engine_hangs(HUNG_ENGINE_APP, config_file)


def test_quitting_does_not_wait_for_a_hung_engine_at_start(config_file: Path) -> None:
    """The same for the search for the registry container right after the first frame."""
    quits_while_the_engine_hangs(HUNG_ENGINE_AT_START, config_file)
