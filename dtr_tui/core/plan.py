"""The plan: what a save would change, as a masked unified diff and a summary per key.

`Planner` plans drafts against one document. `plan` is the full plan a write needs (the new
file parsed and checked, see `plan_change`); `preview` is the same diff and summary cheaply
enough for every keystroke: the old file's secrets are found once, and a draft's new text is
composed again only where it differs from the old one (the storage section), so the mask,
and so the diff, are the ones `plan` makes (tests/core/test_plan.py keeps them equal).
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from .document import ConfigDocument
from .draft import StorageDraft
from .errors import DtrError
from .problems import Path, Problem, Severity, dotted
from .safe_write import mode_after
from .secrets import MASK, apply_mask, is_secret_key, secret_paths, secret_spans
from .validation import validate_storage
from .versions import RegistryVersion
from .yaml_nodes import compose


@dataclass(frozen=True)
class Change:
    """One key that a save changes; secret values are never kept here."""

    path: Path
    kind: str  # "added" | "removed" | "changed" | "driver"
    old: str = ""
    new: str = ""
    secret: bool = False
    block: bool = False  # a whole block removed: `old` says how many keys it held

    @property
    def line(self) -> str:
        where = dotted(self.path)
        if self.kind == "driver":
            return f"{where}: backend {self.old} → {self.new}"
        if self.block:
            return f"{where}: removed ({self.old})"
        if self.secret:
            return f"{where}: secret {'set' if self.kind == 'added' else self.kind} ({MASK})"
        if self.kind == "added":
            return f"{where}: set to {self.new}"
        if self.kind == "removed":
            return f"{where}: removed (was {self.old})"
        return f"{where}: {self.old} → {self.new}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": dotted(self.path),
            "change": self.kind,
            "old": MASK if self.secret and self.old else self.old,
            "new": MASK if self.secret and self.new else self.new,
            "secret": self.secret,
            "summary": self.line,
        }


@dataclass(frozen=True)
class Plan:
    """Everything a person must see before a write, and what the write needs."""

    source: str
    old_text: str
    new_text: str
    fingerprint: str  # of the file as read: the write refuses a file that changed since
    file_exists: bool
    draft: StorageDraft
    version: RegistryVersion
    changes: list[Change] = field(default_factory=list)
    diff: str = ""  # unified diff, secrets masked
    problems: list[Problem] = field(default_factory=list)  # of the file as it will be
    # what the write does to the file's mode, said before it is written ("the file's mode
    # changes 0644 -> 0640: it holds a secret in the clear"); empty when it keeps its mode
    mode_note: str = ""

    @property
    def has_changes(self) -> bool:
        return self.old_text != self.new_text or not self.file_exists

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def holds_inline_secret(self) -> bool:
        """Whether the new file carries a secret value (then "other" may not read it)."""
        new = ConfigDocument.parse(self.new_text, self.source)
        return any(True for _ in secret_paths(new.view))

    @property
    def summary(self) -> list[str]:
        return [change.line for change in self.changes]


@dataclass(frozen=True)
class Preview:
    """What the YAML and Diff tabs and the problem count show for one draft.

    The diff is made when asked for: a third of a keystroke's work, and the Diff tab is
    usually not the one on screen."""

    yaml: str  # the storage section as it will be written, secrets masked
    masked: str = field(repr=False)  # the whole new file, secrets masked
    differ: Callable[[str], str] = field(repr=False, compare=False)
    problems: list[Problem] = field(default_factory=list)  # storage ones without a line
    summary: list[str] = field(default_factory=list)
    has_changes: bool = False

    @cached_property
    def diff(self) -> str:
        """Unified diff of the whole file, secrets masked (as Plan.diff)."""
        return self.differ(self.masked)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


def plan_change(doc: ConfigDocument, draft: StorageDraft, version: RegistryVersion) -> Plan:
    """What writing `draft` into `doc` changes, masked, with the new file's problems."""
    return Planner(doc, version).plan(draft)


