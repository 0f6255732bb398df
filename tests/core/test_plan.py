"""The plan: a masked diff (never a secret, nor its length), a summary, a fingerprint."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.plan import plan_change
from dtr_tui.core.versions import V2_8

DATA = Path(__file__).parent.parent / "data"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_diff_masks_secrets_and_marks_them_new_or_changed() -> None:
    doc = ConfigDocument.load(DATA / "commented-config.yml")
    draft = doc.draft(V2_8).with_driver(
        "s3", {"bucket": "b", "region": "us-east-1", "accesskey": "AKIAX", "secretkey": SECRET}
    )
    plan = plan_change(doc, draft, V2_8)
    assert SECRET not in plan.diff and "AKIAX" not in plan.diff
    assert "+    secretkey: ******** (new)\n" in plan.diff
    # the http secret, redis password and bearer tokens nearby are masked in context too
    assert "hidden" not in plan.diff
    assert "storage.s3.secretkey: secret set (********)" in plan.summary
    assert "storage: backend filesystem → s3" in plan.summary
    assert plan.fingerprint == hashlib.sha256(doc.text.encode()).hexdigest()
    assert plan.errors == []

    written = ConfigDocument.parse(plan.new_text, doc.source)
    rotated = plan_change(written, written.draft(V2_8).with_value(("s3", "secretkey"), "x"), V2_8)
    assert "-    secretkey: ********\n" in rotated.diff
    assert "+    secretkey: ******** (changed)\n" in rotated.diff
    assert rotated.summary == ["storage.s3.secretkey: secret changed (********)"]


def test_mask_does_not_reveal_length() -> None:
    doc = ConfigDocument.parse("version: 0.1\nstorage:\n  inmemory: {}\n", "c.yml")
    short = plan_change(doc, doc.draft(V2_8).with_driver("swift", {"password": "a"}), V2_8)
    long = plan_change(doc, doc.draft(V2_8).with_driver("swift", {"password": "a" * 64}), V2_8)
    assert short.diff == long.diff


def test_no_change_plan() -> None:
    doc = ConfigDocument.load(DATA / "commented-config.yml")
    plan = plan_change(doc, doc.draft(V2_8), V2_8)
    assert not plan.has_changes and plan.diff == "" and plan.summary == []


def test_diff_touches_only_storage_lines() -> None:
    doc = ConfigDocument.load(DATA / "commented-config.yml")
    plan = plan_change(doc, doc.draft(V2_8).with_value(("delete", "enabled"), False), V2_8)
    changed = [line for line in plan.diff.splitlines() if re.match(r"^[+-](?![+-])", line)]
    assert changed == [
        "-    enabled: true     # needed for garbage collection",
        "+    enabled: false     # needed for garbage collection",
    ]
    assert plan.summary == ["storage.delete.enabled: true → false"]


def test_plan_reports_problems_of_the_new_file() -> None:
    doc = ConfigDocument.parse("version: 0.1\nstorage:\n  inmemory: {}\n", "c.yml")
    plan = plan_change(doc, doc.draft(V2_8).with_driver("s3", {"region": "us-east-1"}), V2_8)
    assert [p.field for p in plan.errors] == ["storage.s3.bucket"]
    assert plan.errors[0].line == 3
