"""The YAML and Diff tabs beside the form: what will be written, secrets always masked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from .highlight import diff_line, yaml_line
from .text_view import TextView

if TYPE_CHECKING:  # both come after the first frame
    from textual.widgets import TabbedContent

    from ...core.plan import Preview

NO_CHANGES = "No changes: the file on disk already says this."


class PreviewTabs(Vertical):
    """Shows a `Preview`; which tab is active is the only state it keeps.

    The tabs are mounted right after the first frame: the form is what that frame must show,
    and the tabs' eleven widgets cost a fifth of it in styling. Until then (a frame or two;
    the preview itself is computed after the first frame anyway) a line says what comes.
    """

    def __init__(self) -> None:
        super().__init__(id="preview")
        self._wanted = "yaml"
        # kept, not queried: a query walks the DOM, and `show` runs on every keystroke
        self._tabs: TabbedContent | None = None
        self._views: dict[str, TextView] = {}

    def compose(self) -> ComposeResult:
        yield Static(" YAML  Diff\n\n Reading the file…", id="preview-wait", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_tabs)

    async def _mount_tabs(self) -> None:
        from textual.widgets import TabbedContent, TabPane

        if self._tabs is not None or not self.is_attached:
            return  # mounted already, or the app quit before its first frame was out
        self._views = views = {
            tab: TextView(
                "Reading the file…", style_line=style, id=f"{tab}-text", classes="preview-scroll"
            )
            for tab, style in (("yaml", yaml_line), ("diff", diff_line))
        }
        tabs = TabbedContent(initial=self._wanted)
        tabs.compose_add_child(TabPane("YAML", views["yaml"], id="yaml"))  # as `with` does
        tabs.compose_add_child(TabPane("Diff", views["diff"], id="diff"))
        self._tabs = tabs
        await self.mount(tabs)
        await self.query_one("#preview-wait").remove()
        self._draw(self._wanted)

    @property
    def active(self) -> str:
        return self._tabs.active if self._tabs is not None else self._wanted

    @active.setter
    def active(self, tab: str) -> None:
        self._wanted = tab
        if self._tabs is not None:
            self._tabs.active = tab

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
        view = self._views.get(tab)
        if view is not None:  # none before the tabs are mounted: drawn as they are
            view.show(text)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._draw(event.pane.id or "")
