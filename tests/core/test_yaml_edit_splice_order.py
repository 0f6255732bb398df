"""Property-style check of the storage splice: for many file layouts and many drafts, the
rendered text reads back as exactly the draft's storage section, and only storage lines
change.

Regression: two insertions at one offset (a new key at the end of the last driver block
and a new option block at the end of `storage:`) were spliced in reverse, so the driver's
key landed inside the option block (`regionendpoint` under `redirect:`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8

DRIVERS: dict[str, list[tuple[str, Any]]] = {
    "s3": [("bucket", "images"), ("region", "us-east-1")],
    "filesystem": [("rootdirectory", "/var/lib/registry")],
}
# options a file may already have, as (key, nested lines relative to the option)
OPTIONS: dict[str, list[tuple[int, str]]] = {
    "delete": [(1, "enabled: true")],
    "redirect": [(1, "disable: false")],
    "maintenance": [(1, "uploadpurging:"), (2, "enabled: true"), (2, "age: 168h")],
}

Change = tuple[tuple[str, ...], Any]


def make_file(
    driver: str,
    options: tuple[str, ...],
    position: int,
    step: int,
    *,
    after: str,
    comment: bool,
) -> str:
    """A config with `driver` at `position` among `options` under `storage:`."""
    blocks: list[list[str]] = []
    for name in options:
        lines = [f"{' ' * step}{name}:"]
        lines += [f"{' ' * (step * (1 + depth))}{text}" for depth, text in OPTIONS[name]]
        blocks.append(lines)
    driver_lines = [f"{' ' * step}{driver}:"]
    if comment:  # quoted keys and values, inline comments, blank lines, comment lines
        driver_lines += [f'{" " * (2 * step)}"{k}": "{v}"  # {k}' for k, v in DRIVERS[driver]]
        driver_lines.append(f"{' ' * (2 * step)}# end of the driver block")
        driver_lines.append("")
        blocks = [[*block, f"{' ' * step}# between blocks"] for block in blocks]
    else:
        driver_lines += [f"{' ' * (2 * step)}{k}: {v}" for k, v in DRIVERS[driver]]
    blocks.insert(position, driver_lines)
    lines = ["# registry", "version: 0.1", "log:", f"{' ' * step}level: info", "storage:"]
    lines += [line for block in blocks for line in block]
    if after == "http":
        lines += ["http:", f"{' ' * step}addr: :5000"]
    elif after == "comment+http":
        lines += ["# after storage", "http:", f"{' ' * step}addr: :5000  # port"]
    elif after == "no-newline":
        return "\n".join(lines)  # storage is last, and the file has no final newline
    return "\n".join(lines) + "\n"


def change_sets(driver: str, present: tuple[str, ...]) -> list[list[Change]]:
    """Drafts to try: keys added to the driver, to present and to new options, together."""
    by_driver: dict[str, list[Change]] = {
        "s3": [
            (("s3", "regionendpoint"), "http://minio:9000"),
            (("s3", "secretkey"), "SECRET"),
            (("s3", "accesskey"), "AKIA"),
        ],
        "filesystem": [
            (("filesystem", "maxthreads"), 50),
            (("filesystem", "x-note"), "kept"),
        ],
    }
    new_driver_keys = by_driver[driver]
    changed_driver_key: Change = (
        (driver, DRIVERS[driver][0][0]),
        "/new" if driver == "filesystem" else "other-bucket",
    )
    option_changes: dict[str, list[Change]] = {
        "delete": [(("delete", "enabled"), False)],
        "redirect": [(("redirect", "disable"), True)],
        "maintenance": [
            (("maintenance", "uploadpurging", "dryrun"), True),
            (("maintenance", "readonly", "enabled"), True),
        ],
        "cache": [(("cache", "blobdescriptor"), "inmemory")],
    }
    driver_sets: list[list[Change]] = [
        [],
        new_driver_keys[:1],
        new_driver_keys,
        [changed_driver_key],
        [changed_driver_key, *new_driver_keys[:1]],
    ]
    option_sets: list[list[Change]] = [[]]
    names = list(option_changes)
    for name in names:
        option_sets.append(option_changes[name][:1])
        option_sets.append(option_changes[name])
    for a, b in itertools.combinations(names, 2):
        option_sets.append(option_changes[a] + option_changes[b])
    option_sets.append([c for name in names for c in option_changes[name]])
    out: list[list[Change]] = []
    for d, o in itertools.product(driver_sets, option_sets):
        if d or o:
            out.append(d + o)
    # an unset too, in a present option and in the driver, alongside additions
    if present:
        out.append([(((present[0],) + _first_leaf(present[0])), None), *new_driver_keys])
    return out


def _first_leaf(option: str) -> tuple[str, ...]:
    return (
        ("uploadpurging", "age")
        if option == "maintenance"
        else (OPTIONS[option][0][1].split(":")[0],)
    )


def top_level_spans(text: str) -> tuple[list[str], list[str]]:
    """The lines before `storage:` and from the next top-level key on."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("storage:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\r", "\n", "#")),
        len(lines),
    )
    return lines[:start], lines[end:]


