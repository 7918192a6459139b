"""Newton's method with the surface's exact Hessian, plain and damped (not in torch.optim: a
network's Hessian is too large to solve with; here only 2D surfaces serve it)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.core.optimizers.base import Optimizer, Oracle, Value, _lr
from app.core.parameters import Hyperparameter

Array = NDArray[np.float64]


class Newton(Optimizer):
    """Newton's method: jump to the stationary point of the local quadratic model.

    H_t = Hessian of f at p_{t-1} (exact, from the surface)
    p_t = p_{t-1} - lr * H_t^{-1} g_t
    On a quadratic bowl, lr 1 reaches the minimum in one step. It seeks any stationary point:
    where H has a negative eigenvalue (a saddle, a hilltop) the step goes uphill along that
    eigenvector, towards the saddle or the maximum: plain Newton is attracted to saddles. Where
    H is singular (det H = 0) the step is undefined: the point becomes NaN and the run stops as
    diverged. `damped_newton` fixes both.
    """

    id = "newton"
    name = "Newton"
    description = (
        "Fits a bowl to the surface's slope and curvature at the current point and jumps to its "
        "centre, which on a true bowl is the minimum in one step, but near a saddle is the saddle."
    )
    equation = r"\theta_t = \theta_{t-1} - \eta\, H_t^{-1} g_t,\quad H_t = \nabla^2 f(\theta_{t-1})"
    hyperparameters = {"lr": _lr(1.0)}
    elementwise = False
    needs_oracle = True
    run_kinds = ("surface",)
    nan_reason = ("the curvature matrix is singular here (an eigenvalue is 0): the Newton step "
                  "does not exist")
    lr: float

    def _damping(self) -> float:
        return 0.0

    def _step_oracle(
        self, oracle: Oracle, p: Array, g: Array, loss: float, slot: dict[str, Value]
    ) -> Array:
        h = oracle.hessian(p)
        damped = h + self._damping() * np.eye(len(p))
        eig = np.linalg.eigvalsh(h)
        try:
            direction = np.linalg.solve(damped, g)
        except np.linalg.LinAlgError:  # singular: no Newton step exists
            direction = np.full_like(g, np.nan)
        slot["newton_step"] = -direction
        self._state.update(lambda_min=float(eig[0]), lambda_max=float(eig[-1]))
        return p - self.lr * direction


class DampedNewton(Newton):
    """Damped Newton (Levenberg's damping): the local quadratic model plus damping * |step|^2 / 2.

    p_t = p_{t-1} - lr * (H_t + damping * I)^{-1} g_t
    Large damping turns it into gradient descent with lr / damping; small damping into Newton.
    Where H + damping * I is positive definite (damping > -lambda_min(H)) the step goes
    downhill, also at a saddle: it escapes along the negative-curvature direction instead of
    being drawn in. With damping below -lambda_min the matrix is indefinite and the step is
    still drawn towards the saddle along that direction; with damping = -lambda_min it is
    singular (NaN: the run stops as diverged).
    """

    id = "damped_newton"
    name = "Damped Newton"
    description = (
        "Newton's step with extra curvature added everywhere, so it never jumps too far and, "
        "with enough damping, walks away from saddles instead of towards them."
    )
    equation = r"\theta_t = \theta_{t-1} - \eta\,(H_t + \lambda I)^{-1} g_t"
    hyperparameters = {
        "lr": _lr(1.0),
        "damping": Hyperparameter(
            1.0, 0.0, 1e4, "Added to every curvature: more is safer and slower (lambda).",
        ),
    }
    damping: float

    def _damping(self) -> float:
        return self.damping
