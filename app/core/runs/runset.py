"""Runs in lockstep: the one loop behind `POST /api/trajectories`, the landscape endpoint's
training and every live `/ws` session.

A `RunSet` steps its runs together, applies queued changes (a `set`, a run added or removed) at
a step boundary, and says what happened as typed events, in order: `Updated` (a set took
effect), `Added` (a new run, caught up to the others), `Removed`, `Steps` (each run's new steps,
as columns), `Diverged`, and `Finished` once no run can go on. The web layer only validates,
paces and sends them; a one-shot endpoint iterates `events()` to the end.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from app.core.runs.base import Columns, Stepper

R = TypeVar("R", bound=Stepper)


@dataclass(frozen=True)
class Updated:
    runs: list[int]
    values: dict[str, Any]
    from_step: dict[int, int]  # run -> the first step that uses the new values


@dataclass(frozen=True)
class Added:
    run: int
    columns: Columns  # its whole path: point 0 to the step the other runs had reached


@dataclass(frozen=True)
class Removed:
    run: int  # the runs after it move down one id


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


Event = Updated | Added | Removed | Steps | Diverged | Finished
# A queued change, applied in order at a step boundary: a set (run ids, values), a run to add
# (with the path it has so far), the id of a run to remove.
_Change = tuple[str, Any, Any]
# Steps one call of `events()` takes per run at a time: memory stays bounded (a few columns).
EVENT_BATCH = 1_000


class RunSet(Generic[R]):
    """The runs of one request or `start`, each with a budget of `steps` steps."""

    def __init__(self, runs: Sequence[R], steps: int) -> None:
        self.runs: list[R] = list(runs)
        self.steps = steps
        self._pending: deque[_Change] = deque()
        self._future: list[R] = list(runs)  # the runs once the queued changes apply
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

    @property
    def position(self) -> int:
        """The step the set has reached: where a run added now joins the others."""
        return min(self.steps, max((r.step_count for r in self.runs), default=0))

    @property
    def planned(self) -> int:
        """How many runs there will be once the queued changes apply (ids refer to these)."""
        return len(self._future)

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def _check_id(self, i: int) -> None:
        if not 0 <= i < len(self._future):
            raise IndexError(f"no run {i}; runs are 0 to {len(self._future) - 1}")

    def queue_set(self, ids: Sequence[int], values: dict[str, Any]) -> None:
        """Validate now (HyperparameterError names the field), apply at the next step boundary.
        Every value is checked against every run first: a refused set changes nothing."""
        for i in ids:
            self._check_id(i)
        checked = {name: self._future[i].check(name, value)
                   for i in ids for name, value in values.items()}
        self._pending.append(("set", list(ids), {k: checked[k] for k in values}))

    def catch_up(self, run: R) -> Columns:
        """A new run's path to the step the set has reached, computed as fast as it goes.
        The run is nobody else's yet: call it without `lock`, beside the stepping."""
        head, rest = run.head(), run.columns()
        run.advance(self.position, rest)
        return _joined(head, rest)

    def queue_add(self, run: R, path: Columns) -> int:
        """Add a run (from `catch_up`) at the next step boundary, where it steps in lockstep
        with the others; returns its id."""
        self._future.append(run)
        self._pending.append(("add", run, path))
        return len(self._future) - 1

    def queue_remove(self, i: int) -> None:
        """Remove run i at the next step boundary; the runs after it move down one id."""
        self._check_id(i)
        if len(self._future) == 1:
            raise ValueError("the last run cannot be removed")
        self._future.pop(i)
        self._pending.append(("remove", i, None))

    def apply_pending(self) -> list[Event]:
        """The queued changes, applied now (between two steps). A removal after an added run
        waits for the next boundary: the events of one boundary name runs by their final ids."""
        out: list[Event] = []
        added = False
        while self._pending:
            kind, a, b = self._pending[0]
            if kind == "remove" and added:
                break
            self._pending.popleft()
            if kind == "set":
                for i in a:
                    for name, value in b.items():
                        self.runs[i].set(name, value)
                out.append(Updated(a, b, {i: self.runs[i].step_count + 1 for i in a}))
            elif kind == "add":
                out.extend(self._add(a, b))
                added = True
            else:
                self.runs.pop(a)
                out.append(Removed(a))
        return out

    def _add(self, run: R, path: Columns) -> list[Event]:
        """A caught-up run joins: the steps the others took meanwhile first (a batch at most)."""
        rest = run.columns()
        run.advance(self.position - run.step_count, rest)
        self.runs.append(run)
        i = len(self.runs) - 1
        out: list[Event] = [Added(i, _joined(path, rest))]
        if run.status == "diverged":
            assert run.diverged_at is not None and run.reason is not None
            out.append(Diverged(i, run.diverged_at, run.reason))
        return out

    def flush(self) -> list[Event]:
        """The queued changes applied now, when nothing steps (a paused or finished session): one
        boundary's worth, so call it while `pending`, turning each call's events into messages
        before the next (they name runs by index). A set that had finished and still does (its
        new run went as far as the others) says so again."""
        with self.lock:
            out = self.apply_pending()
            if not self._pending and self.finished and any(
                    isinstance(e, Added | Removed) for e in out):
                self._close("done")
                out.append(Finished())
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
        """Every run back to its start; queued sets are dropped, applied ones kept. A run still
        to be added is reset too, and added at the next boundary."""
        with self.lock:
            self.reset_runs(lambda run: run.reset())

    def reset_runs(self, reset: Callable[[R], None]) -> None:
        """`reset` with a kind's own way of resetting a run (new weights, say); hold `lock`."""
        kept: deque[_Change] = deque()
        for kind, a, b in self._pending:
            if kind == "add":
                reset(a)
                b = _joined(a.head(), a.columns())
            if kind != "set":
                kept.append((kind, a, b))
        self._pending = kept
        for run in self.runs:
            reset(run)

    def stop(self) -> None:
        """End every run that is still going (the client said stop)."""
        self._close("stopped")

    def _close(self, status: str) -> None:
        for run in self.runs:
            if run.status == "running":
                run.status = status


def _joined(head: Columns, rest: Columns) -> Columns:
    """Two runs of columns as one new one (neither is changed: a run's head is its own)."""
    return type(head)(**{f.name: [*getattr(head, f.name), *getattr(rest, f.name)]
                         for f in fields(head)})
