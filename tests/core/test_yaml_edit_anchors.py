"""Anchors and aliases: an edit never changes another key through an alias, and never leaves
an alias undefined; a key whose value is an alias gets its own value written in its place."""

from __future__ import annotations

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.errors import DtrError
from dtr_tui.core.versions import V2_8

ANCHORED = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: &root /var/lib/registry
  delete:
    enabled: true
proxy:
  remoteurl: *root
"""


def render(text: str, *changes: tuple[tuple[str, ...], object]) -> str:
    doc = ConfigDocument.parse(text, "c.yml")
    draft = doc.draft(V2_8)
    for path, value in changes:
        draft = draft.with_value(path, value)
    return doc.render(draft)


def test_changing_an_anchored_value_is_refused_naming_key_anchor_and_use() -> None:
    with pytest.raises(DtrError) as caught:
        render(ANCHORED, (("filesystem", "rootdirectory"), "/new"))
    err = caught.value
    assert err.field == "storage.filesystem.rootdirectory"
    assert err.line == 4
    assert "&root" in err.message and "line 8" in err.message and "*root" in err.message
    assert "by hand" in err.hint
    assert "undefined alias" not in str(err)


def test_other_keys_next_to_an_anchor_still_change() -> None:
    new = render(ANCHORED, (("delete", "enabled"), False))
    assert new == ANCHORED.replace("enabled: true", "enabled: false")


def test_removing_a_block_that_holds_a_used_anchor_is_refused() -> None:
    with pytest.raises(DtrError, match=r"undefined"):
        doc = ConfigDocument.parse(ANCHORED, "c.yml")
        doc.render(doc.draft(V2_8).with_driver("s3", {"bucket": "b", "region": "r"}))


def test_a_storage_section_other_keys_alias_is_not_changed_through_it() -> None:
    text = (
        "version: 0.1\nstorage: &st\n  filesystem:\n    rootdirectory: /x\n"
        "  delete:\n    enabled: true\nother:\n  st: *st\n"
    )
    with pytest.raises(DtrError) as caught:
        render(text, (("delete", "enabled"), False))
    assert caught.value.field == "storage"
    assert "line 8" in caught.value.message and "&st" in caught.value.message


def test_a_value_that_is_an_alias_is_replaced_where_the_alias_is() -> None:
    text = (
        "version: 0.1\nx-root: &root /var/lib/registry\nstorage:\n  filesystem:\n"
        "    rootdirectory: *root  # shared\nhttp:\n  addr: :5000\n"
    )
    new = render(text, (("filesystem", "rootdirectory"), "/new"))
    assert new == text.replace("*root  # shared", "/new  # shared")


def test_a_driver_block_that_is_an_alias_is_written_out_in_its_place() -> None:
    text = (
        "version: 0.1\nbase: &b\n  rootdirectory: /anch\nstorage:\n  filesystem: *b\n"
        "  delete:\n    enabled: true\n"
    )
    new = render(text, (("filesystem", "maxthreads"), 50))
    assert new == text.replace(
        "  filesystem: *b\n", "  filesystem:\n    rootdirectory: /anch\n    maxthreads: 50\n"
    )
    after = ConfigDocument.parse(new, "c.yml")
    assert after.view["base"] == {"rootdirectory": "/anch"}


def test_a_storage_that_is_an_alias_is_written_out_in_its_place() -> None:
    text = "version: 0.1\ndefaults: &fs\n  filesystem:\n    rootdirectory: /a\nstorage: *fs\n"
    new = render(text, (("filesystem", "rootdirectory"), "/b"))
    assert new == text.replace("storage: *fs\n", "storage:\n  filesystem:\n    rootdirectory: /b\n")
    assert render(text) == text  # nothing to change: the alias stays


def test_an_alias_inside_storage_to_an_anchor_inside_storage_is_kept() -> None:
    text = (
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: &root /x\n"
        "  redirect:\n    disable: true\nlog:\n  fields:\n    dir: *root\n"
    )
    new = render(text, (("redirect", "disable"), False), (("filesystem", "maxthreads"), 9))
    after = ConfigDocument.parse(new, "c.yml")
    assert after.view["log"]["fields"]["dir"] == "/x"
    assert after.storage_view["filesystem"] == {"rootdirectory": "/x", "maxthreads": 9}
