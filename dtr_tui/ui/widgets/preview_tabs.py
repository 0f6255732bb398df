"""The YAML and Diff tabs beside the form: what will be written, secrets always masked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane

from ..live_plan import Preview
from .highlight import diff_line, yaml_line
from .text_view import TextView

NO_CHANGES = "No changes: the file on disk already says this."


class PreviewTabs(Vertical):
    """Shows a `Preview`; which tab is active is the only state it keeps."""

    def __init__(self) -> None:
        super().__init__(id="preview")

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="yaml"):
            with TabPane("YAML", id="yaml"):
                yield TextView(
                    "Reading the file…",
                    style_line=yaml_line,
                    id="yaml-text",
                    classes="preview-scroll",
                )
            with TabPane("Diff", id="diff"):
                yield TextView(
                    "Reading the file…",
                    style_line=diff_line,
                    id="diff-text",
                    classes="preview-scroll",
                )

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active

    @active.setter
    def active(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    _preview: Preview | None = None

    def show(self, preview: Preview) -> None:
        """Redraw the visible tab only; the other one is drawn when it is opened."""
        self._preview = preview
        self._draw(self.active)

    def _draw(self, tab: str) -> None:
        preview = self._preview
        if preview is None or tab not in ("yaml", "diff"):
            return
        if tab == "yaml":
            text = preview.yaml
        else:
            text = preview.diff or NO_CHANGES
        # unchanged lines are not repainted, nor the screen laid out unless the size changed
        self.query_one(f"#{tab}-text", TextView).show(text)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._draw(event.pane.id or "")
