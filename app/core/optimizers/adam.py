"""Adam and its family: AdamW, AMSGrad, NAdam, Adamax, RAdam (momentum divided by a running
size of the gradient, with bias corrections)."""

from __future__ import annotations

from typing import ClassVar

from app.core.optimizers.base import (
    _BETA1,
    _BETA2,
    _WEIGHT_DECAY,
    Optimizer,
    Value,
    _decoupled,
    _eps,
    _lerp,
    _lr,
    _maximum,
    _sqrt,
    _weight_decay,
)
from app.core.parameters import Hyperparameter


class Adam(Optimizer):
    """Adam (torch.optim.Adam); AdamW and AMSGrad are its variants.

        g_t = grad + weight_decay * p_{t-1}     (AdamW instead: p_{t-1} *= 1 - lr * weight_decay)
        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
        v_t = beta2 * v_{t-1} + (1 - beta2) * g_t^2
        (AMSGrad: v_t = max(v_max_{t-1}, v_t), kept as v_max)
        m_hat = m_t / (1 - beta1^t);  v_hat = v_t / (1 - beta2^t)
        p_t = p_{t-1} - lr * m_hat / (sqrt(v_hat) + eps)
    eps is added after the square root of the bias-corrected v, as torch does.
    """

    id = "adam"
    name = "Adam"
    description = (
        "Combines momentum with per-coordinate step sizes from a running average of squared "
        "gradients, with bias corrections for the first steps."
    )
    equation = (
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
        r"\hat m_t = \frac{m_t}{1-\beta_1^t},\ \hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
        r"\theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"
    )
    hyperparameters = {
        "lr": _lr(1e-3),
        "beta1": _BETA1,
        "beta2": _BETA2,
        "eps": _eps(1e-8),
        "weight_decay": _WEIGHT_DECAY,
    }
    amsgrad: ClassVar[bool] = False
    decoupled_weight_decay: ClassVar[bool] = False
    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"m": 0.0, "v": 0.0, "v_max": 0.0} if self.amsgrad else {"m": 0.0, "v": 0.0}

    def _begin_step(self, state: dict[str, float]) -> None:
        t = state["step"]
        state["bias_correction1"] = bc1 = 1 - self.beta1**t
        state["bias_correction2"] = bc2 = 1 - self.beta2**t
        state["step_size"] = self.lr / bc1
        state["bias_correction2_sqrt"] = bc2**0.5  # torch: a Python pow, not math.sqrt

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            p, g = _weight_decay(p, g, self.lr, self.weight_decay, self.decoupled_weight_decay)
        beta2 = self.beta2
        m = slot["m"] = _lerp(slot["m"], g, 1 - self.beta1)
        v = slot["v"] = slot["v"] * beta2 + (1 - beta2) * g * g
        if self.amsgrad:
            v = slot["v_max"] = _maximum(slot["v_max"], v)
        state = self._state
        denom = _sqrt(v) / state["bias_correction2_sqrt"] + self.eps
        return p + (-state["step_size"]) * m / denom

    def _derived(self, slot: dict[str, Value]) -> dict[str, Value]:
        state = self._state
        v = slot["v_max"] if self.amsgrad else slot["v"]
        return {
            "m_hat": slot["m"] / state["bias_correction1"],
            "v_hat": v / state["bias_correction2"],
        }


class AdamW(Adam):
    """AdamW (torch.optim.AdamW): Adam with decoupled weight decay, on by default.

    p_{t-1} *= 1 - lr * weight_decay, then the Adam step with the raw gradient.
    """

    id = "adamw"
    name = "AdamW"
    description = (
        "Adam with weight decay applied directly to the weights instead of being mixed into "
        "the gradient."
    )
    equation = r"\theta_{t-1} \leftarrow (1 - \eta\lambda)\, \theta_{t-1} \\ " + Adam.equation
    hyperparameters = {
        **Adam.hyperparameters,
        "weight_decay": Hyperparameter(
            1e-2, 0.0, 1.0, "Shrinks every weight by lr * weight_decay of itself each step."
        ),
    }
    decoupled_weight_decay = True


