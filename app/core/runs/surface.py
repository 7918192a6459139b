"""An optimizer descending a 2D surface, one step at a time (the hot path of the descent view)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.core.runs.base import RunBase
from app.core.runs.config import RunConfig
from app.core.surfaces import Surface

# A run is called diverged once it is this many plot widths outside the plot, or non-finite:
# far enough that no optimizer comes back, near enough that the badge comes while the class
# still watches (lr 2.1 on the bowl from (-1.2, 0.9): step 35).
DIVERGENCE_MARGIN = 5.0
_INF = math.inf  # `-_INF < v < _INF` is false for both infinities and for NaN
# Noise is drawn in blocks: one NumPy call per block instead of one per step.
_NOISE_BLOCK = 512
_EVAL_ERRORS = (OverflowError, ZeroDivisionError, ValueError, FloatingPointError)

Vec2 = tuple[float, float]


def _ignore(value: object) -> None:
    """An append that keeps nothing: `advance(n, None)` wants only the last point."""


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
    """A surface run's steps as columns, one list per field.

    `trials` is optional: empty for optimizers that only use the gradient at the current point;
    for one that asks its oracle (L-BFGS's line search, SAM's ascent point), one list per step
    of the points it evaluated during that step, for the UI to draw as small dots."""

    step: list[int] = field(default_factory=list)
    params: list[Vec2] = field(default_factory=list)
    grad: list[Vec2] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float | None] = field(default_factory=list)
    trials: list[list[Vec2]] = field(default_factory=list)

    @classmethod
    def of(cls, steps: Sequence[Step]) -> StepColumns:
        return cls([s.step for s in steps], [s.params for s in steps], [s.grad for s in steps],
                   [s.loss for s in steps], [s.lr for s in steps])

    def __len__(self) -> int:
        return len(self.step)


class SurfaceRun(RunBase):
    """One optimizer walking one surface from a start point."""

    kind = "surface"

    def __init__(self, surface: Surface, start: Sequence[float], config: RunConfig) -> None:
        self.surface = surface
        self.start: Vec2 = (float(start[0]), float(start[1]))
        (x0, x1), (y0, y1) = surface.bounds
        mx, my = DIVERGENCE_MARGIN * (x1 - x0), DIVERGENCE_MARGIN * (y1 - y0)
        self._limits = (x0 - mx, x1 + mx, y0 - my, y1 + my)
        super().__init__(config)

    def reset(self) -> None:
        """Back to the start point with fresh optimizer state; live changes are kept."""
        self._restart()

    def _restart(self) -> None:
        super()._restart()
        self._rng = np.random.default_rng(self.config.seed)
        self._noise: list[list[float]] = []
        self._noise_std = self.config.noise
        self._step_noise: list[float] | None = None  # the noise of the current gradient
        self.current = self._observe(self.start)

    def columns(self) -> StepColumns:
        return StepColumns()

    def head(self) -> StepColumns:
        """The current point alone (the start after a reset)."""
        cols = StepColumns.of([self.current])
        if self.optimizer.needs_oracle:  # the start has no trials, but the column is there
            cols.trials.append([])
        return cols

    def lambda_max(self) -> float:
        """Largest Hessian eigenvalue at the current point (nan where it cannot be evaluated).

        Computed on demand: it costs more than a whole optimizer step."""
        x, y = self.current.params
        return lambda_max_at(self.surface, x, y)

    def advance(self, n: int, out: StepColumns | None) -> int:
        """Take up to n steps, appending each to `out` (None: keep only the last, `current`);
        returns how many were taken, stopping at divergence.

        The hot path of every live run: one loop over locals, no `Step` per step."""
        if self.status != "running" or n <= 0:
            return 0
        opt = self.optimizer
        if opt.needs_oracle:
            return self._advance_oracle(n, out)
        opt_step = opt.pair_stepper()
        learning_rate = self.learning_rate
        next_lr, base_lr, lr = learning_rate.schedule.next_lr, learning_rate.base, self.lr
        value_and_grad = self.surface.value_and_grad
        x_lo, x_hi, y_lo, y_hi = self._limits
        here = self.current
        p, g, f, used_lr = here.params, here.grad, here.loss, here.lr
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
            if lr != opt.lr:
                # The schedule's lr, unchecked: torch lets it reach 0.
                object.__setattr__(opt, "lr", lr)
            used_lr = lr
            prev = p
            try:
                p = opt_step(p, g)
            except (OverflowError, ZeroDivisionError, ValueError):
                p = (math.nan, math.nan)
            x, y = p
            try:
                f, gx, gy = value_and_grad(x, y)
            except _EVAL_ERRORS:
                f, gx, gy = math.nan, math.nan, math.nan
            if noisy:
                nx, ny = self._next_noise()
                gx, gy = gx + nx, gy + ny
            g = (gx, gy)
            k += 1
            lr = next_lr(lr, base_lr, k)
            add_step(k)
            add_params(p)
            add_grad(g)
            add_loss(f)
            add_lr(used_lr)
            # One comparison chain catches NaN too (every comparison with NaN is false).
            if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi and -_INF < f < _INF
                    and -_INF < gx < _INF and -_INF < gy < _INF):
                diverged = True
                break
        taken = k - self.step_count
        self.step_count = k
        learning_rate.value = lr
        self.current = Step(k, p, g, f, used_lr, (p[0] - prev[0], p[1] - prev[1]))
        if diverged:
            self._diverge(self._divergence_reason(prev))
        return taken

    def _advance_oracle(self, n: int, out: StepColumns | None) -> int:
        """`advance` for an optimizer that asks its oracle (`Optimizer.needs_oracle`): the same
        schedule, noise and divergence rule, plus each step's trials. Kept apart so that the
        elementwise optimizers' loop above pays nothing for it."""
        opt, learning_rate = self.optimizer, self.learning_rate
        oracle = SurfaceOracle(self)
        here = self.current
        p, g, f = here.params, here.grad, here.loss
        taken = 0
        for _ in range(n):
            lr = learning_rate.value
            if lr != opt.lr:
                object.__setattr__(opt, "lr", lr)  # the schedule's lr, unchecked (may be 0)
            oracle.trials = []
            prev = p
            with np.errstate(all="ignore"):
                try:
                    x, y = opt.step_with(oracle, p, g, f)
                except _EVAL_ERRORS:
                    x, y = math.nan, math.nan
            p = (x, y)
            self.step_count += 1
            taken += 1
            learning_rate.after_step(self.step_count)
            self.current = here = self._observe(p)._replace(
                lr=lr, update=(p[0] - prev[0], p[1] - prev[1]))
            g, f = here.grad, here.loss
            if out is not None:
                for name, value in zip(("step", "params", "grad", "loss", "lr", "trials"),
                                       (here.step, p, g, f, lr, oracle.trials), strict=True):
                    getattr(out, name).append(value)
            x_lo, x_hi, y_lo, y_hi = self._limits
            if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi and -_INF < f < _INF
                    and all(-_INF < v < _INF for v in g)):
                self._diverge(self._divergence_reason(prev))
                break
        return taken

    def _observe(self, p: Vec2, noise: list[float] | None = None) -> Step:
        """The point p with its loss and gradient, the gradient noisy with `noise` or, if None,
        with the next draw (kept in `_step_noise` for the oracle: a step's evaluations share
        their noise, as a minibatch step's closure evaluates one batch)."""
        x, y = p
        try:
            f, gx, gy = self.surface.value_and_grad(x, y)
        except _EVAL_ERRORS:
            f, gx, gy = math.nan, math.nan, math.nan
        if self._noise_std:
            nx, ny = self._step_noise = noise if noise is not None else self._next_noise()
            gx, gy = gx + nx, gy + ny
        return Step(self.step_count, p, (gx, gy), f, None, None)

    def _next_noise(self) -> list[float]:
        if not self._noise:
            block = self._rng.standard_normal((_NOISE_BLOCK, 2)) * self._noise_std
            self._noise = block.tolist()[::-1]
        return self._noise.pop()

    def _undefined_at(self, p: Vec2) -> bool:
        """f or its gradient has no value at the finite point p (log or sqrt of a negative)."""
        if not all(map(math.isfinite, p)):
            return False
        try:
            values = self.surface.value_and_grad(*p)
        except _EVAL_ERRORS:
            return True
        return any(math.isnan(v) for v in values)

    def _divergence_reason(self, prev: Vec2 | None = None) -> str:
        """Why the run stopped, in words a class understands. prev: the point of the last step's
        start (a step from where f is undefined is no step at all: not the learning rate)."""
        s = self.current
        for where, p in (("from", prev), ("to", s.params)):
            if p is not None and self._undefined_at(p):
                at = f"({p[0]:.4g}, {p[1]:.4g})"
                place = (f"at the start point {at}" if where == "from" and s.step == 1
                         else f"at {at}, where the path got to")
                return (f"the formula is undefined {place} (a log or square root of a negative "
                        "number, say): there is no gradient to follow there")
        if self.optimizer.nan_reason and not all(map(math.isfinite, s.params)):
            return self.optimizer.nan_reason
        if not all(map(math.isfinite, (*s.params, s.loss, *s.grad))):
            return "the values became infinite: learning rate too large for this curvature"
        if not self.surface.minima:  # a saddle has no bottom: leaving is what descent does there
            return ("the path left the plot: this surface has no minimum, it falls forever "
                    "that way")
        return "the path left the plot far behind: learning rate too large"


