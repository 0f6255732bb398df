"""apply with a DOCKER_HOST that cannot be used or reached says the REGISTRY_* environment was
not checked, as plan does; a DOCKER_HOST with an unknown scheme is named with the reason."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

CONFIG = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"


def run(*args: str, docker_host: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dtr_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DOCKER_HOST": docker_host},
        timeout=90,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: refused


def test_apply_notes_an_unreachable_engine(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    host = f"tcp://127.0.0.1:{_closed_port()}"
    result = run("--config", str(config), "apply", "--set", "filesystem.rootdirectory=/w",
                 "--yes", docker_host=host)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (
        f"note: the container environment was not checked: cannot reach the Docker engine "
        f"at {host}: connection refused" in result.stderr
    )
    assert "rootdirectory: /w" in config.read_text()


def test_an_unusable_docker_host_is_named_with_its_reason(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    args = ("--config", str(config))
    planned = run(*args, "plan", "--set", "filesystem.rootdirectory=/w", docker_host="bogus://x")
    assert planned.returncode == 1, planned.stderr
    expected = "DOCKER_HOST=bogus://x is not usable: Invalid bind address protocol"
    assert expected in planned.stderr and "DockerException" not in planned.stderr
    applied = run(*args, "apply", "--set", "filesystem.rootdirectory=/w", "--yes",
                  docker_host="bogus://x")  # fmt: skip
    assert applied.returncode == 0 and expected in applied.stderr
    restart = run(*args, "apply", "--restart", "--set", "filesystem.rootdirectory=/v", "--yes",
                  docker_host="bogus://x")  # fmt: skip
    assert restart.returncode == 2 and expected in restart.stderr
    assert "unix:///PATH, tcp://HOST:PORT or ssh://[USER@]HOST" in restart.stderr
    assert "rootdirectory: /w" in config.read_text()  # the refused apply wrote nothing


def test_a_server_that_is_not_an_engine_is_named_with_what_it_answered(tmp_path: Path) -> None:
    """A DOCKER_HOST pointing at a web server (a wrong port): the SDK's own reason, not only
    its class name ('DockerException'), and not the HTML page it got."""
    import http.server
    import threading

    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = tmp_path / "c.yml"
        config.write_text(CONFIG)
        host = f"tcp://127.0.0.1:{server.server_address[1]}"
        result = run("--config", str(config), "plan", "--container", "reg", docker_host=host)
    finally:
        server.shutdown()
    assert result.returncode == 2
    assert f"cannot reach the Docker engine at {host}: Error while fetching server API" in (
        result.stderr
    ), result.stderr
    assert "404" in result.stderr and "<!DOCTYPE" not in result.stderr
