"""How an optimizer is written: the `Optimizer` base class and the helpers its rules share.

The rules equal `torch.optim`'s (or a reference package's) updates and defaults. Most optimizers
are elementwise, so each update rule is written once, as `_update(p, g, slot)`
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

An optimizer that needs more than the gradient at the current point (L-BFGS's line search, SAM's
ascent point, Newton's Hessian, Muon's layer shapes) sets `needs_oracle = True` and implements
`_step_oracle(oracle, p, g, loss)`. Its run calls `step_with(oracle, params, grad, loss)` instead
of `step`, with an `Oracle`: the loss and gradient at any point (on a surface also the Hessian,
on a network the layer layout). Every point the optimizer asks the oracle about is a "trial" the
run records with the step, for the UI to draw as small dots. `run_kinds` says which runs
(surface, network) can serve the rule; a run refuses the others, naming `optimizer`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray

from app.core.parameters import Configurable, Hyperparameter

# A value the update rules run on: one coordinate (float) or a whole parameter array.
Value = Any
Params = tuple[float, ...] | list[float] | NDArray[np.float64]


class Oracle(Protocol):
    """What a run offers an optimizer with `needs_oracle`: the objective at any point.

    Points and gradients are float64 arrays shaped like the parameters (a 2D surface: shape
    (2,)). Each call of `value_and_grad` is an evaluation torch's closure would make; the run
    records the points as the step's trials.
    """

    kind: str  # "surface" or "network": the run that answers

    def value_and_grad(self, params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        """The loss and its gradient at params (a network: on the batch of this step)."""
        ...

    def hessian(self, params: NDArray[np.float64]) -> NDArray[np.float64]:
        """The matrix of second derivatives at params (surfaces only)."""
        ...

    def layers(self) -> list[tuple[int, int, int, tuple[int, int]]]:
        """Per layer: (start of W, start of b, end, W's (out, in)) in the flat weights
        (networks only)."""
        ...


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


def _decoupled(default: bool) -> Hyperparameter:
    """torch's `decoupled_weight_decay` (NAdam, RAdam) and prodigyopt's `decouple`."""
    return Hyperparameter(default, 0, 1, "Apply weight decay to the weights directly, as AdamW "
                          "does.", kind="bool")


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
    needs_oracle: ClassVar[bool] = False  # True: the rule is `_step_oracle`, stepped by `step_with`
    run_kinds: ClassVar[tuple[str, ...]] = ("surface", "network")  # the runs that can serve it
    nan_reason: ClassVar[str | None] = None  # why its step can be undefined, for a diverged run

    def __init__(self, **hyper: float) -> None:
        super().__init__(**hyper)
        self.reset()

    def reset(self) -> None:
        """Forget all state: the next step behaves like the first."""
        self._state: dict[str, float] = {"step": 0}  # shared by all coordinates
        self._slots: list[dict[str, Value]] = []  # one per coordinate, or one for an array
        self._layout: int | tuple[int, ...] | None = None  # tuple length, or array shape
        self._pair: Callable[[Sequence[float], Sequence[float]], tuple[float, float]] | None = None
        self._as_tuple = False  # step_with was given floats: the snapshot gives lists

    @property
    def t(self) -> int:
        """Steps taken since the last reset."""
        return int(self._state["step"])

    def step(self, params: Params, grad: Params) -> Params:
        if self.needs_oracle:
            raise TypeError(f"{self.id} asks its run for more than the gradient: step_with()")
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
        if self.needs_oracle:
            raise TypeError(f"{self.id} asks its run for more than the gradient: step_with()")
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

    def step_with(self, oracle: Oracle, params: Params, grad: Params, loss: float) -> Params:
        """One step given the run's oracle and the loss and gradient at params (what torch's
        closure returns first, so it is not asked again). Same types in and out as `step`; an
        optimizer without `needs_oracle` ignores the oracle."""
        if not self.needs_oracle:
            return self.step(params, grad)
        as_tuple = not isinstance(params, _ndarray)
        p = np.array(params, dtype=np.float64)
        g = np.array(grad, dtype=np.float64)
        if p.shape != g.shape:
            raise ValueError(f"params has shape {p.shape} but grad has shape {g.shape}")
        if self._layout != p.shape:
            self._start(p.shape, [self._initial_slot()])
        self._as_tuple = as_tuple
        self._state["step"] += 1
        self._begin_step(self._state)
        new = self._step_oracle(oracle, p, g, float(loss), self._slots[0])
        return tuple(new.tolist()) if as_tuple else new

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
        if isinstance(self._layout, tuple) and not self._as_tuple:
            slot = self._slots[0]
            for key, value in {**slot, **self._derived(slot)}.items():
                snapshot[key] = np.array(value, dtype=np.float64)
            return snapshot
        if not self.elementwise or self.needs_oracle:  # tuple input, one slot of 1-D arrays
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

    def _step_oracle(
        self, oracle: Oracle, p: NDArray[np.float64], g: NDArray[np.float64], loss: float,
        slot: dict[str, Value],
    ) -> NDArray[np.float64]:
        """With `needs_oracle`: new parameters from p, the loss and gradient g there, and the
        oracle for anything else; float64 arrays (1-D (2,) on a surface, the flat weights on a
        network). Called after t is incremented and `_begin_step` has run."""
        raise NotImplementedError

    def _derived(self, slot: dict[str, Value]) -> dict[str, Value]:
        """Extra per-coordinate quantities for the snapshot (e.g. Adam's bias-corrected m_hat)."""
        return {}

