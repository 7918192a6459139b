"""A network run's curvature, measured every k steps: the sharpness against gradient descent's
2/lr line and, for Adam-family runs, the preconditioned sharpness against Adam's 38/lr.

The maths is in app/core/curvature.py (docs/curvature.md). Here is only what a run needs: which
optimizers have a preconditioned threshold, which lr a reading is compared with, and one
`SharpnessTracker` per run, owned by the run and reset with it.

Which optimizers (Cohen et al. 2022, arXiv 2207.14484, section 2): Adam and AMSGrad (its v_max),
whose step is lr P^-1 m with P = (1 - beta1^t)(sqrt(v_hat) + eps). Coupled weight decay makes
the loss L + wd/2 |theta|^2, whose Hessian is H + wd I: the preconditioned reading includes the
wd I. AdamW has the same P; its decoupled decay multiplies theta by c = 1 - lr wd each step, and
the paper's argument (a quadratic, P frozen, heavy-ball momentum) then puts the line at
(1 + beta1)(1 + c) / ((1 - beta1) lr), 38/lr (1 - lr wd / 2) at beta1 0.9. NAdam's look-ahead
and the other adaptive methods have no threshold there: they carry the plain sharpness only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.core.curvature import Passes, SharpnessTracker, adam_preconditioner, gd_threshold
from app.core.lanczos import Eigs
from app.core.mlp import MLP
from app.core.optimizers import Optimizer

Array = NDArray[np.float64]

DEFAULT_SHARPNESS_EVERY = 10  # the goal: training with it runs at least half as fast
PRECONDITIONED = ("adam", "amsgrad", "adamw")  # the optimizers with a preconditioned threshold


@dataclass(frozen=True)
class SharpnessReading:
    """One measurement at a step's weights; None where there is nothing to report (diverged
    weights, lr 0, a preconditioned value for a run without one or before its first step)."""

    sharpness: float | None  # lambda_max of the full-batch training loss's Hessian
    threshold: float | None  # 2 / lr, for the lr the next step takes from these weights
    preconditioned: float | None = None  # lambda_max(P^-1 H): Adam family, from step 1
    preconditioned_threshold: float | None = None  # 38 / lr at beta1 0.9 (AdamW: see above)
    adaptive: bool = False  # the run is of the Adam family: it has the preconditioned pair


EMPTY = SharpnessReading(None, None)


def interval(requested: int | None, carried_every: int) -> int:
    """The default measuring interval: the smallest multiple of `carried_every` (the steps that
    already carry the weights) that is at least DEFAULT_SHARPNESS_EVERY, so that measuring adds
    no weights to the wire and bigger networks (rarer weights) are measured less often.
    `requested` (a client's choice) wins when given."""
    if requested is not None:
        return requested
    return carried_every * math.ceil(DEFAULT_SHARPNESS_EVERY / carried_every)


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def preconditioned_threshold(opt: Optimizer, lr: float) -> float | None:
    """The line lambda_max(P^-1 H) hovers at for this Adam-family optimizer (None: lr 0)."""
    if lr <= 0:
        return None
    beta1 = float(opt.beta1)
    c = 1.0 - lr * float(opt.weight_decay) if opt.id == "adamw" else 1.0
    return (1.0 + beta1) * (1.0 + c) / ((1.0 - beta1) * lr)


class SharedStart:
    """The sharpness at the runs' shared initial weights: every run of a problem starts there,
    so the cold start (10-16 products; seconds on the biggest networks) is paid once."""

    def __init__(self) -> None:
        self.theta: Array | None = None
        self.value = math.nan
        self.eigs: Eigs | None = None

    def get(self, theta: Array) -> tuple[float, Eigs] | None:
        if self.eigs is None or self.theta is None or not np.array_equal(self.theta, theta):
            return None
        return self.value, self.eigs

    def put(self, theta: Array, value: float, eigs: Eigs) -> None:
        self.theta, self.value, self.eigs = np.array(theta), value, eigs


class SharpnessProbe:
    """Measures one run every `every` steps, with its own warm-started tracker."""

    def __init__(self, model: MLP, x: Array, y: Array, every: int, seed: int = 0,
                 shared: SharedStart | None = None) -> None:
        if every < 1:
            raise ValueError("sharpness_every must be at least 1")
        self.every = every
        self.tracker = SharpnessTracker(model, x, y, seed=seed)
        self.shared = shared

    def due(self, step: int) -> bool:
        return step % self.every == 0

    def reset(self, shared: SharedStart | None = None) -> None:
        """Forget the warm starts; `shared`: the (new) problem's initial-weights measurement."""
        self.tracker.reset()
        if shared is not None:
            self.shared = shared

    def _top(self, theta: Array, passes: Passes | None, first: bool) -> float:
        """lambda_max at theta; at the initial weights (before the first step) from the
        measurement every run of the problem shares."""
        tracker, shared = self.tracker, self.shared
        if first and shared is not None:
            hit = shared.get(theta)
            if hit is not None:
                value, eigs = hit
                tracker.last = eigs
                if np.isfinite(value):
                    tracker.vector = eigs.vectors[-1]
                return value
        value = tracker.update(theta, passes)
        if first and shared is not None and tracker.last is not None:
            shared.put(theta, value, tracker.last)
        return value

    def measure(self, theta: Array, lr: float, opt: Optimizer,
                passes: Passes | None = None) -> SharpnessReading:
        """The reading at theta (finite weights), for the step lr will take from there.
        passes: the step's own full-batch forward and backward pass at theta (never a
        minibatch's: the sharpness is the whole training set's)."""
        tracker = self.tracker
        with np.errstate(all="ignore"):
            top = self._top(theta, passes, first=opt.t == 0)
            pre = pre_line = None
            adaptive = opt.id in PRECONDITIONED
            if adaptive and opt.t >= 1:
                snap = opt.state_snapshot()
                v = snap["v_max" if opt.id == "amsgrad" else "v"]
                p = adam_preconditioner(v, opt.t, opt.beta1, opt.beta2, opt.eps)
                # Coupled weight decay (adam, amsgrad): the step sees H + wd I.
                shift = 0.0 if opt.id == "adamw" else float(opt.weight_decay)
                pre_line = preconditioned_threshold(opt, lr)
                if np.all(np.isfinite(p)) and np.all(p > 0):  # (an overflowed v: no reading)
                    pre = _finite(tracker.update_preconditioned(theta, p, passes, shift=shift))
        return SharpnessReading(_finite(top), gd_threshold(lr) if lr > 0 else None, pre,
                                pre_line, adaptive)
