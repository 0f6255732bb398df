"""Merge keys (`<<: *base`): read as yaml.v2 reads them (pairs in order, a later explicit key
overrides a merged one), kept as written on save, overridden by an explicit key when a
merged value changes."""

from __future__ import annotations

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.errors import ConfigReadError, DtrError
from dtr_tui.core.versions import V2_8
from dtr_tui.core.yaml_nodes import compose, to_view

OVERRIDE = """\
version: 0.1
x-base: &base
  rootdirectory: /var/lib/registry
  maxthreads: 100
storage:
  filesystem:
    <<: *base
    maxthreads: 50
  delete:
    enabled: true
"""


def view(text: str) -> object:
    return to_view(compose(text, "c.yml"), "c.yml")


def render(text: str, *changes: tuple[tuple[str, ...], object]) -> str:
    doc = ConfigDocument.parse(text, "c.yml")
    draft = doc.draft(V2_8)
    for path, value in changes:
        draft = draft.with_value(path, value)
    new = doc.render(draft)
    assert ConfigDocument.parse(new, "c.yml").storage_view == draft.as_view()
    return new


def test_an_explicit_key_after_a_merge_overrides_it() -> None:
    doc = ConfigDocument.parse(OVERRIDE, "c.yml")
    assert doc.storage_view["filesystem"] == {
        "rootdirectory": "/var/lib/registry",
        "maxthreads": 50,
    }
    assert doc.problems(V2_8) == []


def test_a_key_written_twice_is_still_a_duplicate() -> None:
    with pytest.raises(ConfigReadError, match="twice"):
        view("a:\n  <<: {b: 1}\n  b: 2\n  b: 3\n")


def test_yaml_v2_order_and_lists_of_merges() -> None:
    # pairs in order: a merge after an explicit key sets it again (yaml.v2, not YAML 1.2)
    assert view("x: &x {b: 1}\na:\n  b: 2\n  <<: *x\n")["a"] == {"b": 1}  # type: ignore[index]
    # of a list of merged mappings, the first wins
    assert view("a:\n  <<: [{b: 1}, {b: 2, c: 3}]\n")["a"] == {"b": 1, "c": 3}  # type: ignore[index]
    # a quoted "<<" is a plain key
    assert view("a:\n  '<<': {b: 1}\n")["a"] == {"<<": {"b": 1}}  # type: ignore[index]


def test_changing_an_override_changes_only_that_line() -> None:
    new = render(OVERRIDE, (("filesystem", "maxthreads"), 60))
    assert new == OVERRIDE.replace("maxthreads: 50", "maxthreads: 60")


def test_changing_a_merged_value_adds_an_override_after_the_merge() -> None:
    new = render(OVERRIDE, (("filesystem", "rootdirectory"), "/data"))
    assert new == OVERRIDE.replace(
        "    maxthreads: 50\n", "    maxthreads: 50\n    rootdirectory: /data\n"
    )
    assert "<<: *base" in new and "x-base: &base\n  rootdirectory: /var/lib/registry" in new


def test_a_merged_option_block_is_overridden_whole() -> None:
    text = (
        "version: 0.1\nx-storage: &common\n  delete:\n    enabled: true\n"
        "storage:\n  <<: *common\n  filesystem:\n    rootdirectory: /r\n"
    )
    new = render(text, (("delete", "enabled"), False), (("filesystem", "maxthreads"), 9))
    assert new == text + "    maxthreads: 9\n  delete:\n    enabled: false\n"


def test_unchanged_merge_is_byte_identical() -> None:
    doc = ConfigDocument.parse(OVERRIDE, "c.yml")
    assert doc.render(doc.draft(V2_8)) == OVERRIDE
    assert render(OVERRIDE, (("delete", "enabled"), False)) == OVERRIDE.replace(
        "enabled: true", "enabled: false"
    )


def test_removing_a_merged_key_is_refused_with_the_merge_line() -> None:
    with pytest.raises(DtrError) as caught:
        render(OVERRIDE, (("filesystem", "rootdirectory"), None))
    assert caught.value.field == "storage.filesystem.rootdirectory"
    assert caught.value.line == 7 and "<<: *base" in caught.value.message
    with pytest.raises(DtrError, match="the value 100 from the merge key"):
        render(OVERRIDE, (("filesystem", "maxthreads"), None))


def test_a_key_before_a_merge_that_sets_it_again_is_not_edited_in_vain() -> None:
    text = (
        "version: 0.1\nx: &x\n  maxthreads: 100\nstorage:\n  filesystem:\n"
        "    maxthreads: 50\n    <<: *x\n    rootdirectory: /r\n"
    )
    doc = ConfigDocument.parse(text, "c.yml")
    assert doc.storage_view["filesystem"]["maxthreads"] == 100  # yaml.v2 order
    assert doc.render(doc.draft(V2_8)) == text
    assert render(text, (("filesystem", "rootdirectory"), "/s")) == text.replace("/r", "/s")
    with pytest.raises(DtrError, match=r"set again by the merge key `<<: \*x`") as caught:
        render(text, (("filesystem", "maxthreads"), 60))
    assert caught.value.line == 7
