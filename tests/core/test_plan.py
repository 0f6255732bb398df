"""The plan: a masked diff (never a secret, nor its length), a summary, a fingerprint."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest

from dtr_tui.core import plan as plan_module
from dtr_tui.core.document import DEFAULT_CONFIG, ConfigDocument
from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.plan import Planner, plan_change, secret_labels
from dtr_tui.core.secrets import MASK, mask_text
from dtr_tui.core.versions import V2_8, V3_0, RegistryVersion

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


# -- the incremental planner says what plan_change says ---------------------------------

FILESYSTEM = """\
# Registry configuration (test fixture)
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
  secret: a-very-private-http-secret
"""
LONG = DEFAULT_CONFIG + "".join(
    f"extra{i}:\n  key: value{i}  # comment\n  password: pw{i}\n" for i in range(100)
)
S3_WITH_SECRET = (
    "version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    bucket: b\n"
    "    accesskey: AKIAOLD\n    secretkey: old-secret\n  delete:\n    enabled: true\n"
    "http:\n  secret: hs\n"
)
CONFIGS = {
    "filesystem": FILESYSTEM,
    "long": LONG,
    "no-storage": "version: 0.1\nhttp:\n  addr: :5000\n",
    "commented": (DATA / "commented-config.yml").read_text(),
    "s3-with-secret": S3_WITH_SECRET,
    # a secret added at the end of the storage section, right before the next entry
    "azure-last": (
        "version: 0.1\nstorage:\n  azure:\n    accountname: a\n    container: c\n"
        "http:\n  secret: s\n"
    ),
    "storage-first": (
        "storage:\n  filesystem:\n    rootdirectory: /srv\n# the http part\n"
        "http:\n  secret: |\n    multi\n    line\nversion: 0.1\n"
    ),
    "no-final-newline": "version: 0.1\nhttp:\n  secret: s\nstorage:\n  inmemory: {}",
    "scalar-storage": "version: 0.1\nstorage: inmemory\nhttp:\n  secret: s\n",
    "flow-storage": (
        "version: 0.1\nstorage: {filesystem: {rootdirectory: /srv}}\nredis: {password: p}\n"
    ),
    "alias": (
        "version: 0.1\nx: &creds {password: p}\nstorage:\n  filesystem:\n    rootdirectory: /srv\n"
        "y: *creds\n"
    ),
    "explicit-key": "? version\n: 0.1\nstorage:\n  inmemory: {}\nhttp:\n  secret: s\n",
    "directive": "%YAML 1.2\n---\nversion: 0.1\nstorage:\n  inmemory: {}\nhttp:\n  secret: s\n",
    "crlf": "version: 0.1\r\nstorage:\r\n  filesystem:\r\n    rootdirectory: /srv\r\n"
    "http:\r\n  secret: s\r\n",
}
S3 = {"region": "us-east-1", "bucket": "b", "accesskey": "AKIAX", "secretkey": "s3cr3t"}


def drafts_of(doc: ConfigDocument, version: RegistryVersion) -> list[StorageDraft]:
    base = doc.draft(version)
    drafts = [
        base,
        base.with_value(("delete", "enabled"), False),
        base.with_driver("s3", S3).with_value(("s3", "chunksize"), "abc"),
        base.with_driver("s3", S3).with_value(("s3", "secretkey"), "x" * 64),
        base.with_driver("inmemory", {}),
    ]
    if base.driver == "azure":
        drafts += [base.with_value(("azure", "accountkey"), "k")]
    if base.driver == "s3":
        drafts += [
            base.with_value(("s3", "secretkey"), "new"),
            base.with_value(("s3", "accesskey"), ""),
        ]
    return drafts


def assert_preview_is_plan(planner: Planner, draft: StorageDraft) -> None:
    doc = planner.doc
    plan = plan_change(doc, draft, planner.version)
    preview = planner.preview(draft)
    assert preview.diff == plan.diff
    assert preview.summary == plan.summary
    assert preview.has_changes == plan.has_changes
    assert [p.field for p in preview.problems] == [p.field for p in plan.problems]
    new, masked = planner.masked_new_text(draft)
    assert new == plan.new_text
    assert masked == mask_text(new, doc.source, secret_labels(plan.changes))
    for secret in ("s3cr3t", "AKIAX", "old-secret", "AKIAOLD", "a-very-private", "pw7"):
        assert secret not in preview.diff + preview.yaml


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("version", [V2_8, V3_0], ids=["2.8", "3.0"])
def test_preview_matches_the_plan(name: str, version: RegistryVersion) -> None:
    doc = ConfigDocument.parse(CONFIGS[name], "/etc/registry/config.yml")
    planner = Planner(doc, version)
    if not doc.storage_view:
        assert_preview_is_plan(planner, StorageDraft.from_view({"inmemory": {}}, version, "x"))
        return
    for draft in drafts_of(doc, version):
        assert_preview_is_plan(planner, draft)
    # one planner serves a whole session of keystrokes
    for i in range(3):
        assert_preview_is_plan(
            planner, doc.draft(version).with_driver("swift", {"password": "p" * i})
        )


def test_preview_of_a_file_not_written_yet() -> None:
    doc = ConfigDocument.parse(DEFAULT_CONFIG, "/etc/registry/config.yml", exists=False)
    planner = Planner(doc, V2_8)
    for draft in drafts_of(doc, V2_8):
        assert_preview_is_plan(planner, draft)
        assert planner.preview(draft).diff.startswith("--- /dev/null\n")


def test_secrets_elsewhere_stay_masked() -> None:
    doc = ConfigDocument.parse(FILESYSTEM, "c.yml")
    draft = doc.draft(V2_8).with_value(("filesystem", "rootdirectory"), "/srv")
    planner = Planner(doc, V2_8)
    preview = planner.preview(draft)
    assert "a-very-private-http-secret" not in preview.diff
    assert f"secret: {MASK}" in planner.masked_new_text(draft)[1]
    assert preview.yaml.startswith("storage:\n  filesystem:\n    rootdirectory: /srv")


def test_a_keystroke_composes_only_the_storage_section(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = ConfigDocument.parse(LONG, "c.yml")
    planner = Planner(doc, V2_8)
    composed: list[str] = []
    original = plan_module.compose

    def counted(text: str, source: str) -> object:
        composed.append(text)
        return original(text, source)

    monkeypatch.setattr(plan_module, "compose", counted)
    draft = doc.draft(V2_8).with_driver("s3", S3)
    planner.preview(draft)
    assert composed and all(text.startswith("storage:") for text in composed)
    assert max(map(len, composed)) < len(LONG) / 10


def test_keystroke_work_is_cheap_on_a_long_config() -> None:
    doc = ConfigDocument.parse(LONG, "c.yml")
    planner = Planner(doc, V2_8)
    draft = doc.draft(V2_8).with_driver("s3", {"region": "us-east-1"})
    times = []
    for i in range(31):
        start = time.perf_counter()
        planner.preview(draft.with_value(("s3", "bucket"), "b" * (i + 1)))
        times.append(time.perf_counter() - start)
    assert sorted(times)[15] < 0.025  # generous for CI; bench/ measures the real median


@pytest.mark.parametrize(
    "new",
    [
        "version: 0.1\nstorage:\n  inmemory: {}\n  delete:\n    enabled: true\n"
        "http:\n  secret: s\n",
        # the edit takes the newline before `http:`: its secret is now the storage's
        "version: 0.1\nstorage:\n  inmemory: {}\n  x: 1 # http:\n  secret: s\n",
        "version: 0.1\nstorage:\n  swift:\n    password: p\nhttp:\n  secret: s\n"
        "redis:\n  password: r\n",
    ],
)
def test_new_secrets_are_masked_as_a_whole_parse_masks_them(new: str) -> None:
    old = "version: 0.1\nstorage:\n  inmemory: {}\nhttp:\n  secret: s\n"
    planner = Planner(ConfigDocument.parse(old, "c.yml"), V2_8)
    labels = {
        ("storage", "secret"): "new",
        ("storage", "swift", "password"): "new",
        ("http", "secret"): "changed",  # outside the edit: its entry is masked again
    }
    assert planner._mask_new(new, labels) == mask_text(new, "c.yml", labels)
