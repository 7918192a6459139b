"""Lion: the sign of an interpolated momentum (lucidrains' lion-pytorch, not torch.optim)."""

from __future__ import annotations

from app.core.optimizers.base import (
    Optimizer,
    Value,
    _lr,
    _sign,
)
from app.core.parameters import Hyperparameter


class Lion(Optimizer):
    """Lion (Chen et al. 2023), as the lion-pytorch package computes it: the sign of an
    interpolation between the momentum and the gradient, so every coordinate moves by exactly lr
    (on a 2D surface: along the axes' diagonals).

    p_{t-1} *= 1 - lr * weight_decay        (decoupled, as in AdamW)
    c_t = sign(beta1 * m_{t-1} + (1 - beta1) * g_t)
    p_t = p_{t-1} - lr * c_t
    m_t = beta2 * m_{t-1} + (1 - beta2) * g_t
    The momentum is updated after the step, with its own decay beta2.
    """

    id = "lion"
    name = "Lion"
    description = (
        "Moves every coordinate by exactly the learning rate, in the direction of the sign of a "
        "blend of momentum and gradient, so on a surface it steps along diagonals."
    )
    equation = (
        r"c_t = \operatorname{sign}(\beta_1 m_{t-1} + (1-\beta_1)\, g_t) \\ "
        r"\theta_t = \theta_{t-1}(1 - \eta\lambda) - \eta\, c_t \\ "
        r"m_t = \beta_2 m_{t-1} + (1-\beta_2)\, g_t"
    )
    hyperparameters = {
        "lr": _lr(1e-4),
        "beta1": Hyperparameter(
            0.9, 0.0, 1.0, "Weight of the momentum against the new gradient in the step's sign."
        ),
        "beta2": Hyperparameter(0.99, 0.0, 1.0, "Decay of the momentum (the running average)."),
        "weight_decay": Hyperparameter(
            0.0, 0.0, 10.0, "Shrinks every weight by lr * weight_decay of itself each step."
        ),
    }
    lr: float
    beta1: float
    beta2: float
    weight_decay: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"m": 0.0, "update": 0.0}

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        lr = self.lr
        if self.weight_decay:  # lion-pytorch always multiplies, by exactly 1 without decay
            p = p * (1.0 - lr * self.weight_decay)
        m, beta1, beta2 = slot["m"], self.beta1, self.beta2
        c = slot["update"] = _sign(m * beta1 + (1.0 - beta1) * g)
        slot["m"] = m * beta2 + (1.0 - beta2) * g
        return p + (-lr) * c