def check(text: str, draft_of: Callable[[StorageDraft], StorageDraft]) -> None:
    doc = ConfigDocument.parse(text, "c.yml")
    draft = draft_of(doc.draft(V2_8))
    new = doc.render(draft)
    after = ConfigDocument.parse(new, "c.yml")
    assert after.storage_view == draft.as_view(), new
    assert top_level_spans(new) == top_level_spans(text), new
    assert {k: v for k, v in after.view.items() if k != "storage"} == {
        k: v for k, v in doc.view.items() if k != "storage"
    }
    if "\r\n" in text:
        assert "\n" not in new.replace("\r\n", ""), "a bare LF in a CRLF file"
    # the rendered file is stable: rendering the same draft again changes nothing
    assert after.render(draft) == new


LAYOUTS = [
    (driver, present, position, step, newline, after, comment)
    for driver in DRIVERS
    for present in [(), ("delete",), ("redirect", "maintenance"), ("delete", "redirect")]
    for position in sorted({0, len(present) // 2, len(present)})  # first, middle, last
    for step in (2, 4)
    for newline in ("\n", "\r\n")
    for after, comment in (
        ("http", False),
        ("end", False),
        ("no-newline", False),
        ("comment+http", True),
        ("end", True),
    )
]


@pytest.mark.parametrize(
    ("driver", "present", "position", "step", "newline", "after", "comment"), LAYOUTS
)
def test_rendered_storage_is_exactly_the_draft(
    driver: str,
    present: tuple[str, ...],
    position: int,
    step: int,
    newline: str,
    after: str,
    comment: bool,
) -> None:
    text = make_file(driver, present, position, step, after=after, comment=comment)
    text = text.replace("\n", newline)
    for changes in change_sets(driver, present):

        def apply(draft: StorageDraft, changes: list[Change] = changes) -> StorageDraft:
            for path, value in changes:
                draft = draft.with_value(path, value)
            return draft

        check(text, apply)


@pytest.mark.parametrize("step", [2, 4])
@pytest.mark.parametrize("position", ["first", "last"])
def test_driver_switch_with_new_options(step: int, position: str) -> None:
    present = ("delete",)
    text = make_file(
        "filesystem", present, 0 if position == "first" else 1, step, after="http", comment=False
    )

    def switch(draft: StorageDraft) -> StorageDraft:
        draft = draft.with_driver("s3", {"bucket": "b", "region": "us-east-1"})
        return draft.with_value(("redirect", "disable"), True).with_value(
            ("maintenance", "uploadpurging", "enabled"), False
        )

    check(text, switch)


def test_qa_repro_regionendpoint_stays_in_the_driver_block() -> None:
    text = (
        "version: 0.1\nstorage:\n  s3:\n    bucket: images\n    region: us-east-1\n"
        "http:\n  addr: :5000\n"
    )
    doc = ConfigDocument.parse(text, "c.yml")
    draft = (
        doc.draft(V2_8)
        .with_value(("s3", "regionendpoint"), "http://minio:9000")
        .with_value(("redirect", "disable"), True)
    )
    assert doc.render(draft) == (
        "version: 0.1\nstorage:\n  s3:\n    bucket: images\n    region: us-east-1\n"
        "    regionendpoint: http://minio:9000\n  redirect:\n    disable: true\n"
        "http:\n  addr: :5000\n"
    )
