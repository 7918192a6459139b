"""Gradient-descent optimizers with the exact update rules and defaults of `torch.optim`.

Every optimizer here is elementwise, so each update rule is written once, as `_update(p, g, slot)`
over values that may be Python floats or NumPy arrays:

- an ndarray of any shape (the network's thousands of weights): one call on whole arrays;
- a tuple/list of floats (a 2D surface run, the hot path): one call per coordinate, each with its
  own state dict, in plain float arithmetic (no NumPy, no per-step allocation of arrays).

Both paths run the same operations in the same order as torch's single-tensor (`foreach=False`)
code, so they agree with each other exactly and with torch to rounding (tests/golden).
State shared by all coordinates (the step counter t, bias corrections, NAdam's mu product) lives
in one dict per optimizer; `_begin_step` fills it once per step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from app.core.parameters import Configurable, Hyperparameter

# A value the update rules run on: one coordinate (float) or a whole parameter array.
Value = Any
Params = tuple[float, ...] | list[float] | NDArray[np.float64]


# Shared hyperparameter specs, so each appears once.
def _lr(default: float) -> Hyperparameter:
    return Hyperparameter(default, 1e-6, 10.0, "Learning rate: the size of each step.", log=True)


def _eps(default: float) -> Hyperparameter:
    return Hyperparameter(
        default, 1e-12, 1.0, "Added to the denominator so it is never zero.", log=True
    )


_WEIGHT_DECAY = Hyperparameter(
    0.0, 0.0, 1.0, "L2 penalty: pulls every weight towards zero by this fraction of itself."
)
_BETA1 = Hyperparameter(
    0.9, 0.0, 0.9999, "Decay of the running average of gradients (the momentum)."
)
_BETA2 = Hyperparameter(0.999, 0.0, 0.99999, "Decay of the running average of squared gradients.")
_MOMENTUM = Hyperparameter(0.9, 0.0, 0.9999, "Fraction of the previous velocity kept each step.")


# Elementwise helpers that work on floats (math) and on arrays (NumPy), with torch's semantics.
# The float test comes first and uses module-level names: this is the 2D hot path.
_fsqrt = math.sqrt
_ndarray = np.ndarray


def _sqrt(x: Value) -> Value:
    return _fsqrt(x) if x.__class__ is float else np.sqrt(x)


def _maximum(a: Value, b: Value) -> Value:
    """torch.maximum: the larger, propagating NaN."""
    if a.__class__ is float and b.__class__ is float:
        return a if a > b or a != a else b
    return np.maximum(a, b)


def _lerp(a: Value, b: Value, w: float) -> Value:
    """torch.lerp(a, b, w) with a scalar weight: a + w (b - a), in torch's two-branch form."""
    if w < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (1 - w)


def _weight_decay(p: Value, g: Value, lr: float, wd: float, decoupled: bool) -> tuple[Value, Value]:
    """L2 weight decay: added to the gradient, or (AdamW-style) applied to the weights directly."""
    if decoupled:
        return p * (1 - lr * wd), g
    return p, g + wd * p


