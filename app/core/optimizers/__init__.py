"""The optimizers, by registry id: update rules equal to `torch.optim` (and, beyond it, to each
rule's reference package), one module per family. `base` says how a rule is written once for both
the 2D surface's floats and a network's arrays.
"""

from __future__ import annotations

from app.core.optimizers.adafactor import Adafactor
from app.core.optimizers.adam import Adam, Adamax, AdamW, AMSGrad, NAdam, RAdam
from app.core.optimizers.adaptive import Adadelta, Adagrad, RMSprop, Rprop
from app.core.optimizers.base import Optimizer, Params
from app.core.optimizers.lion import Lion
from app.core.optimizers.prodigy import Prodigy
from app.core.optimizers.schedulefree import ScheduleFreeAdamW, ScheduleFreeSGD
from app.core.optimizers.sgd import ASGD, SGD, Momentum, Nesterov

__all__ = ["OPTIMIZERS", "Optimizer", "Params", "make_optimizer"]

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.id: cls
    for cls in (
        SGD, Momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam, AdamW, NAdam, AMSGrad,
        Adamax, RAdam, Rprop, ASGD, Adafactor, Lion, Prodigy, ScheduleFreeSGD, ScheduleFreeAdamW,
    )
}


def make_optimizer(optimizer_id: str, **hyper: float) -> Optimizer:
    """A fresh optimizer by registry id, with validated hyperparameters."""
    try:
        cls = OPTIMIZERS[optimizer_id]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {optimizer_id!r}; valid: {', '.join(OPTIMIZERS)}"
        ) from None
    return cls(**hyper)
