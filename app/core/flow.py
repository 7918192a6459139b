"""Gradient flow: the continuous-time path that gradient descent follows as lr -> 0.

    d theta / dt = -grad L(theta),   theta(0) = theta_0

Gradient descent with step lr is Euler's method on this ODE with step lr, so the flow at time
t = k lr is where k small steps would be. A run that follows it is in the small-lr regime; one
that departs from it (oscillating across a valley, catapulting out of a sharp region) is not.

Solved with the Dormand-Prince 5(4) pair (Dormand & Prince 1980; the method of MATLAB's ode45
and SciPy's RK45): six gradients a step (seven stages, the last reused as the next step's
first: "first same as last"), the 5th-order solution advances, its difference with the embedded
4th-order one estimates the local error, and the step grows or shrinks to keep

    rms( err_i / (atol + rtol max(|theta_i|, |theta_new_i|)) ) <= 1.

Points at the requested times come from Shampine's 4th-order continuous extension of each step
(Shampine 1986, "Some Practical Runge-Kutta Formulas"), so output times never shorten a step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP
from app.core.surfaces import Surface

Array = NDArray[np.float64]

# The Dormand-Prince tableau: nodes C, stage weights A, 5th-order weights B, error weights E
# (5th minus 4th order, over seven stages: the 7th is f at the new point).
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0])
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
)
_B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
_E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
# Continuous extension: theta(t + s h) = theta + h (Kᵀ P) [s, s^2, s^3, s^4], s in [0, 1].
_P = np.array([
    [1.0, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
    [0.0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
    [0.0, 127303824393 / 49829197408, -318862633887 / 49829197408,
     701980252875 / 199316789632],
    [0.0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
    [0.0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
])
_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 10.0


@dataclass(frozen=True)
class FlowPath:
    """The flow sampled at the requested times."""

    times: Array  # (T,) the requested times reached (all of them when complete)
    points: Array  # (T, D) theta(t)
    n_grads: int  # gradient evaluations
    n_steps: int  # accepted steps
    n_rejected: int  # steps redone smaller
    complete: bool  # False: stopped early (max_steps, or the gradient stopped being finite)


def _rms(v: Array) -> float:
    return float(np.sqrt(np.mean(v * v)))


def _first_step(f0: Array, y0: Array, fun: Callable[[Array], Array], rtol: float,
                atol: float) -> tuple[float, int]:
    """Hairer, Norsett & Wanner's starting step (Solving ODEs I, II.4): a first guess from the
    sizes of theta and of the gradient, refined by one Euler step's change of the gradient."""
    scale = atol + np.abs(y0) * rtol
    d0, d1 = _rms(y0 / scale), _rms(f0 / scale)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    f1 = fun(y0 + h0 * f0)
    d2 = _rms((f1 - f0) / scale) / h0
    h1 = max(1e-6, h0 * 1e-3) if max(d1, d2) <= 1e-15 else (0.01 / max(d1, d2)) ** (1 / 5)
    return min(100 * h0, h1), 1


