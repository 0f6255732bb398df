"""Opening the screen loads no Docker or cloud SDK (each costs 70-190 ms to import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CODE = """
import sys
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
import dtr_tui.cli.main
from dtr_tui.ui.app import make_app
make_app(ConfigDocument.parse("version: 0.1\\nstorage:\\n  inmemory: {}\\n", "c.yml"), V2_8)
heavy = {"docker", "boto3", "botocore", "azure", "swiftclient", "pygments"}
print(sorted({m.split(".")[0] for m in sys.modules} & heavy))
"""


def test_opening_the_screen_imports_no_sdk() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


FIRST_FRAME = """
import asyncio, sys
from pathlib import Path
import dtr_tui.cli.main
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app
from dtr_tui.ui.screens.main import MainScreen

MainScreen._build_planner = lambda self: None  # the live preview, built after the first frame

async def main():
    app = make_app(ConfigDocument.load(Path({config!r})), V2_8)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        row = app.screen.query_one("#f-filesystem--rootdirectory")
        later = ("pydantic", "dtr_tui.core.plan", "dtr_tui.core.env_overrides",
                 "dtr_tui.ui.container", "dtr_tui.core.upload")
        print(row.display and row.region.height > 0, *sorted(set(later) & set(sys.modules)))

asyncio.run(main())
"""


def test_drawing_the_form_imports_no_pydantic_nor_what_comes_after_it() -> None:
    """The form is drawn from the parameter declarations alone; the pydantic models that check
    values are built when the live preview first validates, after the first frame. The
    planner, the container's environment and the upload/export code load when used too."""
    config = Path(__file__).parent.parent / "data" / "commented-config.yml"
    code = FIRST_FRAME.replace("{config!r}", repr(str(config)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True"]


SIGNALS = """
import asyncio, signal, sys
import dtr_tui.cli.main
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app
from dtr_tui.ui.screens.main import MainScreen

seen = []
mounted = MainScreen.on_mount
def on_mount(self):
    seen.append("dtr_tui.services.apply" in sys.modules)  # the screen, before its first frame
    return mounted(self)
MainScreen.on_mount = on_mount

async def main():
    doc = ConfigDocument.parse("version: 0.1\\nstorage:\\n  inmemory: {}\\n", "c.yml")
    app = make_app(doc, V2_8)
    app.signals_roll_back = True  # as run_app sets it
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
        print(seen, signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, None))

asyncio.run(main())
"""


def test_the_rollback_on_sighup_is_armed_after_the_first_frame() -> None:
    """run_app arms SIGHUP/SIGTERM (an SSH drop mid-save rolls back) once the form is drawn:
    the apply module it needs brings the plan and the environment rules, not needed before."""
    out = subprocess.run(
        [sys.executable, "-c", SIGNALS], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["[False]", "True"], out.stdout + out.stderr
