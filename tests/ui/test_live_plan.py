"""The per-keystroke preview says exactly what the full plan says, and fast."""

from __future__ import annotations

import time

import pytest

from dtr_tui.core.document import DEFAULT_CONFIG, ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.secrets import MASK
from dtr_tui.core.versions import V2_8, V3_0
from dtr_tui.ui.live_plan import LivePlanner

from .conftest import FILESYSTEM_CONFIG

LONG = DEFAULT_CONFIG + "".join(
    f"extra{i}:\n  key: value{i}  # comment\n  password: pw{i}\n" for i in range(100)
)


@pytest.mark.parametrize(
    "text",
    [FILESYSTEM_CONFIG, LONG, "version: 0.1\nhttp:\n  addr: :5000\n"],
    ids=["filesystem", "long", "no-storage"],
)
@pytest.mark.parametrize("version", [V2_8, V3_0], ids=["2.8", "3.0"])
def test_preview_matches_the_plan(text: str, version: object) -> None:
    doc = ConfigDocument.parse(text, "/etc/registry/config.yml")
    planner = LivePlanner(doc, version)  # type: ignore[arg-type]
    base = doc.draft(version) if doc.storage_view else None  # type: ignore[arg-type]
    s3 = {"region": "us-east-1", "bucket": "b", "accesskey": "AKIAX", "secretkey": "s3cr3t"}
    drafts = []
    if base is not None:
        drafts += [base, base.with_value(("delete", "enabled"), False)]
        drafts.append(base.with_driver("s3", s3).with_value(("s3", "chunksize"), "abc"))
    for draft in drafts:
        preview = planner.preview(draft)
        plan = plan_change(doc, draft, version)  # type: ignore[arg-type]
        assert preview.diff == plan.diff
        assert preview.summary == plan.summary
        assert [p.field for p in preview.problems] == [p.field for p in plan.problems]
        assert "s3cr3t" not in preview.diff + preview.yaml
        assert "AKIAX" not in preview.diff + preview.yaml


def test_secrets_elsewhere_stay_masked() -> None:
    doc = ConfigDocument.parse(FILESYSTEM_CONFIG, "c.yml")
    draft = doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/srv")
    planner = LivePlanner(doc, V2_8)
    preview = planner.preview(draft)
    assert "a-very-private-http-secret" not in preview.diff
    assert f"secret: {MASK}" in planner.masked_new_text(draft)[1]
    assert preview.yaml.startswith("storage:\n  filesystem:\n    rootdirectory: /srv")


def test_keystroke_work_is_cheap_on_a_long_config() -> None:
    doc = ConfigDocument.parse(LONG, "c.yml")
    planner = LivePlanner(doc, V2_8)
    draft = doc.draft(V2_8).with_driver("s3", {"region": "us-east-1"})
    times = []
    for i in range(31):
        start = time.perf_counter()
        planner.preview(draft.with_value(("s3", "bucket"), "b" * (i + 1)))
        times.append(time.perf_counter() - start)
    assert sorted(times)[15] < 0.025  # generous for CI; bench/ measures the real median