class SurfaceOracle:
    """What a surface run answers an optimizer with `needs_oracle` (`optimizers.base.Oracle`):
    the loss and gradient at any point (with a noisy run, the noise of the step's own gradient:
    one "batch" per step), the exact Hessian; every point asked about is kept in `trials`."""

    kind = "surface"

    def __init__(self, run: SurfaceRun) -> None:
        self.run = run
        self.trials: list[Vec2] = []

    def value_and_grad(self, params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        x, y = float(params[0]), float(params[1])
        self.trials.append((x, y))
        step = self.run._observe((x, y), self.run._step_noise)
        return step.loss, np.array(step.grad)

    def hessian(self, params: NDArray[np.float64]) -> NDArray[np.float64]:
        try:
            return self.run.surface.hessian(float(params[0]), float(params[1]))
        except _EVAL_ERRORS:
            return np.full((2, 2), math.nan)

    def layers(self) -> list[tuple[int, int, int, tuple[int, int]]]:
        raise TypeError("a 2D surface has no layers: this optimizer needs a network run")


def lambda_max_at(surface: Surface, x: float, y: float) -> float:
    """Largest Hessian eigenvalue at (x, y), nan where it cannot be evaluated."""
    try:
        return surface.lambda_max(x, y)
    except _EVAL_ERRORS:
        return math.nan
