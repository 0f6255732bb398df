"""The README's Keys table says what commands.py declares: same keys, same words, same order."""

from __future__ import annotations

from pathlib import Path

from dtr_tui.ui.commands import BUILTIN_KEYS, COMMANDS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_keys_table_matches_the_commands() -> None:
    text = README.read_text()
    table = text.split("<!-- keys:start -->", 1)[1].split("<!-- keys:end -->", 1)[0]
    rows = [line for line in table.strip().splitlines()[2:]]
    expected = [f"| `{c.key_display}` | {c.help} |" for c in COMMANDS]
    expected += [f"| `{key}` | {help_text} |" for key, help_text in BUILTIN_KEYS]
    assert rows == expected


def test_readme_shows_every_gallery_screen() -> None:
    from dtr_tui.ui.gallery import STATES

    text = README.read_text()
    for name in STATES:
        assert f"(screens/{name}.svg)" in text
        assert (README.parent / "screens" / f"{name}.svg").is_file()
