"""Read-only text that scrolls both ways and repaints only the lines that changed.

A Static in a scrolling container repaints all of itself on every update and lays out the
whole screen when a line grows; beside a form that updates it per keystroke, that costs more
than the keystroke's own work. Here a keystroke that changes one line repaints that line.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.style import Style as RichStyle
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

MARGIN = 16  # columns a line may grow by before the scroll width (and the layout) changes


def _width(line: str) -> int:
    return len(line) if line.isascii() else cell_len(line)


class TextView(ScrollView, can_focus=True):
    """Shows `text` one styled line at a time; `style_line` gives a line its colours."""

    DEFAULT_CSS = """
    TextView {
        background: transparent;
    }
    """

    def __init__(
        self,
        text: str = "",
        *,
        style_line: Callable[[str], Text] = Text,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._style_line = style_line
        self._lines: list[str] = []
        self._strips: dict[int, Strip] = {}
        self._base_style: RichStyle | None = None
        self._widest = 0
        self.show(text)

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def show(self, text: str) -> None:
        """Show `text`: repaint the lines that differ, lay out only when the size must change."""
        old, new = self._lines, text.expandtabs().splitlines()
        if old == new:
            return
        self._lines = new
        for index in range(max(len(old), len(new))):
            if index >= len(old) or index >= len(new) or old[index] != new[index]:
                self._strips.pop(index, None)
                if self.is_mounted:
                    self.refresh_line(index)
        self._widest = max(map(_width, new), default=0)
        self._fit()

    def _fit(self) -> None:
        """Scroll width: the pane's while the text fits, else the widest line and a margin,
        so typing into one value seldom changes it (a change lays out the whole screen)."""
        if not self.is_mounted:
            return  # fitted on its first resize
        pane = self.scrollable_content_region.width
        width = self.virtual_size.width
        if self._widest > width or (width > pane and self._widest <= pane):
            width = pane if self._widest <= pane else self._widest + MARGIN
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            self.virtual_size = size

    def on_resize(self) -> None:
        self._fit()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the theme or the focus changed the base style
        self._base_style = None

    @property
    def _style(self) -> RichStyle:
        """`rich_style`, kept until the styles change: Textual recomputes it from every
        ancestor after each refresh, which a keystroke's one changed line does not need."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    # -- text selection with the mouse, as Static and Log have it --------------------------
    # What is copied is the text shown: secrets are masked in it before it gets here.

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(self.text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self._style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        strip = self._strips.get(index)
        if strip is None:
            text = self._style_line(self._lines[index])
            text.stylize_before(text.style)  # the line's colours over the widget's
            text.style = ""
            text.stylize_before(style)
            self._stylize_selection(text, index)
            strip = Strip(text.render(self.app.console), text.cell_len)
            self._strips[index] = strip
        # offsets: where the mouse is in the text, for a selection to start and end
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, index)

    def _stylize_selection(self, text: Text, index: int) -> None:
        selection = self.text_selection
        span = selection.get_span(index) if selection is not None else None
        if span is None:
            return
        start, end = span
        text.stylize(self._selection_style(), start, len(text) if end == -1 else end)

    def _selection_style(self) -> RichStyle:
        """The theme's selection colours. Its foreground is usually transparent (keep the
        text's colour), which the rich style would turn into the background's: unreadable."""
        styles = self.screen.get_component_styles("screen--selection")
        blended = self.screen.get_component_rich_style("screen--selection")
        return RichStyle(bgcolor=blended.bgcolor, color=blended.color if styles.color.a else None)
