"""L-BFGS (torch.optim.LBFGS): a quasi-Newton rule that asks its run for the loss and gradient at
the points its line search tries."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from app.core.optimizers.base import Optimizer, Oracle, Value, _lr
from app.core.parameters import Hyperparameter

Array = NDArray[np.float64]


def _cubic_interpolate(
    x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser of the cubic through two points with their slopes, clipped to bounds
    (torch's `_cubic_interpolate`, after minFunc's polyinterp)."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(
    obj: Callable[[float], tuple[float, Array]], d: Array, t: float, f: float, g: Array,
    gtd: float, c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Array, float, int]:
    """torch's `_strong_wolfe` line search along d from t: (loss, grad, t, evaluations).

    Bracketing (grow t by cubic extrapolation until the sufficient-decrease condition fails or
    the slope turns), then zoom (cubic interpolation inside the bracket) until the strong Wolfe
    conditions hold: f(x + t d) <= f + c1 t g.d and |g(x + t d).d| <= c2 |g.d|."""
    d_norm = float(np.max(np.abs(d)))
    f_new, g_new = obj(t)
    evals = 1
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
    if ls_iter == max_ls:  # torch keeps bracket_gtd from before (unused: the zoom is skipped)
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    insuf_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # too close to an end of the bracket: move away from it (minFunc's safeguard)
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) \
                    else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_g[high] = t, f_new, g_new
            bracket_gtd[high] = gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low] = t, f_new, g_new
            bracket_gtd[low] = gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


def _two_loop(g: Array, dirs: list, stps: list, ro: list[float], h_diag: float) -> Array:
    """The L-BFGS direction d = -H g by the two-loop recursion, in torch's order:
    q = -g;  newest to oldest: a_i = rho_i s_i.q, q -= a_i y_i;  r = H_diag q;
    oldest to newest: b_i = rho_i y_i.r, r += (a_i - b_i) s_i.
    On a 2D point the history holds pairs of floats and the loops run on floats (ten times
    faster than NumPy on arrays of two, the same operations); otherwise on arrays."""
    m = len(dirs)
    al = [0.0] * m
    if len(g) == 2:
        q0, q1 = -float(g[0]), -float(g[1])
        for i in range(m - 1, -1, -1):
            (s0, s1), (y0, y1) = stps[i], dirs[i]
            a = al[i] = (s0 * q0 + s1 * q1) * ro[i]
            q0, q1 = q0 + (-a) * y0, q1 + (-a) * y1
        r0, r1 = q0 * h_diag, q1 * h_diag
        for i in range(m):
            (s0, s1), (y0, y1) = stps[i], dirs[i]
            c = al[i] - (y0 * r0 + y1 * r1) * ro[i]
            r0, r1 = r0 + c * s0, r1 + c * s1
        return np.array([r0, r1])
    q = -g
    for i in range(m - 1, -1, -1):
        al[i] = float(stps[i] @ q) * ro[i]
        q = q + (-al[i]) * dirs[i]
    r = q * h_diag
    for i in range(m):
        be_i = float(dirs[i] @ r) * ro[i]
        r += (al[i] - be_i) * stps[i]
    return r


class LBFGS(Optimizer):
    """L-BFGS (torch.optim.LBFGS): a direction from the last history_size pairs of steps s and
    gradient changes y, the inverse Hessian approximated by the two-loop recursion.

    One call of `step` is one `step(closure)` of torch's, with one difference: max_iter defaults
    to 1 here (torch: 20), so that a drawn step is one quasi-Newton iteration. Per iteration:
    y = g_k - g_{k-1};  s = t_{k-1} d_{k-1};  if y.s > 1e-10: keep (s, y), H_diag = y.s / y.y
    q = -g_k;  for i newest..oldest: a_i = rho_i s_i.q,  q -= a_i y_i      (rho_i = 1 / y_i.s_i)
    d_k = H_diag q;  for i oldest..newest: b_i = rho_i y_i.d_k,  d_k += (a_i - b_i) s_i
    (the first iteration: d = -g, H_diag = 1)
    t_k = lr * min(1, 1 / |g_k|_1) on the very first iteration, else lr
    line_search_fn null: p += t_k d_k;  "strong_wolfe": t_k from the strong Wolfe line search
    (at most max_eval - evaluations so far trials), then p += t_k d_k.
    It stops early, as torch does, when max|g| <= tolerance_grad (no step at all), g.d >
    -tolerance_change, or (with several iterations) on tolerance_change or max_eval.
    With max_iter 1, torch's max_eval default (max_iter * 5 // 4) is 1: a line search then gets
    one trial, so give max_eval (say 25) to watch it search.
    """

    id = "lbfgs"
    name = "L-BFGS"
    description = (
        "Builds a picture of the curvature from its last few steps and gradient changes, and "
        "with a line search tries points along the resulting direction until one is good enough."
    )
    equation = (
        r"d_k = -H_k\, g_k \quad (H_k \approx \nabla^2 f^{-1}\ \text{from the last } m"
        r"\ (s_i, y_i)) \\ "
        r"s_i = \theta_{i+1} - \theta_i,\ \ y_i = g_{i+1} - g_i \\ "
        r"\theta_{k+1} = \theta_k + t_k\, d_k \quad (t_k = \eta\ \text{or a strong Wolfe "
        r"line search})"
    )
    hyperparameters = {
        "lr": _lr(1.0),
        "max_iter": Hyperparameter(
            1, 1, 100, "Quasi-Newton iterations per drawn step (torch's default: 20).", kind="int"
        ),
        "max_eval": Hyperparameter(
            None, 1, 1000,
            "Most loss evaluations per step; null: max_iter * 5 // 4 as in torch, which is 1 "
            "at max_iter 1 and stalls a line search: give 25 to watch it search.", kind="int",
            nullable=True,
        ),
        "tolerance_grad": Hyperparameter(
            1e-7, 0.0, 1.0, "No step once every gradient component is this small.",
        ),
        "tolerance_change": Hyperparameter(
            1e-9, 0.0, 1.0, "Stop when the loss or the parameters change less than this.",
        ),
        "history_size": Hyperparameter(
            100, 1, 1000, "How many recent (step, gradient change) pairs shape the direction.",
            kind="int",
        ),
        "line_search_fn": Hyperparameter(
            None, 0, 0, "null: a fixed step of lr along the direction; strong_wolfe: search it.",
            kind="choice", choices=("strong_wolfe",), nullable=True,
        ),
    }
    elementwise = False
    needs_oracle = True
    lr: float
    max_iter: int
    max_eval: int | None
    tolerance_grad: float
    tolerance_change: float
    history_size: int
    line_search_fn: str | None

    def reset(self) -> None:
        super().reset()
        # torch's state, kept across steps (private: the snapshot shows what a class can read)
        self._lb: dict[str, object] = {"func_evals": 0, "n_iter": 0}

    def _step_oracle(
        self, oracle: Oracle, p: Array, g: Array, loss: float, slot: dict[str, Value]
    ) -> Array:
        st = self._lb
        lr, max_iter = self.lr, self.max_iter
        max_eval = self.max_eval if self.max_eval is not None else max_iter * 5 // 4
        tol_change, history = self.tolerance_change, self.history_size
        state = self._state
        evals = 1  # the closure at p: the loss and gradient the run hands in
        st["func_evals"] = int(st["func_evals"]) + 1
        state.update(func_evals=st["func_evals"], evals=1, iterations=0)
        if float(np.max(np.abs(g))) <= self.tolerance_grad:
            return p.copy()  # torch returns before any iteration: no step
        d, t = st.get("d"), st.get("t")
        old_dirs: list[Array] = st.get("old_dirs", [])  # type: ignore[assignment]
        old_stps: list[Array] = st.get("old_stps", [])  # type: ignore[assignment]
        ro: list[float] = st.get("ro", [])  # type: ignore[assignment]
        h_diag = st.get("H_diag", 1.0)
        prev_g, prev_loss = st.get("prev_flat_grad"), st.get("prev_loss")
        p = p.copy()
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            st["n_iter"] = int(st["n_iter"]) + 1
            if st["n_iter"] == 1:
                d = -g
                old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
            else:
                y = g - prev_g
                s = d * t
                ys = float(y @ s)
                if ys > 1e-10:  # keep the pair only where the curvature along s is positive
                    if len(old_dirs) == history:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    small = len(y) == 2  # a 2D point: the history as pairs of floats
                    old_dirs.append((float(y[0]), float(y[1])) if small else y)
                    old_stps.append((float(s[0]), float(s[1])) if small else s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y @ y)
                d = _two_loop(g, old_dirs, old_stps, ro, h_diag)
            prev_g = g.copy()
            prev_loss = loss
            if st["n_iter"] == 1:  # torch: 1 / 0 is inf there, and min(1, inf) is 1
                abs_sum = float(np.sum(np.abs(g)))
                t = (min(1.0, 1.0 / abs_sum) if abs_sum else 1.0) * lr
            else:
                t = lr
            gtd = float(g @ d)
            if gtd > -tol_change:
                break  # not a descent direction (or too flat): torch stops here
            ls_evals = 0
            if self.line_search_fn is not None:
                x0, direction = p, d

                def along(step: float, x0: Array = x0, direction: Array = direction) -> tuple:
                    return oracle.value_and_grad(x0 + step * direction)

                loss, g, t, ls_evals = _strong_wolfe(
                    along, d, t, loss, g, gtd, tolerance_change=tol_change,
                    max_ls=max_eval - evals)
                p = p + t * d
                opt_cond = float(np.max(np.abs(g))) <= self.tolerance_grad
            else:
                p = p + t * d
                opt_cond = False
                if n_iter != max_iter:  # the last iteration's point is the run's to evaluate
                    loss, g = oracle.value_and_grad(p)
                    loss = float(loss)
                    opt_cond = float(np.max(np.abs(g))) <= self.tolerance_grad
                    ls_evals = 1
            evals += ls_evals
            st["func_evals"] = int(st["func_evals"]) + ls_evals
            if n_iter == max_iter or evals >= max_eval or opt_cond:
                break
            if float(np.max(np.abs(d * t))) <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        st.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                  prev_flat_grad=prev_g, prev_loss=prev_loss)
        slot["direction"] = d
        state.update(func_evals=st["func_evals"], evals=evals, iterations=n_iter, step_size=t,
                     H_diag=h_diag, history=len(old_dirs))
        return p
