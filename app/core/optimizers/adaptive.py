"""Per-coordinate step sizes without momentum: Adagrad, RMSprop, Adadelta (from running
sums of squared gradients) and Rprop (from the gradient's sign alone)."""

from __future__ import annotations

import numpy as np

from app.core.optimizers.base import (
    _WEIGHT_DECAY,
    Optimizer,
    Value,
    _clamp,
    _eps,
    _lerp,
    _lr,
    _sign,
    _sqrt,
)
from app.core.parameters import Hyperparameter


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad).

    g_t = grad + weight_decay * p_{t-1}
    clr_t = lr / (1 + (t - 1) * lr_decay)
    s_t = s_{t-1} + g_t^2            (s_0 = initial_accumulator_value)
    p_t = p_{t-1} - clr_t * g_t / (sqrt(s_t) + eps)
    """

    id = "adagrad"
    name = "Adagrad"
    description = (
        "Divides each coordinate's step by the root of the sum of all its past squared "
        "gradients, so steep directions slow down for good."
    )
    equation = (
        r"s_t = s_{t-1} + g_t^2 \\ "
        r"\theta_t = \theta_{t-1} - \frac{\eta}{1 + (t-1)\lambda}\,"
        r"\frac{g_t}{\sqrt{s_t} + \epsilon}"
    )
    hyperparameters = {
        "lr": _lr(1e-2),
        "lr_decay": Hyperparameter(0.0, 0.0, 1.0, "Shrinks the learning rate as lr / (1 + t d)."),
        "weight_decay": _WEIGHT_DECAY,
        "initial_accumulator_value": Hyperparameter(
            0.0, 0.0, 10.0, "Starting value of the sum of squared gradients."
        ),
        "eps": _eps(1e-10),
    }
    lr: float
    lr_decay: float
    weight_decay: float
    initial_accumulator_value: float
    eps: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"sum": self.initial_accumulator_value}

    def _begin_step(self, state: dict[str, float]) -> None:
        state["clr"] = self.lr / (1 + (state["step"] - 1) * self.lr_decay)

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            g = g + self.weight_decay * p
        s = slot["sum"] = slot["sum"] + g * g
        return p + (-self._state["clr"]) * g / (_sqrt(s) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop).

    g_t = grad + weight_decay * p_{t-1}
    v_t = alpha * v_{t-1} + (1 - alpha) * g_t^2
    centered: a_t = alpha * a_{t-1} + (1 - alpha) * g_t;  d_t = sqrt(v_t - a_t^2) + eps
    else:     d_t = sqrt(v_t) + eps
    momentum > 0: b_t = momentum * b_{t-1} + g_t / d_t;  p_t = p_{t-1} - lr * b_t
    else:         p_t = p_{t-1} - lr * g_t / d_t
    """

    id = "rmsprop"
    name = "RMSprop"
    description = (
        "Divides each coordinate's step by a moving average of its recent gradient sizes, so "
        "step sizes adapt without shrinking forever."
    )
    equation = (
        r"v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \\ "
        r"\theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}"
    )
    hyperparameters = {
        "lr": _lr(1e-2),
        "alpha": Hyperparameter(
            0.99, 0.0, 0.9999, "Decay of the running average of squared gradients."
        ),
        "eps": _eps(1e-8),
        "weight_decay": _WEIGHT_DECAY,
        "momentum": Hyperparameter(0.0, 0.0, 0.9999, "Momentum on the scaled step (0: none)."),
        "centered": Hyperparameter(
            False,
            0,
            1,
            "Divide by the gradient's variance instead of its mean square.",
            kind="bool",
        ),
    }
    lr: float
    alpha: float
    eps: float
    weight_decay: float
    momentum: float
    centered: bool

    def _initial_slot(self) -> dict[str, Value]:
        return {"square_avg": 0.0}

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            g = g + self.weight_decay * p
        alpha = self.alpha
        v = slot["square_avg"] = slot["square_avg"] * alpha + (1 - alpha) * g * g
        if self.centered:
            a = slot["grad_avg"] = _lerp(slot.get("grad_avg", 0.0), g, 1 - alpha)
            v = v - a * a
        avg = _sqrt(v) + self.eps
        if self.momentum > 0:
            b = slot["momentum_buffer"] = slot.get("momentum_buffer", 0.0) * self.momentum + g / avg
            return p - self.lr * b
        return p + (-self.lr) * g / avg


