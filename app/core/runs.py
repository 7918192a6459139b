"""Optimizers descending a surface in lockstep: one `Run` per optimizer configuration.

A run is stepped, not computed in one go, so that the same object serves the one-shot HTTP
endpoint and the live websocket (where the learning rate can change between two steps): the two
cannot disagree. Point k of a run is reached by step k; point 0 is the start.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from app.core.optimizers import Optimizer, make_optimizer
from app.core.schedules import make_schedule
from app.core.surfaces import Surface

# A run is called diverged once it is this many plot widths outside the plot, or non-finite:
# far enough that no optimizer comes back, near enough that the badge comes while the class
# still watches (lr 2.1 on the bowl from (-1.2, 0.9): step 35).
DIVERGENCE_MARGIN = 5.0
_INF = math.inf  # `-_INF < v < _INF` is false for both infinities and for NaN
# Noise is drawn in blocks: one NumPy call per block instead of one per step.
_NOISE_BLOCK = 512

Vec2 = tuple[float, float]


def _ignore(value: object) -> None:
    """An append that keeps nothing: `step()` wants only the last point."""


@dataclass
class RunConfig:
    """One optimizer configuration, as the user set it."""

    optimizer: str
    lr: float | None = None  # None: the optimizer's (PyTorch) default
    hyperparameters: dict[str, float] = field(default_factory=dict)
    schedule: str = "constant"
    schedule_params: dict[str, float] = field(default_factory=dict)
    noise: float = 0.0  # std of Gaussian noise added to each gradient component
    seed: int = 0  # seeds the gradient noise


class Step(NamedTuple):
    """What one step produced. `grad` is the (noisy) gradient at `params`, used by the next step.

    A NamedTuple, not a dataclass: a run makes hundreds of thousands of these a second."""

    step: int
    params: Vec2
    grad: Vec2
    loss: float
    lr: float | None  # the learning rate that produced this point (None at the start)
    update: Vec2 | None  # params - previous params (None at the start)


@dataclass
class StepColumns:
    """Steps as columns, one list per field: what a batch of live steps is kept and sent as.

    Appending five values costs less than building a `Step` per step, and a column of numbers
    is what a plot consumes anyway."""

    step: list[int] = field(default_factory=list)
    params: list[Vec2] = field(default_factory=list)
    grad: list[Vec2] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float | None] = field(default_factory=list)

    @classmethod
    def of(cls, steps: Sequence[Step]) -> StepColumns:
        return cls([s.step for s in steps], [s.params for s in steps], [s.grad for s in steps],
                   [s.loss for s in steps], [s.lr for s in steps])

    def __len__(self) -> int:
        return len(self.step)


class Run:
    """One optimizer walking one surface, one step at a time."""

    def __init__(self, surface: Surface, start: Sequence[float], config: RunConfig) -> None:
        self.surface = surface
        self.start: Vec2 = (float(start[0]), float(start[1]))
        self.config = config
        hyper = dict(config.hyperparameters)
        if config.lr is not None:
            hyper["lr"] = config.lr
        self.optimizer: Optimizer = make_optimizer(config.optimizer, **hyper)
        self.base_lr = float(self.optimizer.lr)
        self.schedule = make_schedule(config.schedule, **config.schedule_params)
        (x0, x1), (y0, y1) = surface.bounds
        mx, my = DIVERGENCE_MARGIN * (x1 - x0), DIVERGENCE_MARGIN * (y1 - y0)
        self._limits = (x0 - mx, x1 + mx, y0 - my, y1 + my)
        self.reset()

    def reset(self) -> None:
        """Back to the start point with fresh optimizer state; live changes are kept."""
        self.optimizer.reset()
        self.step_count = 0
        self.status = "running"
        self.diverged_at: int | None = None
        self.reason: str | None = None
        self._rng = np.random.default_rng(self.config.seed)
        self._noise: list[list[float]] = []
        self._noise_std = self.config.noise
        self.current = self._observe(self.start, lr=None, update=None)

    def set(self, name: str, value: float) -> None:
        """Change lr or any hyperparameter; it applies from the next step."""
        if name == "lr":
            self.optimizer.set("lr", value)
            self.base_lr = float(value)
        else:
            self.optimizer.set(name, value)

    @property
    def lr(self) -> float:
        """The learning rate the next step will use (schedule applied)."""
        return self.schedule.lr_at(self.base_lr, self.step_count)

    def lambda_max(self) -> float:
        """Largest Hessian eigenvalue at the current point (nan where it cannot be evaluated).

        Computed on demand: it costs more than a whole optimizer step."""
        x, y = self.current.params
        return lambda_max_at(self.surface, x, y)

    def step(self) -> Step:
        """Take one optimizer step; on divergence the run stops and `status` says so."""
        if self.status != "running":
            raise RuntimeError(f"run is {self.status}")
        self.advance(1, None)
        return self.current

    def advance(self, n: int, out: StepColumns | None) -> int:
        """Take up to n steps, appending each to `out` (None: keep only the last, `current`);
        returns how many were taken.

        The hot path of every live run: one loop over locals, no `Step` per step (only the last
        becomes `current`), stopping at divergence. `step()` is this loop with n = 1, so the
        HTTP runs and the live stream cannot disagree."""
        if self.status != "running" or n <= 0:
            return 0
        opt = self.optimizer
        opt_step, lr_at, base_lr = opt.pair_stepper(), self.schedule.lr_at, self.base_lr
        value_and_grad = self.surface.value_and_grad
        x_lo, x_hi, y_lo, y_hi = self._limits
        here = self.current
        p, g, f, lr = here.params, here.grad, here.loss, here.lr
        prev = p
        k = self.step_count
        noisy = bool(self._noise_std)
        if out is None:
            add_step = add_params = add_grad = add_loss = add_lr = _ignore
        else:
            add_step, add_params, add_grad = out.step.append, out.params.append, out.grad.append
            add_loss, add_lr = out.loss.append, out.lr.append
        diverged = False
        for _ in range(n):
            lr = lr_at(base_lr, k)
            if lr != opt.lr:
                # Bypass the user-facing range check: a decaying schedule may go below its minimum.
                object.__setattr__(opt, "lr", lr)
            prev = p
            try:
                p = opt_step(p, g)
            except (OverflowError, ZeroDivisionError, ValueError):
                p = (math.nan, math.nan)
            x, y = p
            try:
                f, gx, gy = value_and_grad(x, y)
            except (OverflowError, ZeroDivisionError, ValueError, FloatingPointError):
                f, gx, gy = math.nan, math.nan, math.nan
            if noisy:
                nx, ny = self._next_noise()
                gx, gy = gx + nx, gy + ny
            g = (gx, gy)
            k += 1
            add_step(k)
            add_params(p)
            add_grad(g)
            add_loss(f)
            add_lr(lr)
            # One comparison chain catches NaN too (every comparison with NaN is false).
            if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi and -_INF < f < _INF
                    and -_INF < gx < _INF and -_INF < gy < _INF):
                diverged = True
                break
        taken = k - self.step_count
        self.step_count = k
        self.current = Step(k, p, g, f, lr, (p[0] - prev[0], p[1] - prev[1]))
        if diverged:
            self._diverge()
        return taken

    def steps(self, n: int) -> Iterator[Step]:
        """Up to n steps; stops early when the run diverges."""
        for _ in range(n):
            if self.status != "running":
                return
            yield self.step()

    def _observe(self, p: Vec2, lr: float | None, update: Vec2 | None) -> Step:
        x, y = p
        try:
            f, gx, gy = self.surface.value_and_grad(x, y)
        except (OverflowError, ZeroDivisionError, ValueError, FloatingPointError):
            f, gx, gy = math.nan, math.nan, math.nan
        if self._noise_std:
            nx, ny = self._next_noise()
            gx, gy = gx + nx, gy + ny
        return Step(self.step_count, p, (gx, gy), f, lr, update)

    def _next_noise(self) -> list[float]:
        if not self._noise:
            block = self._rng.standard_normal((_NOISE_BLOCK, 2)) * self._noise_std
            self._noise = block.tolist()[::-1]
        return self._noise.pop()

    def _diverge(self) -> None:
        s = self.current
        if all(map(math.isfinite, (*s.params, s.loss, *s.grad))):
            if self.surface.minima:
                reason = "the path left the plot far behind: learning rate too large"
            else:  # a saddle has no bottom: leaving is what descent does there, at any lr
                reason = ("the path left the plot: this surface has no minimum, it falls "
                          "forever that way")
        else:
            reason = "the values became infinite: learning rate too large for this curvature"
        self.status = "diverged"
        self.diverged_at = self.step_count
        self.reason = reason


@dataclass
class Trajectory:
    """A finished run, as arrays aligned on point index (0 = start)."""

    config: RunConfig
    status: str
    diverged_at: int | None
    reason: str | None
    params: list[Vec2]
    grads: list[Vec2]
    losses: list[float]
    lrs: list[float]  # lrs[k-1] is the learning rate of step k (len = number of steps taken)
    lambda_max: list[float]


def run_trajectories(
    surface: Surface, start: Sequence[float], steps: int, configs: Sequence[RunConfig]
) -> list[Trajectory]:
    """Run every configuration from one start point for `steps` steps (or until it diverges)."""
    out = []
    for config in configs:  # independent runs: nothing changes them mid-way here
        run = Run(surface, start, config)
        cols = StepColumns.of([run.current])
        run.advance(steps, cols)
        if run.status == "running":
            run.status = "done"
        out.append(
            Trajectory(
                config=run.config,
                status=run.status,
                diverged_at=run.diverged_at,
                reason=run.reason,
                params=cols.params,
                grads=cols.grad,
                losses=cols.loss,
                lrs=cols.lr[1:],
                lambda_max=[lambda_max_at(surface, x, y) for x, y in cols.params],
            )
        )
    return out


def lambda_max_at(surface: Surface, x: float, y: float) -> float:
    """Largest Hessian eigenvalue at (x, y), nan where it cannot be evaluated."""
    try:
        return surface.lambda_max(x, y)
    except (OverflowError, ZeroDivisionError, ValueError, FloatingPointError):
        return math.nan
