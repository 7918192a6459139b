"""Sharpness-aware minimization (Foret et al. 2020), with the semantics of the reference
implementation (davda54/sam): the gradient is taken at an ascent point, then a base optimizer
steps from the original point with it. Two registry ids, one per base: `sam_sgd`, `sam_adam`.

Why two ids and not a `base` hyperparameter: a hyperparameter is a number the user may change
mid-run; the base decides which other hyperparameters exist (momentum or beta1, beta2, eps), so
it is part of the optimizer's identity, as nesterov is for `nesterov` and `momentum`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from app.core.optimizers.adam import Adam
from app.core.optimizers.base import Optimizer, Oracle, Value
from app.core.optimizers.sgd import Momentum
from app.core.parameters import Hyperparameter

Array = NDArray[np.float64]

_SAM_HYPER = {
    "rho": Hyperparameter(
        0.05, 0.0, 10.0, "Radius of the ascent step: how far uphill the gradient is taken."
    ),
    "adaptive": Hyperparameter(
        False, 0, 1, "ASAM: scale the ascent by each parameter's size (p^2 g).", kind="bool"
    ),
}


class _SAM(Optimizer):
    """SAM around a base rule, as davda54/sam's `first_step`, `second_step`:

    e = rho * g / (|g|_2 + 1e-12)            (adaptive, ASAM: rho * p^2 g / (| |p| g |_2 + 1e-12))
    g_adv = grad L(p + e)                    (the oracle's gradient at the ascent point)
    p_t = base_step(p_{t-1}, g_adv)          (the base's own state and hyperparameters)
    The ascent point p + e is this step's trial: the UI draws it.
    """

    base: ClassVar[type[Optimizer]]
    elementwise = False
    needs_oracle = True
    rho: float
    adaptive: bool

    def reset(self) -> None:
        super().reset()
        self._base = self.base()

    def _step_oracle(
        self, oracle: Oracle, p: Array, g: Array, loss: float, slot: dict[str, Value]
    ) -> Array:
        base = self._base
        for name in base.hyperparameters:  # the run sets lr (and a user anything) on this one
            object.__setattr__(base, name, getattr(self, name))
        scale_p = np.abs(p) if self.adaptive else 1.0
        grad_norm = float(np.linalg.norm(scale_p * g))
        scale = self.rho / (grad_norm + 1e-12)
        e_w = (p * p if self.adaptive else 1.0) * g * scale
        ascent = p + e_w
        ascent_loss, g_adv = oracle.value_and_grad(ascent)
        slot["ascent"] = ascent
        self._state.update(grad_norm=grad_norm, ascent_loss=float(ascent_loss))
        if self._as_tuple:  # the base's own float path, so its snapshot has lists
            return np.array(base.step(tuple(p.tolist()), tuple(np.asarray(g_adv).tolist())))
        return np.asarray(base.step(p, np.asarray(g_adv, dtype=np.float64)))

    def state_snapshot(self) -> dict[str, object]:
        """SAM's own (`ascent`: the point the gradient was taken at; `grad_norm`,
        `ascent_loss`), then the base's state."""
        snapshot = super().state_snapshot()
        if self.t:
            inner = self._base.state_snapshot()
            inner.pop("step", None)
            snapshot.update(inner)
        return snapshot


class SAMSGD(_SAM):
    __doc__ = _SAM.__doc__ + """
    The base is torch.optim.SGD with momentum (the `momentum` rule: momentum 0 is plain SGD).
    """
    id = "sam_sgd"
    name = "SAM (SGD)"
    description = (
        "Takes each gradient a small step uphill from where it stands, then steps with SGD "
        "from the original point, so it prefers wide valleys over sharp ones."
    )
    equation = (
        r"\epsilon_t = \rho\, \frac{g_t}{\lVert g_t \rVert_2} \\ "
        r"\tilde g_t = \nabla L(\theta_{t-1} + \epsilon_t) \\ "
        r"b_t = \mu\, b_{t-1} + (1-\tau)\, \tilde g_t,\ \ \theta_t = \theta_{t-1} - \eta\, b_t"
    )
    base = Momentum
    hyperparameters = {**Momentum.hyperparameters, **_SAM_HYPER}
    lr: float
    momentum: float
    dampening: float
    weight_decay: float


class SAMAdam(_SAM):
    __doc__ = _SAM.__doc__ + """
    The base is torch.optim.Adam (the `adam` rule).
    """
    id = "sam_adam"
    name = "SAM (Adam)"
    description = (
        "Takes each gradient a small step uphill from where it stands, then steps with Adam "
        "from the original point, so it prefers wide valleys over sharp ones."
    )
    equation = (
        r"\epsilon_t = \rho\, \frac{g_t}{\lVert g_t \rVert_2} \\ "
        r"\tilde g_t = \nabla L(\theta_{t-1} + \epsilon_t) \\ "
        r"\theta_t = \operatorname{Adam}(\theta_{t-1},\ \tilde g_t)"
    )
    base = Adam
    hyperparameters = {**Adam.hyperparameters, **_SAM_HYPER}
    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
