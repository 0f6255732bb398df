"""Every command of the app, declared once: its key, its footer label and its help.

The app's bindings, the command palette and the help screen are all built from this list,
so a key can never be in one and missing from another.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    action: str
    key: str
    label: str  # short, for the footer
    help: str  # one line, for the palette and the help screen
    show: bool = True  # in the footer
    priority: bool = False

    @property
    def key_display(self) -> str:
        """The key as the help screen and the README name it ("? / f1" for two keys)."""
        return self.key.replace("ctrl+", "^").replace("question_mark", "?").replace(",", " / ")

    def binding(self) -> Binding:
        # two keys: the footer shows the first one the focused widget does not take for
        # itself (an Input types "?": the footer then offers f1), so no fixed display
        return Binding(
            self.key,
            self.action,
            self.label,
            show=self.show,
            priority=self.priority,
            id=self.action,
            key_display=None if "," in self.key else self.key_display,
        )


COMMANDS: tuple[Command, ...] = (
    Command(
        "save", "ctrl+s", "Save", "Review the masked diff and write the config file", priority=True
    ),
    Command("upload", "ctrl+o", "Upload", "Read a config or storage YAML file into the form"),
    Command(
        "export",
        "ctrl+e",
        "Export",
        "Write the storage section to a file, secrets redacted",
        priority=True,  # an Input binds ctrl+e to "end of line"; End still does that
    ),
    Command(
        "test_connection",
        "ctrl+t",
        "Test",
        "Test connection: run the live checks of the unsaved settings against the backend",
    ),
    Command(
        "cancel_checks",
        "escape",
        "Stop test",
        "Stop a running connection test; once it has finished, close its panel",
    ),
    Command("reveal", "ctrl+r", "Reveal", "Show or hide the secret fields' values"),
    Command(
        "focus_checks",
        "f6",
        "Results",
        "Move to the connection test's results, to scroll them (up/down, page up/down)",
        show=False,  # the panel's own last line names it
    ),
    Command("show_tab('yaml')", "f2", "YAML", "Show the YAML tab", show=False),
    Command("show_tab('diff')", "f3", "Diff", "Show the Diff tab", show=False),
    Command("app.help", "question_mark,f1", "Help", "List every key"),
    Command(
        "app.request_quit",  # the App's: the screens do not have it
        "ctrl+q",
        "Quit",
        "Quit (asks when there are unsaved changes)",
        priority=True,
    ),
)

# Keys Textual itself gives, listed on the help screen so it names every key.
BUILTIN_KEYS: tuple[tuple[str, str], ...] = (
    ("tab / shift+tab", "Next / previous field"),
    ("enter", "Open a dropdown or a folded section; press a button"),
    ("space", "Flip a switch"),
    ("up / down", "Move in a dropdown or a list"),
    ("escape", "Close a dialog or a dropdown (Cancel)"),
    ("ctrl+p", "Command palette: every action by name"),
)
