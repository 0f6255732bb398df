"""Benchmark the screen: start-up to the first frame, and keystroke to updated tabs.

Each number is a ratio against a baseline measured in the same run, in a real
pseudo-terminal, because these machines are shared and noisy:
- start-up: `dtr-tui --config <300-line config>` until the filesystem form is on screen, vs a
  Textual app holding one Static until its text is on screen (issue 3: within 1.4x); also vs
  an app of the same kinds of widget as that first frame and none of dtr-tui's code, which
  tells what of the gap is Textual's own styling of a form screen. All run
  with their bytecode cached, as an installed package has it (pip compiles it at install): a
  shell with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every dtr_tui module at every
  start while Textual's come precompiled; in such a shell that number is printed too;
- keystroke: a key typed into the root directory field until the YAML tab has been redrawn,
  vs a key typed into a bare Input until it is echoed (issue 3: within 1.2x);
- handler: the work done per keystroke in-process (set value, validate, render, diff, update
  the widgets) on the 300-line config (issue 3: under 5 ms median);
- imports: no Docker or cloud SDK loaded by opening the screen.

Run: python -m bench.ui_speed   (or bash bench/run for every benchmark)
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tests" / "data" / "commented-config.yml"
COLS, ROWS = 100, 30
STARTS = 11
KEYS = 15

HELLO = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello-static-marker")
Hello().run()
"""

SAME_WIDGETS = """
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Collapsible, Footer, Input, Label, Select, Static
class SameWidgets(App):
    CSS = "#form, #side { width: 1fr; } #head { height: 2; } Vertical { height: auto; }"
    BINDINGS = [
        Binding(f"ctrl+{k}", f"noop('{k}')", d)
        for k, d in zip("esotr", ("Export", "Save", "Upload", "Test", "Reveal"))
    ]
    def action_noop(self, key):
        pass
    def compose(self):
        yield Static("Settings  saved  registry 2.8\\n/etc/docker/registry/config.yml", id="head")
        with Horizontal():
            with VerticalScroll(id="form"):
                yield Label("Storage backend")
                yield Select([(n, n) for n in ("fs", "s3", "swift", "azure", "gcs", "mem")],
                             value="fs", allow_blank=False, compact=True)
                for _ in range(3):
                    yield Static("")
                with Vertical():
                    yield Static("A directory on the registry host.")
                    with Vertical():
                        yield Label("Storage directory")
                        yield Input("/var/lib/registry", compact=True)
                        yield Static("")
                    yield Collapsible(title="Advanced settings (1)")
                yield Collapsible(Static("options"), title="Storage options")
                yield Static("")
            yield Static(" YAML  Diff\\n\\n Reading the file", id="side")
        yield Static("help for the focused field")
        yield Footer()
SameWidgets().run()
"""

BARE_INPUT = """
from textual.app import App
from textual.widgets import Input
class Bare(App):
    def compose(self):
        yield Input(placeholder="bare-input-marker")
    def on_mount(self):
        self.query_one(Input).focus()
Bare().run()
"""


class Pty:
    """A process on a pseudo-terminal of a fixed size, read without blocking; `pycache`: a
    directory for its bytecode (PYTHONPYCACHEPREFIX), else the environment decides."""

    def __init__(self, argv: list[str], pycache: str | None = None) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS))
        env.pop("TEXTUAL", None)
        if pycache is not None:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = pycache
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.fd = master
        self.seen = b""

    def read_until(self, marker: bytes, timeout: float = 20.0) -> float:
        """Seconds from now until `marker` arrives in output not read before."""
        start = time.perf_counter()
        buffer = b""
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                buffer += chunk
                if marker in buffer:
                    self.seen += buffer
                    return time.perf_counter() - start
        raise TimeoutError(f"{marker!r} not seen; got {buffer[-300:]!r}")

    def drain(self, quiet: float = 0.15) -> None:
        while True:
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                return
            try:
                os.read(self.fd, 65536)
            except OSError:
                return

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        os.close(self.fd)


def dtr_tui() -> list[str]:
    found = shutil.which("dtr-tui", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "dtr_tui.cli.main"]


def startup(argv: list[str], marker: bytes, pycache: str | None = None) -> float:
    term = Pty(argv, pycache)
    try:
        term.read_until(marker)
        return time.perf_counter() - term.started
    finally:
        term.close()


def bench_startup(config: Path, pycache: str | None) -> dict[str, list[float]]:
    """Start-up times of dtr-tui, of the one-Static app and of an app with the same kinds of
    widget as dtr-tui's first frame but none of its code (what Textual itself costs for such
    a screen), one of each per round; with `pycache`, all read their bytecode from it (one
    unmeasured start each writes it first)."""
    runs = {
        "ours": ([*dtr_tui(), "--config", str(config)], b"Storage directory"),
        "hello": ([sys.executable, "-c", HELLO], b"hello-static-marker"),
        "same": ([sys.executable, "-c", SAME_WIDGETS], b"Storage directory"),
    }
    if pycache is not None:
        for argv, marker in runs.values():
            startup(argv, marker, pycache)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(STARTS):  # interleaved, so drift on the machine hits all
        for name, (argv, marker) in runs.items():
            times[name].append(startup(argv, marker, pycache))
    return times


