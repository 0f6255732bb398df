"""The screen's preview is the core's plan: what the tabs show is what a save would write.

The planner itself (incremental masking, equality with plan_change on many configs) is
tested in tests/core/test_plan.py; here the screen is driven as a person would."""

from __future__ import annotations

from pathlib import Path

from dtr_tui.core.plan import plan_change
from dtr_tui.ui.widgets.text_view import TextView

from .conftest import AppFactory
from .test_flows import SIZE, fill_s3, ready, type_into


async def test_the_screen_previews_what_plan_change_plans(
    config_file: Path, app_for: AppFactory
) -> None:
    app = app_for(config_file)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        s = main.session

        def assert_shows_the_plan() -> None:
            plan = plan_change(s.doc, s.draft, s.version)
            assert main.preview is not None
            assert main.preview.diff == plan.diff
            assert main.preview.summary == plan.summary
            assert main.preview.has_changes == plan.has_changes
            assert [p.field for p in main.preview.problems] == [p.field for p in plan.problems]
            assert "a-very-private-http-secret" not in main.preview.diff + main.preview.yaml
            shown = main.query_one("#yaml-text", TextView).text
            assert shown.rstrip("\n") == main.preview.yaml.rstrip("\n")

        assert_shows_the_plan()
        await type_into(pilot, "#f-filesystem--rootdirectory Input", "/x")
        assert "rootdirectory: /var/lib/registry/x" in main.preview.yaml  # type: ignore[union-attr]
        assert_shows_the_plan()
        await fill_s3(pilot)
        assert s.draft.driver == "s3"
        assert_shows_the_plan()
        assert "wJalrXUtnFEMI" not in main.preview.diff  # type: ignore[union-attr]
