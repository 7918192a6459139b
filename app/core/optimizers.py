"""Gradient-descent optimizers with the exact update rules and defaults of `torch.optim`.

Most optimizers here are elementwise, so each update rule is written once, as `_update(p, g, slot)`
over values that may be Python floats or NumPy arrays:

- an ndarray of any shape (the network's thousands of weights): one call on whole arrays;
- a tuple/list of floats (a 2D surface run, the hot path): one call per coordinate, each with its
  own state dict, in plain float arithmetic (no NumPy, no per-step allocation of arrays).

Both paths run the same operations in the same order as torch's single-tensor (`foreach=False`)
code, so they agree with each other exactly and with torch to rounding (tests/golden).
State shared by all coordinates (the step counter t, bias corrections, NAdam's mu product) lives
in one dict per optimizer; `_begin_step` fills it once per step.

An optimizer whose rule needs the whole tensor at once (Adafactor: the RMS of the parameters and
of the update) sets `elementwise = False` and implements `_step_vector(p, g, slot)` instead, on
float64 arrays, with one slot for the whole tensor. Tuple input is then converted to a 1-D array
(a 2D surface's point is one tensor of 2 values, as in torch) and back, so both paths still agree
exactly; the elementwise optimizers' hot path is untouched.
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
    """Base class. Subclasses set the class attributes and implement `_update` (elementwise) or,
    with `elementwise = False`, `_step_vector` (whole tensor).

    `step(params, grad)` returns new parameters and never mutates its inputs: a tuple of floats
    for tuple/list input, a new float64 array for array input.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str]  # one sentence, for a tooltip
    equation: ClassVar[str]  # LaTeX, for the "inside the step" panel
    elementwise: ClassVar[bool] = True  # False: the rule is `_step_vector`, not `_update`

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
            self._start(n, self._new_slots(n))
        state = self._state
        state["step"] += 1
        self._begin_step(state)
        if not self.elementwise:
            return self._step_floats(params, grad)
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
            self._start(2, self._new_slots(2))
        state = self._state
        begin = None if type(self)._begin_step is Optimizer._begin_step else self._begin_step

        if not self.elementwise:
            begin = self._begin_step
            vector = self._step_floats

            def step(p: Sequence[float], g: Sequence[float]) -> tuple[float, float]:
                state["step"] += 1
                begin(state)
                return vector(p, g)  # type: ignore[return-value]

            self._pair = step
            return step

        update = self._update
        slot_x, slot_y = self._slots
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
        if not self.elementwise:
            return self._step_vector(p, g, self._slots[0])
        return np.asarray(self._update(p, g, self._slots[0]), dtype=np.float64)

    def _step_floats(self, params: Sequence[float], grad: Sequence[float]) -> tuple[float, ...]:
        """A whole-vector rule on tuple input: through a 1-D array and back to Python floats."""
        p = np.array(params, dtype=np.float64)
        g = np.array(grad, dtype=np.float64)
        return tuple(self._step_vector(p, g, self._slots[0]).tolist())

    def _new_slots(self, n: int) -> list[dict[str, Value]]:
        """The slots for a tuple of n floats: one per coordinate, or one for a whole vector."""
        if not self.elementwise:
            return [self._initial_slot()]
        return [self._initial_slot() for _ in range(n)]

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
        if not self.elementwise:  # tuple input, one slot of 1-D arrays
            slot = self._slots[0]
            for key, value in {**slot, **self._derived(slot)}.items():
                snapshot[key] = np.asarray(value, dtype=np.float64).ravel().tolist()
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

    def _step_vector(
        self, p: NDArray[np.float64], g: NDArray[np.float64], slot: dict[str, Value]
    ) -> NDArray[np.float64]:
        """With `elementwise = False`: new parameters (a new array) from the whole tensor p and
        its gradient g, float64 arrays of one shape (1-D for tuple input); updates `slot`, the
        tensor's state. Called after t is incremented and `_begin_step` has run."""
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


def _sign(x: Value) -> Value:
    """torch.sign as float(s): -1, 0 or 1, and 0 for NaN."""
    if x.__class__ is float:
        return 1.0 if x > 0 else -1.0 if x < 0 else 0.0
    return (x > 0).astype(np.float64) - (x < 0)


def _clamp(x: Value, lo: float, hi: float) -> Value:
    """torch.clamp(x, lo, hi): NaN stays NaN, and lo > hi gives hi."""
    if x.__class__ is float:
        x = lo if x < lo else x
        return hi if x > hi else x
    return np.minimum(np.maximum(x, lo), hi)


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


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.id: cls
    for cls in (
        SGD, Momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam, AdamW, NAdam, AMSGrad,
        Adamax, RAdam, Rprop, ASGD, Adafactor, Lion,
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
