"""The editing session behind the screen: the document as read, the draft, and what each
backend's form held, so switching backends and back restores what was typed.

Plain logic without Textual, so the rules (what is unsaved, what a switch keeps) are tested
without a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.backend_switch import switch_warning
from ..core.document import ConfigDocument
from ..core.draft import StorageDraft, several_drivers
from ..core.drivers import driver_model
from ..core.problems import Path
from ..core.versions import RegistryVersion


@dataclass(frozen=True)
class Switch:
    """The outcome of asking for another backend."""

    draft: StorageDraft
    refused: str = ""  # why the backend cannot be used with this registry version
    warning: str = ""  # what the person must know about leaving the old backend


class EditSession:
    """One config file being edited against one registry version."""

    def __init__(
        self,
        doc: ConfigDocument,
        version: RegistryVersion,
        draft: StorageDraft | None = None,
        *,
        target: str = "file",
        read_only: bool = False,
    ) -> None:
        self.version = version
        self.target = target
        self.read_only = read_only
        self.typed: dict[str, Mapping[str, Any]] = {}
        self.reset(doc, draft)

    def reset(
        self, doc: ConfigDocument, draft: StorageDraft | None = None, *, keep_typed: bool = False
    ) -> None:
        """Start over from `doc` (after a save, or when the file is read again).

        A file with several storage drivers (the registry refuses it) opens too, since it is
        the file an admin opens the tool to mend: the draft takes the first driver in file
        order with its parameters, each other driver's form holds that driver's own block,
        the one picked is kept on save and the others are removed (`opening_note` says so)."""
        self.doc = doc
        typed = dict(self.typed) if keep_typed else {}
        storage = doc.storage_view
        blocks = several_drivers(storage, self.version)
        self.opening_note: str | None = None
        if blocks:
            self.saved = None  # no single driver to go back to: the file must change
            for name in blocks:
                typed[name] = StorageDraft.keeping(storage, name, self.version).params
            self.draft = draft or StorageDraft.keeping(storage, blocks[0], self.version)
            others = "the other blocks are" if len(blocks) > 2 else "the other block is"
            self.opening_note = (
                f"✗ The file has {len(blocks)} storage drivers ({', '.join(blocks)}); the "
                "registry refuses it. Pick the backend to keep with the dropdown: "
                f"{others} removed when you save (see the Diff tab)."
            )
        else:
            self.saved = doc.draft(self.version) if storage is not None else None
            self.draft = draft or self.saved or StorageDraft.default()
        typed[self.draft.driver] = self.draft.params
        self.typed = typed

    @property
    def source(self) -> str:
        return self.doc.source

    @property
    def original_driver(self) -> str | None:
        return self.saved.driver if self.saved else None

    @property
    def stored_driver(self) -> str | None:
        """The backend that holds the registry's images now: none while the file does not
        exist (its default holds nothing to lose by switching)."""
        return self.original_driver if self.doc.exists else None

    @property
    def dirty(self) -> bool:
        return self.saved is None or self.draft != self.saved or not self.doc.exists

    def set_value(self, path: Path, value: Any) -> StorageDraft:
        """Set (or with None, remove) a key under `storage`; returns the new draft."""
        self.draft = self.draft.with_value(path, value)
        self.typed[self.draft.driver] = self.draft.params
        return self.draft

    def replace(self, draft: StorageDraft) -> StorageDraft:
        """Take a whole draft (an upload): it becomes what that backend's form holds."""
        self.draft = draft
        self.typed[draft.driver] = draft.params
        return draft

    def switch_driver(self, name: str) -> Switch:
        model = driver_model(name)
        if model is None:
            return Switch(self.draft, refused=f"{name} is not a storage backend this tool knows")
        if not model.known_in(self.version):
            removed = f" (removed in {model.until})" if model.until else ""
            since = f" (added in {model.since})" if model.since else ""
            return Switch(
                self.draft,
                refused=f"{model.title} does not exist in registry {self.version.line}"
                f"{removed or since}; pick another backend or target another registry version",
            )
        if name == self.draft.driver:
            return Switch(self.draft)
        self.typed[self.draft.driver] = self.draft.params
        self.draft = self.draft.with_driver(name, dict(self.typed.get(name, {})))
        return Switch(self.draft, warning=switch_warning(self.stored_driver, name))