def integrate_flow(
    grad: Callable[[Array], Array], theta0: Array, times: Array, rtol: float = 1e-6,
    atol: float = 1e-9, max_steps: int = 100_000,
) -> FlowPath:
    """theta(t) for each t in `times` (ascending, >= 0) on d theta/dt = -grad(theta) from
    theta(0) = theta0 (D,). grad(theta) -> (D,)."""
    times = np.asarray(times, dtype=np.float64)
    if times.ndim != 1 or np.any(times < 0) or np.any(np.diff(times) < 0):
        raise ValueError("times must be a 1-D ascending array of times >= 0")
    y = np.array(theta0, dtype=np.float64).ravel()

    def fun(p: Array) -> Array:
        return -np.asarray(grad(p), dtype=np.float64).ravel()

    out = np.empty((len(times), y.size))
    n_out = 0
    while n_out < len(times) and times[n_out] == 0.0:  # t = 0 is the start itself
        out[n_out] = y
        n_out += 1
    f = fun(y)
    n_grads, n_steps, n_rejected = 1, 0, 0
    if n_out == len(times):
        return FlowPath(times, out, n_grads, 0, 0, True)
    h, extra = _first_step(f, y, fun, rtol, atol)
    n_grads += extra
    t, t_end = 0.0, float(times[-1])
    k = np.empty((7, y.size))  # the seven stages of one step
    rejected_last = False
    while n_out < len(times) and n_steps < max_steps:
        if not np.all(np.isfinite(f)):
            break
        last = h >= t_end - t
        if last:  # land on the last requested time exactly
            h = t_end - t
        # 1) the six new stages (k[0] is f at the current point, from the last step).
        k[0] = f
        for s in range(1, 6):
            k[s] = fun(y + h * (np.asarray(_A[s]) @ k[:s]))
        y_new = y + h * (_B @ k[:6])
        k[6] = f_new = fun(y_new)
        n_grads += 6
        # 2) the error estimate, scaled per coordinate.
        scale = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
        err = _rms(h * (_E @ k) / scale)
        if not np.isfinite(err):
            err = np.inf
        if err > 1.0:
            h *= max(_MIN_FACTOR, _SAFETY * err ** -0.2) if np.isfinite(err) else _MIN_FACTOR
            n_rejected += 1
            rejected_last = True
            if h < 1e-14 * max(1.0, t):
                break
            continue
        # 3) accepted: sample the requested times inside (t, t + h] from the interpolant.
        q = k.T @ _P  # (D, 4)
        t_new = t_end if last else t + h
        while n_out < len(times) and times[n_out] <= t_new:
            frac = (times[n_out] - t) / h  # in (0, 1]
            out[n_out] = y + h * (q @ (frac ** np.arange(1, 5)))
            n_out += 1
        t, y, f = t_new, y_new, f_new
        n_steps += 1
        grow = _MAX_FACTOR if err == 0 else min(_MAX_FACTOR, _SAFETY * err ** -0.2)
        h *= min(grow, 1.0) if rejected_last else grow
        rejected_last = False
    return FlowPath(times[:n_out], out[:n_out], n_grads, n_steps, n_rejected,
                    n_out == len(times))


def surface_flow(
    surface: Surface, x0: float, y0: float, times: Array, rtol: float = 1e-6,
    atol: float = 1e-9, max_steps: int = 100_000,
) -> FlowPath:
    """The flow on a 2-D surface from (x0, y0); points (T, 2)."""

    def grad(p: Array) -> Array:
        _, gx, gy = surface.value_and_grad(float(p[0]), float(p[1]))
        return np.array([gx, gy])

    return integrate_flow(grad, np.array([x0, y0]), times, rtol, atol, max_steps)


def network_flow(
    model: MLP, theta0: Array, x: Array, y: Array, times: Array, rtol: float = 1e-6,
    atol: float = 1e-9, max_steps: int = 100_000,
) -> FlowPath:
    """The flow of the full-batch training loss from theta0 (P,); points (T, P). y holds
    (N, outputs) targets. Time t is comparable with step k of gradient descent at lr = t / k."""
    return integrate_flow(lambda th: model.loss_and_grad(th, x, y)[1], theta0, times, rtol, atol,
                          max_steps)


def arc_length_samples(points: Array, n: int) -> Array:
    """n points evenly spaced along the polyline through `points` (T, D): a path drawn with
    even spacing, whatever the speed of the flow along it (fast at first, slow near a minimum).
    Sample the flow densely in time first; the polyline's corners are then negligible."""
    points = np.asarray(points, dtype=np.float64)
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)  # (T-1,)
    s = np.concatenate([[0.0], np.cumsum(seg)])  # arc length at each point
    if len(points) < 2 or s[-1] == 0.0:
        return np.repeat(points[:1], n, axis=0)
    target = np.linspace(0.0, s[-1], n)
    return np.stack([np.interp(target, s, points[:, d]) for d in range(points.shape[1])], axis=1)
