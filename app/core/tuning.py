"""Fair races: the learning rate that gives a run its lowest loss after its step budget.

A race between optimizers is fair only when each runs at its best lr. `tune_lr` finds it by
running the same run (same start, schedule, noise seed, minibatch order) at many lrs:

1. a coarse grid, log-spaced from lr_min to lr_max (`points` lrs);
2. `refine` rounds, each trying `REFINE_POINTS` lrs inside the bracket around the best so far
   (its two evaluated neighbours), log-spaced, so the bracket shrinks about threefold per round.

The score of an lr is the run's loss after its budget of steps (the whole dataset's loss for a
network); a run that diverges scores +inf and stops at once, so a too-large lr costs few steps.
Everything is counted in run-steps (one optimizer step of one run), the unit of the limits.
Ties (several lrs reaching the same lowest loss, e.g. 0 on a bowl) go to the lr in the middle
of the tied ones (in log scale). The curve of score against lr is returned: itself a lesson
(too small crawls, too large diverges, the best sits below the edge; docs/teaching.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.core.runs.base import Stepper

REFINE_POINTS = 4  # lrs per refinement round: two on each side of the best
LR_MIN, LR_MAX = 1e-5, 10.0  # the default search range
POINTS = 13  # the default coarse grid: two lrs per decade over six decades
REFINE = 3


@dataclass(frozen=True)
class Probe:
    """One lr tried: the loss after the budget (inf if diverged), its status and its cost."""

    lr: float
    loss: float
    status: str  # "done" or "diverged"
    steps: int  # run-steps taken (fewer than the budget when it diverged)


@dataclass(frozen=True)
class Tuning:
    lr: float  # the best lr found
    loss: float  # its loss after the budget
    curve: list[Probe]  # every lr tried, by increasing lr
    run_steps: int  # run-steps spent in all

    @property
    def diverged_above(self) -> float | None:
        """The smallest lr tried that diverged (the edge), None if none did."""
        return min((p.lr for p in self.curve if p.status == "diverged"), default=None)


def evaluations(points: int = POINTS, refine: int = REFINE) -> int:
    """How many runs a tuning makes at most: what its cost is `steps` times."""
    return points + refine * REFINE_POINTS


def final_loss(run: Stepper) -> float:
    """The score of a run after its budget: its last loss, +inf if it diverged or has none."""
    if run.status == "diverged":
        return math.inf
    loss = run.head().loss[-1]  # type: ignore[attr-defined]
    return float(loss) if loss is not None and math.isfinite(loss) else math.inf


def probe(make_run: Callable[[float], Stepper], lr: float, steps: int) -> Probe:
    """Run `make_run(lr)` for `steps` steps (or to its divergence) and score it."""
    run = make_run(lr)
    taken = run.advance(steps, None)
    loss = final_loss(run)
    return Probe(lr, loss, "diverged" if math.isinf(loss) else "done", taken)


def tune_lr(
    make_run: Callable[[float], Stepper], steps: int, lr_min: float = LR_MIN,
    lr_max: float = LR_MAX, points: int = POINTS, refine: int = REFINE,
) -> Tuning:
    """The lr in [lr_min, lr_max] whose run reaches the lowest loss after `steps` steps.

    `make_run(lr)` must build a fresh run of the configuration to tune, with that lr."""
    if not 0 < lr_min < lr_max:
        raise ValueError(f"lr_min: need 0 < lr_min < lr_max, got {lr_min:g} and {lr_max:g}")
    if points < 2:
        raise ValueError("points: the coarse grid needs at least 2 lrs")
    tried: dict[float, Probe] = {}
    for lr in np.geomspace(lr_min, lr_max, points).tolist():
        tried[lr] = probe(make_run, lr, steps)
    for _ in range(refine):
        lrs = sorted(tried)
        k = lrs.index(_best(tried))
        lo, hi = lrs[max(k - 1, 0)], lrs[min(k + 1, len(lrs) - 1)]
        best = lrs[k]
        new = []
        for a, b in ((lo, best), (best, hi)):
            if b > a:  # not at an end of the range
                new += np.geomspace(a, b, 4)[1:-1].tolist()
        new = [lr for lr in new if lr not in tried]
        if not new:
            break
        for lr in new:
            tried[lr] = probe(make_run, lr, steps)
    best = _best(tried)
    curve = [tried[lr] for lr in sorted(tried)]
    return Tuning(best, tried[best].loss, curve, sum(p.steps for p in curve))


def _best(tried: dict[float, Probe]) -> float:
    """The lr with the lowest loss; among ties, the one nearest the middle of the tied lrs
    (log scale). With every run diverged, the smallest lr."""
    lowest = min(p.loss for p in tried.values())
    if math.isinf(lowest):
        return min(tried)
    tied = sorted(lr for lr, p in tried.items() if p.loss == lowest)
    middle = 0.5 * (math.log(tied[0]) + math.log(tied[-1]))
    return min(tied, key=lambda lr: abs(math.log(lr) - middle))
