"""Adafactor: the one optimizer here whose rule needs the whole tensor (`elementwise = False`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.core.optimizers.base import (
    Optimizer,
    Value,
    _lerp,
    _lr,
)
from app.core.parameters import Hyperparameter


def _rms(x: NDArray[np.float64]) -> float:
    """Root mean square of a whole array: torch's x.norm(2) / sqrt(x.numel())."""
    return float(np.linalg.norm(x.ravel())) / (x.size**0.5)


class Adafactor(Optimizer):
    """Adafactor (torch.optim.Adafactor): a relative step size, scaled by the parameters' RMS, in
    the direction of the gradient divided by the root of its running mean square (factored into
    row and column means for matrices), with the update's RMS clipped to d.

    Not elementwise: alpha and the clipping use whole-tensor RMS values. A 2D surface's point is
    one 1-D tensor of 2 values; a network's flat weight vector is one 1-D tensor (so the RMS is
    over all weights, unlike torch on the network's separate layer tensors).

    one_minus_beta2_t = t^beta2_decay       (the weight of the new g^2: 1 at t = 1)
    rho_t = min(lr, 1 / sqrt(t))
    alpha_t = max(eps2, RMS(p_{t-1})) * rho_t
    p_{t-1} *= 1 - lr * weight_decay
    1-D: v_t = lerp(v_{t-1}, g_t^2, one_minus_beta2_t)
    2-D: r_t = lerp(r_{t-1}, mean_cols(g_t^2), ...);  c_t = lerp(c_{t-1}, mean_rows(g_t^2), ...)
         v_t = r_t c_t / max(mean(r_t), eps1)
    u_t = g_t / sqrt(max(v_t, eps1^2))
    p_t = p_{t-1} - alpha_t / max(1, RMS(u_t) / d) * u_t
    eps1 = None means the float64 machine epsilon, as torch derives it from the dtype.
    """

    id = "adafactor"
    name = "Adafactor"
    description = (
        "Takes steps whose size is relative to the parameters' own size, dividing the gradient "
        "by the root of its running mean square and capping the step's overall size."
    )
    equation = (
        r"v_t = (1 - t^{c})\, v_{t-1} + t^{c}\, g_t^2 \\ "
        r"u_t = \frac{g_t}{\sqrt{\max(v_t,\ \epsilon_1^2)}} \\ "
        r"\alpha_t = \max(\epsilon_2,\ \mathrm{RMS}(\theta_{t-1}))\, \min(\eta,\ 1/\sqrt{t}) \\ "
        r"\theta_t = \theta_{t-1} - \frac{\alpha_t}{\max(1,\ \mathrm{RMS}(u_t)/d)}\, u_t"
    )
    hyperparameters = {
        "lr": _lr(1e-2),
        "beta2_decay": Hyperparameter(
            -0.8,
            -1.0,
            0.0,
            "The new squared gradient's weight in the running average is t to this power.",
        ),
        "eps1": Hyperparameter(
            None,
            1e-30,
            1.0,
            "Floor on the root mean square that divides the gradient; "
            "null: the machine epsilon.",
            log=True,
            nullable=True,
        ),
        "eps2": Hyperparameter(
            1e-3,
            1e-12,
            1.0,
            "Floor on the parameters' RMS that sets the step size, so zero weights can move.",
            log=True,
        ),
        "d": Hyperparameter(
            1.0, 1.0, 100.0, "Clipping threshold: the update's RMS is capped at this value."
        ),
        "weight_decay": Hyperparameter(
            0.0, 0.0, 1.0, "Shrinks every weight by lr * weight_decay of itself each step."
        ),
    }
    elementwise = False
    lr: float
    beta2_decay: float
    eps1: float | None
    eps2: float
    d: float
    weight_decay: float

    def _begin_step(self, state: dict[str, float]) -> None:
        t = float(state["step"])
        state["one_minus_beta2_t"] = t**self.beta2_decay  # the new g^2's weight: 1 at t = 1
        state["rho_t"] = min(self.lr, 1 / (t**0.5))

    def _step_vector(
        self, p: NDArray[np.float64], g: NDArray[np.float64], slot: dict[str, Value]
    ) -> NDArray[np.float64]:
        state = self._state
        eps1 = float(np.finfo(np.float64).eps) if self.eps1 is None else self.eps1
        # 1) the step size, from the parameters before the weight decay
        state["alpha"] = alpha = max(self.eps2, _rms(p)) * state["rho_t"]
        if self.weight_decay:
            p = p * (1 - self.lr * self.weight_decay)
        # 2) the second-moment estimate: full for vectors, factored over the last two axes
        w = state["one_minus_beta2_t"]
        if g.ndim > 1:
            # mean of g^2 along an axis, as torch computes it: norm squared over the length
            row_mean = np.sqrt(np.sum(g * g, axis=-1, keepdims=True)) ** 2 / g.shape[-1]
            col_mean = np.sqrt(np.sum(g * g, axis=-2, keepdims=True)) ** 2 / g.shape[-2]
            row = slot["row_var"] = _lerp(slot.get("row_var", 0.0), row_mean, w)  # (..., R, 1)
            col = slot["col_var"] = _lerp(slot.get("col_var", 0.0), col_mean, w)  # (..., 1, C)
            v = (row @ col) / np.maximum(row.mean(axis=-2, keepdims=True), eps1)
        else:
            v = slot["variance"] = _lerp(slot.get("variance", 0.0), g * g, w)
        # 3) the normalised update, its RMS clipped to d
        update = 1.0 / np.sqrt(np.maximum(v, eps1 * eps1)) * g
        state["clip"] = clip = max(1.0, _rms(update) / self.d)
        return p + (-alpha / clip) * update
