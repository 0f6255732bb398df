"""Keys dtr-tui does not manage are masked too when their name says they hold a secret: a
misspelt `secret_key`, an `s3.sessiontoken` the registry ignores (reference §3.1), a
middleware's `apikey`; their values never reach a diff, a summary or an export."""

from __future__ import annotations

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.secrets import is_secret_key, secret_paths
from dtr_tui.core.upload import export_storage
from dtr_tui.core.versions import V2_8

CONFIG = """\
version: 0.1
storage:
  s3:
    bucket: zz
    region: us-east-1
    sessiontoken: SESSIONLEAK
    secret_key: TYPOLEAK
    Api_Key: APILEAK
    keyid: arn-kms-key
middleware:
  storage:
    - name: cloudfront
      options:
        authtoken: TOKENLEAK
"""
LEAKS = ("SESSIONLEAK", "TYPOLEAK", "APILEAK", "TOKENLEAK")


@pytest.mark.parametrize(
    "name", ["sessiontoken", "secret_key", "SecretKey", "apikey", "api_key", "dbpassword"]
)
def test_names_that_say_secret_are_secret(name: str) -> None:
    assert is_secret_key(name)


@pytest.mark.parametrize(
    "name", ["keyid", "token_uri", "credentials", "skipverify", "bucket", "accountname"]
)
def test_names_that_do_not_are_shown(name: str) -> None:
    assert not is_secret_key(name)


def test_their_values_stay_out_of_the_plan_and_the_export() -> None:
    doc = ConfigDocument.parse(CONFIG, "c.yml")
    plan = plan_change(doc, doc.draft(V2_8).with_value(("s3", "bucket"), "yy"), V2_8)
    shown = plan.diff + "\n".join(plan.summary)
    assert "+    bucket: yy" in plan.diff and "sessiontoken: ********" in plan.diff
    assert not [leak for leak in LEAKS if leak in shown]
    exported = export_storage(doc.draft(V2_8)).text
    assert "keyid: arn-kms-key" in exported
    assert not [leak for leak in LEAKS if leak in exported]


def test_a_section_under_a_secret_sounding_name_is_not_a_secret() -> None:
    """`auth: token: {realm, …}` is the registry's token auth, not a token value: it is shown,
    and it does not make the file 'hold a secret' (which would take the mode's other bits)."""
    text = (
        "version: 0.1\nstorage:\n  inmemory: {}\nauth:\n  token:\n    realm: https://a/t\n"
        "    service: registry\n    issuer: me\n    rootcertbundle: /certs/ca.pem\n"
    )
    doc = ConfigDocument.parse(text, "c.yml")
    plan = plan_change(doc, doc.draft(V2_8).with_driver("filesystem", {}), V2_8)
    assert not plan.holds_inline_secret
    assert list(secret_paths(doc.view)) == []
