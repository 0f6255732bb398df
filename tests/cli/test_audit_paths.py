"""The audit log names the config and its backup by absolute path, whoever wrote the line and
from whatever directory: the screen passes the path as typed (`dtr-tui --config config.yml`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8
from dtr_tui.services.apply import apply_plan
from dtr_tui.services.audit import audit_path


def test_a_relative_config_path_is_audited_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("config.yml").write_text("version: 0.1\nstorage:\n  inmemory: {}\n")
    doc = ConfigDocument.load(Path("config.yml"))
    draft = doc.draft(V2_8).with_driver("filesystem", {"rootdirectory": "/srv"})
    result = apply_plan(plan_change(doc, draft, V2_8))
    assert result.ok, result
    line = json.loads(audit_path(Path("config.yml")).read_text().splitlines()[-1])
    assert line["config"] == str(tmp_path / "config.yml")
    assert os.path.isabs(line["backup"]) and Path(line["backup"]).is_file()
