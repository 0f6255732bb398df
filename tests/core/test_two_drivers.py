"""A storage section with two drivers (the registry refuses it) is mended by keeping one:
its own block as written, comments too; the other blocks go, and the plan says so."""

from __future__ import annotations

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.draft import StorageDraft, driver_keys, several_drivers
from dtr_tui.core.plan import diff_storage, plan_change
from dtr_tui.core.versions import V2_8, V3_0
from dtr_tui.core.yaml_edit import Splicer
from dtr_tui.core.yaml_nodes import mapping_get

TWO = """\
version: 0.1
storage:
  # local disk
  filesystem:
    rootdirectory: /data/registry  # the big disk
  s3:   # the new bucket
    bucket: b  # images
    region: us-east-1
  delete:
    enabled: true
http:
  addr: :5000
"""


def doc() -> ConfigDocument:
    return ConfigDocument.parse(TWO, "two.yml")


def test_keeping_takes_the_drivers_own_block_and_the_options() -> None:
    storage = doc().storage_view
    kept = StorageDraft.keeping(storage, "s3", V2_8)
    assert kept == StorageDraft(
        "s3", {"bucket": "b", "region": "us-east-1"}, {"delete": {"enabled": True}}
    )
    fs = StorageDraft.keeping(storage, "filesystem", V2_8)
    assert fs.params == {"rootdirectory": "/data/registry"}
    assert StorageDraft.keeping(storage, "azure", V2_8).params == {}


def test_several_drivers_only_for_known_driver_names() -> None:
    assert several_drivers(doc().storage_view, V2_8) == ["filesystem", "s3"]
    assert driver_keys(doc().storage_view, V2_8) == ["filesystem", "s3"]
    assert several_drivers({"filesystem": {}}, V2_8) == []
    assert several_drivers({"filesystem": {}, "S3": {}}, V2_8) == []  # a case error instead
    assert several_drivers({"filesystem": {}, "swift": {}}, V3_0) == []  # swift is 2.x only


def test_keeping_the_second_driver_writes_it_once_with_its_comments() -> None:
    d = doc()
    new = d.render(StorageDraft.keeping(d.storage_view, "s3", V2_8))
    assert new == TWO.replace(
        "  filesystem:\n    rootdirectory: /data/registry  # the big disk\n", ""
    )
    parsed = ConfigDocument.parse(new, "two.yml")  # no duplicate key
    assert not [p for p in parsed.problems(V2_8) if p.severity.name == "ERROR"]


def test_keeping_the_first_driver_keeps_its_root_directory() -> None:
    d = doc()
    new = d.render(StorageDraft.keeping(d.storage_view, "filesystem", V2_8))
    assert "rootdirectory: /data/registry  # the big disk" in new
    assert "s3" not in new and "bucket" not in new
    assert ConfigDocument.parse(new, "two.yml").storage_view == {
        "filesystem": {"rootdirectory": "/data/registry"},
        "delete": {"enabled": True},
    }


def test_a_switch_to_a_driver_the_mapping_has_does_not_write_it_twice() -> None:
    d = doc()
    _, storage = mapping_get(d.root, "storage")  # type: ignore[misc]
    splicer = Splicer(d.text, 2)
    new = {"s3": {"bucket": "b", "region": "us-east-1"}, "delete": {"enabled": True}}
    splicer.update_mapping(storage, new, in_place={"filesystem": "s3"})
    assert splicer.result().count("s3:") == 1


def test_the_summary_names_each_dropped_block() -> None:
    d = doc()
    kept = StorageDraft.keeping(d.storage_view, "filesystem", V2_8)
    plan = plan_change(d, kept, V2_8)
    assert plan.summary == ["storage.s3: removed (2 keys)"]
    assert "-  s3:   # the new bucket\n" in plan.diff
    assert not plan.errors
    (change,) = plan.changes
    assert change.as_dict()["change"] == "removed" and change.as_dict()["old"] == "2 keys"
    other = plan_change(d, StorageDraft.keeping(d.storage_view, "s3", V2_8), V2_8)
    assert other.summary == ["storage.filesystem: removed (1 key)"]


def test_a_switch_away_from_both_says_backend_and_the_dropped_block() -> None:
    old = doc().storage_view
    new = StorageDraft("inmemory", {}, {"delete": {"enabled": True}}).as_view()
    lines = [c.line for c in diff_storage(old, new)]
    assert lines == [
        "storage: backend filesystem → inmemory",
        "storage.inmemory: set to {}",
        "storage.s3: removed (2 keys)",
    ]


def test_a_dropped_block_never_shows_a_secret_value() -> None:
    old = {"filesystem": {}, "s3": {"secretkey": "hunter2", "bucket": "b"}}
    (change,) = diff_storage(old, {"filesystem": {}})
    assert "hunter2" not in change.line + str(change.as_dict())
