"""The document changes only the storage keys it must; every other byte survives."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.errors import ConfigReadError
from dtr_tui.core.upload import export_storage, parse_upload
from dtr_tui.core.versions import V2_8
from dtr_tui.core.yaml_edit import render_scalar
from dtr_tui.core.yaml_nodes import compose, to_view

DATA = Path(__file__).parent.parent / "data"


def commented() -> ConfigDocument:
    return ConfigDocument.load(DATA / "commented-config.yml")


def outside_storage(text: str) -> list[str]:
    """The lines of a config that are not inside its top-level storage block."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("storage:"))
    end = next(
        i for i in range(start + 1, len(lines))
        if lines[i][:1] not in (" ", "\n", "#")
    )  # fmt: skip
    while lines[end - 1].strip() == "" or lines[end - 1].startswith("#"):
        end -= 1
    return lines[:start] + lines[end:]


def test_no_change_is_byte_identical() -> None:
    doc = commented()
    assert doc.render(doc.draft(V2_8)) == doc.text


def test_switching_backend_touches_only_the_driver_block() -> None:
    doc = commented()
    draft = doc.draft(V2_8).with_driver("s3", {"bucket": "b", "region": "us-east-1"})
    new = doc.render(draft)
    assert outside_storage(new) == outside_storage(doc.text)
    after = ConfigDocument.parse(new, "x")
    assert after.storage_view["s3"] == {"bucket": "b", "region": "us-east-1"}
    assert "filesystem" not in after.storage_view
    # delete, redirect, cache and maintenance are kept with their comments
    assert "    enabled: true     # needed for garbage collection\n" in new
    assert after.storage_view["maintenance"]["uploadpurging"]["age"] == "168h"
    # the driver keeps its place, right under its comment
    assert "  # Local disk until the S3 migration lands.\n  s3:\n" in new


def test_changed_scalar_keeps_its_comment() -> None:
    doc = commented()
    new = doc.render(doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/data"))
    assert "    rootdirectory: /data   # mounted volume\n" in new
    changed = [
        (a, b) for a, b in zip(doc.text.splitlines(), new.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        ("    rootdirectory: /var/lib/registry   # mounted volume",
         "    rootdirectory: /data   # mounted volume"),
    ]  # fmt: skip


def test_unknown_keys_inside_the_driver_are_kept() -> None:
    doc = ConfigDocument.parse(
        "version: 0.1\nstorage:\n  s3:\n    bucket: b\n    region: us-east-1\n"
        "    vendorflag: on  # ours\n",
        "c.yml",
    )
    draft = doc.draft(V2_8).with_value(("s3", "bucket"), "c")
    new = doc.render(draft)
    assert "    vendorflag: on  # ours\n" in new
    assert "    bucket: c\n" in new


def test_exactly_one_driver_after_switching_a_two_driver_file() -> None:
    doc = ConfigDocument.parse(
        "version: 0.1\nstorage:\n  filesystem: {}\n  s3: {bucket: b}\n  delete:\n"
        "    enabled: true\n",
        "c.yml",
    )
    draft = StorageDraft("inmemory", {}, {"delete": {"enabled": True}})
    new = ConfigDocument.parse(doc.render(draft), "c.yml")
    assert list(new.storage_view) == ["inmemory", "delete"]


def test_missing_storage_section_is_appended() -> None:
    doc = ConfigDocument.parse("version: 0.1\nhttp:\n  addr: :5000", "c.yml")
    new = doc.render(StorageDraft.default())
    assert new.startswith("version: 0.1\nhttp:\n  addr: :5000\nstorage:\n")
    assert to_view(compose(new, "x"), "x")["storage"] == {
        "filesystem": {"rootdirectory": "/var/lib/registry"}
    }


def test_four_space_indentation_is_followed() -> None:
    doc = ConfigDocument.parse("version: 0.1\nstorage:\n    inmemory: {}\n", "c.yml")
    new = doc.render(StorageDraft("s3", {"bucket": "b"}, {}))
    assert new == "version: 0.1\nstorage:\n    s3:\n        bucket: b\n"


def test_crlf_files_keep_crlf() -> None:
    text = "version: 0.1\r\nstorage:\r\n  filesystem:\r\n    rootdirectory: /x\r\nhttp: {}\r\n"
    doc = ConfigDocument.parse(text, "c.yml")
    new = doc.render(StorageDraft("s3", {"bucket": "b"}, {}))
    assert new == "version: 0.1\r\nstorage:\r\n  s3:\r\n    bucket: b\r\nhttp: {}\r\n"


def test_shorthand_storage_becomes_a_block() -> None:
    doc = ConfigDocument.parse("version: 0.1\nstorage: inmemory\nhttp: {}\n", "c.yml")
    assert doc.render(doc.draft(V2_8)) == doc.text
    new = doc.render(StorageDraft("s3", {"bucket": "b"}, {}))
    assert new == "version: 0.1\nstorage:\n  s3:\n    bucket: b\nhttp: {}\n"


@pytest.mark.parametrize(
    "value",
    ["yes", "on", "0123", "1e3", "", " padded", "a: b", "#x", "@x", "it's", "multi\nline",
     "null", "~", "true", 12, 1.5, True],
)  # fmt: skip
def test_written_values_read_back_with_their_type(value: object) -> None:
    text = f"key: {render_scalar(value)}\n"
    assert to_view(compose(text, "x"), "x") == {"key": value}


def test_yaml_1_1_booleans_read_as_the_registry_reads_them() -> None:
    view = to_view(compose("a: yes\nb: 'yes'\nc: off\nd: 0777\n", "x"), "x")
    assert view == {"a": True, "b": "yes", "c": False, "d": 511}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("version: 0.1\nstorage:\n  s3: [\n", 4, "is not valid YAML"),
        ("version: 0.1\nstorage:\n\tinmemory: {}\n", 3, "indented with a tab"),
        ("version: 0.1\nstorage: {}\nstorage: {}\n", 3, "has the key 'storage' twice"),
        ("- a\n- b\n", None, "does not hold a mapping"),
    ],
)
def test_bad_yaml_names_the_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(ConfigReadError) as caught:
        ConfigDocument.parse(text, "c.yml")
    assert message in caught.value.message
    assert caught.value.line == line
    assert str(caught.value).startswith("c.yml")


