"""Learning-rate schedules with the semantics of `torch.optim.lr_scheduler`: chainable.

torch's schedulers compute the next lr from the param group's *current* lr (`get_lr`), so a user
who sets `param_group["lr"] = v` mid-run sees the schedule go on from v. `next_lr(lr, base_lr, t)`
is that rule, the one rule every run uses (app/core/runs/learning_rate.py): the lr after the
scheduler's t-th step (t >= 1), given the lr before it and the lr the scheduler started from.
The lr of optimizer step k + 1 is the lr after k scheduler steps, as in torch's loop
(`opt.step(); sched.step()`). `lr_at(base_lr, t)` iterates the rule from base_lr (tests/golden).
"""

from __future__ import annotations

import math
from typing import ClassVar

from app.core.parameters import Configurable, Hyperparameter


class Schedule(Configurable):
    """Base class: class attributes like the optimizers', and `lr_at`."""

    id: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str]  # one sentence, for a tooltip
    equation: ClassVar[str]  # LaTeX

    def next_lr(self, lr: float, base_lr: float, t: int) -> float:
        """torch's `get_lr` at last_epoch t >= 1: the lr after the t-th scheduler step, from the
        param group's lr before it (`lr`) and the scheduler's initial lr (`base_lr`)."""
        raise NotImplementedError

    def lr_at(self, base_lr: float, t: int) -> float:
        """The learning rate after t >= 0 scheduler steps from base_lr, nothing set by hand."""
        lr = base_lr
        for k in range(1, t + 1):
            lr = self.next_lr(lr, base_lr, k)
        return lr


class Constant(Schedule):
    """No schedule: lr_t = base_lr."""

    id = "constant"
    name = "Constant"
    description = "Keeps the learning rate fixed for the whole run."
    equation = r"\eta_t = \eta_0"
    hyperparameters = {}

    def next_lr(self, lr: float, base_lr: float, t: int) -> float:
        return lr


class StepDecay(Schedule):
    """torch.optim.lr_scheduler.StepLR: lr_t = lr_{t-1} * gamma when t is a multiple of
    step_size, else lr_{t-1} (so lr_t = base_lr * gamma^floor(t / step_size) untouched)."""

    id = "step"
    name = "Step decay"
    description = "Multiplies the learning rate by gamma every step_size steps."
    equation = r"\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}"
    hyperparameters = {
        # torch's StepLR has no default step_size; 50 suits runs of a few hundred steps
        "step_size": Hyperparameter(50, 1, 100_000, "Steps between two decays.", kind="int"),
        "gamma": Hyperparameter(0.1, 0.0, 1.0, "Factor applied to the lr at each decay."),
    }
    step_size: int
    gamma: float

    def next_lr(self, lr: float, base_lr: float, t: int) -> float:
        return lr * self.gamma if t % self.step_size == 0 else lr


class ExponentialDecay(Schedule):
    """torch.optim.lr_scheduler.ExponentialLR: lr_t = lr_{t-1} * gamma."""

    id = "exponential"
    name = "Exponential decay"
    description = "Multiplies the learning rate by gamma after every step."
    equation = r"\eta_t = \eta_0\, \gamma^t"
    hyperparameters = {
        # torch's ExponentialLR has no default gamma
        "gamma": Hyperparameter(0.99, 0.0, 1.0, "Factor applied to the learning rate each step."),
    }
    gamma: float

    def next_lr(self, lr: float, base_lr: float, t: int) -> float:
        return lr * self.gamma


class CosineAnnealing(Schedule):
    """torch.optim.lr_scheduler.CosineAnnealingLR (no restarts).

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2
    in torch's chainable form: each step scales (lr_{t-1} - eta_min) by the ratio of two
    consecutive cosine factors; where the previous factor is zero (t - 1 = T_max, 3 T_max, ...)
    it adds the step up from base_lr's cosine instead. Past T_max the cosine goes on: the lr
    climbs back to base_lr at t = 2 T_max, as in torch.
    """

    id = "cosine"
    name = "Cosine annealing"
    description = "Lowers the learning rate along half a cosine wave, from its start to eta_min."
    equation = (
        r"\eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})"
        r"\left(1 + \cos\frac{\pi t}{T_{max}}\right)"
    )
    hyperparameters = {
        # torch's CosineAnnealingLR has no default T_max
        "T_max": Hyperparameter(100, 1, 100_000, "Steps from base lr down to eta_min.", kind="int"),
        "eta_min": Hyperparameter(0.0, 0.0, 10.0, "Learning rate at the bottom of the cosine."),
    }
    T_max: int
    eta_min: float

    def next_lr(self, lr: float, base_lr: float, t: int) -> float:
        eta_min, T = self.eta_min, self.T_max
        if (t - 1 - T) % (2 * T) == 0:
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
        return ((1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - eta_min) + eta_min)


SCHEDULES: dict[str, type[Schedule]] = {
    cls.id: cls for cls in (Constant, StepDecay, ExponentialDecay, CosineAnnealing)
}


def make_schedule(kind: str, **params: float) -> Schedule:
    """A schedule by registry id, with validated parameters."""
    try:
        cls = SCHEDULES[kind]
    except KeyError:
        raise ValueError(f"unknown schedule {kind!r}; valid: {', '.join(SCHEDULES)}") from None
    return cls(**params)
