"""No secret leaves a check in any form (QA B1): escaped in an exception's repr (a Swift
password with a newline gives an InvalidHeader quoting b'...\\n...'), URL-encoded, or, for a
secret under 4 characters, as a whole quoted or delimited value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8
from dtr_tui.services.checks import Check, CheckContext, run_checks
from dtr_tui.services.checks.model import Outcome, Scrubber, secret_forms
from tests.support.swift import SwiftAIO

from .conftest import check_storage


@pytest.mark.parametrize("password", ["Sup3rSecret\nPW", "Sup3rSecret\rPW"])
def test_a_swift_password_with_a_control_character_is_masked(
    swift_server: SwiftAIO, password: str
) -> None:
    params = swift_server.registry_storage("registry", password=password)["swift"]
    results = check_storage("swift", params)
    text = json.dumps([r.to_dict() for r in results.values()])
    plain = " ".join(r.detail + " " + r.fix for r in results.values())
    assert "Sup3rSecret" not in text + plain, results.dump()
    assert "********" in results["authentication"].detail, results.dump()


def test_every_form_of_a_secret_is_masked() -> None:
    secret = "pa ss\n+/ü"
    scrub = Scrubber([secret])
    for form in secret_forms(secret):
        assert scrub(f"x {form} y") == "x ******** y", form
    assert "pa%20ss%0A%2B%2F%C3%BC" in secret_forms(secret)  # urlencoded
    assert "pa ss\\n+/\\xc3\\xbc" in secret_forms(secret)  # bytes repr


def test_a_short_secret_is_masked_only_as_a_whole_value() -> None:
    scrub = Scrubber(["p", "xy"])
    assert scrub("header value b'p'") == "header value b'********'"
    assert scrub('{"password": "p"}') == '{"password": "********"}'
    assert scrub("?key=xy&sig=1") == "?key=********&sig=1"
    assert scrub("password: p") == "password: ********"
    # inside words it stays: masking every "p" would destroy the message
    assert scrub("upload to bucket xyz-p1") == "upload to bucket xyz-p1"


def test_the_runner_masks_escaped_and_short_secrets() -> None:
    draft = StorageDraft("swift", {"authurl": "http://h/v1.0", "password": "Pw\nSecret9"})

    def leak(ctx: CheckContext) -> Outcome:
        raise ValueError("Invalid header value b'Pw\\nSecret9' (key 'Pw%0ASecret9')")

    result = run_checks(draft, V2_8, checks=[Check("a", leak)])[0]
    assert "Secret9" not in result.detail, result.detail
    short = StorageDraft("swift", {"authurl": "http://h/v1.0", "password": "k"})
    result = run_checks(short, V2_8, checks=[Check("a", leak), Check("b", echo("key='k'"))])[1]
    assert result.detail == "key='********'"


def echo(text: str) -> Any:
    def run(ctx: CheckContext) -> Outcome:
        return Outcome(text)

    return run