class Optimizer(Configurable):
    """Base class. Subclasses set the class attributes and implement `_update`.

    `step(params, grad)` returns new parameters and never mutates its inputs: a tuple of floats
    for tuple/list input, a new float64 array for array input.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str]  # one sentence, for a tooltip
    equation: ClassVar[str]  # LaTeX, for the "inside the step" panel

    def __init__(self, **hyper: float) -> None:
        super().__init__(**hyper)
        self.reset()

    def reset(self) -> None:
        """Forget all state: the next step behaves like the first."""
        self._state: dict[str, float] = {"step": 0}  # shared by all coordinates
        self._slots: list[dict[str, Value]] = []  # one per coordinate, or one for an array
        self._layout: int | tuple[int, ...] | None = None  # tuple length, or array shape
        self._pair: Callable[[Sequence[float], Sequence[float]], tuple[float, float]] | None = None

    @property
    def t(self) -> int:
        """Steps taken since the last reset."""
        return int(self._state["step"])

    def step(self, params: Params, grad: Params) -> Params:
        if isinstance(params, _ndarray):
            return self._step_array(params, grad)
        n = len(params)
        if len(grad) != n:
            raise ValueError(f"params has {n} values but grad has {len(grad)}")
        if self._layout != n:
            self._start(n, [self._initial_slot() for _ in range(n)])
        state = self._state
        state["step"] += 1
        self._begin_step(state)
        update, slots = self._update, self._slots
        if n == 2:  # the 2D-surface hot path, unrolled: map() costs more than two updates
            return (update(params[0], grad[0], slots[0]), update(params[1], grad[1], slots[1]))
        return tuple(map(update, params, grad, slots))

    def pair_stepper(self) -> Callable[[Sequence[float], Sequence[float]], tuple[float, float]]:
        """`step` for one (x, y) pair, without the checks `step` makes on every call: for the loop
        of a live run, which takes thousands of steps on the same two coordinates.

        The function holds this optimizer's state: made once, it is valid until `reset()`."""
        if self._pair is not None:
            return self._pair
        if self._layout != 2:
            self._start(2, [self._initial_slot(), self._initial_slot()])
        state, update = self._state, self._update
        slot_x, slot_y = self._slots
        begin = None if type(self)._begin_step is Optimizer._begin_step else self._begin_step

        if begin is None:
            def step(p: Sequence[float], g: Sequence[float]) -> tuple[float, float]:
                state["step"] += 1
                return (update(p[0], g[0], slot_x), update(p[1], g[1], slot_y))
        else:
            def step(p: Sequence[float], g: Sequence[float]) -> tuple[float, float]:
                state["step"] += 1
                begin(state)
                return (update(p[0], g[0], slot_x), update(p[1], g[1], slot_y))
        self._pair = step
        return step

    def _step_array(self, params: Params, grad: Params) -> NDArray[np.float64]:
        p = np.asarray(params, dtype=np.float64)
        g = np.asarray(grad, dtype=np.float64)
        if p.shape != g.shape:
            raise ValueError(f"params has shape {p.shape} but grad has shape {g.shape}")
        if self._layout != p.shape:
            self._start(p.shape, [self._initial_slot()])
        state = self._state
        state["step"] += 1
        self._begin_step(state)
        return np.asarray(self._update(p, g, self._slots[0]), dtype=np.float64)

    def _start(self, layout: int | tuple[int, ...], slots: list[dict[str, Value]]) -> None:
        if self._layout is not None:
            raise ValueError(
                f"{self.id} was stepping parameters of layout {self._layout}, now {layout}: "
                "call reset() first"
            )
        self._layout, self._slots = layout, slots

    def state_snapshot(self) -> dict[str, object]:
        """Named internal state after the last step: shared scalars, then per-coordinate values.

        Per-coordinate values are lists of floats for tuple params, arrays for array params.
        """
        snapshot: dict[str, object] = dict(self._state)
        if not self._slots or not self._state["step"]:
            return snapshot
        if isinstance(self._layout, tuple):
            slot = self._slots[0]
            for key, value in {**slot, **self._derived(slot)}.items():
                snapshot[key] = np.array(value, dtype=np.float64)
            return snapshot
        rows = [{**slot, **self._derived(slot)} for slot in self._slots]
        for key in rows[0]:
            snapshot[key] = [float(row[key]) for row in rows]
        return snapshot

    # Hooks for subclasses.
    def _initial_slot(self) -> dict[str, Value]:
        """Per-coordinate state before the first step (scalars broadcast over arrays)."""
        return {}

    def _begin_step(self, state: dict[str, float]) -> None:
        """Once per step, after t is incremented: compute scalars shared by all coordinates."""

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        """New value of p given its gradient g; updates `slot` (this coordinate's state)."""
        raise NotImplementedError

    def _derived(self, slot: dict[str, Value]) -> dict[str, Value]:
        """Extra per-coordinate quantities for the snapshot (e.g. Adam's bias-corrected m_hat)."""
        return {}


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
        "decoupled_weight_decay": Hyperparameter(
            False,
            0,
            1,
            "Apply weight decay to the weights directly, as AdamW does.",
            kind="bool",
        ),
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


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.id: cls
    for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam, AdamW, NAdam, AMSGrad)
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
