"""Start a server as a child in its own process group, logging to a file, and stop it for sure.

A process group lets ``stop()`` end the server and everything it forked (Swift workers, node,
containerd under dockerd) so no stray process outlives the test session.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

# Variables that make servers misbehave on these machines: the registry's S3 SDK panics at
# start when AWS_CA_BUNDLE is set (LoadCustomCABundleError).
STRIPPED_ENV = ("AWS_CA_BUNDLE",)


PR_SET_PDEATHSIG = 1
try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _PRCTL = None


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies (even by SIGKILL)."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """A test server usable as a context manager: started on enter, stopped on exit."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ProcessServer(Server):
    """A test server that is one ``ManagedProcess`` (``_proc``, set by ``start()``)."""

    _proc: ManagedProcess | None = None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.alive()

    def log_text(self) -> str:
        return self._proc.log_text() if self._proc else "(not started)"

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop()


class ServerStartError(AssertionError):
    """A server did not come up; the message carries the tail of its log."""


def clean_env(
    extra: Mapping[str, str] | None = None, *, drop_prefixes: Sequence[str] = ()
) -> dict[str, str]:
    """``os.environ`` without STRIPPED_ENV (and any ``drop_prefixes``), plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in STRIPPED_ENV and not any(k.startswith(p) for p in drop_prefixes)
    }
    if extra:
        env.update(extra)
    return env


def log_tail(path: Path | None, limit: int = 6000) -> str:
    """The last ``limit`` characters of a log file (or a note that there is none)."""
    if path is None:
        return "(no log)"
    try:
        text = path.read_text(errors="replace")
    except OSError as err:
        return f"(cannot read {path}: {err})"
    if len(text) > limit:
        text = "...\n" + text[-limit:]
    return text or "(log is empty)"


class ManagedProcess:
    """One server process: started in a new session, output to ``log_path``, stoppable."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = log_path
        self.env = dict(env) if env is not None else clean_env()
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        main_thread = threading.current_thread() is threading.main_thread()
        with open(self.log_path, "ab") as log:
            log.write(f"$ {' '.join(self.argv)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                # The death signal follows the *thread* that forks: only from the main thread.
                preexec_fn=_die_with_parent if main_thread else None,
            )
        return self.proc

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        return log_tail(self.log_path)

    def start_error(self, why: object) -> ServerStartError:
        return ServerStartError(
            f"{self.name} did not start: {why}\n--- {self.log_path} ---\n{self.log_text()}"
        )

    def stop(self, timeout: float = 10.0, *, leader_first: bool = False) -> int | None:
        """SIGTERM the process group, SIGKILL it after ``timeout``; return the exit code.

        With ``leader_first`` only the main process gets SIGTERM (so it can shut down its own
        children in order, as dockerd does with containerd); leftovers are killed after.
        """
        proc = self.proc
        if proc is None:
            return None
        if leader_first:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        else:
            _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        # Children that ignored SIGTERM after their parent left.
        _signal_group(proc.pid, signal.SIGKILL)
        _wait_group_gone(proc.pid, 3.0)
        return proc.returncode


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_group_gone(pgid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)