class AMSGrad(Adam):
    """AMSGrad (torch.optim.Adam, amsgrad=True): Adam dividing by the largest v seen so far.

    v_max_t = max(v_max_{t-1}, v_t)
    p_t = p_{t-1} - lr * m_hat / (sqrt(v_max_t / (1 - beta2^t)) + eps)
    """

    id = "amsgrad"
    name = "AMSGrad"
    description = (
        "Adam that never lets a coordinate's step size grow back, by dividing by the largest "
        "squared-gradient average seen so far."
    )
    equation = (
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,\ \ v^{max}_t = \max(v^{max}_{t-1}, v_t) \\ "
        r"\theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, "
        r"\frac{m_t}{\sqrt{v^{max}_t / (1-\beta_2^t)} + \epsilon}"
    )
    amsgrad = True


class NAdam(Optimizer):
    """NAdam (torch.optim.NAdam): Adam with Nesterov momentum and a momentum-decay schedule.

    g_t = grad + weight_decay * p_{t-1}     (decoupled: p_{t-1} *= 1 - lr * weight_decay)
    mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  P_t = mu_1 * ... * mu_t
    m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
    v_t = beta2 * v_{t-1} + (1 - beta2) * g_t^2;  d_t = sqrt(v_t / (1 - beta2^t)) + eps
    p_t = p_{t-1} - lr * (1 - mu_t) / (1 - P_t) * g_t / d_t
                  - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m_t / d_t
    """

    id = "nadam"
    name = "NAdam"
    description = "Adam with Nesterov-style look-ahead momentum."
    equation = (
        r"\mu_t = \beta_1 \left(1 - \tfrac12\, 0.96^{t\psi}\right) \\ "
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\ \ "
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
        r"\theta_t = \theta_{t-1} - \eta \left(\frac{(1-\mu_t)\, g_t}{1 - \prod_{i\le t}\mu_i}"
        r" + \frac{\mu_{t+1}\, m_t}{1 - \prod_{i\le t+1}\mu_i}\right)"
        r" \Big/ \left(\sqrt{v_t / (1-\beta_2^t)} + \epsilon\right)"
    )
    hyperparameters = {
        "lr": _lr(2e-3),
        "beta1": _BETA1,
        "beta2": _BETA2,
        "eps": _eps(1e-8),
        "weight_decay": _WEIGHT_DECAY,
        "momentum_decay": Hyperparameter(
            4e-3, 0.0, 1.0, "How fast the momentum schedule mu_t ramps up to beta1."
        ),
        "decoupled_weight_decay": _decoupled(False),
    }
    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    momentum_decay: float
    decoupled_weight_decay: bool

    def _initial_slot(self) -> dict[str, Value]:
        return {"m": 0.0, "v": 0.0}

    def _begin_step(self, state: dict[str, float]) -> None:
        t, lr, beta1, psi = state["step"], self.lr, self.beta1, self.momentum_decay
        state["bias_correction2"] = 1 - self.beta2**t
        state["mu"] = mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        state["mu_next"] = mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        state["mu_product"] = mu_product = state.get("mu_product", 1.0) * mu
        # the two step sizes, in torch's operation order
        state["grad_coef"] = -lr * (1.0 - mu) / (1.0 - mu_product)
        state["momentum_coef"] = (-lr * mu_next) / (1.0 - mu_product * mu_next)

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            p, g = _weight_decay(p, g, self.lr, self.weight_decay, self.decoupled_weight_decay)
        beta2, state = self.beta2, self._state
        m = slot["m"] = _lerp(slot["m"], g, 1 - self.beta1)
        v = slot["v"] = slot["v"] * beta2 + (1 - beta2) * g * g
        denom = _sqrt(v / state["bias_correction2"]) + self.eps
        p = p + state["grad_coef"] * g / denom
        return p + state["momentum_coef"] * m / denom


