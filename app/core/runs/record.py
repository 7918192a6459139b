"""Runs to the end, kept as columns: what the one-shot endpoints return.

`record` iterates a run set's events (the same events a live session sends) and keeps each
run's steps, all of them or every k-th (the landscape's training keeps at most a few hundred
weight vectors of a long run), always with each run's last step, and for a diverged run the one
before it too, so it still ends on its last usable point.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from app.core.cancellation import StopCheck, check
from app.core.runs.runset import EVENT_BATCH, RunSet, Steps, Updated

# With a stop check, a batch is this many run-steps at most: a network step can take
# milliseconds, and a client that left should not wait seconds for the next check.
CANCELLABLE_RUN_STEPS = 200


def _names(columns: Any) -> list[str]:
    return [f.name for f in fields(columns)]


def _keep(into: Any, new: Any, rows: list[int]) -> None:
    for name in _names(into):
        column, values = getattr(into, name), getattr(new, name)
        if len(values) < len(new.step):  # an optional column this run leaves empty (trials)
            continue
        column.extend(values[r] for r in rows)


@dataclass
class Record:
    kept: list[Any]  # per run: its kept steps, as columns
    lrs: list[list[float]]  # per run: lrs[k - 1] is the lr of step k, for every step taken
    updates: list[Updated]  # the sets applied on the way


def record(runset: RunSet, every: int = 1, should_stop: StopCheck | None = None) -> Record:
    """Run every run to its end, keeping steps that are multiples of `every` and each run's last
    step (a diverged run's last two), and the lr of every step. `should_stop` is checked between
    batches (Cancelled)."""
    kept = [run.columns() for run in runset.runs]
    lrs: list[list[float]] = [[] for _ in runset.runs]
    tails: list[list[tuple[Any, int]]] = [[] for _ in runset.runs]  # the last two (batch, row)
    updates: list[Updated] = []
    batch = EVENT_BATCH if should_stop is None else max(
        1, CANCELLABLE_RUN_STEPS // max(1, len(runset.runs)))
    for event in runset.events(batch):
        check(should_stop)
        if isinstance(event, Updated):
            updates.append(event)
        if not isinstance(event, Steps):
            continue
        for i, cols in enumerate(event.columns):
            if cols is None:
                continue
            steps = cols.step
            lrs[i].extend(lr for lr in cols.lr if lr is not None)  # point 0 has no lr
            _keep(kept[i], cols, [r for r, s in enumerate(steps) if s % every == 0])
            tails[i] = ([*tails[i], *((cols, r) for r in range(max(0, len(steps) - 2),
                                                             len(steps)))])[-2:]
    for i, tail in enumerate(tails):
        if runset.runs[i].status != "diverged":
            tail = tail[-1:]  # the step before the last matters only when the last is unusable
        for cols, r in tail:
            if cols.step[r] % every:
                _keep(kept[i], cols, [r])
        order = sorted(range(len(kept[i].step)), key=kept[i].step.__getitem__)
        if order != list(range(len(order))):  # a tail step came before the last kept one
            for name in _names(kept[i]):
                column = getattr(kept[i], name)
                if len(column) == len(order):  # (not an empty optional column)
                    column[:] = [column[r] for r in order]
    return Record(kept, lrs, updates)
