"""Parse YAML into ruamel.yaml's node tree, which keeps every value's exact position.

Edits are spliced into the original text at those positions, so comments, quoting,
spacing and every byte outside the edited keys survive; and values are typed here the way
the registry's parser (Go yaml.v2, YAML 1.1) types them.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from .errors import ConfigReadError

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_INT = re.compile(r"^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}


class _UntypedResolver(VersionedResolver):
    """Tags every node by its kind alone: scalars are typed by `scalar_view` (yaml.v2's
    rules, not ruamel's), so ruamel's regex per scalar was two thirds of a compose."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            return self.DEFAULT_SCALAR_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG


_composers = threading.local()


def _composer(text: str = "") -> YAML:
    """One YAML object per thread: making one looks for plug-ins on disk (0.4 ms a keystroke).

    A text that starts with a byte order mark is read by the pure-Python parser: the C one
    leaves the mark out of its indexes, which then miss the text (a file keeps its BOM)."""
    pure = text.startswith("\ufeff")
    name = "pure" if pure else "yaml"
    found: YAML | None = getattr(_composers, name, None)
    if found is None:
        # The C parser (ruamel.yaml.clib) composes ten times faster than the pure one and
        # gives the same marks; ruamel falls back to pure Python when it is missing.
        found = YAML(typ="safe", pure=pure)
        found.Resolver = _UntypedResolver
        setattr(_composers, name, found)
    return found


def compose(text: str, source: str) -> Node | None:
    """The root node of a single-document YAML text, or None when it holds no document."""
    tabbed = _first_tab_indent(text)
    if tabbed is not None:
        raise ConfigReadError(
            "is indented with a tab: YAML allows only spaces for indentation",
            source=source,
            line=tabbed,
            hint="replace the tab at the start of that line with spaces",
        )
    try:
        return _composer(text).compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "is not valid YAML"
        if "expected a single document" in str(exc):
            problem = "holds several YAML documents; a registry config is one document"
        raise ConfigReadError(
            f"is not valid YAML: {problem}"
            + (f" (column {mark.column + 1})" if mark is not None else ""),
            source=source,
            line=line,
        ) from None
    except YAMLError as exc:
        raise ConfigReadError(f"is not valid YAML: {exc}", source=source) from None


def _first_tab_indent(text: str) -> int | None:
    in_block_scalar_at: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if in_block_scalar_at is not None:
            if not stripped or indent > in_block_scalar_at:
                continue
            in_block_scalar_at = None
        if stripped.startswith("\t"):
            return number
        if re.search(r"(:|-)\s+[|>][-+0-9]*\s*(#.*)?$", line):
            in_block_scalar_at = indent
    return None


def to_view(node: Node | None, source: str) -> Any:
    """The value as the registry reads it (yaml.v2 typing); duplicate keys are refused."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return scalar_view(node)
    if isinstance(node, SequenceNode):
        return [to_view(item, source) for item in node.value]
    if isinstance(node, MappingNode):
        # yaml.v2 reads the pairs in order: a merge key (`<<: *base`) sets every key of the
        # merged mapping (of a list of them, the first wins), a later explicit key overrides
        # it; only a key written twice explicitly is a duplicate
        result: dict[Any, Any] = {}
        explicit: set[Any] = set()
        for key_node, value_node in node.value:
            if is_merge_key(key_node):
                merged = to_view(value_node, source)
                for part in reversed(merged) if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        result.update(part)
                continue
            key = to_view(key_node, source)
            if isinstance(key, dict | list):
                key = str(key)
            if key in explicit:
                raise ConfigReadError(
                    f"has the key {key!r} twice in the same mapping; the registry refuses "
                    "duplicate keys",
                    source=source,
                    line=key_node.start_mark.line + 1,
                    hint="keep one of them",
                )
            explicit.add(key)
            result[key] = to_view(value_node, source)
        return result
    return None


def is_merge_key(key_node: Node) -> bool:
    """`<<` as a plain key (or tagged !!merge): yaml.v2 merges the mapping(s) it names."""
    return isinstance(key_node, ScalarNode) and (
        key_node.tag == "tag:yaml.org,2002:merge" or (key_node.value == "<<" and not key_node.style)
    )


def scalar_view(node: ScalarNode) -> Any:
    text = node.value
    if node.style:  # quoted or block: always text (plain is None, or "" from the C parser)
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.match(text):
        cleaned = text.replace("_", "")
        sign = -1 if cleaned.startswith("-") else 1
        digits = cleaned.lstrip("+-")
        try:
            if digits.startswith(("0b", "0x", "0o")):
                return sign * int(digits, 0)
            if len(digits) > 1 and digits.startswith("0"):
                return sign * int(digits, 8)
            return sign * int(digits, 10)
        except ValueError:
            return text
    if _FLOAT.match(text):
        return float(text.replace("_", ""))
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    return text


def mapping_get(node: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    """The (key node, value node) pair for `key` in a mapping node."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and str(scalar_view(key_node)) == key:
            return key_node, value_node
    return None


def find(node: Node | None, path: tuple[str, ...]) -> tuple[ScalarNode, Node] | None:
    """The key and value nodes at a dotted path, or None."""
    pair: tuple[ScalarNode, Node] | None = None
    for part in path:
        pair = mapping_get(node, part)
        if pair is None:
            return None
        node = pair[1]
    return pair


def line_of(root: Node | None, path: tuple[str, ...]) -> int | None:
    """1-based line of the deepest key of `path` that exists in the file."""
    node = root
    line = None
    for part in path:
        pair = mapping_get(node, part)
        if pair is None:
            break
        line = pair[0].start_mark.line + 1
        node = pair[1]
    return line


@dataclass(frozen=True)
class AliasUse:
    """One `*name` in the text: where it is (0-based indexes, 1-based line)."""

    name: str
    start: int
    end: int
    end_line: int  # 0-based, as a Mark's
    line: int  # 1-based


@dataclass(frozen=True)
class Anchor:
    """An `&name` whose node some alias uses: the node starts at `start` (the `&`)."""

    name: str
    start: int
    line: int  # 1-based
    uses: tuple[AliasUse, ...]


@dataclass(frozen=True)
class Anchors:
    """The anchors a text defines and uses, for edits that must not break or follow them.

    ruamel's composer hands an alias back as the anchored node itself (with the anchor's
    position), so where an alias is written is only in the event stream."""

    by_start: dict[int, Anchor] = field(default_factory=dict)  # anchors that are used
    value_alias: dict[int, AliasUse] = field(default_factory=dict)  # key start -> `*x` value

    def used_at(self, node: Node) -> Anchor | None:
        """The anchor `node` carries when an alias elsewhere uses it."""
        return self.by_start.get(node.start_mark.index)

    def alias_value(self, key_node: Node) -> AliasUse | None:
        """The alias written as this key's value (`key: *name`), if it is one."""
        return self.value_alias.get(key_node.start_mark.index)

    def inside(self, start: int, end: int) -> list[Anchor]:
        """Anchors defined in [start, end) that are used outside it."""
        return [
            anchor
            for index, anchor in self.by_start.items()
            if start <= index < end and any(not start <= u.start < end for u in anchor.uses)
        ]


NO_ANCHORS = Anchors()


def anchors_of(text: str) -> Anchors:
    """Every anchor of `text` that an alias uses, and every key whose value is an alias."""
    if "*" not in text:
        return NO_ANCHORS  # no alias: nothing to find (and no second parse)
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        MappingStartEvent,
        NodeEvent,
    )

    defined: dict[int, tuple[str, int]] = {}
    current: dict[str, int] = {}  # name -> start of its latest definition
    uses: dict[int, list[AliasUse]] = {}
    value_alias: dict[int, AliasUse] = {}
    stack: list[list[Any]] = []  # [is_mapping, events seen, last key start]
    try:
        for event in _composer(text).parse(text):
            if isinstance(event, CollectionEndEvent):
                stack.pop()
                continue
            if not isinstance(event, NodeEvent):
                continue
            start = event.start_mark.index
            if stack and stack[-1][0]:
                top = stack[-1]
                if top[1] % 2 == 0:
                    top[2] = start
                elif isinstance(event, AliasEvent):
                    value_alias[top[2]] = _use(event)
                top[1] += 1
            if isinstance(event, AliasEvent):
                at = current.get(event.anchor)
                if at is not None:
                    uses.setdefault(at, []).append(_use(event))
                continue
            if event.anchor:
                defined[start] = (event.anchor, event.start_mark.line + 1)
                current[event.anchor] = start
            if isinstance(event, CollectionStartEvent):
                stack.append([isinstance(event, MappingStartEvent), 0, -1])
    except YAMLError:
        return NO_ANCHORS  # compose reports the problem, with its line
    return Anchors(
        {
            start: Anchor(name, start, line, tuple(uses[start]))
            for start, (name, line) in defined.items()
            if start in uses
        },
        value_alias,
    )


def _use(event: Any) -> AliasUse:
    mark, end = event.start_mark, event.end_mark
    return AliasUse(event.anchor, mark.index, end.index, end.line, mark.line + 1)
