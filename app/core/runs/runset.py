"""Runs in lockstep: the one loop behind `POST /api/trajectories`, the landscape endpoint's
training and every live `/ws` session.

A `RunSet` steps its runs together, applies queued `set`s at a step boundary, and says what
happened as typed events, in order: `Updated` (a set took effect), `Steps` (each run's new
steps, as columns), `Diverged`, and `Finished` once no run can go on. The web layer only
validates, paces and sends them; a one-shot endpoint iterates `events()` to the end.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.core.runs.base import Columns, Stepper

R = TypeVar("R", bound=Stepper)


@dataclass(frozen=True)
class Updated:
    runs: list[int]
    values: dict[str, Any]
    from_step: dict[int, int]  # run -> the first step that uses the new values


@dataclass(frozen=True)
class Steps:
    columns: list[Columns | None]  # per run: its new steps (None: it took none)


@dataclass(frozen=True)
class Diverged:
    run: int
    step: int
    reason: str


@dataclass(frozen=True)
class Finished:
    """No run can take another step: each is diverged, or done after its budget."""


Event = Updated | Steps | Diverged | Finished
# Steps one call of `events()` takes per run at a time: memory stays bounded (a few columns).
EVENT_BATCH = 1_000


class RunSet(Generic[R]):
    """The runs of one request or `start`, each with a budget of `steps` steps."""

    def __init__(self, runs: Sequence[R], steps: int) -> None:
        self.runs: list[R] = list(runs)
        self.steps = steps
        self._pending: deque[tuple[list[int], dict[str, Any]]] = deque()
        # Held while stepping or resetting: a live session steps networks in a worker thread.
        self.lock = threading.Lock()

    @property
    def active(self) -> list[int]:
        """The runs that may take another step."""
        return [i for i, r in enumerate(self.runs)
                if r.status == "running" and r.step_count < self.steps]

    @property
    def finished(self) -> bool:
        return not self.active

    def queue_set(self, ids: Sequence[int], values: dict[str, Any]) -> None:
        """Validate now (HyperparameterError names the field), apply at the next step boundary.
        Every value is checked against every run first: a refused set changes nothing."""
        for i in ids:
            if not 0 <= i < len(self.runs):
                raise IndexError(f"no run {i}; runs are 0 to {len(self.runs) - 1}")
        checked = {name: self.runs[i].check(name, value)
                   for i in ids for name, value in values.items()}
        self._pending.append((list(ids), {k: checked[k] for k in values}))

    def apply_pending(self) -> list[Updated]:
        """The queued sets, applied now (between two steps)."""
        out = []
        while self._pending:
            ids, values = self._pending.popleft()
            for i in ids:
                for name, value in values.items():
                    self.runs[i].set(name, value)
            out.append(Updated(ids, values, {i: self.runs[i].step_count + 1 for i in ids}))
        return out

    def advance(self, n: int) -> list[Event]:
        """Up to n more steps of every active run, after the pending sets. Runs are independent
        between two boundaries, so each takes its n steps in one tight loop."""
        with self.lock:
            events: list[Event] = list(self.apply_pending())
            columns: list[Columns | None] = [None] * len(self.runs)
            diverged: list[Event] = []
            for i in self.active:
                run = self.runs[i]
                out = run.columns()
                run.advance(min(n, self.steps - run.step_count), out)
                columns[i] = out if len(out) else None
                if run.status == "diverged":
                    assert run.diverged_at is not None and run.reason is not None
                    diverged.append(Diverged(i, run.diverged_at, run.reason))
            if any(c is not None for c in columns):
                events.append(Steps(columns))
            events.extend(diverged)
            if self.finished:
                self._close("done")
                events.append(Finished())
            return events

    def events(self, batch: int = EVENT_BATCH) -> Iterator[Event]:
        """Everything to the end, starting with each run's head (its point 0)."""
        yield Steps([r.head() for r in self.runs])
        while not self.finished:
            yield from self.advance(batch)

    def reset(self) -> None:
        """Every run back to its start; queued sets are dropped, applied ones kept."""
        with self.lock:
            self.reset_runs(lambda run: run.reset())

    def reset_runs(self, reset: Callable[[R], None]) -> None:
        """`reset` with a kind's own way of resetting a run (new weights, say); hold `lock`."""
        self._pending.clear()
        for run in self.runs:
            reset(run)

    def stop(self) -> None:
        """End every run that is still going (the client said stop)."""
        self._close("stopped")

    def _close(self, status: str) -> None:
        for run in self.runs:
            if run.status == "running":
                run.status = status
