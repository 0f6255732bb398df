"""The app's own widgets: one module each."""
