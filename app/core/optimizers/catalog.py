"""How the optimizers are presented: the families a picker groups them in, and what each key of
`state_snapshot()` means (a short label, a hover text, and whether a page draws it).

The pages read both from `GET /api/optimizers` (`family`) and `GET /api/optimizers/state-keys`,
never from a copy in JavaScript. A key means the same for every optimizer unless an entry
"<optimizer id>.<key>" says otherwise (ASGD's `mu` is not NAdam's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Picker groups, in the order a course meets them; every registry id is in exactly one
# (tests/core/test_catalog.py).
FAMILIES: dict[str, tuple[str, ...]] = {
    "Gradient descent": ("sgd", "momentum", "nesterov", "asgd"),
    "Adaptive step sizes": ("adagrad", "rmsprop", "adadelta", "rprop"),
    "Adam and its kin": ("adam", "adamw", "nadam", "amsgrad", "adamax", "radam", "adafactor"),
    "Sign and learning-rate free": ("lion", "prodigy", "schedulefree_sgd", "schedulefree_adamw"),
    "Curvature and line search": ("newton", "damped_newton", "lbfgs"),
    "Sharpness-aware": ("sam_sgd", "sam_adam"),
    "Matrix updates (networks)": ("muon",),
}


def family_of(optimizer_id: str) -> str:
    """The picker group of a registry id ("Other" for one not placed yet)."""
    for name, ids in FAMILIES.items():
        if optimizer_id in ids:
            return name
    return "Other"


@dataclass(frozen=True)
class StateKey:
    """One state value: its symbol in the "inside the step" panel and what it is.

    draw: "marker" for a per-coordinate point drawn on the map at the run's head (ASGD's averaged
    point, schedule-free's x and z, SAM's ascent point); "chart" for a scalar worth following
    over the run (Prodigy's d); "hide" for one shown elsewhere or derived from what is shown
    (left out to keep the panel short); "" for a number in the table only."""

    label: str
    help: str
    draw: Literal["", "marker", "chart", "hide"] = ""


STATE_KEYS: dict[str, StateKey] = {
    # momentum and Adam's moments
    "momentum_buffer": StateKey("b", "momentum buffer: the running sum of past gradients"),
    "m": StateKey("m", "first moment: running average of gradients"),
    "v": StateKey("v", "second moment: running average of squared gradients"),
    "m_hat": StateKey("m̂", "m with the bias correction: m / (1 − β₁ᵗ)"),
    "v_hat": StateKey("v̂", "v with the bias correction: v / (1 − β₂ᵗ)"),
    "v_max": StateKey("v_max", "the largest v so far (AMSGrad)"),
    "u": StateKey("u", "the infinity norm: the largest recent |g|, decayed by β₂ (Adamax)"),
    "square_avg": StateKey("v", "running average of squared gradients"),
    "acc_delta": StateKey("u", "running average of squared steps"),
    "sum": StateKey("s", "sum of all squared gradients so far"),
    "grad_avg": StateKey("a", "running average of gradients (centered RMSprop)"),
    "step": StateKey("t", "steps taken", "hide"),
    "step_size": StateKey("η/(1−β₁ᵗ)", "the bias-corrected step size", "hide"),
    "bias_correction2_sqrt": StateKey("√(1−β₂ᵗ)", "the square root of v's bias correction", "hide"),
    "bias_correction1": StateKey(
        "1−β₁ᵗ", "bias correction of m: small in the first steps, then → 1"
    ),
    "bias_correction2": StateKey("1−β₂ᵗ", "bias correction of v"),
    "clr": StateKey("η_t", "the decayed learning rate"),
    # NAdam
    "mu": StateKey("μₜ", "this step's momentum coefficient (NAdam's warmed-up β₁)"),
    "mu_next": StateKey("μₜ₊₁", "the next step's momentum coefficient (NAdam's look-ahead)"),
    "mu_product": StateKey("Πμ", "the product of the momentum coefficients so far (NAdam)"),
    "grad_coef": StateKey("c_g", "the gradient's weight in this step (NAdam)"),
    "momentum_coef": StateKey("c_m", "the momentum's weight in this step (NAdam)"),
    # RAdam
    "rho_t": StateKey("ρₜ", "length of the approximated simple moving average (RAdam)"),
    "rect": StateKey(
        "r", "the variance rectification term; 0 on the first steps (plain momentum steps)"
    ),
    # Rprop
    "prev": StateKey("g_prev", "the last gradient used (0 after a sign flip)"),
    "rprop.step_size": StateKey(
        "Δ", "each coordinate's step size: grows while g keeps its sign, shrinks when it flips"
    ),
    # ASGD
    "asgd.eta": StateKey("ηₜ", "this step's decayed learning rate"),
    "asgd.mu": StateKey("μₜ", "the averaging weight: 1 until step t0, then 1/(t − t0)"),
    "ax": StateKey(
        "ax", "the averaged point: the path's running average (a second marker)", "marker"
    ),
    # Adafactor
    "one_minus_beta2_t": StateKey(
        "1−β₂ₜ", "the weight of this step's squared gradient in the variance"
    ),
    "adafactor.rho_t": StateKey("ρₜ", "the relative step size: min(lr, 1/√t)"),
    "alpha": StateKey("α", "the step size: ρₜ times the parameters' RMS (at least eps2)"),
    "clip": StateKey(
        "clip", "the update's RMS divided by d, when above 1 (the update is divided by it)"
    ),
    "variance": StateKey("v", "the second-moment estimate (factored for a matrix)"),
    # Lion
    "lion.m": StateKey("m", "the momentum: a running average of gradients with β₂"),
    "update": StateKey("sign", "the sign step: sign(β₁ m + (1 − β₁) g), −1, 0 or 1 per coordinate"),
    # Prodigy
    "d": StateKey(
        "d", "the estimated distance to the solution: the step size, which only grows", "chart"
    ),
    "d_max": StateKey("d_max", "the largest d so far"),
    "d_hat": StateKey("d̂", "this step's raw estimate of d, before taking the maximum"),
    "d_numerator": StateKey("d_num", "the running sum behind d's estimate"),
    "d_denom": StateKey("d_den", "the norm of s: the estimate's denominator"),
    "dlr": StateKey("d·η", "the step size in effect: d times the learning rate"),
    "k": StateKey("k", "steps taken (Prodigy's counter)"),
    "p0": StateKey("θ₀", "the start point, from which the distance is measured"),
    "s": StateKey("s", "the running sum of d-weighted gradients"),
    # Schedule-free
    "scheduled_lr": StateKey("ηₜ", "the learning rate of this step (warmup included)"),
    "lr_max": StateKey("η_max", "the largest learning rate so far"),
    "weight_sum": StateKey("Σw", "the sum of the averaging weights"),
    "ckp1": StateKey("cₜ₊₁", "the averaging weight of this step: how much x moves towards z"),
    "x": StateKey("x", "the averaged point: the answer schedule-free gives (a marker)", "marker"),
    "z": StateKey("z", "the base sequence: SGD steps with the gradients at y (a marker)", "marker"),
    # L-BFGS
    "func_evals": StateKey("evals", "function evaluations so far"),
    "evals": StateKey("evals now", "function evaluations in this step (the line search's trials)"),
    "iterations": StateKey("iter", "quasi-Newton iterations so far"),
    "lbfgs.step_size": StateKey("t", "the step length the line search accepted"),
    "H_diag": StateKey("γ", "the scale of the initial inverse Hessian: sᵀy / yᵀy"),
    "history": StateKey("pairs", "curvature pairs (s, y) kept"),
    "direction": StateKey("d", "the search direction: −H g from the two-loop recursion"),
    # SAM
    "grad_norm": StateKey("‖g‖", "the gradient's norm, which scales the ascent"),
    "ascent_loss": StateKey("f(θ+e)", "the loss at the ascent point"),
    "ascent": StateKey(
        "θ+e", "the ascent point, where the step's gradient is taken (a marker)", "marker"
    ),
    # Newton
    "lambda_min": StateKey(
        "λ_min", "the Hessian's smallest eigenvalue at the step's start (< 0: saddle or hilltop)"
    ),
    "lambda_max": StateKey("λ_max", "the Hessian's largest eigenvalue at the step's start"),
    "newton_step": StateKey("−H⁻¹g", "the Newton step: −(H + damping I)⁻¹ g"),
}
