"""Which values are secret, and how they are hidden: never shown, not even their length."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .drivers import DRIVERS
from .params import Kind, specs
from .problems import Path
from .yaml_nodes import compose, scalar_view

MASK = "********"
REDACTED = "<redacted>"  # what an export without secrets writes; an upload keeps the old value


def _spec_secret_names() -> set[str]:
    names: set[str] = set()
    for model in DRIVERS.values():
        for name, spec in specs(model).items():
            if spec.secret:
                names.add(name)
            if spec.kind is Kind.GROUP:
                names |= {n for n, s in specs(model.group(name)).items() if s.secret}
    return names


# Secret by name anywhere in the file: the storage models' secrets, plus the registry's
# other ones (http.secret, redis.password, proxy.password, notification headers) and gcs
# inline credentials.
SECRET_NAMES = _spec_secret_names() | {
    "secret",
    "password",
    "private_key",
    "private_key_id",
    "accesskeysecret",
    "authorization",
    "token",
}


# A key dtr-tui does not manage is still masked when its name says it holds a secret: a
# misspelt `secret_key`, an `s3.sessiontoken` the registry ignores, a middleware's `apikey`.
# `credentials` is left out: it names a mapping (azure, gcs) whose secrets are masked inside.
_SECRET_PARTS = ("secret", "password", "passwd")
_SECRET_ENDINGS = ("token", "accountkey", "privatekey", "private_key", "apikey", "api_key")


def is_secret_key(name: Any) -> bool:
    key = str(name).lower()
    return (
        key in SECRET_NAMES
        or any(part in key for part in _SECRET_PARTS)
        or key.endswith(_SECRET_ENDINGS)
    )


def secret_paths(view: Any, prefix: Path = ()) -> Iterator[Path]:
    """Paths of every secret value set in a plain mapping."""
    if isinstance(view, Mapping):
        for key, value in view.items():
            path = (*prefix, str(key))
            # a mapping under a secret-sounding name (auth.token: {realm, …}) is a section
            section = isinstance(value, Mapping)
            if is_secret_key(key) and not section and value not in (None, "", REDACTED):
                yield path
            else:
                yield from secret_paths(value, path)
    elif isinstance(view, list):
        for index, item in enumerate(view):
            yield from secret_paths(item, (*prefix, str(index)))


def masked_view(view: Any, replacement: str = MASK) -> Any:
    """A copy with every secret value replaced."""
    result = copy.deepcopy(view)
    for path in secret_paths(view):
        node = result
        for part in path[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[path[-1]] = replacement
    return result


def _secret_nodes(node: Node | None, prefix: Path = ()) -> Iterator[tuple[Path, Node]]:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = str(scalar_view(key_node)) if isinstance(key_node, ScalarNode) else "?"
            path = (*prefix, key)
            if is_secret_key(key) and isinstance(value_node, ScalarNode | SequenceNode):
                yield path, value_node
            else:
                yield from _secret_nodes(value_node, path)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _secret_nodes(item, (*prefix, str(index)))


class SecretSpan(NamedTuple):
    """Where one secret value sits in a text, and under which key."""

    path: Path
    start: int
    end: int
    block: bool  # a block scalar (| or >): its mask keeps the line break

    def moved(self, offset: int) -> SecretSpan:
        return SecretSpan(self.path, self.start + offset, self.end + offset, self.block)


def secret_spans(root: Node | None) -> list[SecretSpan]:
    """Every secret value of a composed text (an empty value hides nothing)."""
    spans = []
    for path, node in _secret_nodes(root):
        if isinstance(node, ScalarNode) and node.start_mark.index == node.end_mark.index:
            continue
        block = isinstance(node, ScalarNode) and node.style in ("|", ">")
        spans.append(SecretSpan(path, node.start_mark.index, node.end_mark.index, block))
    return spans


def apply_mask(
    text: str, spans: Sequence[SecretSpan], labels: Mapping[Path, str] | None = None
) -> str:
    """The text with each span replaced by MASK (plus its label, such as "changed")."""
    edits = [(start, end, MASK + "\n" if block else MASK) for _, start, end, block in spans]
    if labels:
        for index, span in enumerate(spans):
            if span.path in labels:
                token = f"{MASK} ({labels[span.path]})" + ("\n" if span.block else "")
                edits[index] = (span.start, span.end, token)
    edits.sort()
    if any(a[1] > b[0] for a, b in zip(edits, edits[1:], strict=False)):
        # overlapping spans (a node reached twice through an alias): replace from the end
        for start, end, token in reversed(edits):
            text = text[:start] + token + text[end:]
        return text
    pieces: list[str] = []
    at = 0
    for start, end, token in edits:
        pieces += (text[at:start], token)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def mask_text(
    text: str,
    source: str,
    labels: Mapping[Path, str] | None = None,
    root: Node | None = None,
) -> str:
    """The text with every secret value replaced by MASK (plus a label such as "changed").

    Pass the text's already composed `root` to save parsing it again."""
    if root is None:
        root = compose(text, source)
    return apply_mask(text, secret_spans(root), labels)
