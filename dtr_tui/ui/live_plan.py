"""The per-keystroke preview: the YAML, masked diff and problems of a draft, in about a millisecond.

`plan_change` composes the whole file three times (new text, masking, problems); that is the
right thing before a write but far too slow for every keystroke on a long config. Here the
file is cut once into top-level entries and each is masked once; a keystroke only re-masks
the entries the edit touched (the storage section), so the result is the same text the plan
shows, at a fraction of the cost. No Textual import: this is plain logic, tested as such.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.document import ConfigDocument
from ..core.draft import StorageDraft
from ..core.plan import diff_storage
from ..core.problems import Path, Problem, Severity
from ..core.secrets import mask_text
from ..core.validation import validate_storage
from ..core.versions import RegistryVersion


@dataclass(frozen=True)
class Preview:
    """What the YAML and Diff tabs and the problem count show for one draft."""

    yaml: str  # the storage section as it will be written, secrets masked
    diff: str  # unified diff of the whole file, secrets masked (as Plan.diff)
    problems: list[Problem] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    has_changes: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


def _common_length(a: str, b: str, limit: int, part: Callable[[str, int], str]) -> int:
    """Length of the common prefix (or suffix) by bisection: slices compare in C, a
    character loop in Python would cost more than the rest of a keystroke."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if part(a, middle) == part(b, middle):
            low = middle
        else:
            high = middle - 1
    return low


def _top_level_starts(text: str) -> list[int]:
    """Offsets where a top-level entry begins (a line starting in column 0, not a comment)."""
    starts = [0]
    offset = 0
    for line in text.splitlines(keepends=True):
        if offset and line[:1] not in ("", " ", "\t", "#", "\n", "\r"):
            starts.append(offset)
        offset += len(line)
    return starts


class LivePlanner:
    """Previews drafts against one document; build a new one when the document changes."""

    def __init__(self, doc: ConfigDocument, version: RegistryVersion) -> None:
        self.doc = doc
        self.version = version
        view = doc.view if isinstance(doc.view, Mapping) else {}
        self._has_redis = isinstance(view.get("redis"), Mapping)
        self._file_problems = [p for p in doc.problems(version) if p.path[:1] != ("storage",)]
        storage = doc.storage_view
        if isinstance(storage, str):
            storage = {storage: None}
        self._old_storage: Mapping[str, Any] = storage if isinstance(storage, Mapping) else {}
        # the same labels as plan_change (tests/ui/test_live_plan.py keeps them in step)
        self._old_label = f"{doc.source} (on disk)" if doc.exists else "/dev/null"
        self._new_label = f"{doc.source} (after save)"
        text = doc.text
        self._starts = _top_level_starts(text) + [len(text)]
        self._masked: list[str] | None = []
        try:
            for begin, end in zip(self._starts, self._starts[1:], strict=False):
                self._masked.append(mask_text(text[begin:end], doc.source))
            if "".join(self._masked) != mask_text(text, doc.source):
                self._masked = None
        except Exception:
            self._masked = None  # anchors across entries and the like: use the slow path
        masked_old = mask_text(text, doc.source) if doc.exists else ""
        self._old_lines = masked_old.splitlines(keepends=True) if doc.exists else []

    def _labels(self, draft: StorageDraft) -> dict[Path, str]:
        changes = diff_storage(self._old_storage, draft.as_view())
        return {c.path: ("new" if c.kind == "added" else "changed") for c in changes if c.secret}

    def masked_new_text(self, draft: StorageDraft) -> tuple[str, str]:
        """The new file's text and the same text with every secret masked."""
        old = self.doc.text
        new = self.doc.render(draft)
        labels = self._labels(draft)
        if self._masked is None:
            return new, mask_text(new, self.doc.source, labels)
        if new == old:
            return new, "".join(self._masked)
        limit = min(len(old), len(new))
        head = _common_length(old, new, limit, lambda t, n: t[:n])
        tail = _common_length(old, new, limit - head, lambda t, n: t[len(t) - n :])
        # widen the changed span to whole top-level entries, which mask on their own
        first = max(i for i, s in enumerate(self._starts[:-1]) if s <= head) if head else 0
        old_end = len(old) - tail
        last = next(i for i, s in enumerate(self._starts) if s >= old_end)
        begin, end = self._starts[first], self._starts[last]
        chunk = new[begin : end + len(new) - len(old)]
        middle = mask_text(chunk, self.doc.source, labels)
        masked = "".join(self._masked[:first]) + middle + "".join(self._masked[last:])
        return new, masked

    def preview(self, draft: StorageDraft) -> Preview:
        new, masked = self.masked_new_text(draft)
        diff = "".join(
            difflib.unified_diff(
                self._old_lines,
                masked.splitlines(keepends=True),
                fromfile=self._old_label,
                tofile=self._new_label,
            )
        )
        problems = self._file_problems + validate_storage(
            draft.as_view(), self.version, has_redis=self._has_redis
        )
        changes = diff_storage(self._old_storage, draft.as_view())
        return Preview(
            yaml=storage_block(masked),
            diff=diff,
            problems=problems,
            summary=[c.line for c in changes],
            has_changes=new != self.doc.text or not self.doc.exists,
        )


def storage_block(text: str) -> str:
    """The `storage:` entry of a config text (with the lines under it)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    inside = False
    for line in lines:
        top = line[:1] not in ("", " ", "\t", "#", "\n", "\r")
        if top:
            inside = line.startswith("storage:")
        if inside:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "".join(out)
