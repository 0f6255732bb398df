"""Splice changes into YAML text at the positions ruamel.yaml's node tree gives.

Only the keys whose values change are touched: a changed scalar is replaced in place
(its line keeps its comment), a removed key loses its lines, a new key is written after its
last sibling at the siblings' indentation. Everything else stays byte for byte.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from .errors import DtrError
from .yaml_nodes import NO_ANCHORS, Anchor, Anchors, is_merge_key, scalar_view, to_view

_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"


def render_scalar(value: Any) -> str:
    """A scalar as YAML text that the registry reads back as the same value and type."""
    if value is None:
        raise ValueError("an empty value is never written: the registry reads it as `<nil>`")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    text = str(value)
    if plain_is_safe(text):
        return text
    if any(ch in text for ch in "\n\r\t") or not text.isprintable():
        import json  # rare: loaded only for such a value, not for every start

        return json.dumps(text)
    return "'" + text.replace("'", "''") + "'"


def render_in_style(value: Any, style: str | None) -> str | None:
    """Text `value` in the old scalar's quotes (`'...'` or `"..."`), or None when it was
    not quoted or `value` is not text (quotes would make `50` or `true` a string)."""
    if not isinstance(value, str) or style not in ("'", '"'):
        return None
    if style == "'":
        if not value.isprintable():
            return None  # a newline or control character needs double quotes
        return "'" + value.replace("'", "''") + "'"
    import json  # rare: loaded only for such a value, not for every start

    # JSON's escapes are YAML's double-quoted escapes; printable text is written as it is
    return json.dumps(value, ensure_ascii=not value.isprintable())


def plain_is_safe(text: str) -> bool:
    """Whether `text` unquoted reads back (yaml.v2 rules) as this very text."""
    if not text or text != text.strip() or text[0] in _INDICATORS or text.endswith(":"):
        return False
    if any(mark in text for mark in (": ", " #", "\n", "\r", "\t")) or not text.isprintable():
        return False
    probe = ScalarNode("tag:yaml.org,2002:str", text, style=None)
    return scalar_view(probe) == text


def render_flow(value: Any) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_flow_scalar(k)}: {render_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render_flow(v) for v in value) + "]"
    return _flow_scalar(value)


def _flow_scalar(value: Any) -> str:
    """A scalar inside `{...}` or `[...]`: plain text with `:`, `,`, a bracket or `#` is
    quoted there (`{regionendpoint: http://minio:9000}` does not parse)."""
    rendered = render_scalar(value)
    if isinstance(value, str) and rendered == value and any(c in value for c in ":,[]{}#"):
        return "'" + value.replace("'", "''") + "'"
    return rendered


def emit_key(key: str, value: Any, column: int, step: int) -> str:
    """`key: value` as block YAML at `column`, ending with a newline."""
    pad = " " * column
    if isinstance(value, Mapping) and value:
        lines = [f"{pad}{render_scalar(key)}:\n"]
        lines += [emit_key(str(k), v, column + step, step) for k, v in value.items()]
        return "".join(lines)
    if isinstance(value, Mapping | list):
        return f"{pad}{render_scalar(key)}: {render_flow(value)}\n"
    return f"{pad}{render_scalar(key)}: {render_scalar(value)}\n"


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


class Splicer:
    """Collects edits against one text and applies them together."""

    def __init__(
        self, text: str, step: int, *, anchors: Anchors = NO_ANCHORS, source: str = ""
    ) -> None:
        self.text = text
        self.step = step
        self.anchors = anchors  # anchors that aliases use: an edit must not break or move them
        self.source = source
        self.newline = "\r\n" if "\r\n" in text else "\n"  # follow a file edited on Windows
        self.edits: list[Edit] = []
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def result(self) -> str:
        """The text with every edit applied. Insertions at one offset keep the order they
        were made in: a nested mapping's new keys are collected before its parent's, so a
        key added to the last driver block is written before a new option block that goes
        at the same place (the end of `storage:`), not inside it."""
        parts: list[str] = []
        position = 0
        order = sorted(
            enumerate(self.edits), key=lambda item: (item[1].start, item[1].end, item[0])
        )
        for _, edit in order:
            if edit.start < position:
                raise AssertionError(f"overlapping edits at {edit.start} (< {position})")
            text = edit.text.replace("\n", self.newline) if self.newline != "\n" else edit.text
            parts.append(self.text[position : edit.start])
            parts.append(text)
            position = edit.end
        parts.append(self.text[position:])
        out = "".join(parts)
        if self.text.startswith("\ufeff") and not out.startswith("\ufeff"):
            out = "\ufeff" + out  # the first key was rewritten: the file keeps its BOM
        return out

    # -- positions -------------------------------------------------------------------
    def line_start(self, line: int) -> int:
        if line >= len(self._line_starts):
            return len(self.text)
        return self._line_starts[line]

    def _line_text(self, line: int) -> str:
        return self.text[self.line_start(line) : self.line_start(line + 1)]

    def key_range(self, key_node: Node, value_node: Node) -> tuple[int, int]:
        """Character range of a key's whole lines, without the comments after its value."""
        first = key_node.start_mark.line
        end_line, end_index = self._value_end(key_node, value_node)
        before = self.text[self.line_start(end_line) : end_index]
        last_excl = end_line if before.strip() == "" else end_line + 1
        last_excl = max(last_excl, key_node.end_mark.line + 1)
        column = key_node.start_mark.column
        while last_excl - 1 > first:
            line = self._line_text(last_excl - 1)
            stripped = line.strip()
            indent = len(line) - len(line.lstrip(" "))
            if stripped == "" or (stripped.startswith("#") and indent <= column):
                last_excl -= 1
                continue
            break
        return self.line_start(first), self.line_start(last_excl)

    def _value_end(self, key_node: Node, value_node: Node) -> tuple[int, int]:
        """Line (0-based) and index where a key's value ends as written."""
        alias = self.anchors.alias_value(key_node)
        # `key: *name`: the node is the anchored one, written elsewhere; this key ends at `*name`
        if alias is not None:
            return alias.end_line, alias.end
        return value_node.end_mark.line, value_node.end_mark.index

    def _comment_after(self, key_node: Node, value_node: Node) -> str:
        """The comment on the line where a key's value ends (`{a: 1}  # why`), with the
        spaces before it; "" when there is none or the value ends at a line start."""
        end_line, end_index = self._value_end(key_node, value_node)
        if self.text[self.line_start(end_line) : end_index].strip() == "":
            return ""
        rest = self.text[end_index : self.line_start(end_line + 1)].rstrip("\r\n")
        found = re.match(r"[ \t]+#.*$", rest)
        return found.group(0) if found else ""

    def ensure_newline_at(self, index: int) -> str:
        return "" if index == 0 or self.text[index - 1] == "\n" else "\n"

    # -- edits -----------------------------------------------------------------------
    def replace_scalar(self, key_node: Node, value_node: ScalarNode, value: Any) -> None:
        rendered = render_scalar(value)
        alias = self.anchors.alias_value(key_node)
        if alias is not None:  # `key: *name` becomes `key: value`; the anchor keeps its own
            self.edits.append(Edit(alias.start, alias.end, rendered))
            return
        if value_node.start_mark.index == value_node.end_mark.index:  # `key:` with no value
            colon = self.text.index(":", key_node.end_mark.index)
            self.edits.append(Edit(colon + 1, colon + 1, " " + rendered))
            return
        rendered = render_in_style(value, value_node.style) or rendered  # keep its quotes
        self.edits.append(Edit(value_node.start_mark.index, value_node.end_mark.index, rendered))

    def replace_key(
        self, key_node: Node, value_node: Node, key: str, value: Any, path: tuple[str, ...] = ()
    ) -> None:
        start, end = self.key_range(key_node, value_node)
        self._keep_anchors(start, end, path or (key,), "replacing")
        column = key_node.start_mark.column
        block = emit_key(key, value, column, self.step)
        comment = self._comment_after(key_node, value_node)
        if comment:  # `storage: {...}  # why` keeps its comment, on the key's line
            first_end = block.index("\n")
            block = block[:first_end] + comment + block[first_end:]
        self.edits.append(Edit(start, end, block))

    def delete_key(self, key_node: Node, value_node: Node, path: tuple[str, ...] = ()) -> None:
        start, end = self.key_range(key_node, value_node)
        self._keep_anchors(start, end, path, "removing")
        self.edits.append(Edit(start, end, ""))

    def insert_after(self, key_node: Node, value_node: Node, block: str) -> None:
        _, end = self.key_range(key_node, value_node)
        self.edits.append(Edit(end, end, self.ensure_newline_at(end) + block))

    def append(self, block: str) -> None:
        end = len(self.text)
        self.edits.append(Edit(end, end, self.ensure_newline_at(end) + block))

    # -- structure -------------------------------------------------------------------
    def update_mapping(
        self,
        node: MappingNode,
        new: Mapping[str, Any],
        *,
        in_place: Mapping[str, str] | None = None,
        path: tuple[str, ...] = (),
    ) -> None:
        """Make the mapping at `node` read as `new`; `in_place` maps old keys to keys that
        take their position (a driver switch keeps the driver where it was). `path` names
        the mapping in messages (("storage",))."""
        in_place = dict(in_place or {})
        if to_view(node, "") != dict(new):
            self._not_shared(node, path)
        if node.flow_style:
            if to_view(node, "") != dict(new):
                self.edits.append(
                    Edit(node.start_mark.index, node.end_mark.index, render_flow(new))
                )
            return
        pairs = list(node.value)
        column = pairs[0][0].start_mark.column
        keys = {str(scalar_view(key_node)) for key_node, _ in pairs}
        merged = _merged(pairs)  # what `<<: *base` gives; such keys are not written here
        existing: set[str] = set()
        for index, (key_node, value_node) in enumerate(pairs):
            if is_merge_key(key_node):
                continue  # the merge stays as written; an explicit key after it overrides
            key = str(scalar_view(key_node))
            existing.add(key)
            later = _merged(pairs[index + 1 :]) if merged else {}
            if key in later:  # yaml.v2: a merge key after this one sets it again
                if key not in new or not _same(later[key], new[key]):
                    self._refuse_shadowed(pairs[index + 1 :], key, path)
                continue
            # a key takes another's place only when the mapping does not have it already
            # (else it would be written twice: the registry refuses a duplicate key)
            if key in in_place and in_place[key] in new and in_place[key] not in keys | existing:
                target = in_place[key]
                existing.add(target)
                self.replace_key(key_node, value_node, target, new[target], (*path, key))
                continue
            if key not in new:
                if key in merged:  # without this key, the merged value would show through
                    self._refuse_merged(pairs, key, path, merged[key])
                self.delete_key(key_node, value_node, (*path, key))
                continue
            self.update_value(key_node, value_node, key, new[key], (*path, key))
        for key in merged:
            if key not in new and key not in existing:
                self._refuse_merged(pairs, key, path)
        missing = [
            k for k in new if k not in existing and not (k in merged and _same(merged[k], new[k]))
        ]
        if missing:
            # after the last pair, so after any merge key: an explicit key overrides it
            block = "".join(emit_key(k, new[k], column, self.step) for k in missing)
            last_key, last_value = pairs[-1]
            self.insert_after(last_key, last_value, block)

    def _refuse_merged(
        self, pairs: list[Any], key: str, path: tuple[str, ...], *shown: Any
    ) -> None:
        """Refuse to remove a key that a merge key gives the mapping (`shown`: the merged
        value that removing an explicit override would bring back)."""
        merge_key = next(k for k, _ in pairs if is_merge_key(k))
        alias = self.anchors.alias_value(merge_key)
        written = f"<<: *{alias.name}" if alias is not None else "<<"
        where = f"the merge key `{written}` on line {merge_key.start_mark.line + 1}"
        raise DtrError(
            f"cannot be removed here: without it the value {render_flow(shown[0])} from "
            f"{where} applies"
            if shown
            else f"comes from {where}: it cannot be removed here without changing what is merged",
            source=self.source or None,
            line=merge_key.start_mark.line + 1,
            field=".".join((*path, key)),
            hint="edit the file by hand: drop the key from the merged mapping, or write the "
            "mapping out in place of the merge key",
        )

    def _refuse_shadowed(self, after: list[Any], key: str, path: tuple[str, ...]) -> None:
        merge_key = next(k for k, _ in after if is_merge_key(k))
        alias = self.anchors.alias_value(merge_key)
        written = f"<<: *{alias.name}" if alias is not None else "<<"
        line = merge_key.start_mark.line + 1
        raise DtrError(
            f"is set again by the merge key `{written}` after it, on line {line} (the registry "
            "reads the keys in order): it cannot be changed here",
            source=self.source or None,
            line=line,
            field=".".join((*path, key)),
            hint="edit the file by hand: move the merge key above the keys that override it",
        )

    def update_value(
        self, key_node: Node, value_node: Node, key: str, value: Any, path: tuple[str, ...] = ()
    ) -> None:
        old = to_view(value_node, "")
        if _same(old, value):
            return
        path = path or (key,)
        if self.anchors.alias_value(key_node) is not None:
            # `key: *name`: the value is written at the anchor; write this key's own value here
            # (a scalar in place of `*name`, a mapping as a block), and the anchor stays
            if isinstance(value, Mapping | list):
                self.replace_key(key_node, value_node, key, value, path)
            else:
                self.replace_scalar(key_node, value_node, value)  # type: ignore[arg-type]
            return
        self._not_shared(value_node, path)
        if isinstance(value, Mapping) and value and isinstance(value_node, MappingNode):
            self.update_mapping(value_node, value, path=path)
        elif (
            isinstance(value_node, ScalarNode)
            and not isinstance(value, Mapping | list)
            and value_node.style not in ("|", ">")
        ):
            self.replace_scalar(key_node, value_node, value)
        else:
            self.replace_key(key_node, value_node, key, value, path)

    # -- anchors ---------------------------------------------------------------------
    def _not_shared(self, node: Node, path: tuple[str, ...]) -> None:
        """Refuse to change a value that carries an anchor an alias uses: the alias would
        change with it (or, with the anchor gone, be left undefined)."""
        anchor = self.anchors.used_at(node)
        if anchor is not None:
            self._refuse(anchor, path, "carries")

    def _keep_anchors(self, start: int, end: int, path: tuple[str, ...], doing: str) -> None:
        for anchor in self.anchors.inside(start, end):
            self._refuse(anchor, path, "holds", doing)

    def _refuse(
        self, anchor: Anchor, path: tuple[str, ...], verb: str, doing: str = "changing"
    ) -> None:
        lines = sorted({u.line for u in anchor.uses})
        one = len(lines) == 1
        users = f"line {lines[0]} uses" if one else f"lines {', '.join(map(str, lines))} use"
        if doing == "changing":
            effect = f"changing it here would change {'that key' if one else 'those keys'} too"
            defined = ""
        else:
            effect = f"{doing} it would leave *{anchor.name} undefined"
            defined = f" (line {anchor.line})"
        raise DtrError(
            f"{verb} the anchor &{anchor.name}{defined}, which {users} (*{anchor.name}): {effect}",
            source=self.source or None,
            line=anchor.line,
            field=".".join(path) or None,
            hint=f"edit the file by hand, or write the value in place of *{anchor.name} "
            f"and drop &{anchor.name} first",
        )


def _merged(pairs: list[Any]) -> dict[Any, Any]:
    """The keys a mapping's merge keys give it, as yaml.v2 reads them."""
    merged: dict[Any, Any] = {}
    for key_node, value_node in pairs:
        if is_merge_key(key_node):
            view = to_view(value_node, "")
            for part in reversed(view) if isinstance(view, list) else [view]:
                if isinstance(part, dict):
                    merged.update({str(k): v for k, v in part.items()})
    return merged


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if (old is None and new == {}) or (old == {} and new is None):
        return True
    return bool(type(old) is type(new) and old == new) or (
        isinstance(old, int | float) and isinstance(new, int | float) and old == new
    )
