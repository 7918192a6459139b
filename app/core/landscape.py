"""The network's loss landscape: train some runs, slice the loss on a plane, project the paths.

All runs start from the same initial weights (a fair comparison). The plane passes through the
centre (the final weights of the first run that did not diverge, or the initial weights) and is
spanned by two chosen weights, two filter-normalised random directions, or the top two PCA
directions of the paths (see directions.py). The grid is evaluated batched (landscape_grid.py).

Each path point carries two losses: the true loss at theta_t, and the slice's loss at theta_t's
projection onto the plane. They agree only when theta_t lies on the plane; `distance` says how
far off it is, so the UI can say when the path appears to climb or cut through a hill.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from app.core.cancellation import StopCheck
from app.core.directions import Plane, WeightRef, pca_plane, random_plane, weight_plane
from app.core.landscape_grid import SliceEvaluator
from app.core.mlp import MLP
from app.core.regularization import Penalty
from app.core.runs import NetworkRun, Problem, RunConfig, RunSet, record
from app.core.runs.holdout import Holdout
from app.core.runs.sharpness import SharpnessReading

Array = NDArray[np.float64]
MAX_PATH_POINTS = 501  # points kept per run (evenly spaced steps, and the last)
# The kept weight vectors of all runs together stay under this (8 runs of a 21,122-weight net
# kept 501 points each: 677 MB, then a copy for the PCA): fewer points for big nets.
MAX_PATH_BYTES = 128 * 2**20


def path_points(runs: int, n_params: int) -> int:
    """How many points each run keeps: MAX_PATH_POINTS, or fewer where the weights are many."""
    return max(3, min(MAX_PATH_POINTS, MAX_PATH_BYTES // max(1, runs * n_params * 8)))
RANGE_MARGIN = 1.25  # the grid reaches this far beyond the farthest path point
CENTRES = ("final", "initial")


@dataclass
class TrainResult:
    """One run's kept steps (evenly spaced, and the last usable one), as arrays."""

    config: RunConfig
    steps: NDArray[np.int64]  # (T,) step number of each kept point
    thetas: Array  # (T, P) weights at those steps (finite ones only)
    losses: Array  # (T,) full-batch loss at those steps
    lrs: list[float]  # lrs[k-1]: the learning rate of step k, every step taken
    status: str  # "done" or "diverged"
    diverged_at: int | None  # the step whose loss or weights were no longer usable
    # per kept step: its curvature, where measured (every sharpness_every-th step)
    sharpness: list[SharpnessReading | None] = field(default_factory=list)
    # At the kept steps, NaN where not evaluated (no test set: all NaN); the penalty term.
    test_losses: Array = field(default_factory=lambda: np.zeros(0))
    test_accuracies: Array = field(default_factory=lambda: np.zeros(0))
    penalties: Array = field(default_factory=lambda: np.zeros(0))
    best_test: dict | None = None  # {step, loss, accuracy} of the lowest test loss

    @property
    def final(self) -> Array:
        return self.thetas[-1]


def kept_every(steps: int, max_points: int = MAX_PATH_POINTS) -> int:
    """The interval between two kept steps of a run of `steps` steps."""
    return max(1, math.ceil(steps / max(max_points - 1, 1)))


def train(model: MLP, theta0: Array, x: Array, y: Array, steps: int,
          configs: list[RunConfig], max_points: int = MAX_PATH_POINTS,
          sharpness_every: int | None = None, should_stop: StopCheck | None = None,
          test: Holdout | None = None, penalty: Penalty | None = None,
          dropout: float = 0.0, labels: NDArray | None = None) -> list[TrainResult]:
    """Every config trained from theta0 by the run engine (as the live view trains them),
    keeping at most max_points steps of each, evenly spaced, and its last usable step.
    sharpness_every: measure the sharpness every k steps, k rounded up to a multiple of the
    kept steps' interval (a measured step is a kept one); None: never. `test` is evaluated at
    the kept steps (the cost of a forward pass over the test points, at the training loss's
    pace)."""
    every = kept_every(steps, max_points)
    sharp = None if not sharpness_every else every * math.ceil(sharpness_every / every)
    problem = Problem(model, x, np.zeros(len(x)) if labels is None else labels, y, theta0,
                      plane=None, test=test, penalty=penalty or Penalty(), dropout=dropout)
    runset = RunSet([NetworkRun(problem, c, loss_every=every, sharpness_every=sharp)
                     for c in configs], steps)
    rec = record(runset, every, should_stop)
    out = []
    for run, cols, lrs in zip(runset.runs, rec.kept, rec.lrs, strict=True):
        rows = [r for r, s in enumerate(cols.step) if s != run.diverged_at]
        losses = [cols.loss[r] if cols.loss[r] is not None  # a minibatch run's last step
                  else model.loss_value(cols.theta[r], x, y) for r in rows]
        out.append(TrainResult(
            config=run.config,
            steps=np.array([cols.step[r] for r in rows], dtype=np.int64),
            thetas=np.array([cols.theta[r] for r in rows]).reshape(len(rows), model.n_params),
            losses=np.array(losses, dtype=np.float64),
            lrs=lrs, status=run.status, diverged_at=run.diverged_at,
            sharpness=[cols.sharpness[r] for r in rows],
            test_losses=_floats([cols.test_loss[r] for r in rows]),
            test_accuracies=_floats([cols.test_accuracy[r] for r in rows]),
            penalties=_floats([cols.penalty[r] for r in rows]),
            best_test=run.best_test.json(),
        ))
    return out


