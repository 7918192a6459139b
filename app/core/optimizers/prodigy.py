"""Prodigy: Adam whose step size d is estimated as it goes, from sums over every parameter
(the prodigyopt package, not torch.optim), so its rule needs the whole vector."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from app.core.optimizers.base import _BETA1, _BETA2, Optimizer, Value, _decoupled, _eps, _lr
from app.core.parameters import Hyperparameter


class Prodigy(Optimizer):
    """Prodigy (Mishchenko & Defazio 2023), as prodigyopt.Prodigy computes it: Adam with its
    steps scaled by d, a running lower estimate of the distance from the start p_0 to the
    solution, which only grows.

    Not elementwise: d comes from a dot product and a sum over all parameters. A 2D surface's
    point is one vector; a network's flat weight vector is one vector (prodigyopt sums over all
    tensors of the group, so that is the same estimate).

    dlr = d * lr * (sqrt(1 - beta2^(k+1)) / (1 - beta1^(k+1)) if use_bias_correction else 1)
    g_t = grad + weight_decay * p_{t-1}      (unless decouple)
    m_t = beta1 * m_{t-1} + d (1 - beta1) g_t;  v_t = beta2 * v_{t-1} + d^2 (1 - beta2) g_t^2
    s_t = beta3 * s_{t-1} + (d / d0) * dlr * g_t     (safeguard_warmup: (d / d0) * d * g_t)
    N_t = beta3 * N_{t-1} + (d / d0) * dlr * <g_t, p_0 - p_{t-1}>
    sum|s_t| = 0: no step (and k does not advance)
    d_hat = d_coef * N_t / sum|s_t|;  d <- max(d, d_hat) (first growth only from d0);
    d_max = max(d_max, d_hat);  d <- d_max
    p_{t-1} -= weight_decay * dlr * p_{t-1}  (if decouple)
    p_t = p_{t-1} - dlr * m_t / (sqrt(v_t) + d * eps)
    beta3 = null means sqrt(beta2). prodigyopt's growth_rate is left at its default (no limit),
    and slice_p at 1 (every coordinate counts).
    """

    id = "prodigy"
    name = "Prodigy"
    description = (
        "Adam that learns its own step size, raising it until it matches how far the "
        "parameters have had to travel from where they started."
    )
    equation = (
        r"m_t = \beta_1 m_{t-1} + d\,(1-\beta_1)\, g_t,\ \ "
        r"v_t = \beta_2 v_{t-1} + d^2 (1-\beta_2)\, g_t^2 \\ "
        r"s_t = \beta_3 s_{t-1} + \tfrac{d^2}{d_0}\eta\, g_t,\ \ "
        r"N_t = \beta_3 N_{t-1} + \tfrac{d^2}{d_0}\eta\, "
        r"\langle g_t,\ \theta_0 - \theta_{t-1}\rangle \\ "
        r"d \leftarrow \max\!\left(d,\ c\, \frac{N_t}{\lVert s_t \rVert_1}\right) \\ "
        r"\theta_t = \theta_{t-1} - d\,\eta\, \frac{m_t}{\sqrt{v_t} + d\,\epsilon}"
    )
    hyperparameters = {
        "lr": _lr(1.0),
        "beta1": _BETA1,
        "beta2": _BETA2,
        "beta3": Hyperparameter(
            None,
            0.0,
            0.99999,
            "Decay of the running sums that estimate d; null: the square root of beta2.",
            nullable=True,
        ),
        "eps": _eps(1e-8),
        "weight_decay": Hyperparameter(
            0.0, 0.0, 1.0, "Pulls every weight towards zero, by dlr * weight_decay of itself."
        ),
        "decouple": _decoupled(True),
        "use_bias_correction": Hyperparameter(
            False, 0, 1, "Scale the steps by Adam's bias corrections.", kind="bool"
        ),
        "safeguard_warmup": Hyperparameter(
            False,
            0,
            1,
            "Leave the learning rate out of the denominator sum, for warm-up schedules.",
            kind="bool",
        ),
        "d0": Hyperparameter(
            1e-6, 1e-12, 1.0, "The initial estimate of d: keep it small, d only grows.", log=True
        ),
        "d_coef": Hyperparameter(
            1.0, 0.01, 100.0, "Multiplies each estimate of d.", log=True
        ),
    }
    elementwise = False
    lr: float
    beta1: float
    beta2: float
    beta3: float | None
    eps: float
    weight_decay: float
    decouple: bool
    use_bias_correction: bool
    safeguard_warmup: bool
    d0: float
    d_coef: float

    def _step_vector(
        self, p: NDArray[np.float64], g: NDArray[np.float64], slot: dict[str, Value]
    ) -> NDArray[np.float64]:
        state, lr, beta1, beta2 = self._state, self.lr, self.beta1, self.beta2
        beta3 = math.sqrt(beta2) if self.beta3 is None else self.beta3
        if "d" not in state:  # the first step: prodigyopt's group and state initialisation
            state.update(d=self.d0, d_max=self.d0, d_numerator=0.0, k=0)
            slot.update(p0=p.copy(), s=np.zeros_like(p), m=np.zeros_like(p), v=np.zeros_like(p))
        d, k, d0 = state["d"], state["k"], self.d0
        bias_correction = (
            ((1 - beta2 ** (k + 1)) ** 0.5) / (1 - beta1 ** (k + 1))
            if self.use_bias_correction
            else 1
        )
        dlr = d * lr * bias_correction
        decay = self.weight_decay
        if decay != 0 and not self.decouple:
            g = g + decay * p
        # 1) the moments and the running sums, with the d of the last step
        d_numerator = state["d_numerator"] * beta3
        delta_numerator = (d / d0) * dlr * float(np.dot(g, slot["p0"] - p))
        if beta1 > 0:
            slot["m"] = slot["m"] * beta1 + (d * (1 - beta1)) * g
        slot["v"] = slot["v"] * beta2 + (d * d * (1 - beta2)) * g * g
        s_scale = (d / d0) * d if self.safeguard_warmup else (d / d0) * dlr
        s = slot["s"] = slot["s"] * beta3 + s_scale * g
        d_denom = float(np.sum(np.abs(s)))
        if d_denom == 0:  # prodigyopt returns before stepping (all gradients zero so far)
            return p.copy()
        # 2) the new estimate of d
        numerator = d_numerator + delta_numerator
        d_hat = self.d_coef * numerator / d_denom
        if d == d0:
            d = max(d, d_hat)
        d_max = max(state["d_max"], d_hat)
        d = min(d_max, d * math.inf)  # prodigyopt's default growth_rate: no limit
        state.update(d=d, d_max=d_max, d_numerator=numerator, d_hat=d_hat, d_denom=d_denom)
        state["dlr"] = dlr
        # 3) the Adam-like step, its denominator with the new d, its size with the old
        denom = np.sqrt(slot["v"]) + d * self.eps
        if decay != 0 and self.decouple:
            p = p + (-decay * dlr) * p
        if beta1 > 0:
            p = p + (-dlr) * slot["m"] / denom
        else:
            p = p + (-dlr * d) * g / denom
        state["k"] = k + 1
        return p
