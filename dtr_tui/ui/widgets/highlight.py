"""Colour for the YAML and Diff tabs without Pygments (it costs startup time).

Colour only adds to what the text already says: a diff line keeps its + or -, a masked
secret keeps its asterisks.
"""

from __future__ import annotations

import re

from rich.text import Text

_KEY = re.compile(r"^(\s*)(- )?([^\s:#][^:#]*?):(\s|$)")


def yaml_text(source: str) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    for line in source.splitlines(keepends=True):
        out.append_text(_yaml_line(line))
    return out


def _yaml_line(line: str, base: str = "") -> Text:
    stripped = line.lstrip()
    if stripped.startswith("#"):
        return Text(line, style=f"{base} dim".strip())
    text = Text(line, style=base)
    match = _KEY.match(line)
    if match:
        text.stylize("bold cyan", match.start(3), match.end(3))
    if "********" in line:
        start = line.index("********")
        text.stylize("magenta", start, len(line.rstrip("\n")))
    return text


def diff_text(source: str) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    for line in source.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(line, style="bold")
        elif line.startswith("@@"):
            out.append(line, style="cyan")
        elif line.startswith("+"):
            out.append(line, style="green")
        elif line.startswith("-"):
            out.append(line, style="red")
        else:
            out.append(line)
    return out
