"""One admission controller for expensive one-shot work (landscapes, trajectories, ...).

At most `limit` pieces of work compute at once, in a pool of as many threads of their own (so
they never queue the pages and /healthz behind them, which run on the event loop), and at most
`queue` wait for a turn; past that the server answers 503 with Retry-After at once (the page says
"the server is busy, retrying in 3 s") instead of letting a class's requests pile up. Work whose
client left (the page aborts superseded requests) is told to stop (`should_stop`) and gives its
slot back within a chunk's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import Request

from app.core.cancellation import Cancelled, StopCheck

log = logging.getLogger("gradscape.admission")
T = TypeVar("T")
RETRY_AFTER = 3  # seconds: what the 503 and the page's message say
DISCONNECT_POLL = 0.25  # seconds between two checks that the client still waits


class Busy(Exception):
    """No slot and no room in the queue: answer 503 with Retry-After."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the server is busy with other {what}; retrying in {RETRY_AFTER} s "
                         "helps")
        self.retry_after = RETRY_AFTER


class ClientGone(Exception):
    """The client disconnected; the work was stopped and nobody reads the answer."""


class Admission:
    def __init__(self, limit: int, queue: int) -> None:
        self.limit, self.queue = limit, queue
        self.running = 0
        self.waiting = 0
        self._slots: asyncio.Semaphore | None = None  # made on the serving loop
        self.executor = ThreadPoolExecutor(max_workers=limit, thread_name_prefix="heavy")

    @contextlib.asynccontextmanager
    async def slot(self, what: str) -> AsyncIterator[None]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        if self.running >= self.limit and self.waiting >= self.queue:
            log.warning("refused %s: %d running, %d waiting", what, self.running, self.waiting)
            raise Busy(what)
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()

    async def run(self, request: Request, what: str, work: Callable[[StopCheck], T]) -> T:
        """`work(should_stop)` in a slot of its own, stopped if the client goes away."""
        async with self.slot(what):
            stop = threading.Event()
            future = asyncio.get_running_loop().run_in_executor(self.executor, work, stop.is_set)
            while True:
                done, _ = await asyncio.wait({future}, timeout=DISCONNECT_POLL)
                if done:
                    return future.result()
                if await request.is_disconnected():
                    stop.set()
                    with contextlib.suppress(Cancelled):
                        await future
                    log.info("stopped %s: the client left", what)
                    raise ClientGone


def install(app: Any, limit: int, queue: int) -> None:
    """The controller on app.state, and what Busy and ClientGone answer."""
    from app.api.jsonsafe import SafeJSONResponse

    app.state.admission = Admission(limit, queue)

    async def busy(request: Request, exc: Exception) -> SafeJSONResponse:
        assert isinstance(exc, Busy)
        return SafeJSONResponse({"detail": str(exc), "message": str(exc), "code": "busy"},
                                status_code=503, headers={"Retry-After": str(exc.retry_after)})

    async def gone(request: Request, exc: Exception) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": "client left"}, status_code=499)

    app.add_exception_handler(Busy, busy)
    app.add_exception_handler(ClientGone, gone)