def test_problems_carry_line_numbers() -> None:
    doc = ConfigDocument.parse(
        "version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    chunksize: 12\n", "c.yml"
    )
    found = {p.field: p.line for p in doc.problems(V2_8)}
    assert found["storage.s3.chunksize"] == 5
    assert found["storage.s3.bucket"] == 3  # missing: reported at its block


def test_upload_of_a_storage_section_and_of_a_whole_config() -> None:
    only = parse_upload(
        "s3:\n  bucket: b\n  region: us-east-1\ndelete:\n  enabled: true\n", "storage.yml", V2_8
    )
    assert only.kind == "storage"
    assert only.draft.driver == "s3" and only.draft.options == {"delete": {"enabled": True}}
    whole = parse_upload(commented().text, "config.yml", V2_8)
    assert whole.kind == "config" and whole.draft.driver == "filesystem"
    wrapped = parse_upload("storage:\n  inmemory: {}\n", "storage.yml", V2_8)
    assert wrapped.kind == "storage"


def test_upload_that_is_neither_says_so() -> None:
    with pytest.raises(ConfigReadError, match="neither a registry config"):
        parse_upload("http:\n  addr: :5000\n", "x.yml", V2_8)
    with pytest.raises(ConfigReadError, match="exactly one storage type"):
        parse_upload("s3: {}\nfilesystem: {}\n", "x.yml", V2_8)


def test_export_redacts_and_round_trips_through_upload() -> None:
    current = StorageDraft("s3", {"bucket": "b", "region": "us-east-1", "secretkey": "S3CR3T"}, {})
    exported = export_storage(current)
    assert "S3CR3T" not in exported.text
    assert exported.secrets == ["storage.s3.secretkey"]
    assert "redacted" in exported.text.splitlines()[1]
    back = parse_upload(exported.text, "storage.yml", V2_8, current)
    assert back.draft.params["secretkey"] == "S3CR3T"
    assert any("current secret kept" in n for n in back.notes)
    revealed = export_storage(current, include_secrets=True)
    assert "S3CR3T" in revealed.text and "WARNING" in revealed.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\n  \n", "is empty"),
        (b"# registry config\n\n  # todo\n", "holds only comments"),
        (b"\xef\xbb\xbf# registry config\n", "holds only comments"),
    ],
)
def test_an_empty_or_comments_only_file_says_which(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "c.yml"
    path.write_bytes(data)
    with pytest.raises(ConfigReadError) as caught:
        ConfigDocument.load(path)
    assert caught.value.message.startswith(message)
    assert "version: 0.1" in caught.value.message


def test_a_non_utf8_byte_is_named_by_offset_and_value(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_bytes(b"version: 0.1\nlog:\n  fields:\n    service: caf\xe9\n")
    with pytest.raises(ConfigReadError) as caught:
        ConfigDocument.load(path)
    err = caught.value
    assert err.line == 4
    assert "at byte offset 44 (0xE9), column 17" in err.message
    assert "UTF-8" in err.hint
