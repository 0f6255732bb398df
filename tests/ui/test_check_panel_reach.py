"""At 80x24 the Test connection panel shows a handful of rows: once the run is over, the rows
that need something done come first, and f6 reaches the panel from the keyboard to scroll the
rest; escape closes it and gives the focus back."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.ui.app import make_app
from dtr_tui.ui.check_panel import CLOSE_HINT, CheckPanel
from dtr_tui.ui.deps import Deps

from .conftest import FILESYSTEM_CONFIG
from .test_checks import wait_until
from .test_flows import ready, settle
from .test_save_outcome_reach import screen_lines

# a run as the QA saw it against a silent endpoint: nine rows, the second failure near the end
RESULTS = [
    ("credentials", "fail", 4.1, "no answer from the endpoint within 5 s", "check regionendpoint"),
    ("bucket exists", "skipped", 0.0, 'not checked: "credentials" did not pass', ""),
    ("bucket region", "skipped", 0.0, 'not checked: "credentials" did not pass', ""),
    ("write, read, delete", "skipped", 0.0, 'not checked: "credentials" did not pass', ""),
    ("multipart upload", "skipped", 0.0, 'not checked: "credentials" did not pass', ""),
    ("redirects", "pass", 0.01, "presigned URLs are signed for this endpoint", ""),
    ("encryption", "pass", 0.01, "no SSE settings", ""),
    ("storage class", "pass", 0.01, "STANDARD", ""),
    ("clock skew", "fail", 4.2, "no answer from the endpoint within 5 s", "check the endpoint"),
]


def nine_results() -> Deps:
    from dtr_tui.services.checks import CheckResult, Status

    results = [CheckResult(n, Status(s), t, d, f) for n, s, t, d, f in RESULTS]

    def runner(draft: Any, version: Any, *, on_result: Any, **_: Any) -> Any:
        for result in results:
            on_result(result)
        return results

    return Deps(
        run_checks=runner,
        check_names=lambda draft, version: [r.name for r in results],
        moves_data=lambda current, new, version: False,
    )


async def run_the_test(pilot: Pilot[int]) -> CheckPanel:
    await ready(pilot)
    await pilot.press("tab")  # into the first field: the focus escape must give back
    await pilot.press("ctrl+t")
    panel = pilot.app.screen.query_one(CheckPanel)
    await wait_until(pilot, lambda: not panel.running and len(panel.results) == len(RESULTS))
    await settle(pilot)
    return panel


async def test_both_failures_are_in_sight_at_80x24_and_f6_scrolls_to_the_rest() -> None:
    doc = ConfigDocument.parse(FILESYSTEM_CONFIG, "/etc/docker/registry/config.yml")
    app = make_app(doc, V2_8, deps=nine_results())
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await run_the_test(pilot)
        field = app.focused
        shown = "\n".join(screen_lines(app))
        assert shown.count("✗ FAIL") == 2, shown
        assert "credentials: no answer" in shown and "clock skew: no answer" in shown
        assert CLOSE_HINT not in shown  # below: the panel has more than it shows

        await pilot.press("f6")
        assert app.focused is panel
        assert "Test results" in str(app.screen.query_one("#field-help").render())
        await pilot.press("pagedown", "pagedown", "pagedown")
        await settle(pilot)
        assert CLOSE_HINT in "\n".join(screen_lines(app))

        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.query(CheckPanel)
        assert app.focused is field


def test_rows_keep_the_checks_order_while_they_run() -> None:
    """Rows do not jump about while results come in: the order changes once, at the end."""
    from dtr_tui.services.checks import CheckResult, Status

    panel = CheckPanel()
    panel.running = True
    panel.names = [name for name, *_ in RESULTS]
    for name, status, seconds, detail, fix in RESULTS[::-1][:3]:  # the last ones end first
        panel.results[name] = CheckResult(name, Status(status), seconds, detail, fix)
    assert [row[3].plain.split(":")[0] for row in panel._rows()] == panel.names
