"""The registry's config file as text plus ruamel.yaml's node tree: read it, check it, and
write a new storage section into it without touching anything else."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from .draft import StorageDraft
from .errors import ConfigReadError, DtrError
from .problems import Problem
from .validation import validate_storage
from .versions import RegistryVersion
from .yaml_edit import Splicer, emit_key
from .yaml_nodes import Anchors, anchors_of, compose, line_of, mapping_get, to_view

MAX_CONFIG_BYTES = 1024 * 1024  # a registry config is a few KB; refuse anything this big

DEFAULT_CONFIG = """\
# Registry configuration written by dtr-tui.
# Reference: https://distribution.github.io/distribution/about/configuration/
version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
"""


def fingerprint_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text_file(path: Path, what: str = "config") -> tuple[str, bytes]:
    """Read a small UTF-8 text file, with a plain message for every way that fails."""
    source = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigReadError(f"does not exist: no such {what} file", source=source) from None
    except PermissionError:
        raise ConfigReadError(
            "cannot be reached: permission denied on a parent directory", source=source
        ) from None
    except OSError as exc:
        raise ConfigReadError(f"cannot be read: {exc.strerror}", source=source) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigReadError(
            f"is a directory, not a {what} file",
            source=source,
            hint=f"name the file inside it, e.g. {path / 'config.yml'}",
        )
    if not stat.S_ISREG(info.st_mode):
        raise ConfigReadError("is not a regular file", source=source)
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigReadError(
            f"is {info.st_size / 1e6:.1f} MB; a registry {what} is a few KB "
            f"(files over {MAX_CONFIG_BYTES // 1024} KiB are refused)",
            source=source,
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except PermissionError:
        raise ConfigReadError(
            "cannot be read: permission denied",
            source=source,
            hint="run as a user who can read it (often root, or sudo)",
        ) from None
    except OSError as exc:
        raise ConfigReadError(f"cannot be read: {exc.strerror}", source=source) from None
    return decode_text(data, source), data


def decode_text(data: bytes, source: str) -> str:
    if b"\x00" in data[:65536]:
        raise ConfigReadError("is a binary file, not YAML text", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise ConfigReadError(
            f"is not UTF-8 text: cannot be decoded at byte offset {exc.start} "
            f"(0x{data[exc.start]:02X}), column {column}",
            source=source,
            line=line,
            hint="save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8 FILE)",
        ) from None
    return text  # a byte order mark stays: the file is written back with it


@dataclass(frozen=True)
class ConfigDocument:
    """A registry config as read: its exact text, node tree and fingerprint."""

    source: str
    text: str
    root: Node | None
    view: Any
    fingerprint: str  # sha256 of the bytes as read; "" when the file does not exist yet
    exists: bool = True
    mode: int | None = None  # the file's permission bits when read from disk, else None

    @property
    def has_redis(self) -> bool:
        """Whether the file configures redis (a redis blob descriptor cache needs it)."""
        view = self.view
        return isinstance(view, Mapping) and isinstance(view.get("redis"), Mapping)

    # -- reading ---------------------------------------------------------------------
    @classmethod
    def parse(
        cls, text: str, source: str, *, fingerprint: str | None = None, exists: bool = True
    ) -> ConfigDocument:
        root = compose(text, source)
        view = to_view(root, source)
        if root is not None and not isinstance(root, MappingNode):
            raise ConfigReadError(
                "does not hold a mapping at the top level (key: value lines)", source=source
            )
        if fingerprint is None:
            fingerprint = fingerprint_of(text.encode()) if exists else ""
        return cls(source, text, root, view or {}, fingerprint, exists)

    @classmethod
    def load(cls, path: Path) -> ConfigDocument:
        text, data = read_text_file(path)
        if not text.removeprefix("\ufeff").strip():
            raise ConfigReadError(
                "is empty: a registry config needs at least `version: 0.1` and a storage section",
                source=str(path),
            )
        if _only_comments(text):
            raise ConfigReadError(
                "holds only comments: a registry config needs at least `version: 0.1` and a "
                "storage section",
                source=str(path),
                hint="add e.g. `version: 0.1` and `storage:` with `filesystem:` and "
                "`rootdirectory: /var/lib/registry` under it",
            )
        doc = cls.parse(text, str(path), fingerprint=fingerprint_of(data))
        try:
            return dataclasses.replace(doc, mode=stat.S_IMODE(path.stat().st_mode))
        except OSError:
            return doc  # gone since it was read: the write says what it finds

    @classmethod
    def load_or_default(cls, path: Path) -> ConfigDocument:
        """The file, or the default config to be created there on first save."""
        if not path.exists() and not path.is_symlink():
            if not path.parent.is_dir():
                raise ConfigReadError(
                    f"cannot be created: the directory {path.parent} does not exist",
                    source=str(path),
                    hint="create the directory first, or pick another --config path",
                )
            return cls.parse(DEFAULT_CONFIG, str(path), exists=False)
        return cls.load(path)

    # -- what is in it -----------------------------------------------------------------
    @property
    def storage_view(self) -> Any:
        return self.view.get("storage") if isinstance(self.view, Mapping) else None

    def draft(self, version: RegistryVersion) -> StorageDraft:
        """The storage section as a draft; raises with the line when it has no single driver."""
        try:
            return StorageDraft.from_view(self.storage_view, version, self.source)
        except DtrError as exc:
            if exc.field and exc.line is None:
                exc.line = self.line_of(tuple(exc.field.split(".")))
            raise

    def line_of(self, path: tuple[str, ...]) -> int | None:
        return line_of(self.root, path)

    def problems(self, version: RegistryVersion) -> list[Problem]:
        """Every problem the registry would have with this file's storage, with lines."""
        found: list[Problem] = []
        view = self.view if isinstance(self.view, Mapping) else {}
        version_node = mapping_get(self.root, "version")
        if version_node is None:
            found.append(
                Problem(
                    ("version",),
                    'is missing: the registry stops with `unsupported version: ""`',
                    "version: 0.1",
                )
            )
        elif not isinstance(version_node[1], ScalarNode) or version_node[1].value != "0.1":
            found.append(
                Problem(
                    ("version",),
                    "is not 0.1: the registry only reads configuration version 0.1",
                    "version: 0.1",
                )
            )
        found += validate_storage(
            view.get("storage"), version, has_redis=isinstance(view.get("redis"), Mapping)
        )
        return [p.at_line(self.line_of(p.path)) for p in found]

    # -- writing a draft ---------------------------------------------------------------
    def render(self, draft: StorageDraft) -> str:
        """The file's text with `draft` as its storage section; nothing else changes."""
        splicer = Splicer(
            self.text, _indent_step(self.root), anchors=self.anchors, source=self.source
        )
        new = draft.as_view()
        pair = mapping_get(self.root, "storage")
        if pair is None:
            splicer.append(emit_key("storage", new, 0, splicer.step))
            return splicer.result()
        key_node, value_node = pair
        if self.anchors.alias_value(key_node) is not None:  # `storage: *name`
            if to_view(value_node, self.source) != new:
                splicer.replace_key(key_node, value_node, "storage", new, ("storage",))
            return splicer.result()
        if isinstance(value_node, MappingNode) and not value_node.flow_style and value_node.value:
            old = self.storage_view if isinstance(self.storage_view, Mapping) else {}
            old_drivers = [k for k in old if k not in draft.options and k != draft.driver]
            # a switch writes the new driver where the old one was; a driver the file already
            # has (one of several) keeps its own block where it is
            switch = old_drivers and draft.driver not in old
            in_place = {old_drivers[0]: draft.driver} if switch else {}
            splicer.update_mapping(value_node, new, in_place=in_place, path=("storage",))
        elif (
            isinstance(value_node, ScalarNode)
            and new == {draft.driver: {}}
            and (value_node.value == draft.driver)
        ):
            return self.text  # `storage: inmemory` already says it
        elif to_view(value_node, self.source) != new:  # flow style or a bare name: a block
            splicer.replace_key(key_node, value_node, "storage", new, ("storage",))
        return splicer.result()

    @cached_property
    def anchors(self) -> Anchors:
        """The anchors aliases use, and the keys whose value is an alias (edits keep both)."""
        return anchors_of(self.text)


def _only_comments(text: str) -> bool:
    text = text.removeprefix("\ufeff")
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _indent_step(root: Node | None) -> int:
    """The file's own indentation step, so new lines look like the old ones."""
    if isinstance(root, MappingNode):
        for key_node, value_node in root.value:
            if (
                isinstance(value_node, MappingNode)
                and not value_node.flow_style
                and value_node.value
            ):
                step = value_node.value[0][0].start_mark.column - key_node.start_mark.column
                if step > 0:
                    return step
    return 2


def default_config_path() -> Path:
    """/etc/docker/registry/config.yml when it exists, else ./config.yml."""
    system = Path("/etc/docker/registry/config.yml")
    return system if system.exists() else Path(os.getcwd()) / "config.yml"
