"""The registry's log lines shown after a failed restart never carry a secret, in any form it
logs one: quoted with its quotes and backslashes escaped, or URL-encoded."""

from __future__ import annotations

from dtr_tui.services.restart import _masked

SECRET = 'pa"ss\\w/rd+1'  # a quote, a backslash, a slash and a plus


def test_escaped_and_encoded_forms_are_masked() -> None:
    line = (
        'time="…" level=error msg="response completed with error" '
        'err.detail="swift: authentication failed for password pa\\"ss\\\\w/rd+1"'
        " url=https://auth/?p=pa%22ss%5Cw%2Frd%2B1"
    )
    shown = _masked(line, [SECRET])
    assert "ss\\" not in shown.replace("********", "") and "rd+1" not in shown
    assert "%5Cw%2Frd" not in shown
    assert shown.count("********") >= 2
