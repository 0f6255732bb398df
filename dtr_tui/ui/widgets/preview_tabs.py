"""The YAML and Diff tabs beside the form: what will be written, secrets always masked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.widgets import Static, TabbedContent, TabPane

from ..live_plan import Preview
from .highlight import diff_text, yaml_text


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

    def show(self, preview: Preview) -> None:
        self.query_one("#yaml-text", Static).update(yaml_text(preview.yaml))
        diff = self.query_one("#diff-text", Static)
        if preview.diff:
            diff.update(diff_text(preview.diff))
        else:
            diff.update("No changes: the file on disk already says this.")
