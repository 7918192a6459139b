"""Training the network with any optimizer of the core, over the flat parameter vector.

A training run is a generator of frames (one per step), like the surface runs: whoever consumes
it (the landscape, a future live view) cannot disagree about what happened. Full batch, or
minibatches drawn epoch by epoch from a seeded permutation: real stochastic gradients, and the
same seed gives the same batches, hence the same trajectory.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP
from app.core.optimizers import Optimizer, make_optimizer
from app.core.schedules import Schedule, make_schedule

Array = NDArray[np.float64]

# A run is called diverged when its loss or weights stop being finite, or grow past these:
# beyond them float32 landscapes overflow and nothing useful is left to show.
DIVERGENCE_LOSS = 1e8
DIVERGENCE_WEIGHT = 1e6


@dataclass
class TrainConfig:
    """One optimizer configuration, as the user set it."""

    optimizer: str = "adam"
    lr: float | None = None  # None: the optimizer's (PyTorch) default
    hyperparameters: dict[str, float] = field(default_factory=dict)
    schedule: str = "constant"
    schedule_params: dict[str, float] = field(default_factory=dict)
    batch_size: int | None = None  # None (or >= n): full batch
    seed: int = 0  # seeds the minibatch order


@dataclass(frozen=True)
class Frame:
    step: int  # 0: the initial weights; k: after k optimizer steps
    theta: Array  # (P,)
    loss: float | None  # full-batch loss at theta (None when not evaluated this step)
    lr: float | None  # the learning rate of the step that produced theta (None at step 0)
    diverged: bool = False


@dataclass
class TrainResult:
    """The recorded frames of one run, as arrays aligned on record index."""

    config: TrainConfig
    steps: NDArray[np.int64]  # (T,) step number of each recorded point
    thetas: Array  # (T, P) weights at those steps (finite ones only)
    losses: Array  # (T,) full-batch loss at those steps
    status: str  # "done" or "diverged"
    diverged_at: int | None  # step whose weights or loss were no longer usable

    @property
    def final(self) -> Array:
        return self.thetas[-1]


def _batches(n: int, batch_size: int | None, rng: np.random.Generator) -> Iterator[NDArray | None]:
    """Index arrays of successive minibatches (a fresh permutation each epoch); None = all."""
    if batch_size is None or batch_size >= n:
        while True:
            yield None
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


def _usable(loss: float, theta: Array) -> bool:
    return (
        math.isfinite(loss)
        and loss < DIVERGENCE_LOSS
        and bool(np.all(np.isfinite(theta)))
        and float(np.max(np.abs(theta), initial=0.0)) < DIVERGENCE_WEIGHT
    )


def _set_lr(opt: Optimizer, lr: float) -> None:
    # A decaying schedule may go below the optimizer's smallest allowed lr: hold it there.
    spec = opt.hyperparameters["lr"]
    opt.lr = min(max(lr, spec.min), spec.max)


def iterate_training(
    model: MLP, theta0: Array, x: Array, y: Array, steps: int, config: TrainConfig,
    record_every: int = 1,
) -> Iterator[Frame]:
    """Yield frame 0, then one frame per step; stop after a diverged frame.

    y holds (N, outputs) targets (see MLP.targets). The full-batch loss is evaluated on steps
    that are multiples of record_every and on the last step (free in full-batch mode: it is the
    loss whose gradient we step with).
    """
    hyper = dict(config.hyperparameters)
    if config.lr is not None:
        hyper["lr"] = config.lr
    opt = make_optimizer(config.optimizer, **hyper)
    base_lr = float(opt.lr)
    schedule: Schedule = make_schedule(config.schedule, **config.schedule_params)
    batches = _batches(len(x), config.batch_size, np.random.default_rng(config.seed))

    theta = np.array(theta0, dtype=np.float64)
    lr: float | None = None
    with np.errstate(all="ignore"):  # overflow is detected below, not warned about
        for t in range(steps + 1):
            idx = next(batches)
            wanted = t % record_every == 0 or t == steps
            if idx is None:  # full batch: the step's own loss is the full-batch loss
                loss, grad = model.loss_and_grad(theta, x, y)
            else:
                batch_loss, grad = model.loss_and_grad(theta, x[idx], y[idx])
                loss = model.loss_value(theta, x, y) if wanted else batch_loss
            if not _usable(loss, theta) or not np.all(np.isfinite(grad)):
                yield Frame(t, theta, None, lr, diverged=True)
                return
            yield Frame(t, theta, float(loss) if wanted else None, lr)
            if t == steps:
                return
            lr = schedule.lr_at(base_lr, t)
            _set_lr(opt, lr)
            theta = opt.step(theta, grad)


def train(
    model: MLP, theta0: Array, x: Array, y: Array, steps: int, config: TrainConfig,
    max_points: int | None = None,
) -> TrainResult:
    """Run `steps` steps and keep at most max_points frames, evenly spaced (and the last)."""
    every = 1 if not max_points else max(1, math.ceil(steps / max(max_points - 1, 1)))
    kept: list[Frame] = []
    last: Frame | None = None
    diverged_at: int | None = None
    for frame in iterate_training(model, theta0, x, y, steps, config, record_every=every):
        if frame.diverged:
            diverged_at = frame.step
            if last is not None and last.loss is None:  # keep the last usable point too
                loss = model.loss_value(last.theta, x, y)
                kept.append(Frame(last.step, last.theta, loss, last.lr))
        elif frame.loss is not None:
            kept.append(frame)
        last = frame
    return TrainResult(
        config=config,
        steps=np.array([f.step for f in kept], dtype=np.int64),
        thetas=np.array([f.theta for f in kept]).reshape(len(kept), model.n_params),
        losses=np.array([f.loss for f in kept], dtype=np.float64),
        status="diverged" if diverged_at is not None else "done",
        diverged_at=diverged_at,
    )
