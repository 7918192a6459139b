"""The optimizers, by registry id: update rules equal to `torch.optim` (and, beyond it, to each
rule's reference package), one module per family. `base` says how a rule is written once for both
the 2D surface's floats and a network's arrays.
"""

from __future__ import annotations

from app.core.optimizers.adafactor import Adafactor
from app.core.optimizers.adam import Adam, Adamax, AdamW, AMSGrad, NAdam, RAdam
from app.core.optimizers.adaptive import Adadelta, Adagrad, RMSprop, Rprop
from app.core.optimizers.base import Optimizer, Oracle, Params
from app.core.optimizers.lbfgs import LBFGS
from app.core.optimizers.lion import Lion
from app.core.optimizers.muon import Muon
from app.core.optimizers.newton import DampedNewton, Newton
from app.core.optimizers.prodigy import Prodigy
from app.core.optimizers.sam import SAMSGD, SAMAdam
from app.core.optimizers.schedulefree import ScheduleFreeAdamW, ScheduleFreeSGD
from app.core.optimizers.sgd import ASGD, SGD, Momentum, Nesterov

__all__ = ["OPTIMIZERS", "Optimizer", "Oracle", "Params", "make_optimizer", "unsupported"]

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.id: cls
    for cls in (
        SGD, Momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam, AdamW, NAdam, AMSGrad,
        Adamax, RAdam, Rprop, ASGD, Adafactor, Lion, Prodigy, ScheduleFreeSGD, ScheduleFreeAdamW,
        LBFGS, SAMSGD, SAMAdam, Newton, DampedNewton, Muon,
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


def unsupported(optimizer_id: str, kind: str) -> str | None:
    """Why a run of this kind ("surface", "network") cannot serve the optimizer, or None."""
    cls = OPTIMIZERS[optimizer_id]
    if kind in cls.run_kinds:
        return None
    return (f"optimizer '{optimizer_id}' runs on {' and '.join(cls.run_kinds)} runs only, not "
            f"on a {kind} run: {cls.description}")
