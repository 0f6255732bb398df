"""The Textual screen: Settings › Storage in a terminal. Only this package imports Textual."""
