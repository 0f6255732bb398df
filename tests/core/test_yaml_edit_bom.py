"""A UTF-8 byte order mark is kept: read, edited and masked with the right positions, and
written back (the text keeps it, so the diff shows no change on line 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import Planner
from dtr_tui.core.versions import V2_8

BOM = "\ufeff"


def test_load_keeps_the_bom_and_an_edit_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    body = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    doc = ConfigDocument.load(path)
    assert doc.text == BOM + body
    assert doc.view["version"] == 0.1
    new = doc.render(doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/new"))
    assert new == BOM + body.replace("/var/lib/registry", "/new")
    plan = Planner(doc, V2_8).plan(doc.draft(V2_8).with_value(("filesystem", "maxthreads"), 5))
    assert plan.new_text.startswith(BOM)
    assert "-" + BOM not in plan.diff and "\n-version" not in plan.diff


@pytest.mark.parametrize(
    "text",
    [
        "storage: {filesystem: {rootdirectory: /x}}\nversion: 0.1\n",  # the first key rewritten
        "storage:\n  filesystem:\n    rootdirectory: /x\nversion: 0.1\n",
        "version: 0.1\nstorage: inmemory\n",
    ],
)
def test_a_rewritten_first_line_keeps_the_bom(text: str) -> None:
    doc = ConfigDocument.parse(BOM + text, "c.yml")
    draft = doc.draft(V2_8).with_driver("s3", {"bucket": "b", "region": "r"})
    new = doc.render(draft)
    assert new.startswith(BOM) and not new.startswith(BOM + BOM)
    assert ConfigDocument.parse(new, "c.yml").storage_view == draft.as_view()


def test_secrets_are_masked_at_the_right_place_with_a_bom() -> None:
    text = (
        BOM + "version: 0.1\nstorage:\n  s3:\n    bucket: b\n    region: r\n"
        "    secretkey: OLDSECRET\nhttp:\n  secret: HTTPSECRET\n"
    )
    doc = ConfigDocument.parse(text, "c.yml")
    planner = Planner(doc, V2_8)
    plan = planner.plan(doc.draft(V2_8).with_value(("s3", "secretkey"), "NEWSECRET"))
    assert "SECRET" not in plan.diff.replace("secret", "")
    preview = planner.preview(doc.draft(V2_8).with_value(("s3", "bucket"), "c"))
    assert "OLDSECRET" not in preview.masked and "HTTPSECRET" not in preview.masked
    assert "bucket: c" in preview.masked
