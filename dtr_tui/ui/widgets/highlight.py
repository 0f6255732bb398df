"""Colour for the YAML and Diff tabs without Pygments (it costs startup time).

Colour only adds to what the text already says: a diff line keeps its + or -, a masked
secret keeps its asterisks. One line at a time, so a view repaints only the lines that changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.text import Text

_KEY = re.compile(r"^(\s*)(- )?([^\s:#][^:#]*?):(\s|$)")


def yaml_line(line: str) -> Text:
    if line.lstrip().startswith("#"):
        return Text(line, style="dim")
    text = Text(line)
    match = _KEY.match(line)
    if match:
        text.stylize("bold cyan", match.start(3), match.end(3))
    if "********" in line:
        start = line.index("********")
        text.stylize("magenta", start, len(line.rstrip("\n")))
    return text


def diff_line(line: str) -> Text:
    if line.startswith(("+++", "---")):
        return Text(line, style="bold")
    if line.startswith("@@"):
        return Text(line, style="cyan")
    if line.startswith("+"):
        return Text(line, style="green")
    if line.startswith("-"):
        return Text(line, style="red")
    return Text(line)


def yaml_text(source: str) -> Text:
    return _joined(source, yaml_line)


def diff_text(source: str) -> Text:
    return _joined(source, diff_line)


def _joined(source: str, style_line: Callable[[str], Text]) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    for line in source.splitlines(keepends=True):
        out.append_text(style_line(line))
    return out
