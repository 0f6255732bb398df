"""What a person must know when the registry's backend changes: one text for the screen's
dropdown, its upload and the headless commands."""

from __future__ import annotations

from .drivers import driver_model


def _title(name: str) -> str:
    model = driver_model(name)
    return model.title if model is not None else name


def switch_warning(old: str | None, new: str) -> str:
    """The warning for leaving `old` (the backend the config file uses) for `new`; empty when
    there is no file backend or it stays the same."""
    if old is None or old == new:
        return ""
    return (
        f"Images stored in {_title(old)} will not be visible to the registry once it "
        f"uses {_title(new)}: copy them over before you save, or push them again."
    )
