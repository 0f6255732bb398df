"""The YAML and Diff tabs beside the form: what will be written, secrets always masked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.widgets import Static, TabbedContent, TabPane

from ..live_plan import Preview
from .highlight import diff_text, yaml_text


def _extent(text: str) -> tuple[int, int]:
    lines = text.splitlines()
    return len(lines), max((len(line) for line in lines), default=0)


class PreviewTabs(Vertical):
    """Shows a `Preview`; which tab is active is the only state it keeps."""

    def __init__(self) -> None:
        super().__init__(id="preview")

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="yaml"):
            with TabPane("YAML", id="yaml"):
                with ScrollableContainer(classes="preview-scroll"):
                    yield Static("Reading the file…", id="yaml-text")
            with TabPane("Diff", id="diff"):
                with ScrollableContainer(classes="preview-scroll"):
                    yield Static("Reading the file…", id="diff-text")

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active

    @active.setter
    def active(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    _preview: Preview | None = None
    _drawn: dict[str, str] = {}

    def show(self, preview: Preview) -> None:
        """Redraw the visible tab only; the other one is drawn when it is opened."""
        self._preview = preview
        self._draw(self.active)

    def _draw(self, tab: str) -> None:
        preview = self._preview
        if preview is None:
            return
        source = preview.yaml if tab == "yaml" else preview.diff
        if self._drawn.get(tab) == source:
            return  # this keystroke did not change this tab
        before = self._drawn.get(tab)
        self._drawn = {**self._drawn, tab: source}
        # a relayout of the whole screen costs more than the rest of a keystroke: ask for one
        # only when the text grew (a keystroke usually changes one line in place)
        grew = before is None or any(
            a > b for a, b in zip(_extent(source), _extent(before), strict=True)
        )
        if tab == "yaml":
            self.query_one("#yaml-text", Static).update(yaml_text(source), layout=grew)
        elif source:
            self.query_one("#diff-text", Static).update(diff_text(source), layout=grew)
        else:
            self.query_one("#diff-text", Static).update(
                "No changes: the file on disk already says this.", layout=True
            )

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._draw(event.pane.id or "")
