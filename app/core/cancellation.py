"""Stopping long work when nobody waits for it any more (a client that left, a request the page
superseded): the caller passes `should_stop`, the work checks it between pieces and raises
`Cancelled`. Pieces stay short (a few milliseconds), so the CPU is handed back at once."""

from __future__ import annotations

from collections.abc import Callable

StopCheck = Callable[[], bool]


class Cancelled(Exception):
    """The work was stopped because `should_stop()` said so."""


def check(should_stop: StopCheck | None) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled
