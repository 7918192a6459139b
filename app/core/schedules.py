"""Learning-rate schedules with the semantics of `torch.optim.lr_scheduler`, in closed form.

`lr_at(base_lr, t)` is the learning rate after t scheduler steps (t = 0 gives base_lr), i.e. the
lr of optimizer step t + 1 when the scheduler steps once after every optimizer step, as in torch.
torch computes StepLR, ExponentialLR and CosineAnnealingLR recursively from the current lr; the
closed forms here are equal to them up to rounding (tests/golden).
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

    def lr_at(self, base_lr: float, t: int) -> float:
        """The learning rate after t >= 0 scheduler steps."""
        raise NotImplementedError


class Constant(Schedule):
    """No schedule: lr_t = base_lr."""

    id = "constant"
    name = "Constant"
    description = "Keeps the learning rate fixed for the whole run."
    equation = r"\eta_t = \eta_0"
    hyperparameters = {}

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr


class StepDecay(Schedule):
    """torch.optim.lr_scheduler.StepLR: lr_t = base_lr * gamma^floor(t / step_size)."""

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

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma ** (t // self.step_size)


class ExponentialDecay(Schedule):
    """torch.optim.lr_scheduler.ExponentialLR: lr_t = base_lr * gamma^t."""

    id = "exponential"
    name = "Exponential decay"
    description = "Multiplies the learning rate by gamma after every step."
    equation = r"\eta_t = \eta_0\, \gamma^t"
    hyperparameters = {
        # torch's ExponentialLR has no default gamma
        "gamma": Hyperparameter(0.99, 0.0, 1.0, "Factor applied to the learning rate each step."),
    }
    gamma: float

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma**t


class CosineAnnealing(Schedule):
    """torch.optim.lr_scheduler.CosineAnnealingLR (no restarts).

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2
    Past T_max the cosine goes on: the lr climbs back to base_lr at t = 2 T_max, as in torch.
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

    def lr_at(self, base_lr: float, t: int) -> float:
        eta_min = self.eta_min
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


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