class Planner:
    """Plans drafts against one document; build a new one when the document changes."""

    def __init__(self, doc: ConfigDocument, version: RegistryVersion) -> None:
        self.doc = doc
        self.version = version
        storage = doc.storage_view
        if isinstance(storage, str):
            storage = {storage: None}
        self._old_storage: Mapping[str, Any] = storage if isinstance(storage, Mapping) else {}
        self._old_spans = secret_spans(doc.root)
        masked_old = apply_mask(doc.text, self._old_spans) if doc.exists else ""
        self._old_lines = masked_old.splitlines(keepends=True)
        self._old_label = f"{doc.source} (on disk)" if doc.exists else "/dev/null"
        self._new_label = f"{doc.source} (after save)"

    # -- before a write ------------------------------------------------------------------
    def plan(self, draft: StorageDraft) -> Plan:
        """The full plan: the new file parsed, masked and checked as a whole."""
        doc = self.doc
        new_text = doc.render(draft)
        new_doc = ConfigDocument.parse(new_text, doc.source)
        changes = self.changes(draft)
        masked = apply_mask(new_text, secret_spans(new_doc.root), secret_labels(changes))
        return Plan(
            source=doc.source,
            old_text=doc.text if doc.exists else "",
            new_text=new_text,
            fingerprint=doc.fingerprint,
            file_exists=doc.exists,
            draft=draft,
            version=self.version,
            changes=changes,
            diff=self._diff(masked),
            problems=new_doc.problems(self.version),
            mode_note=_mode_note(doc, any(True for _ in secret_paths(new_doc.view))),
        )

    # -- every keystroke -----------------------------------------------------------------
    def preview(self, draft: StorageDraft) -> Preview:
        """The plan's diff and summary, and its problems (the draft's without lines), cheaply."""
        view = draft.as_view()
        changes = diff_storage(self._old_storage, view)
        new, masked = self.masked_new_text(draft, secret_labels(changes))
        problems = self._file_problems + validate_storage(
            view, self.version, has_redis=self.doc.has_redis
        )
        return Preview(
            yaml=storage_block(masked),
            masked=masked,
            differ=self._diff,
            problems=problems,
            summary=[c.line for c in changes],
            has_changes=new != self.doc.text or not self.doc.exists,
        )

    def masked_new_text(
        self, draft: StorageDraft, labels: Mapping[Path, str] | None = None
    ) -> tuple[str, str]:
        """The new file's text and the same text with every secret masked."""
        new = self.doc.render(draft)
        if labels is None:
            labels = secret_labels(self.changes(draft))
        return new, self._mask_new(new, labels)

    # -- shared --------------------------------------------------------------------------
    def changes(self, draft: StorageDraft) -> list[Change]:
        return diff_storage(self._old_storage, draft.as_view())

    def _diff(self, masked_new: str) -> str:
        lines = masked_new.splitlines(keepends=True)
        diff = difflib.unified_diff(
            self._old_lines, lines, fromfile=self._old_label, tofile=self._new_label
        )
        return "".join(diff)

    @cached_property
    def _file_problems(self) -> list[Problem]:
        """The problems outside the storage section (the draft replaces the rest)."""
        return [p for p in self.doc.problems(self.version) if p.path[:1] != ("storage",)]

    @cached_property
    def _entries(self) -> _Entries | None:
        """The old text cut into its top-level entries, each masked on its own; None when
        entries cannot be composed one by one."""
        root, text = self.doc.root, self.doc.text
        if not isinstance(root, MappingNode) or root.flow_style or _shares_nodes(root):
            return None  # an alias ties entries together
        keys = [key for key, _ in root.value]
        if any(key.start_mark.column != 0 for key in keys) or "\n%" in "\n" + text:
            return None  # a `? key`, or a %YAML directive an entry alone would not see
        starts = [0] + [key.start_mark.index for key in keys[1:]] + [len(text)]
        entries = _Entries(starts, [], {})
        spans = sorted(self._old_spans, key=lambda s: s.start)
        for index, (begin, end) in enumerate(itertools.pairwise(starts)):
            inside = [s.moved(-begin) for s in spans if begin <= s.start < end]
            entries.masked.append(apply_mask(text[begin:end], inside))
            for span in inside:
                low, high = entries.where.get(span.path, (index, index))
                entries.where[span.path] = (min(low, index), max(high, index))
        return entries

    def _mask_new(self, new: str, labels: Mapping[Path, str]) -> str:
        """A new text masked: the old entries' masks where it is the old text and the edited
        entries composed again, or the whole text composed when those cannot be told apart."""
        old = self.doc.text
        if new == old:
            return apply_mask(new, self._old_spans, labels)
        entries = self._entries
        if entries is not None:
            starts = entries.starts
            limit = min(len(old), len(new))
            head = _common_length(old, new, limit, lambda t, n: t[:n])
            tail = _common_length(old, new, limit - head, lambda t, n: t[len(t) - n :])
            # widen the changed span to whole top-level entries, which compose on their own
            # (text added where an entry begins may continue the one before: take that one
            # too), and to the entries of secrets that get a label
            first = max(i for i, s in enumerate(starts[:-1]) if s < head) if head else 0
            last = next(i for i, s in enumerate(starts) if s >= len(old) - tail)
            for path in labels:
                low, high = entries.where.get(path, (first, last - 1))
                first, last = min(first, low), max(last, high + 1)
            begin, end = starts[first], starts[last]
            chunk = new[begin : end + len(new) - len(old)]
            if end == len(old) or chunk.endswith("\n"):  # the next key stays in column 0
                try:
                    root = compose(chunk, self.doc.source)
                except DtrError:
                    pass  # not valid on its own: compose the whole text
                else:
                    if root is None or (
                        isinstance(root, MappingNode) and not _aliased(chunk, root)
                    ):
                        middle = apply_mask(chunk, secret_spans(root), labels)
                        return "".join(entries.masked[:first] + [middle] + entries.masked[last:])
        return apply_mask(new, secret_spans(compose(new, self.doc.source)), labels)