class Adamax(Optimizer):
    """Adamax (torch.optim.Adamax): Adam with the infinity norm in place of the squared average.

    g_t = grad + weight_decay * p_{t-1}
    m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
    u_t = max(beta2 * u_{t-1}, |g_t| + eps)
    p_t = p_{t-1} - lr / (1 - beta1^t) * m_t / u_t
    eps is added to |g_t| inside the max, as torch does.
    """

    id = "adamax"
    name = "Adamax"
    description = (
        "Adam that divides by a slowly decaying maximum of past gradient sizes instead of their "
        "mean square."
    )
    equation = (
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
        r"u_t = \max(\beta_2\, u_{t-1},\ |g_t| + \epsilon) \\ "
        r"\theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}"
    )
    hyperparameters = {
        "lr": _lr(2e-3),
        "beta1": _BETA1,
        "beta2": Hyperparameter(
            0.999, 0.0, 0.99999, "Decay of the running maximum of gradient sizes."
        ),
        "eps": _eps(1e-8),
        "weight_decay": _WEIGHT_DECAY,
    }
    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"m": 0.0, "u": 0.0}

    def _begin_step(self, state: dict[str, float]) -> None:
        state["bias_correction1"] = bc1 = 1 - self.beta1 ** state["step"]
        state["step_size"] = self.lr / bc1

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            g = g + self.weight_decay * p
        m = slot["m"] = _lerp(slot["m"], g, 1 - self.beta1)
        u = slot["u"] = _maximum(slot["u"] * self.beta2, abs(g) + self.eps)
        return p + (-self._state["step_size"]) * m / u

    def _derived(self, slot: dict[str, Value]) -> dict[str, Value]:
        return {"m_hat": slot["m"] / self._state["bias_correction1"]}


class RAdam(Optimizer):
    """RAdam (torch.optim.RAdam): Adam whose adaptive step is switched on, and scaled, only once
    the running average of squared gradients has seen enough steps to have a tractable variance.

    g_t = grad + weight_decay * p_{t-1}     (decoupled: p_{t-1} *= 1 - lr * weight_decay)
    m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
    v_t = beta2 * v_{t-1} + (1 - beta2) * g_t^2
    m_hat = m_t / (1 - beta1^t)
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    rho_t > 5: r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
               p_t = p_{t-1} - lr * m_hat * sqrt(1 - beta2^t) / (sqrt(v_t) + eps) * r_t
    else:      p_t = p_{t-1} - lr * m_hat          (r_t is shown as 0 on these steps)
    """

    id = "radam"
    name = "RAdam"
    description = (
        "Adam that takes plain momentum steps at first and phases in the adaptive step size "
        "only as its estimate of the gradient's variance becomes reliable."
    )
    equation = (
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\ \ "
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
        r"\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t},\ \ "
        r"\rho_\infty = \frac{2}{1-\beta_2} - 1 \\ "
        r"\theta_t = \theta_{t-1} - \eta\, \hat m_t \cdot \begin{cases}"
        r"r_t\, \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} & \rho_t > 5 \\ "
        r"1 & \text{otherwise}\end{cases}"
    )
    hyperparameters = {
        "lr": _lr(1e-3),
        "beta1": _BETA1,
        "beta2": _BETA2,
        "eps": _eps(1e-8),
        "weight_decay": _WEIGHT_DECAY,
        "decoupled_weight_decay": _decoupled(False),
    }
    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    decoupled_weight_decay: bool

    def _initial_slot(self) -> dict[str, Value]:
        return {"m": 0.0, "v": 0.0}

    def _begin_step(self, state: dict[str, float]) -> None:
        t, beta2 = float(state["step"]), self.beta2  # torch keeps step as a float tensor
        state["bias_correction1"] = 1 - self.beta1**t
        state["bias_correction2"] = bc2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        state["rho_t"] = rho_t = rho_inf - 2 * t * (beta2**t) / bc2
        state["rect"] = (
            ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            if rho_t > 5.0
            else 0.0
        )
        state["bias_correction2_sqrt"] = bc2**0.5

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        if self.weight_decay:
            p, g = _weight_decay(p, g, self.lr, self.weight_decay, self.decoupled_weight_decay)
        beta2, state = self.beta2, self._state
        m = slot["m"] = _lerp(slot["m"], g, 1 - self.beta1)
        v = slot["v"] = slot["v"] * beta2 + (1 - beta2) * g * g
        m_hat = m / state["bias_correction1"]
        if state["rho_t"] > 5.0:
            # torch computes float / tensor as reciprocal(tensor) * float
            adaptive = 1.0 / (_sqrt(v) + self.eps) * state["bias_correction2_sqrt"]
            return p - m_hat * self.lr * adaptive * state["rect"]
        return p - m_hat * self.lr

    def _derived(self, slot: dict[str, Value]) -> dict[str, Value]:
        return {"m_hat": slot["m"] / self._state["bias_correction1"]}
