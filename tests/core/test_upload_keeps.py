"""An upload on top of the current config: the storage options it does not set are kept, a
redacted secret is filled from the form or else the file, and what nothing fills is listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtr_tui.core.backend_switch import switch_warning
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.errors import ConfigReadError
from dtr_tui.core.upload import export_storage, parse_upload, read_upload, upload_suffixes
from dtr_tui.core.versions import V2_8, V3_0

DATA = Path(__file__).parent.parent / "data"
FAKE_KEY = "ZmFrZS1henVyZS1rZXk="  # base64 of a fake key
FAKE_SECRET = "fake/SECRET/for+tests0123"
AZURE_ONLY = f"azure:\n  accountname: a\n  accountkey: {FAKE_KEY}\n  container: c\n"


def commented() -> StorageDraft:
    return ConfigDocument.load(DATA / "commented-config.yml").draft(V2_8)


@pytest.mark.parametrize("text", [AZURE_ONLY, "storage:\n" + "".join(
    "  " + line + "\n" for line in AZURE_ONLY.splitlines()
)])  # fmt: skip
def test_options_the_upload_does_not_set_are_kept(text: str) -> None:
    current = commented()
    upload = parse_upload(text, "azure.yml", V2_8, current)
    assert upload.draft.driver == "azure"
    assert upload.draft.params == {"accountname": "a", "accountkey": FAKE_KEY, "container": "c"}
    assert upload.draft.options == current.options
    assert upload.kept == ["delete", "redirect", "cache", "maintenance"]
    note = (
        "kept delete, redirect, cache, maintenance from the current config: "
        "the upload does not set them"
    )
    assert upload.kept_note == note and note in upload.notes


def test_an_option_the_upload_sets_replaces_the_current_one_whole() -> None:
    current = commented()
    text = AZURE_ONLY + "delete:\n  enabled: false\nmaintenance:\n  readonly:\n    enabled: true\n"
    upload = parse_upload(text, "azure.yml", V2_8, current)
    assert upload.draft.options["delete"] == {"enabled": False}
    assert upload.draft.options["maintenance"] == {"readonly": {"enabled": True}}
    assert upload.draft.options["cache"] == {"blobdescriptor": "inmemory"}
    assert upload.kept == ["redirect", "cache"]


def test_the_whole_file_upload_keeps_the_file_as_it_is() -> None:
    """Uploading the config the form already holds changes nothing and keeps nothing."""
    current = commented()
    upload = parse_upload((DATA / "commented-config.yml").read_text(), "c.yml", V2_8, current)
    assert upload.draft == current and upload.kept == [] and upload.notes == []


def test_tag_is_kept_on_3x_only_as_the_version_knows_it() -> None:
    current = StorageDraft("inmemory", {}, {"tag": {"concurrencylimit": 4}})
    assert parse_upload("s3: {bucket: b}\n", "s.yml", V3_0, current).kept == ["tag"]


def test_the_kept_options_render_without_a_change_to_their_lines() -> None:
    doc = ConfigDocument.load(DATA / "commented-config.yml")
    upload = parse_upload(AZURE_ONLY, "azure.yml", V2_8, doc.draft(V2_8))
    new = doc.render(upload.draft)
    assert "    enabled: true     # needed for garbage collection\n" in new
    assert "      age: 168h\n" in new and "  redirect:\n    disable: false\n" in new


def s3_with_keys() -> StorageDraft:
    return StorageDraft(
        "s3",
        {"bucket": "b", "region": "us-east-1", "accesskey": "AKIAFAKE", "secretkey": FAKE_SECRET},
        {"delete": {"enabled": True}},
    )


def test_a_redacted_secret_comes_from_the_saved_file_when_the_form_switched_away() -> None:
    saved = s3_with_keys()
    exported = export_storage(saved).text
    assert FAKE_SECRET not in exported and "AKIAFAKE" not in exported
    switched = saved.with_driver("azure")  # the dropdown: the form holds azure now
    upload = parse_upload(exported, "s3.yml", V2_8, switched, saved)
    assert upload.draft == saved
    assert upload.unfilled == []
    assert "storage.s3.secretkey: redacted in the upload, secret in the config file kept" in (
        upload.notes
    )
    assert not any(FAKE_SECRET in n or "AKIAFAKE" in n for n in upload.notes)


def test_the_form_s_value_comes_before_the_file_s() -> None:
    saved = s3_with_keys()
    typed = saved.with_value(("s3", "secretkey"), "typed-fake-secret")
    upload = parse_upload(export_storage(saved).text, "s3.yml", V2_8, typed, saved)
    assert upload.draft.params["secretkey"] == "typed-fake-secret"
    assert "storage.s3.secretkey: redacted in the upload, current secret kept" in upload.notes


def test_a_redacted_secret_nothing_can_fill_is_left_out_and_listed() -> None:
    exported = export_storage(s3_with_keys()).text
    current = commented()
    upload = parse_upload(exported, "s3.yml", V2_8, current, current)
    assert "accesskey" not in upload.draft.params and "secretkey" not in upload.draft.params
    assert sorted(upload.unfilled) == [("s3", "accesskey"), ("s3", "secretkey")]
    assert "storage.s3.accesskey: redacted in the upload and not set: fill it in" in upload.notes


def test_upload_suffixes_are_said_the_same_everywhere(tmp_path: Path) -> None:
    assert upload_suffixes() == ".yml, .yaml or .txt"
    bad = tmp_path / "storage.json"
    bad.write_text("{}")
    with pytest.raises(ConfigReadError, match=r"uploads are \.yml, \.yaml or \.txt files"):
        read_upload(bad, V2_8)
    text = tmp_path / "storage.txt"
    text.write_text(AZURE_ONLY)
    assert read_upload(text, V2_8).draft.driver == "azure"


def test_switch_warning_names_both_backends_and_is_empty_without_a_switch() -> None:
    assert switch_warning("filesystem", "azure") == (
        "Images stored in Filesystem will not be visible to the registry once it uses "
        "Azure Blob: copy them over before you save, or push them again."
    )
    assert switch_warning("s3", "s3") == "" and switch_warning(None, "s3") == ""
