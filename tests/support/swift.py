"""A one-replica OpenStack Swift all-in-one (Debian's swift packages) with tempauth + memcached.

The registry's swift driver must be proven against a real Swift proxy (auth, containers,
TempURL redirects, DLO segments). Everything lives in one temp dir: swift.conf, rings, devices,
configs and logs; every server gets a free port on 127.0.0.1 and ``workers = 0``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from .ports import LOOPBACK, free_port, wait_for_http, wait_for_port
from .procs import ManagedProcess, Server, ServerStartError, clean_env

# tempauth test user (well-known test credentials, like Swift's own SAIO).
USER = "test:tester"
KEY = "testing"
BACKENDS = ("account", "container", "object")
PROXY_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl"
    " tempauth copy slo dlo proxy-logging proxy-server"
)


def _conf(text: str) -> str:
    return textwrap.dedent(text).lstrip()


class SwiftAIO(Server):
    """memcached + account/container/object/proxy servers; ``auth_url`` is tempauth v1."""

    def __init__(self, workdir: str | Path | None = None) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="swift-"))
        self.swift_dir = self.workdir / "etc"
        self.devices = self.workdir / "devices"
        self.ports = {name: free_port() for name in (*BACKENDS, "proxy", "memcached")}
        self.proxy_url = f"http://{LOOPBACK}:{self.ports['proxy']}"
        self.auth_url = f"{self.proxy_url}/auth/v1.0"
        self.user = USER
        self.key = KEY
        self.start_seconds: float | None = None
        self._procs: list[ManagedProcess] = []

    # ------------------------------------------------------------------ setup
    def _write_configs(self) -> None:
        d = self.swift_dir
        d.mkdir(parents=True, exist_ok=True)
        (self.devices / "d1").mkdir(parents=True, exist_ok=True)
        (d / "swift.conf").write_text(
            _conf(
                """
                [swift-hash]
                swift_hash_path_prefix = dtrtui-test
                swift_hash_path_suffix = dtrtui-test

                [storage-policy:0]
                name = Policy-0
                default = yes
                """
            )
        )
        common = _conf(
            f"""
            [DEFAULT]
            bind_ip = {LOOPBACK}
            workers = 0
            user = root
            swift_dir = {d}
            devices = {self.devices}
            mount_check = false
            log_level = INFO
            """
        )
        for name in BACKENDS:
            (d / f"{name}-server.conf").write_text(
                common
                + f"bind_port = {self.ports[name]}\n"
                + f"log_name = {name}-server\n\n"
                + _conf(
                    f"""
                    [pipeline:main]
                    pipeline = healthcheck {name}-server

                    [app:{name}-server]
                    use = egg:swift#{name}

                    [filter:healthcheck]
                    use = egg:swift#healthcheck

                    [{name}-replicator]

                    [{name}-auditor]
                    """
                )
            )
        (d / "proxy-server.conf").write_text(
            common
            + f"bind_port = {self.ports['proxy']}\n"
            + "log_name = proxy-server\n\n"
            + _conf(
                f"""
                [pipeline:main]
                pipeline = {PROXY_PIPELINE}

                [app:proxy-server]
                use = egg:swift#proxy
                account_autocreate = true
                allow_account_management = true

                [filter:tempauth]
                use = egg:swift#tempauth
                user_admin_admin = admin .admin .reseller_admin
                user_test_tester = {KEY} .admin

                [filter:cache]
                use = egg:swift#memcache
                memcache_servers = {LOOPBACK}:{self.ports["memcached"]}

                [filter:healthcheck]
                use = egg:swift#healthcheck

                [filter:catch_errors]
                use = egg:swift#catch_errors

                [filter:gatekeeper]
                use = egg:swift#gatekeeper

                [filter:proxy-logging]
                use = egg:swift#proxy_logging

                [filter:listing_formats]
                use = egg:swift#listing_formats

                [filter:bulk]
                use = egg:swift#bulk

                [filter:tempurl]
                use = egg:swift#tempurl

                [filter:copy]
                use = egg:swift#copy

                [filter:slo]
                use = egg:swift#slo

                [filter:dlo]
                use = egg:swift#dlo
                """
            )
        )

    def _build_rings(self) -> None:
        """All three one-device rings in one run of Swift's own Python (about 3x faster than
        nine ``swift-ring-builder`` commands)."""
        builder_bin = shutil.which("swift-ring-builder")
        if not builder_bin:
            raise FileNotFoundError("swift-ring-builder missing: run scripts/install-test-deps")
        shebang = Path(builder_bin).read_text().splitlines()[0]
        python = shebang[2:].strip().split()[0] if shebang.startswith("#!") else "python3"
        script = _conf(
            """
            import sys
            from swift.common.ring import RingBuilder
            swift_dir, ip = sys.argv[1], sys.argv[2]
            for arg in sys.argv[3:]:
                name, port = arg.split("=")
                builder = RingBuilder(8, 1, 1)
                builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": ip, "port": int(port),
                                 "device": "d1", "weight": 100, "meta": ""})
                builder.rebalance()
                builder.save(f"{swift_dir}/{name}.builder")
                builder.get_ring().save(f"{swift_dir}/{name}.ring.gz")
            """
        )
        done = subprocess.run(
            [python, "-c", script, str(self.swift_dir), LOOPBACK]
            + [f"{name}={self.ports[name]}" for name in BACKENDS],
            capture_output=True,
            text=True,
            env=clean_env(),
        )
        if done.returncode:
            raise ServerStartError(f"building the swift rings failed:\n{done.stdout}{done.stderr}")

    # ------------------------------------------------------------------ run
    def start(self, timeout: float = 30.0) -> SwiftAIO:
        began = time.monotonic()
        for tool in ("memcached", "swift-proxy-server", "swift-ring-builder"):
            if not shutil.which(tool):
                raise FileNotFoundError(f"{tool} missing: run scripts/install-test-deps")
        self._write_configs()
        logs = self.workdir / "logs"
        env = clean_env()
        memcached = ManagedProcess(
            "memcached",
            [
                "memcached",
                "-l",
                LOOPBACK,
                "-p",
                str(self.ports["memcached"]),
                "-U",
                "0",
                "-u",
                "root",
                "-m",
                "32",
            ],  # fmt: skip
            logs / "memcached.log",
            env=env,
        )
        servers = {
            name: ManagedProcess(
                f"swift-{name}-server",
                [f"swift-{name}-server", str(self.swift_dir / f"{name}-server.conf"), "-v"],
                logs / f"{name}-server.log",
                env=env,
            )
            for name in (*BACKENDS, "proxy")
        }
        try:
            # Backends do not read the rings at start: launch them while the rings are built.
            for proc in (memcached, *(servers[name] for name in BACKENDS)):
                self._procs.append(proc)
                proc.start()
            self._build_rings()
            self._procs.append(servers["proxy"])
            servers["proxy"].start()
            deadline = time.monotonic() + timeout
            wait_for_port(self.ports["memcached"], timeout, proc=memcached.proc)
            for name, server in servers.items():
                left = max(1.0, deadline - time.monotonic())
                wait_for_http(
                    f"http://{LOOPBACK}:{self.ports[name]}/healthcheck",
                    left,
                    proc=server.proc,
                    interval=0.1,
                )
        except (RuntimeError, TimeoutError, ServerStartError) as err:
            failed = next((p for p in self._procs if not p.alive()), self._procs[-1])
            logs_text = "\n".join(
                f"--- {p.log_path} ---\n{p.log_text()}" for p in self._procs if p is not failed
            )
            self.stop()
            raise ServerStartError(f"{failed.start_error(err)}\n{logs_text[-6000:]}") from None
        self.start_seconds = time.monotonic() - began
        return self

    def connection(self, key: str | None = None) -> Any:
        """A python-swiftclient ``Connection`` (auth v1) as ``test:tester``."""
        from swiftclient.client import Connection

        return Connection(
            authurl=self.auth_url,
            user=self.user,
            key=key or self.key,
            auth_version="1",
            retries=0,
        )

    def registry_storage(self, container: str, **extra: Any) -> dict[str, Any]:
        """A registry 2.8 ``storage:`` mapping for a container on this Swift."""
        swift: dict[str, Any] = {
            "authurl": self.auth_url,
            "username": self.user,
            "password": self.key,
            "container": container,
        }
        swift.update(extra)
        return {"swift": swift}

    def alive(self) -> bool:
        return bool(self._procs) and all(p.alive() for p in self._procs)

    def log_text(self) -> str:
        return "\n".join(f"--- {p.log_path} ---\n{p.log_text()}" for p in self._procs)

    def stop(self) -> None:
        for proc in reversed(self._procs):
            proc.stop()
