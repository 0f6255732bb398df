"""The core and the CLI start without Textual, Docker or any cloud SDK."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("textual", "docker", "boto3", "botocore", "azure", "swiftclient")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(out.stdout)}


def test_core_imports_nothing_heavy() -> None:
    modules = loaded_after(
        "import dtr_tui.core.plan, dtr_tui.core.document, dtr_tui.core.safe_write, "
        "dtr_tui.core.upload, dtr_tui.core.validation"
    )
    assert not modules & set(HEAVY)


def test_cli_imports_nothing_heavy() -> None:
    assert not loaded_after("import dtr_tui.cli.main") & set(HEAVY)


def test_the_parser_loads_no_command_models_or_yaml() -> None:
    """`dtr-tui` builds its whole parser before it knows the command (none: the screen), so
    the commands, the pydantic models and the YAML library load only when one runs."""
    loaded = loaded_after("import dtr_tui.cli.main\ndtr_tui.cli.main.build_parser()")
    assert not loaded & {"pydantic", "pydantic_core", "ruamel"}
