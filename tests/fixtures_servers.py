"""Pytest fixtures that start the real servers the tests need (registered in tests/conftest.py).

Servers are session-scoped (each starts once, on first use) and stopped in finalizers; registries
are per test. A server that cannot start FAILS the tests that need it, with the server's log:
a skip would let a broken setup pass as green.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support.azurite import Azurite
from tests.support.dockerd import REGISTRY_IMAGE, Dockerd, SwarmEngine, build_registry_image
from tests.support.moto import MotoServer
from tests.support.procs import Server
from tests.support.registry import RegistryProcess, registry_config_text
from tests.support.sshd import Sshd
from tests.support.swift import SwiftAIO

T = TypeVar("T")
S = TypeVar("S", bound=Server)

# Seconds each server took to become ready, shown at the end of the run.
START_TIMES: dict[str, float] = {}


def _start(name: str, start: Callable[[], T]) -> T:
    began = time.monotonic()
    try:
        server = start()
    except Exception as err:  # any failure to start must fail the test, never skip it
        failure = f"{name} could not start:\n{type(err).__name__}: {err}"
    else:
        START_TIMES[name] = time.monotonic() - began
        return server
    pytest.fail(failure, pytrace=False)


def _serve(name: str, server: S) -> Iterator[S]:
    """The body of a server fixture: yield ``server`` started (or fail), stop it afterwards."""
    try:
        yield _start(name, server.start)
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if START_TIMES:
        terminalreporter.write_sep("-", "test server start times")
        for name, seconds in START_TIMES.items():
            terminalreporter.write_line(f"{name:<24} {seconds:6.2f} s")


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """S3 (moto) accepting any credentials: ``endpoint_url``, ``client()``, ``create_bucket()``."""
    yield from _serve("moto_server", MotoServer(tmp_path_factory.mktemp("moto")))


@pytest.fixture(scope="session")
def moto_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """S3 (moto) enforcing IAM auth; ``access_key``/``secret_key`` are an admin user's keys."""
    yield from _serve(
        "moto_auth_server", MotoServer(tmp_path_factory.mktemp("moto-auth"), auth=True)
    )


@pytest.fixture(scope="session")
def moto_https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """S3 (moto, any credentials) over HTTPS; ``ca_path`` is the PEM of its throwaway CA."""
    yield from _serve(
        "moto_https_server", MotoServer(tmp_path_factory.mktemp("moto-https"), https=True)
    )


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """Azurite blob over HTTP: ``endpoint_url``, ``account_name``, ``account_key``."""
    yield from _serve("azurite", Azurite(tmp_path_factory.mktemp("azurite")))


@pytest.fixture(scope="session")
def azurite_https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """Azurite blob over HTTPS with a throwaway CA: also ``ca_path`` (PEM of that CA)."""
    yield from _serve(
        "azurite_https", Azurite(tmp_path_factory.mktemp("azurite-https"), https=True)
    )


@pytest.fixture(scope="session")
def swift_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwiftAIO]:
    """Swift all-in-one, tempauth ``test:tester``/``testing`` at ``auth_url`` (v1.0)."""
    yield from _serve("swift_server", SwiftAIO(tmp_path_factory.mktemp("swift")))


@pytest.fixture(scope="session")
def dockerd() -> Iterator[Dockerd]:
    """A private Docker engine: ``base_url`` (unix://...), ``env`` (DOCKER_HOST), ``client()``."""
    yield from _serve("dockerd", Dockerd())


@pytest.fixture(scope="session")
def sshd(dockerd: Dockerd) -> Iterator[Sshd]:
    """A private sshd whose logins reach ``dockerd``: ``url`` (ssh://root@127.0.0.1:PORT) and
    ``env(key)`` (DOCKER_HOST, a private agent's SSH_AUTH_SOCK, PATH with an ``ssh`` wrapper
    that keeps root's ~/.ssh out of it); key ``"wrong"`` is not authorized."""
    yield from _serve("sshd", Sshd(dockerd.base_url))


@pytest.fixture(scope="session")
def swarm() -> Iterator[SwarmEngine]:
    """A second private engine, a single-node Swarm manager with the registry image built."""
    yield from _serve("swarm", SwarmEngine())


@pytest.fixture(scope="session")
def registry_image(dockerd: Dockerd) -> str:
    """The tag of a FROM-scratch registry 2.8 image in ``dockerd`` (built once)."""
    return _start("registry_image (build)", lambda: build_registry_image(dockerd.client()))


class RegistryFactory:
    """Starts host-process registries for one test and stops them all at its end.

    ``factory(config)``: ``config`` is config *text* (str) or the *path* of a config file
    (Path); the port is the config's ``http.addr`` or, if it has none, a free one.
    ``factory.from_storage(storage)``: a minimal config around a storage section (YAML text or
    mapping) on a free port. Both return a started ``RegistryProcess`` (``.url``, ``.port``,
    ``.config_path``, ``.log_text()``, ``.stop()``) or raise with the registry's log.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: list[RegistryProcess] = []

    def _slot(self) -> Path:
        slot = self.workdir / f"registry-{len(self.started) + 1}"
        slot.mkdir(parents=True, exist_ok=True)
        return slot

    def __call__(
        self,
        config: str | Path,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 20.0,
    ) -> RegistryProcess:
        slot = self._slot()
        if isinstance(config, Path):
            path = config
        else:
            path = slot / "config.yml"
            path.write_text(config)
        registry = RegistryProcess(path, port, log_path=slot / "registry.log", env=env)
        return self._start(registry, timeout)

    def from_storage(
        self,
        storage: str | Mapping[str, Any],
        *,
        extra: str = "",
        env: Mapping[str, str] | None = None,
        timeout: float = 20.0,
    ) -> RegistryProcess:
        registry = RegistryProcess.from_storage(storage, self._slot(), extra=extra, env=env)
        return self._start(registry, timeout)

    def _start(self, registry: RegistryProcess, timeout: float) -> RegistryProcess:
        self.started.append(registry)
        began = time.monotonic()
        registry.start(timeout)
        START_TIMES.setdefault("registry (first)", time.monotonic() - began)
        return registry

    def stop_all(self) -> None:
        for registry in reversed(self.started):
            registry.stop()


@pytest.fixture
def registry_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryFactory]:
    """Per-test ``RegistryFactory``; every registry it started is stopped after the test."""
    factory = RegistryFactory(tmp_path_factory.mktemp("registries"))
    try:
        yield factory
    finally:
        factory.stop_all()


__all__ = [
    "REGISTRY_IMAGE",
    "RegistryFactory",
    "registry_config_text",
]
