"""A session's sweep: trainings in a process pool (app/core/sweeps.py), off the event loop, with a
`sweep_progress` frame per training and `sweep_done` at the end (docs/protocol.md).

The pool takes every core, so a server runs one sweep at a time: a second is refused (`busy`)
rather than queued behind a minute of someone else's work. A session's new sweep replaces its
running one; `sweep_cancel` or leaving drops the trainings not yet finished.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, ClassVar

from app.api.schemas.sweeps import StartSweep
from app.core.sweeps import Outcome, Sweep, SweepResult, run_sweep

log = logging.getLogger("gradscape.ws")


class SweepBusy(Exception):
    """Another session's sweep holds the pool."""


class SweepRunner:
    slot: ClassVar[threading.Lock] = threading.Lock()  # one sweep per server at a time

    def __init__(self, post: Callable[[dict[str, Any]], None]) -> None:
        self.post = post
        self.task: asyncio.Task | None = None
        self.cancel: threading.Event | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    async def start(self, msg: StartSweep) -> None:
        await self.stop()
        if not SweepRunner.slot.acquire(blocking=False):
            raise SweepBusy("another sweep is running on this server; try again when it ends")
        try:
            sweep = msg.sweep()
            cancel = threading.Event()
            self.cancel = cancel
            total = len(sweep.values) * sweep.repeats
            workers = min(os.cpu_count() or 1, total)
            self.post({"type": "sweep_started", "setting": sweep.setting,
                       "values": list(sweep.values), "repeats": sweep.repeats, "total": total,
                       "workers": workers})
            loop = asyncio.get_running_loop()

            def progress(k: int, done: int, outcome: Outcome) -> None:  # a worker thread
                loop.call_soon_threadsafe(self.post, {
                    "type": "sweep_progress", "done": done, "total": total,
                    "value": sweep.values[k // sweep.repeats], "repeat": k % sweep.repeats,
                    "outcome": asdict(outcome)})

            self.task = asyncio.create_task(self._run(sweep, workers, cancel, progress))
        except BaseException:
            SweepRunner.slot.release()
            raise

    async def _run(self, sweep: Sweep, workers: int, cancel: threading.Event,
                   progress: Callable[[int, int, Outcome], None]) -> None:
        try:
            result = await asyncio.to_thread(run_sweep, sweep, workers, cancel, progress)
            self.post(done_json(result))
        except Exception:
            log.exception("a sweep failed")
            self.post({"type": "error", "code": "internal", "field": None,
                       "message": "the sweep failed; send 'sweep' to try again"})
        finally:
            SweepRunner.slot.release()

    async def stop(self) -> None:
        """Cancel this session's sweep and wait for it to end (pending trainings are dropped;
        the running ones are not waited for)."""
        if self.cancel is not None:
            self.cancel.set()
        if self.task is not None:
            await asyncio.shield(self.task)
            self.task = None

    def close(self) -> None:
        """The session ended: let the sweep end by itself, soon."""
        if self.cancel is not None:
            self.cancel.set()


def done_json(result: SweepResult) -> dict[str, Any]:
    return {"type": "sweep_done", "setting": result.setting, "cancelled": result.cancelled,
            "seconds": result.seconds,
            "rows": [None if r is None else asdict(r) for r in result.rows]}