class Adadelta(Optimizer):
    """Adadelta (torch.optim.Adadelta).

    g_t = grad + weight_decay * p_{t-1}
    v_t = rho * v_{t-1} + (1 - rho) * g_t^2
    d_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
    u_t = rho * u_{t-1} + (1 - rho) * d_t^2
    p_t = p_{t-1} - lr * d_t
    """

    id = "adadelta"
    name = "Adadelta"
    description = (
        "Scales each step by the ratio of recent step sizes to recent gradient sizes, so it "
        "needs almost no learning-rate tuning."
    )
    equation = (
        r"v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2 \\ "
        r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\ "
        r"u_t = \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2 \\ "
        r"\theta_t = \theta_{t-1} - \eta\, \Delta_t"
    )
    hyperparameters = {
        "lr": _lr(1.0),
        "rho": Hyperparameter(0.9, 0.0, 1.0, "Decay of the running averages."),
        "eps": _eps(1e-6),
        "weight_decay": _WEIGHT_DECAY,
    }
    lr: float
    rho: float
    eps: float
    weight_decay: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"square_avg": 0.0, "acc_delta": 0.0}

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            g = g + self.weight_decay * p
        rho, eps = self.rho, self.eps
        v = slot["square_avg"] = slot["square_avg"] * rho + (1 - rho) * g * g
        u = slot["acc_delta"]
        delta = _sqrt(u + eps) / _sqrt(v + eps) * g
        slot["acc_delta"] = u * rho + (1 - rho) * delta * delta
        return p - self.lr * delta


class Rprop(Optimizer):
    """Rprop (torch.optim.Rprop): each coordinate moves by its own step size in the direction
    of the gradient's sign; the step size grows while the sign holds and shrinks when it flips.

    s_0 = lr;  prev_0 = 0
    g_{t-1}' g_t > 0: s_t = min(s_{t-1} * etaplus, step_size_max)
    g_{t-1}' g_t < 0: s_t = max(s_{t-1} * etaminus, step_size_min);  g_t' = 0 (no move, and the
                      next step counts as a fresh start)
    otherwise:        s_t = s_{t-1};  g_t' = g_t
    p_t = p_{t-1} - sign(g_t') * s_t;  prev_t = g_t'
    lr is only the initial step size: changing it mid-run has no effect, as in torch.
    """

    id = "rprop"
    name = "Rprop"
    description = (
        "Moves each coordinate by its own step size in the downhill direction, growing the step "
        "while the slope keeps its sign and shrinking it when the sign flips."
    )
    equation = (
        r"s_t = \mathrm{clip}\!\left(s_{t-1} \cdot \begin{cases}\eta^+ & g_{t-1} g_t > 0 \\ "
        r"\eta^- & g_{t-1} g_t < 0 \\ 1 & \text{otherwise}\end{cases},\ "
        r"s_{min},\ s_{max}\right) \\ "
        r"\theta_t = \theta_{t-1} - \operatorname{sign}(g_t)\, s_t"
        r"\quad (g_t \leftarrow 0 \text{ if the sign flipped})"
    )
    hyperparameters = {
        "lr": _lr(1e-2),
        "etaminus": Hyperparameter(
            0.5, 0.01, 0.99, "Factor that shrinks a step size when its gradient changes sign."
        ),
        "etaplus": Hyperparameter(
            1.2, 1.01, 5.0, "Factor that grows a step size while its gradient keeps its sign."
        ),
        "step_size_min": Hyperparameter(
            1e-6, 0.0, 1.0, "Smallest step size a coordinate may shrink to."
        ),
        "step_size_max": Hyperparameter(
            50.0, 1e-6, 1000.0, "Largest step size a coordinate may grow to.", log=True
        ),
    }
    lr: float
    etaminus: float
    etaplus: float
    step_size_min: float
    step_size_max: float

    def _initial_slot(self) -> dict[str, Value]:
        # torch fills the step sizes with the lr when it first sees the parameter
        return {"prev": 0.0, "step_size": self.lr}

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        same = g * slot["prev"]  # > 0: same sign as last step, < 0: flipped
        if same.__class__ is float:
            factor = self.etaplus if same > 0 else self.etaminus if same < 0 else 1.0
            if same < 0:
                g = 0.0
        else:
            factor = np.where(same > 0, self.etaplus, np.where(same < 0, self.etaminus, 1.0))
            g = np.where(same < 0, 0.0, g)
        s = slot["step_size"] = _clamp(
            slot["step_size"] * factor, self.step_size_min, self.step_size_max
        )
        slot["prev"] = g
        return p - _sign(g) * s
