"""Questions to the Docker engine asked off the UI thread, on threads nobody waits for.

Textual's thread workers run on the event loop's executor, which is joined when the app
exits: a question stuck on an engine that accepts and never answers (a TCP `DOCKER_HOST`
whose client waits 30 s) would hold the quit that long. A daemon thread is simply dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from threading import Thread
from typing import Any, TypeVar

from textual.app import App

T = TypeVar("T")


def ask_in_background(
    app: App[Any],
    name: str,
    ask: Callable[[], T],
    answer: Callable[[T], None],
    failed: Callable[[BaseException], None],
) -> None:
    """Run `ask()` on a daemon thread; `answer(result)` or `failed(error)` on the app's
    thread, unless the app has closed meanwhile (then nobody is told)."""

    def run() -> None:
        deliver: Callable[[], None]
        try:
            deliver = partial(answer, ask())
        except Exception as exc:  # noqa: BLE001 - said on screen by `failed`, never printed
            deliver = partial(failed, exc)
        try:
            app.call_from_thread(deliver)
        except RuntimeError:
            pass  # the app is not running any more

    Thread(target=run, name=name, daemon=True).start()
