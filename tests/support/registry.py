"""Run Debian's distribution registry (2.8) as a host process for a given config file.

Tests prove that a storage section really works by starting the real registry on it, so this
module builds minimal valid configs, starts ``docker-registry serve CONFIG`` on a free loopback
port, waits for ``GET /v2/`` and keeps the registry's log for failure messages. ``AWS_CA_BUNDLE``
is removed from its environment because the registry's S3 driver panics with it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from ruamel.yaml import YAML

from .ports import LOOPBACK, free_port, wait_for_http
from .procs import ManagedProcess, ServerStartError, clean_env

REGISTRY_BIN = "/usr/bin/docker-registry"


def registry_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a registry process: no AWS_CA_BUNDLE, no stray REGISTRY_* overrides."""
    return clean_env(extra, drop_prefixes=("REGISTRY_",))


def storage_block(storage: str | Mapping[str, Any]) -> str:
    """A ``storage:`` block from YAML text (with or without the ``storage:`` key) or a mapping."""
    if not isinstance(storage, str):
        # JSON is YAML: no YAML writer needed for a mapping.
        return "storage: " + json.dumps(dict(storage)) + "\n"
    text = storage.strip("\n")
    if text.lstrip().startswith("storage:"):
        return text + "\n"
    return "storage:\n" + "".join(f"  {line}\n" for line in text.splitlines())


def registry_config_text(storage_yaml: str | Mapping[str, Any], port: int, extra: str = "") -> str:
    """A minimal valid registry 2.8 config: the given storage section, HTTP on 127.0.0.1:port.

    ``storage_yaml`` is the storage section either as text (``"inmemory: {}"`` or a full
    ``storage:`` block) or as a mapping (``{"filesystem": {"rootdirectory": "/x"}}``). ``extra``
    is appended verbatim (more top-level sections).
    """
    return (
        "version: 0.1\n"
        "log:\n"
        "  level: info\n"
        "  formatter: text\n"
        "  accesslog:\n"
        "    disabled: true\n"
        + storage_block(storage_yaml)
        + "http:\n"
        + f"  addr: {LOOPBACK}:{port}\n"
        + "  headers:\n"
        + "    X-Content-Type-Options: [nosniff]\n"
        + extra
    )


def storage_file(folder: Path, storage: Mapping[str, Any]) -> str:
    """A new file in ``folder`` holding only a ``storage:`` section, for ``--from``; its path."""
    path = Path(folder) / f"storage-{uuid.uuid4().hex[:6]}.yml"
    path.write_text("storage: " + json.dumps(storage) + "\n")
    return str(path)


def config_port(config_path: Path) -> int | None:
    """The port of ``http.addr`` in a registry config file, or None when it has none."""
    data = YAML(typ="safe").load(config_path.read_text())
    addr = ((data or {}).get("http") or {}).get("addr")
    if not addr or ":" not in str(addr):
        return None
    return int(str(addr).rsplit(":", 1)[1])


class RegistryProcess:
    """``docker-registry serve CONFIG`` on 127.0.0.1, as a context manager.

    The port comes from ``port``, else from the config's ``http.addr``; a config without one gets
    a free port through ``REGISTRY_HTTP_ADDR``. ``url`` is ``http://127.0.0.1:PORT``.
    """

    def __init__(
        self,
        config_path: str | Path,
        port: int | None = None,
        *,
        log_path: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        binary: str = REGISTRY_BIN,
    ) -> None:
        self.config_path = Path(config_path)
        extra = dict(env or {})
        found = config_port(self.config_path)
        if port is None:
            port = found
        if port is None or (found is not None and found != port):
            port = port or free_port()
            extra["REGISTRY_HTTP_ADDR"] = f"{LOOPBACK}:{port}"
        self.port = port
        self.url = f"http://{LOOPBACK}:{port}"
        if log_path is None:
            log_dir = Path(tempfile.mkdtemp(prefix="registry-log-"))
            log_path = log_dir / "registry.log"
        self.log_path = Path(log_path)
        self._proc = ManagedProcess(
            f"registry ({self.config_path})",
            [binary, "serve", str(self.config_path)],
            self.log_path,
            env=registry_env(extra),
        )
        self.start_seconds: float | None = None

    @classmethod
    def from_storage(
        cls,
        storage_yaml: str | Mapping[str, Any],
        workdir: str | Path,
        *,
        extra: str = "",
        **kwargs: Any,
    ) -> RegistryProcess:
        """Write ``workdir/config.yml`` around a storage section (free port); not started yet."""
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        config = workdir / "config.yml"
        config.write_text(registry_config_text(storage_yaml, port, extra))
        kwargs.setdefault("log_path", workdir / "registry.log")
        return cls(config, port, **kwargs)

    def start(self, timeout: float = 20.0) -> RegistryProcess:
        """Start and wait until ``GET /v2/`` answers 200 (or 401 with auth); raise with the log."""
        began = time.monotonic()
        proc = self._proc.start()
        try:
            wait_for_http(self.url + "/v2/", timeout, (200, 401), proc=proc)
        except (RuntimeError, TimeoutError) as err:
            self._proc.stop()
            raise self._proc.start_error(err) from None
        self.start_seconds = time.monotonic() - began
        return self

    def alive(self) -> bool:
        return self._proc.alive()

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    def log_text(self) -> str:
        return self._proc.log_text()

    def stop(self) -> int | None:
        return self._proc.stop()

    def __enter__(self) -> RegistryProcess:
        if not self.alive():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_registry_expecting_failure(
    config_path: str | Path,
    timeout: float = 10.0,
    *,
    env: Mapping[str, str] | None = None,
    binary: str = REGISTRY_BIN,
) -> tuple[int, str]:
    """Run the registry on a config it should refuse; return (exit code, stdout+stderr).

    Raises AssertionError if it is still running after ``timeout`` seconds (it accepted the
    config, or hangs as it does on an unreachable azure endpoint).
    """
    argv = [binary, "serve", str(config_path)]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=registry_env(env),
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        managed = ManagedProcess("registry", argv, Path("/dev/null"))
        managed.proc = proc
        managed.stop()
        out, _ = proc.communicate()
        raise AssertionError(
            f"registry did not exit within {timeout}s on {config_path}; output:\n"
            + out.decode(errors="replace")[-4000:]
        ) from None
    return proc.returncode, out.decode(errors="replace")


__all__ = [
    "REGISTRY_BIN",
    "RegistryProcess",
    "ServerStartError",
    "config_port",
    "registry_config_text",
    "registry_env",
    "run_registry_expecting_failure",
    "storage_block",
    "storage_file",
]