def _mode_note(doc: ConfigDocument, holds_secret: bool) -> str:
    """What the write will do to the file's mode (safe_write.mode_after on its mode now)."""
    if not doc.exists:
        return mode_after(None, holds_secret)[1]
    if doc.mode is None:
        return ""  # not read from a file here (a parsed text): the write says what it does
    return mode_after(doc.mode, holds_secret)[1]


@dataclass(frozen=True)
class _Entries:
    """A text's top-level entries: where each begins (and the text ends), each one masked,
    and for each secret the first and last entry that holds it."""

    starts: list[int]
    masked: list[str]
    where: dict[Path, tuple[int, int]]


def secret_labels(changes: list[Change]) -> dict[Path, str]:
    """What the diff says next to a masked secret that a save sets or changes."""
    return {c.path: ("new" if c.kind == "added" else "changed") for c in changes if c.secret}


def storage_block(text: str) -> str:
    """The `storage:` entry of a config text (with the lines under it)."""
    out: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if line[:1] not in ("", " ", "\t", "#", "\n", "\r"):
            inside = line.startswith("storage:")
        if inside:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "".join(out)


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


def _aliased(text: str, root: Node) -> bool:
    """Whether a text's tree reaches a node twice; walked only when the text has `*`."""
    return "*" in text and _shares_nodes(root)


def _shares_nodes(root: Node) -> bool:
    """Whether a node is reached twice (an alias): its text is then in one place only."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, SequenceNode):
            stack += node.value
    return False


def diff_storage(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """One change per leaf key; a driver switch is one line, not one per parameter."""
    changes: list[Change] = []
    base: Path = ("storage",)
    new_driver = next(iter(new))
    old_drivers = [k for k in old if k not in _OPTION_KEYS]
    # of a file with several drivers, the one kept is compared with its own block
    old_driver = new_driver if new_driver in old_drivers else next(iter(old_drivers), None)
    if old_driver is not None and old_driver != new_driver:
        changes.append(Change(base, "driver", old_driver, new_driver))
        changes += _leaves(new[new_driver], (*base, new_driver), "added")
    else:
        changes += _compare(
            old.get(new_driver) or {}, new.get(new_driver) or {}, (*base, new_driver)
        )
    for key in dict.fromkeys([*old, *new]):
        if key in (old_driver, new_driver):
            continue
        if key in old_drivers and key not in new and isinstance(old[key], Mapping):
            # another driver block dropped whole (the registry refuses two): one line
            count = len(old[key])
            changes.append(
                Change(
                    (*base, key), "removed", f"{count} key{'s' if count != 1 else ''}", block=True
                )
            )
            continue
        changes += _compare(
            {key: old.get(key)} if key in old else {},
            {key: new.get(key)} if key in new else {},
            base,
        )
    return changes


_OPTION_KEYS = {"delete", "redirect", "cache", "maintenance", "tag"}


def _compare(old: Any, new: Any, path: Path) -> list[Change]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        changes = []
        for key in dict.fromkeys([*old, *new]):
            sub = (*path, str(key))
            if key not in new:
                changes += _leaves(old[key], sub, "removed")
            elif key not in old:
                changes += _leaves(new[key], sub, "added")
            else:
                changes += _compare(old[key], new[key], sub)
        return changes
    if old == new and type(old) is type(new):
        return []
    secret = is_secret_key(path[-1])
    return [Change(path, "changed", _show(old), _show(new), secret)]


def _leaves(value: Any, path: Path, kind: str) -> list[Change]:
    if isinstance(value, Mapping) and value:
        changes = []
        for key, sub in value.items():
            changes += _leaves(sub, (*path, str(key)), kind)
        return changes
    secret = is_secret_key(path[-1])
    shown = _show(value)
    return [
        Change(
            path, kind, shown if kind == "removed" else "", shown if kind == "added" else "", secret
        )
    ]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(empty)"
    if isinstance(value, Mapping) and not value:
        return "{}"
    return str(value)
