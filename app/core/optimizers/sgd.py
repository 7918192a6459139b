"""Gradient descent and its momentum variants (torch.optim.SGD), and averaged SGD (ASGD)."""

from __future__ import annotations

from typing import ClassVar

from app.core.optimizers.base import (
    _MOMENTUM,
    _WEIGHT_DECAY,
    Optimizer,
    Value,
    _lr,
)
from app.core.parameters import Hyperparameter


class SGD(Optimizer):
    """Plain gradient descent (torch.optim.SGD with momentum=0).

    g_t = grad + weight_decay * p_{t-1}
    p_t = p_{t-1} - lr * g_t
    """

    id = "sgd"
    name = "SGD"
    description = "Takes a step straight downhill, proportional to the slope."
    equation = r"\theta_t = \theta_{t-1} - \eta\, g_t"
    hyperparameters = {"lr": _lr(1e-3), "weight_decay": _WEIGHT_DECAY}
    lr: float
    weight_decay: float

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            g = g + self.weight_decay * p
        return p - self.lr * g


class Momentum(SGD):
    """SGD with heavy-ball momentum (torch.optim.SGD, momentum=0.9).

    g_t = grad + weight_decay * p_{t-1}
    b_1 = g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t
    d_t = g_t + momentum * b_t   if nesterov   else   b_t
    p_t = p_{t-1} - lr * d_t
    """

    id = "momentum"
    name = "Momentum"
    description = (
        "Keeps a running velocity of past gradients, so it speeds up along consistent slopes "
        "and smooths out zig-zags."
    )
    equation = (
        r"b_t = \mu\, b_{t-1} + (1-\tau)\, g_t \quad (b_1 = g_1) \\ "
        r"\theta_t = \theta_{t-1} - \eta\, b_t"
    )
    hyperparameters = {
        "lr": _lr(1e-3),
        "momentum": _MOMENTUM,
        "dampening": Hyperparameter(
            0.0, 0.0, 1.0, "Fraction of each new gradient left out of the velocity."
        ),
        "weight_decay": _WEIGHT_DECAY,
    }
    nesterov: ClassVar[bool] = False
    momentum: float
    dampening: float

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            g = g + self.weight_decay * p
        momentum = self.momentum
        if momentum:  # torch keeps no buffer at momentum 0
            b = slot.get("momentum_buffer")
            # torch starts the buffer at the first gradient, not at zero
            b = g if b is None else b * momentum + (1 - self.dampening) * g
            slot["momentum_buffer"] = b
            g = g + momentum * b if self.nesterov else b
        return p - self.lr * g


class Nesterov(Momentum):
    """SGD with Nesterov momentum (torch.optim.SGD, momentum=0.9, nesterov=True, dampening=0).

    b_1 = g_1;  b_t = momentum * b_{t-1} + g_t
    p_t = p_{t-1} - lr * (g_t + momentum * b_t)
    """

    id = "nesterov"
    name = "Nesterov momentum"
    description = (
        "Momentum that looks ahead: each step also adds the gradient pushed one momentum step "
        "further, which brakes earlier before overshooting."
    )
    equation = (
        r"b_t = \mu\, b_{t-1} + g_t \quad (b_1 = g_1) \\ "
        r"\theta_t = \theta_{t-1} - \eta\, (g_t + \mu\, b_t)"
    )
    hyperparameters = {k: v for k, v in Momentum.hyperparameters.items() if k != "dampening"}
    nesterov = True
    dampening = 0.0  # torch requires zero dampening with nesterov


class ASGD(Optimizer):
    """Averaged SGD (torch.optim.ASGD): SGD with a slowly decaying step size, plus a running
    average ax of the iterates, which is the point to report once averaging has started.

    g_t = grad + weight_decay * p_{t-1}
    p_t = p_{t-1} * (1 - lambd * eta_t) - eta_t * g_t
    ax_t = p_t                            if mu_t = 1
           ax_{t-1} + mu_t * (p_t - ax_{t-1})   otherwise
    eta_1 = lr;  eta_{t+1} = lr / (1 + lambd * lr * t)^alpha
    mu_1 = 1;    mu_{t+1} = 1 / max(1, t - t0)
    eta and mu of step t are computed at the end of step t - 1, with the lr then, as in torch.
    """

    id = "asgd"
    name = "ASGD"
    description = (
        "SGD with a slowly shrinking step that also keeps the running average of all its points "
        "since step t0, which settles where the iterates jitter around."
    )
    equation = (
        r"\theta_t = \theta_{t-1}(1 - \lambda\eta_t) - \eta_t\, g_t,\ \ "
        r"\eta_t = \frac{\eta}{(1 + \lambda\eta\,(t-1))^{\alpha}} \\ "
        r"\bar\theta_t = \bar\theta_{t-1} + \mu_t\, (\theta_t - \bar\theta_{t-1}),\ \ "
        r"\mu_t = \frac{1}{\max(1,\ t - 1 - t_0)}"
    )
    hyperparameters = {
        "lr": _lr(1e-2),
        "lambd": Hyperparameter(
            1e-4, 0.0, 1.0, "Decay term: shrinks the step size over time and the weights a little."
        ),
        "alpha": Hyperparameter(0.75, 0.0, 1.0, "Power of the step-size decay."),
        "t0": Hyperparameter(1e6, 0.0, 1e7, "Step after which the points start being averaged."),
        "weight_decay": _WEIGHT_DECAY,
    }
    lr: float
    lambd: float
    alpha: float
    t0: float
    weight_decay: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"ax": 0.0}

    def _begin_step(self, state: dict[str, float]) -> None:
        t = float(state["step"])
        # torch computes eta and mu after each step for the next one, with that step's
        # hyperparameters; this keeps them aside (not in the snapshot) until the next step
        state["eta"], state["mu"] = (float(self.lr), 1.0) if t == 1 else self._next
        lr = self.lr
        self._next = (lr / ((1 + self.lambd * lr * t) ** self.alpha), 1 / max(1, t - self.t0))

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            g = g + self.weight_decay * p
        state = self._state
        eta, mu = state["eta"], state["mu"]
        p = p * (1 - self.lambd * eta)
        p = p - eta * g
        ax = slot["ax"]
        slot["ax"] = p if mu == 1 else ax + (p - ax) * mu
        return p
