"""Quitting while the screen is still being put together leaves no traceback: the parts
mounted after the first frame (the YAML/Diff tabs, folded rows) find the app gone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

QUIT_AT_FIRST_FRAME = """
import sys
from pathlib import Path
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app

app = make_app(ConfigDocument.load(Path(sys.argv[1])), V2_8)
shown = app._display

def display(screen, update):
    app.call_later(app.exit)  # the first frame is out: quit before anything after it runs
    return shown(screen, update)

app._display = display
app.run(headless=True, size=(100, 30))
print("exited", flush=True)
"""


def test_quitting_at_the_first_frame_prints_no_traceback(config_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", QUIT_AT_FIRST_FRAME, str(config_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip() == "exited", done.stderr[-2000:]
    assert "Error" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