def paired(ours: list[float], base: list[float]) -> str:
    """The median of the per-round ratios and their spread: a round's three starts ran
    within a second of each other, so a slow patch of the machine hits both sides."""
    ratios = sorted(o / b for o, b in zip(ours, base, strict=True))
    return f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})"


def _startup_line(found: dict[str, list[float]]) -> str:
    ours, hello, same = found["ours"], found["hello"], found["same"]
    ms = {name: statistics.median(times) * 1000 for name, times in found.items()}
    return (
        f"dtr-tui {ms['ours']:.0f} ms, one-Static app {ms['hello']:.0f} ms, ratio "
        f"{paired(ours, hello)} (target <= 1.4); an app of the same widgets without dtr-tui "
        f"{ms['same']:.0f} ms, {paired(same, hello)} the one-Static app; dtr-tui "
        f"{paired(ours, same)} it"
    )


def keystrokes(term: Pty, marker: bytes) -> float:
    samples = []
    for _ in range(KEYS):
        term.drain()
        began = time.perf_counter()
        term.type("z")
        term.read_until(marker)
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def bench_keystroke(config: Path) -> tuple[float, float]:
    bare = Pty([sys.executable, "-c", BARE_INPUT])
    try:
        bare.read_until(b"bare-input-marker")
        bare.drain(0.5)
        bare_time = keystrokes(bare, b"z")
    finally:
        bare.close()
    ours = Pty([*dtr_tui(), "--config", str(config)])
    try:
        ours.read_until(b"rootdirectory")  # the YAML tab is filled
        ours.drain(0.5)
        ours.type("\t")  # from the backend dropdown to the root directory field
        ours.drain(0.5)
        our_time = keystrokes(ours, b"rootdirectory")  # the YAML tab redrawn
    finally:
        ours.close()
    return our_time, bare_time


async def _handler_cost(config: Path) -> tuple[float, float, float]:
    from dtr_tui.core.document import ConfigDocument
    from dtr_tui.core.plan import plan_change
    from dtr_tui.core.versions import V2_8
    from dtr_tui.ui.app import make_app
    from dtr_tui.ui.screens.main import MainScreen

    app = make_app(ConfigDocument.load(config), V2_8)
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.planner is not None
        whole, preview, plan = [], [], []
        for i in range(40):
            value = "/var/lib/registry" + "z" * (i + 1)
            began = time.perf_counter()
            screen.session.set_value(("filesystem", "rootdirectory"), value)
            screen.refresh_preview()
            whole.append(time.perf_counter() - began)
            began = time.perf_counter()
            screen.planner.preview(screen.session.draft)
            preview.append(time.perf_counter() - began)
            began = time.perf_counter()  # what the incremental preview saves per keystroke
            plan_change(screen.session.doc, screen.session.draft, V2_8)
            plan.append(time.perf_counter() - began)
        return statistics.median(whole), statistics.median(preview), statistics.median(plan)


def heavy_imports() -> list[str]:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from dtr_tui.core.document import ConfigDocument\n"
        "from dtr_tui.core.versions import V2_8\n"
        "import dtr_tui.cli.main\n"
        "from dtr_tui.ui.app import make_app\n"
        f"make_app(ConfigDocument.load(Path({str(CONFIG)!r})), V2_8)\n"
        "heavy = ('docker', 'boto3', 'botocore', 'azure', 'swiftclient', 'pygments')\n"
        "print(' '.join(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return sorted({m.split(".")[0] for m in out.stdout.split()})


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yml"
        config.write_text(CONFIG.read_text())  # never written: nothing is saved here
        found = bench_startup(config, str(Path(tmp) / "pycache"))
        print(f"start-up to first frame: {_startup_line(found)}")
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            found = bench_startup(config, None)
            print(
                "  the same as this shell runs it (PYTHONDONTWRITEBYTECODE: dtr_tui compiled at "
                f"every start): {_startup_line(found)}"
            )
        key, bare = bench_keystroke(config)
        print(
            f"keystroke to redrawn YAML tab: {key * 1000:.1f} ms, bare Input echo "
            f"{bare * 1000:.1f} ms, ratio {key / bare:.2f} (target <= 1.2)"
        )
        whole, preview, plan = asyncio.run(_handler_cost(config))
        print(
            f"per-keystroke work on a {len(CONFIG.read_text().splitlines())}-line config: "
            f"{whole * 1000:.2f} ms median with widget updates, {preview * 1000:.2f} ms "
            f"validate+render+diff (target < 5 ms); plan_change instead: {plan * 1000:.2f} ms"
        )
    heavy = heavy_imports()
    print(f"SDKs imported by opening the screen: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
