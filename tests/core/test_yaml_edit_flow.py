"""A storage section written in flow style, or as a bare driver name, is rewritten without
losing the comment at the end of its line."""

from __future__ import annotations

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8

FLOW = (
    "version: 0.1\n"
    "storage: {filesystem: {rootdirectory: /x}, delete: {enabled: true}}  # keep me\n"
    '# next\nhttp: {addr: ":5000"}\n'
)


def test_a_flow_storage_keeps_its_comment() -> None:
    doc = ConfigDocument.parse(FLOW, "c.yml")
    new = doc.render(doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/y"))
    assert new == FLOW.replace(
        "storage: {filesystem: {rootdirectory: /x}, delete: {enabled: true}}  # keep me\n",
        "storage:  # keep me\n  filesystem:\n    rootdirectory: /y\n  delete:\n    enabled: true\n",
    )
    assert doc.render(doc.draft(V2_8)) == FLOW


def test_a_bare_driver_name_becomes_a_block_and_keeps_its_comment() -> None:
    text = "version: 0.1\nstorage: inmemory  # for tests\nhttp:\n  addr: :5000\n"
    doc = ConfigDocument.parse(text, "c.yml")
    draft = doc.draft(V2_8).with_driver("filesystem", {"rootdirectory": "/r"})
    assert doc.render(draft) == (
        "version: 0.1\nstorage:  # for tests\n  filesystem:\n    rootdirectory: /r\n"
        "http:\n  addr: :5000\n"
    )


def test_a_flow_driver_block_replaced_by_a_switch_keeps_its_comment() -> None:
    text = "version: 0.1\nstorage:\n  filesystem: {rootdirectory: /x}  # local\n"
    doc = ConfigDocument.parse(text, "c.yml")
    draft = doc.draft(V2_8).with_driver("s3", {"bucket": "b", "region": "r"})
    assert doc.render(draft) == (
        "version: 0.1\nstorage:\n  s3:  # local\n    bucket: b\n    region: r\n"
    )


@pytest.mark.parametrize(
    "value", ["http://minio:9000", "a,b", "x[1]", "{y}", "a#b", "a: b", "plain", "it's:"]
)
def test_flow_values_read_back(value: str) -> None:
    text = "version: 0.1\nstorage:\n  s3: {bucket: b, region: r}\n"
    doc = ConfigDocument.parse(text, "c.yml")
    draft = doc.draft(V2_8).with_value(("s3", "regionendpoint"), value)
    new = doc.render(draft)
    assert new.startswith("version: 0.1\nstorage:\n  s3: {bucket: b, region: r, regionendpoint: ")
    assert ConfigDocument.parse(new, "c.yml").storage_view == draft.as_view()


def test_a_json_style_storage_switched_to_s3_reads_back() -> None:
    text = 'version: 0.1\nstorage: {"filesystem": {"rootdirectory": "/r"}}\nhttp:\n  addr: :5000\n'
    doc = ConfigDocument.parse(text, "c.yml")
    assert doc.render(doc.draft(V2_8)) == text
    draft = doc.draft(V2_8).with_driver(
        "s3", {"bucket": "b", "region": "r", "regionendpoint": "http://x:1"}
    )
    new = doc.render(draft)
    assert ConfigDocument.parse(new, "c.yml").storage_view == draft.as_view()
    assert new.endswith("http:\n  addr: :5000\n")
