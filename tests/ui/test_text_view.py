"""TextView keeps each line's rendering and its base style between keystrokes; a theme or
focus change must still repaint it in the new colours, the lines drawn before and after."""

from __future__ import annotations

from textual.app import App, ComposeResult

from dtr_tui.ui.widgets.text_view import TextView


class OneView(App[None]):
    def compose(self) -> ComposeResult:
        yield TextView("storage:\n  filesystem: {}", id="view")


def colours(view: TextView, line: int) -> tuple[object, object]:
    style = view.render_line(line)._segments[0].style
    assert style is not None
    return style.color, style.bgcolor


async def test_a_theme_change_repaints_lines_drawn_before_and_after_it() -> None:
    app = OneView()
    async with app.run_test(size=(40, 5)) as pilot:
        app.theme = "textual-dark"
        await pilot.pause()
        view = app.query_one(TextView)
        dark = colours(view, 0)
        view.show("storage:\n  inmemory: {}")  # a keystroke's change: line 1 drawn anew
        app.theme = "textual-light"
        await pilot.pause()
        assert colours(view, 0) != dark, "a line drawn before the change"
        assert colours(view, 1) == colours(view, 0), "a line drawn after it, same base style"
