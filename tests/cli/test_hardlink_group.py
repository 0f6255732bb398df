"""A hard-linked config is rewritten in place; a user who may write it through its group (not
its owner) saves it too: the rewrite changes the mode only when it must (only the owner may)."""

from __future__ import annotations

import os
from pathlib import Path

from .test_cli import run


def test_a_group_writer_saves_a_hard_linked_config(shared_dir: Path) -> None:
    config = shared_dir / "config.yml"
    config.write_text("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /a\n")
    os.chown(config, 0, 65534)  # root's file, group nogroup: nobody writes it by group
    config.chmod(0o664)
    os.link(config, shared_dir / "other-name.yml")
    result = run(
        "apply", "--config", str(config), "--set", "filesystem.rootdirectory=/b", "--yes",
        "--no-container", user="nobody",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "rootdirectory: /b" in (shared_dir / "other-name.yml").read_text()
    assert oct(config.stat().st_mode & 0o777) == oct(0o664)
