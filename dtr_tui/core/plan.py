"""The plan: what a save would change, as a masked unified diff and a summary per key."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .document import ConfigDocument
from .draft import StorageDraft
from .problems import Path, Problem, Severity, dotted
from .secrets import MASK, is_secret_key, mask_text, secret_paths
from .versions import RegistryVersion


@dataclass(frozen=True)
class Change:
    """One key that a save changes; secret values are never kept here."""

    path: Path
    kind: str  # "added" | "removed" | "changed" | "driver"
    old: str = ""
    new: str = ""
    secret: bool = False

    @property
    def line(self) -> str:
        where = dotted(self.path)
        if self.kind == "driver":
            return f"{where}: backend {self.old} → {self.new}"
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

    @property
    def has_changes(self) -> bool:
        return self.old_text != self.new_text or not self.file_exists

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def holds_inline_secret(self) -> bool:
        """Whether the new file carries a secret value (then it must be 0600)."""
        new = ConfigDocument.parse(self.new_text, self.source)
        return any(True for _ in secret_paths(new.view))

    @property
    def summary(self) -> list[str]:
        return [change.line for change in self.changes]


def plan_change(doc: ConfigDocument, draft: StorageDraft, version: RegistryVersion) -> Plan:
    """What writing `draft` into `doc` changes, masked, with the new file's problems."""
    new_text = doc.render(draft)
    new_doc = ConfigDocument.parse(new_text, doc.source)
    old_storage = doc.storage_view if isinstance(doc.storage_view, Mapping) else {}
    if isinstance(doc.storage_view, str):
        old_storage = {doc.storage_view: None}
    changes = diff_storage(old_storage, draft.as_view())
    labels = {c.path: ("new" if c.kind == "added" else "changed") for c in changes if c.secret}
    old_label = f"{doc.source} (on disk)" if doc.exists else "/dev/null"
    diff = "".join(
        difflib.unified_diff(
            mask_text(doc.text, doc.source, {}, doc.root).splitlines(keepends=True)
            if doc.exists
            else [],
            mask_text(new_text, doc.source, labels, new_doc.root).splitlines(keepends=True),
            fromfile=old_label,
            tofile=f"{doc.source} (after save)",
        )
    )
    return Plan(
        source=doc.source,
        old_text=doc.text if doc.exists else "",
        new_text=new_text,
        fingerprint=doc.fingerprint,
        file_exists=doc.exists,
        draft=draft,
        version=version,
        changes=changes,
        diff=diff,
        problems=new_doc.problems(version),
    )


def diff_storage(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """One change per leaf key; a driver switch is one line, not one per parameter."""
    changes: list[Change] = []
    base: Path = ("storage",)
    new_driver = next(iter(new))
    old_driver = next((k for k in old if k not in _OPTION_KEYS), None)
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