def _floats(values: list[float | None]) -> Array:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


@dataclass
class RunPath:
    result: TrainResult
    offsets: Array  # (T, 2) plane offsets of the projected path
    slice_loss: Array  # (T,) the slice's loss at the projections (grid dtype)
    distance: Array  # (T,) distance of theta_t from the plane

    @property
    def true_loss(self) -> Array:
        return self.result.losses


@dataclass
class Landscape:
    plane: Plane
    c1: Array  # (n,) plane offsets along d1; axis values are plane.origin[0] + c1
    c2: Array  # (n,)
    z: Array  # (n, n) slice loss, z[j, i] at (c1[i], c2[j]); may hold inf where float32 overflowed
    centre_loss: float  # the network's loss at the centre, float64
    runs: list[RunPath]
    dtype: str

    @property
    def x_axis(self) -> Array:
        return self.plane.origin[0] + self.c1

    @property
    def y_axis(self) -> Array:
        return self.plane.origin[1] + self.c2


def _half_widths(paths: list[Array], floor: float | None) -> tuple[float, float]:
    """Symmetric half-widths that show every path with a margin (so the centre is a grid node)."""
    reach = np.zeros(2)
    for p in paths:
        if len(p):
            reach = np.maximum(reach, np.abs(p).max(axis=0))
    reach *= RANGE_MARGIN
    if floor is None:  # PCA: axes in units of the path itself
        floor = max(0.05 * float(reach.max()), 1e-3)
    return max(float(reach[0]), floor), max(float(reach[1]), floor)


def compute_landscape(
    model: MLP, x: Array, y: Array, theta0: Array, configs: list[RunConfig], steps: int,
    mode: str, n: int, seed: int = 0, weights: tuple[WeightRef, WeightRef] | None = None,
    centre: str = "final", span: tuple[float, float] | None = None,
    dtype: type = np.float32, sharpness_every: int | None = None,
    should_stop: StopCheck | None = None, test: Holdout | None = None,
    penalty: Penalty | None = None, dropout: float = 0.0, labels: NDArray | None = None,
) -> Landscape:
    """Train every config from theta0, then slice the loss on an n x n grid around the centre.

    y holds (N, outputs) targets. span, if given, sets the grid's half-widths (plane offsets).
    The slice is the training set's data loss (no penalty); `test`, `penalty`, `dropout` and
    `labels` (for accuracies) shape the training as in a live run.
    """
    results = train(model, theta0, x, y, steps, configs,
                    max_points=path_points(len(configs), model.n_params),
                    sharpness_every=sharpness_every, should_stop=should_stop, test=test,
                    penalty=penalty, dropout=dropout, labels=labels)
    healthy = [r for r in results if r.status == "done"]
    if centre == "initial":
        theta_c = np.array(theta0, dtype=np.float64)
    else:
        theta_c = (healthy[0] if healthy else results[0]).final
        theta_c = theta_c if len(theta_c) else np.array(theta0, dtype=np.float64)

    if mode == "weights":
        if weights is None:  # the first two weights of layer 1: W1[0,0] and W1[0,1] (or b1[0])
            weights = ((1, 0, 0), (1, 0, 1 if model.sizes[0] > 1 else None))
        plane = weight_plane(model, theta_c, *weights)
    elif mode == "random":
        plane = random_plane(model, theta_c, np.random.default_rng([seed, 1]))
    elif mode == "pca":
        plane = pca_plane([r.thetas for r in results if len(r.thetas)], theta_c)
    else:
        raise ValueError(f"unknown direction mode {mode!r}")

    offsets = [plane.project(r.thetas) if len(r.thetas) else np.zeros((0, 2)) for r in results]
    if span is None:
        shown = [o for o, r in zip(offsets, results, strict=True) if r.status == "done"]
        span = _half_widths(shown or offsets, None if mode == "pca" else 1.0)
    c1 = np.linspace(-span[0], span[0], n)
    c2 = np.linspace(-span[1], span[1], n)

    evaluator = SliceEvaluator(model, plane, x, y, dtype=dtype, should_stop=should_stop)
    z = evaluator.mesh(c1, c2)
    runs = [
        RunPath(
            result=r,
            offsets=o,
            slice_loss=evaluator.points(o) if len(o) else np.zeros(0),
            distance=plane.distance(r.thetas) if len(o) else np.zeros(0),
        )
        for r, o in zip(results, offsets, strict=True)
    ]
    return Landscape(
        plane=plane, c1=c1, c2=c2, z=z, centre_loss=model.loss_value(theta_c, x, y), runs=runs,
        dtype=np.dtype(dtype).name,
    )
