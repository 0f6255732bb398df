"""Opening the screen loads no Docker or cloud SDK (each costs 70-190 ms to import)."""

from __future__ import annotations

import subprocess
import sys

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
